package jwtcore

import (
	"strings"

	"github.com/tidwall/gjson"
)

// RequireScopes checks that every required scope is granted by the token. Scopes come from the
// verifier's Policy.ScopeClaim path when set (a space-delimited string or an array of strings,
// e.g. Auth0's "permissions"), otherwise from "scope" (space-delimited string, RFC 8693 §4.2 /
// RFC 6749 §3.3) or, when "scope" is absent, "scp" (string or array). Scopes match as whole
// words only: "readonly" or "read:myapp" do not grant "read". An empty requirement list passes;
// an empty or space-containing required scope never matches (fail closed).
// Errors: ErrInsufficientScope (Detail names the first missing scope), ErrClaimMalformed.
func (c *Claims) RequireScopes(required []string) error {
	if len(required) == 0 {
		return nil
	}
	src, e := c.scopes()
	if e != nil {
		return e
	}
	for _, r := range required {
		if r == "" || strings.ContainsAny(r, " ") || !hasScope(src, r) {
			return newErr(ErrInsufficientScope, "scope "+r)
		}
	}
	return nil
}

// Scopes returns the granted scopes (for logging or forwarding), or an error as RequireScopes.
func (c *Claims) Scopes() ([]string, error) {
	src, e := c.scopes()
	if e != nil {
		if e == errNoScope {
			return nil, nil
		}
		return nil, e
	}
	var out []string
	if src.Type == gjson.String {
		for _, w := range strings.Split(src.Str, " ") {
			if w != "" {
				out = append(out, w)
			}
		}
		return out, nil
	}
	src.ForEach(func(_, v gjson.Result) bool {
		out = append(out, v.Str)
		return true
	})
	return out, nil
}

// scopes locates the scope value and checks its type.
func (c *Claims) scopes() (gjson.Result, *Error) {
	if c.v != nil && c.v.scopePath != "" {
		return scopeValue(c.Get(c.v.scopePath), c.v.scopePath, true)
	}
	if r := c.Get("scope"); r.Exists() {
		return scopeValue(r, "scope", false)
	}
	if r := c.Get("scp"); r.Exists() {
		return scopeValue(r, "scp", true)
	}
	return gjson.Result{}, errNoScope
}

func scopeValue(r gjson.Result, name string, arrayOK bool) (gjson.Result, *Error) {
	switch {
	case !r.Exists():
		return r, errNoScope
	case r.Type == gjson.String:
		return r, nil
	case arrayOK && r.IsArray():
		ok := true
		r.ForEach(func(_, v gjson.Result) bool {
			ok = v.Type == gjson.String
			return ok
		})
		if ok {
			return r, nil
		}
	}
	return r, newErr(ErrClaimMalformed, name)
}

// hasScope reports whether want is one of the space-delimited words of a string value, or one
// of the elements of an array value.
func hasScope(src gjson.Result, want string) bool {
	if src.Type == gjson.String {
		return hasWord(src.Str, want)
	}
	found := false
	src.ForEach(func(_, v gjson.Result) bool {
		found = v.Str == want
		return !found
	})
	return found
}

// hasWord reports whether want is a whole space-delimited word of s.
func hasWord(s, want string) bool {
	for len(s) > 0 {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return s == want
		}
		if s[:i] == want {
			return true
		}
		s = s[i+1:]
	}
	return false
}
