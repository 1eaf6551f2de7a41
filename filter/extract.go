package filter

import (
	"net/url"
	"strings"
)

// sourceKind says where a token is carried.
type sourceKind uint8

const (
	sourceHeader sourceKind = iota + 1 // a request header, optionally after a scheme prefix
	sourceQuery                        // a query parameter of the request target
	sourceCookie                       // a cookie of the Cookie header(s)
)

// tokenSource is one "token_from" entry of a provider.
type tokenSource struct {
	kind   sourceKind
	name   string // header name (lower case), query parameter or cookie name (case-sensitive)
	prefix string // header only: scheme prefix such as "Bearer ", matched case-insensitively
}

// String names the source for logs and denial details; it never includes a value.
func (s tokenSource) String() string {
	switch s.kind {
	case sourceHeader:
		return "header " + s.name
	case sourceQuery:
		return "query " + s.name
	case sourceCookie:
		return "cookie " + s.name
	}
	return "unknown source"
}

// defaultTokenSource is used when a provider has no "token_from".
var defaultTokenSource = tokenSource{kind: sourceHeader, name: "authorization", prefix: "Bearer "}

// foundToken is a credential found at one of the sources.
type foundToken struct {
	source    int    // index into the sources given to extractTokens
	token     string // the token text; empty when malformed
	malformed bool   // the source held a credential that is not a token ("Bearer" alone, bad escape)
}

// extractTokens appends to found every credential present at the given sources, in
// source order, then in the order they appear in the request. A header whose
// value does not start with the source's prefix (e.g. "Basic ..." where
// "Bearer " is expected) holds no token for that source. Headers are matched
// by name case-insensitively; query parameter and cookie names exactly.
//
// (Loops take elements by index or pointer, never by value: inside wasm every
// copy of a [2]string or a tokenSource is a memory.copy, a call out of the
// compiled code.)
func extractTokens(found []foundToken, sources []tokenSource, headers [][2]string, query string) []foundToken {
	for i := range sources {
		s := &sources[i]
		switch s.kind {
		case sourceHeader:
			for j := range headers {
				h := &headers[j]
				if !sameHeaderName(h[0], s.name) {
					continue
				}
				if tok, ok, malformed := headerToken(h[1], s.prefix); ok {
					found = append(found, foundToken{source: i, token: tok, malformed: malformed})
				}
			}
		case sourceQuery:
			if query == "" {
				continue // no parameter, nothing hidden
			}
			walkQueryParams(query, func(param, name, rawValue string) {
				if hidesPair(param, ';', s.name) {
					found = append(found, foundToken{source: i, malformed: true})
				}
				if name != s.name {
					return
				}
				v, err := url.QueryUnescape(rawValue)
				if err != nil || v == "" {
					found = append(found, foundToken{source: i, malformed: true})
					return
				}
				found = append(found, foundToken{source: i, token: v})
			})
		case sourceCookie:
			walkCookies(headers, func(pair, name, rawValue string) {
				// A hidden token, or a control byte (the other cookies would be written back
				// upstream in a rebuilt Cookie header): the cookie source is malformed.
				if hidesPair(pair, ',', s.name) || hasControl(pair) {
					found = append(found, foundToken{source: i, malformed: true})
				}
				if name != s.name {
					return
				}
				if value := unquoteCookie(rawValue); value != "" {
					found = append(found, foundToken{source: i, token: value})
				} else {
					found = append(found, foundToken{source: i, malformed: true})
				}
			})
		}
	}
	return found
}

// headerToken takes the token out of a header value. ok is false when the
// value is not a credential of this scheme; malformed is true when it is, but
// carries no token ("Bearer", "Bearer   ").
//
// With a scheme prefix ("Bearer "), the scheme name followed by any byte that
// cannot continue a scheme name (a tab, ',', ...) is a credential of this
// scheme too: upstreams that split on any whitespace read "Bearer<TAB>x" as a
// bearer token, so it must verify (or be refused), never pass as "another
// scheme". "Basic ..." or "Bearerx ..." are other schemes.
func headerToken(value, prefix string) (token string, ok, malformed bool) {
	value = trimBlanksLeft(value)
	if prefix == "" {
		tok := trimBlanksRight(value)
		return tok, true, tok == ""
	}
	if len(value) >= len(prefix) && (value[:len(prefix)] == prefix || strings.EqualFold(value[:len(prefix)], prefix)) {
		tok := trimBlanks(value[len(prefix):])
		return tok, true, tok == ""
	}
	scheme := trimBlanksRight(prefix)
	if scheme != "" && scheme != prefix && len(value) >= len(scheme) &&
		strings.EqualFold(value[:len(scheme)], scheme) && (len(value) == len(scheme) || !isTchar(value[len(scheme)])) {
		tok := trimBlanks(value[len(scheme):])
		return tok, true, tok == ""
	}
	return "", false, false
}

