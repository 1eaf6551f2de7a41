package peer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// Request is one request of the corpus: what both peers receive, byte for byte.
type Request struct {
	Name    string
	Method  string
	Target  string      // request target (origin-form path and query), sent as is
	Headers [][2]string // besides Host; e.g. Authorization
}

// Facts are properties of a Request computed from its bytes (never from its name) that the
// rules in rules.go use to explain a disagreement. Analyze computes them; each is documented by
// what it looks at, not by what either peer does with it.
type Facts struct {
	Token string // the credential after the first space of the Authorization value, trimmed

	InvalidJSON           bool // the header or payload decodes but is not one valid JSON object
	DuplicateMember       bool // the header or payload JSON repeats a member name at some level
	NonCanonicalBase64    bool // a segment decodes as base64url only if non-zero padding bits are ignored
	JSONEscape            bool // the header or payload JSON text contains a backslash escape
	Crit                  bool // the header has a "crit" member
	TokenLarger           bool // the token is longer than tokengate's default max_token_bytes (8192)
	AudArray              bool // "aud" is a JSON array
	ScopeArray            bool // "scope" is a JSON array
	ExpNotNumber          bool // "exp" is absent or not a JSON number
	ExpInLeeway           bool // exp <= now < exp + leeway (expired, but inside the clock skew)
	NbfFuture             bool // "nbf" is a number later than now
	IatFuture             bool // "iat" is a number later than now
	ScopeSubstringOnly    bool // the method's scope is a substring of the "scope" string, not one of its words
	CommaInCredential     bool // the Authorization value holds a ','
	ExtraSpaceAfterScheme bool // whitespace between "Bearer " and the token
	PathNotNormal         bool // the path holds dot segments, "//" or percent-encoding
}

// Scope returns the scope the seeds require for a method ("read" for GET/HEAD, "write" for
// POST/PUT/PATCH/DELETE, "" otherwise).
func Scope(method string) string {
	switch method {
	case "GET", "HEAD":
		return "read"
	case "POST", "PUT", "PATCH", "DELETE":
		return "write"
	}
	return ""
}

// Analyze computes the Facts of r at time now with the given clock skew.
func Analyze(r Request, now time.Time, leeway time.Duration) Facts {
	var f Facts
	path, _, _ := strings.Cut(r.Target, "?")
	f.PathNotNormal = strings.Contains(path, "//") || strings.Contains(path, "%") ||
		hasDotSegment(path)
	auth, ok := header(r.Headers, "authorization")
	if !ok {
		return f
	}
	f.CommaInCredential = strings.Contains(auth, ",")
	_, rest, found := strings.Cut(auth, " ")
	if !found {
		return f
	}
	f.ExtraSpaceAfterScheme = rest != strings.TrimLeft(rest, " \t")
	f.Token = strings.Trim(rest, " \t")
	f.TokenLarger = len(f.Token) > 8192
	segs := strings.Split(f.Token, ".")
	var raw [2][]byte
	var decoded [2]bool
	for i, s := range segs {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			continue
		}
		if base64.RawURLEncoding.EncodeToString(b) != s {
			f.NonCanonicalBase64 = true
		}
		if i < 2 {
			raw[i], decoded[i] = b, true
		}
	}
	for i, doc := range raw {
		t := bytes.TrimSpace(doc)
		if decoded[i] && (!json.Valid(t) || len(t) == 0 || t[0] != '{') {
			f.InvalidJSON = true
		}
		if hasDuplicateMember(doc) {
			f.DuplicateMember = true
		}
		if bytes.IndexByte(doc, '\\') >= 0 {
			f.JSONEscape = true
		}
	}
	var hdr, claims map[string]json.RawMessage
	_ = json.Unmarshal(raw[0], &hdr) // lenient: last duplicate wins; nil on error
	_, f.Crit = hdr["crit"]
	if json.Unmarshal(raw[1], &claims) != nil {
		return f // facts about claims hold only for a payload that is a JSON object
	}
	isArray := func(m json.RawMessage) bool { return bytes.HasPrefix(bytes.TrimSpace(m), []byte("[")) }
	f.AudArray = isArray(claims["aud"])
	f.ScopeArray = isArray(claims["scope"])
	sec := float64(now.UnixNano()) / 1e9
	exp, isNum := number(claims["exp"])
	f.ExpNotNumber = !isNum
	f.ExpInLeeway = isNum && exp <= sec && sec < exp+leeway.Seconds()
	if nbf, ok := number(claims["nbf"]); ok && nbf > sec {
		f.NbfFuture = true
	}
	if iat, ok := number(claims["iat"]); ok && iat > sec {
		f.IatFuture = true
	}
	var scope string
	if need := Scope(r.Method); need != "" && json.Unmarshal(claims["scope"], &scope) == nil {
		f.ScopeSubstringOnly = strings.Contains(scope, need)
		for _, w := range strings.Split(scope, " ") {
			if w == need {
				f.ScopeSubstringOnly = false
			}
		}
	}
	return f
}

func header(h [][2]string, name string) (string, bool) {
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			return kv[1], true
		}
	}
	return "", false
}

func hasDotSegment(path string) bool {
	for _, s := range strings.Split(path, "/") {
		if s == "." || s == ".." {
			return true
		}
	}
	return false
}

// number reads a JSON number; false for absent or any other type.
func number(m json.RawMessage) (float64, bool) {
	t := bytes.TrimSpace(m)
	if len(t) == 0 || !(t[0] == '-' || (t[0] >= '0' && t[0] <= '9')) {
		return 0, false
	}
	var v float64
	if err := json.Unmarshal(t, &v); err != nil {
		return 0, false
	}
	return v, true
}

// hasDuplicateMember walks a JSON text and reports whether any object repeats a member name
// (after unescaping). Invalid JSON reports false.
func hasDuplicateMember(doc []byte) bool {
	if len(doc) == 0 {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		obj     bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, wantKey: true, keys: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// a value (scalar or a closed container) completes a member of the enclosing object
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].wantKey = true
		}
	}
}
