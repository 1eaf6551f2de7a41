package filter

import (
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
)

// Bounds of a token endpoint response.
const (
	maxUpstreamTokenBytes = 16 << 10             // longest access_token accepted
	maxTokenLifetime      = 366 * 24 * time.Hour // longer expires_in values are cut to this
	maxOAuthErrorBytes    = 64                   // longest RFC 6749 §5.2 "error" code reported
)

// tokenGrant is a successful token response (RFC 6749 §5.1).
type tokenGrant struct {
	accessToken string        // never logged
	life        time.Duration // expires_in, or the entry's default when absent
	defaulted   bool          // expires_in was absent
}

// tokenEndpointError is a failed token request. Its text names what went
// wrong and never holds a token or a secret: it is logged as is.
type tokenEndpointError struct {
	status     int    // HTTP status; 0: no response
	oauthError string // the RFC 6749 §5.2 "error" code of a 4xx answer, "" if none (or not well-formed)
	msg        string
}

func (e *tokenEndpointError) Error() string {
	var b strings.Builder
	b.WriteString("token endpoint: ")
	b.WriteString(e.msg)
	if e.oauthError != "" {
		b.WriteString(" (error=")
		b.WriteString(e.oauthError)
		b.WriteByte(')')
	}
	return b.String()
}

// rejected reports an answer that says the request itself is wrong (4xx:
// bad client credentials, unknown scope or audience, ...). Retrying without a
// configuration change does not help, so it is logged at error level.
func (e *tokenEndpointError) rejected() bool { return e.status >= 400 && e.status < 500 }

// parseTokenResponse judges the token endpoint's answer to a client
// credentials request (RFC 6749 §5.1 success, §5.2 error).
//
//   - A 2xx answer must be a JSON object with a non-empty access_token of
//     visible ASCII (RFC 6749 Appendix A.12, without space: it goes in a
//     header after "Bearer ") and token_type Bearer (case-insensitive,
//     RFC 6749 §5.1). expires_in, when present, is a positive number of
//     seconds (a string of digits is accepted too, as some servers send it);
//     absent, the entry's default_expires_in_seconds applies.
//   - Any other answer (none, 3xx, 4xx, 5xx, a timeout reported by the host as
//     504) is a failure; a 4xx body's "error" code is kept for the log.
func (c *upstreamCred) parseTokenResponse(resp *shared.Response) (tokenGrant, error) {
	switch {
	case resp == nil || resp.Status == 0:
		return tokenGrant{}, &tokenEndpointError{msg: "no response (connection failed or reset)"}
	case resp.TooLarge:
		return tokenGrant{}, &tokenEndpointError{status: resp.Status, msg: "response body too large"}
	case resp.Status < 200 || resp.Status > 299:
		e := &tokenEndpointError{status: resp.Status, msg: "answered HTTP " + strconv.Itoa(resp.Status)}
		if e.rejected() {
			e.oauthError = oauthErrorCode(resp.Body)
			if c.clientSecret != "" && strings.Contains(e.oauthError, c.clientSecret) {
				e.oauthError = "" // a server echoing the secret must not put it in the log
			}
		}
		return tokenGrant{}, e
	}
	fail := func(msg string) (tokenGrant, error) {
		return tokenGrant{}, &tokenEndpointError{status: resp.Status, msg: "malformed token response: " + msg}
	}
	doc, why := jsonObject(resp.Body)
	if why != "" {
		return fail(why)
	}
	at := doc.Get("access_token")
	if at.Type != gjson.String || at.Str == "" {
		return fail("access_token missing or not a string")
	}
	if len(at.Str) > maxUpstreamTokenBytes {
		return fail("access_token longer than " + strconv.Itoa(maxUpstreamTokenBytes) + " bytes")
	}
	for i := 0; i < len(at.Str); i++ {
		if c := at.Str[i]; c < 0x21 || c > 0x7e {
			return fail("access_token holds a character not allowed in a header")
		}
	}
	tt := doc.Get("token_type")
	if tt.Type != gjson.String {
		return fail("token_type missing or not a string")
	}
	if !strings.EqualFold(tt.Str, "bearer") {
		return fail("token_type " + strconv.Quote(headerSafe(tt.Str, 32)) + " is not Bearer")
	}
	g := tokenGrant{accessToken: at.Str}
	ei := doc.Get("expires_in")
	if !ei.Exists() || ei.Type == gjson.Null {
		g.life, g.defaulted = c.defaultLife, true
		return g, nil
	}
	secs, ok := expiresIn(ei)
	if !ok {
		return fail("expires_in is not a positive number of seconds")
	}
	if secs > maxTokenLifetime.Seconds() {
		secs = maxTokenLifetime.Seconds()
	}
	g.life = time.Duration(secs * float64(time.Second))
	return g, nil
}

// expiresIn reads expires_in: a JSON number of at least 1 (second), or a
// string of digits.
func expiresIn(r gjson.Result) (float64, bool) {
	switch r.Type {
	case gjson.Number:
		return r.Num, r.Num >= 1
	case gjson.String:
		if r.Str == "" || len(r.Str) > 12 {
			return 0, false
		}
		n, err := strconv.ParseUint(r.Str, 10, 64)
		if err != nil || n < 1 {
			return 0, false
		}
		return float64(n), true
	}
	return 0, false
}

// oauthErrorCode returns the "error" member of an RFC 6749 §5.2 body when it
// looks like an error code (letters, digits, '_', '-', '.', bounded; the
// registered codes are all like "invalid_client"); "" otherwise. Nothing else
// of the body is kept: error_description is free text chosen by the server.
func oauthErrorCode(body []byte) string {
	if !gjson.ValidBytes(body) {
		return ""
	}
	e := gjson.GetBytes(body, "error")
	if e.Type != gjson.String || e.Str == "" || len(e.Str) > maxOAuthErrorBytes {
		return ""
	}
	for i := 0; i < len(e.Str); i++ {
		if c := e.Str[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return ""
		}
	}
	return e.Str
}