// hidesPair reports whether text, one query parameter or one cookie as written, hides a
// "<name>=" pair behind sep: ';' in a query ("x=1;access_token=EVIL"), ',' in a cookie
// ("x=1, at=EVIL"). RFC 3986 and RFC 6265 do not split there, but legacy parsers (older
// Python parse_qs and Rails, RFC 2109 cookie parsers) do, and would hand the upstream a token
// nobody verified. extractTokens counts such a hidden token as present and malformed, so the
// request fails closed.
func hidesPair(text string, sep byte, name string) bool {
	for {
		i := strings.IndexByte(text, sep)
		if i < 0 {
			return false
		}
		text = text[i+1:]
		part, _, _ := strings.Cut(text, string(sep))
		n, _, _ := strings.Cut(trimBlanks(part), "=")
		if dec, err := url.QueryUnescape(n); err == nil {
			n = dec
		}
		if n == name {
			return true
		}
	}
}

// walkQueryParams calls f with every non-empty parameter of a raw query:
// param is its text as written ("c=%41"), name the decoded name (raw when it
// fails to decode) and rawValue the undecoded value.
func walkQueryParams(query string, f func(param, name, rawValue string)) {
	for query != "" {
		var param string
		param, query, _ = strings.Cut(query, "&")
		if param == "" {
			continue
		}
		name, value, _ := strings.Cut(param, "=")
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		f(param, name, value)
	}
}

// unquoteCookie returns a cookie value without its surrounding double quotes
// (RFC 6265 §4.1.1 allows a quoted cookie-value).
func unquoteCookie(value string) string {
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		return value[1 : len(value)-1]
	}
	return value
}

// walkCookies calls f with every non-empty cookie of every Cookie header:
// pair is the cookie's text trimmed of surrounding blanks ("a=1"), name and
// rawValue its two halves, each trimmed of blanks, the value still quoted.
func walkCookies(headers [][2]string, f func(pair, name, rawValue string)) {
	for j := range headers {
		h := &headers[j]
		// Also an 8-byte name EqualFold finds equal: "coo\u212aie" (the Kelvin
		// sign folds to 'k'), as strings.EqualFold alone always matched.
		if !sameHeaderName(h[0], "cookie") && (len(h[0]) != 8 || !strings.EqualFold(h[0], "cookie")) {
			continue
		}
		rest := h[1]
		for rest != "" {
			var pair string
			pair, rest, _ = strings.Cut(rest, ";")
			pair = trimBlanks(pair)
			if pair == "" {
				continue
			}
			name, value, _ := strings.Cut(pair, "=")
			f(pair, trimBlanks(name), trimBlanks(value))
		}
	}
}

// sameHeaderName reports whether header name h is name (lower case), ignoring
// case. Envoy hands names over in lower case, so the exact comparison settles
// nearly every call; EqualFold runs only for a same-length name that differs.
func sameHeaderName(h, name string) bool {
	return len(h) == len(name) && (h == name || strings.EqualFold(h, name))
}

// trimBlanks returns s without leading and trailing spaces and tabs, as
// strings.Trim(s, " \t") does, without building a character set per call.
func trimBlanks(s string) string { return trimBlanksRight(trimBlanksLeft(s)) }

func trimBlanksLeft(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

func trimBlanksRight(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// withoutQueryParams returns query without the parameters named in names,
// keeping every other parameter byte for byte.
func withoutQueryParams(query string, names []string) string {
	var b strings.Builder
	walkQueryParams(query, func(param, name, _ string) {
		if containsString(names, name) {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(param)
	})
	return b.String()
}

// withoutCookies returns the request's cookies, from every Cookie header,
// joined into one header value without the cookies named in names (the
// original text of every kept cookie is preserved).
func withoutCookies(headers [][2]string, names []string) string {
	var b strings.Builder
	walkCookies(headers, func(pair, name, _ string) {
		if containsString(names, name) {
			return
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(pair)
	})
	return b.String()
}
