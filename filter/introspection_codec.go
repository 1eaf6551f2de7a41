package filter

import (
	"errors"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/jwtcore"
)

// The wire side of RFC 7662: the request the filter sends for one token and
// how it judges the answer. Nothing here calls the host.

// maxIntrospectionResponseBytes bounds an introspection response body: a
// larger one is a failed introspection (503), never parsed. It also bounds
// what one cache entry holds in shared data.
const maxIntrospectionResponseBytes = 16 << 10

// request builds the RFC 7662 §2.1 POST for token: the form
// "token=…&token_type_hint=…", sent with the client authentication of
// oauthClient.post. The call holds the token and the secret: it goes only to
// the configured cluster and is never logged.
func (in *introspection) request(token string) *shared.Call {
	body := make(form, 0, 64+3*len(token)/2+len(in.clientID)+len(in.clientSecret))
	body = body.add("token", token)
	if in.tokenTypeHint != "" {
		body = body.add("token_type_hint", in.tokenTypeHint)
	}
	return in.post(body)
}

// Why an introspection failed (503 introspection_unavailable). The texts name
// what was wrong, never a body byte, the token or the secret.
var (
	errIntrospectionNoResponse = errors.New("introspection: no response (connection failed or reset)")
	errIntrospectionTooLarge   = errors.New("introspection: response body too large")
	errIntrospectionJSON       = errors.New("introspection: response is not a JSON object")
	errIntrospectionActive     = errors.New("introspection: response member active is missing or not a boolean")
)

// statusError is a non-200 introspection response.
type statusError int

func (e statusError) Error() string {
	return "introspection: status " + strconv.Itoa(int(e)) + ", want 200"
}

// introspectionAnswer is a well-formed RFC 7662 §2.2 response.
type introspectionAnswer struct {
	active bool
	doc    []byte // the response body when active (the claims); nil otherwise
}

// parseIntrospectionResponse judges the raw response: status 200, a body of
// at most maxIntrospectionResponseBytes that is a JSON object whose "active"
// is a boolean. Anything else is an error: the caller answers 503 and never
// allows. status 0 means there was no response. The strict JSON rules
// (duplicate members, nesting, UTF-8) are checked on an active answer's
// claims by jwtcore (see judge).
func parseIntrospectionResponse(status int, body []byte, tooLarge bool) (introspectionAnswer, error) {
	switch {
	case status == 0:
		return introspectionAnswer{}, errIntrospectionNoResponse
	case status != 200:
		return introspectionAnswer{}, statusError(status)
	case tooLarge || len(body) > maxIntrospectionResponseBytes:
		return introspectionAnswer{}, errIntrospectionTooLarge
	}
	doc, why := jsonObject(body)
	if why != "" {
		return introspectionAnswer{}, errIntrospectionJSON
	}
	switch doc.Get("active").Type {
	case gjson.True:
		return introspectionAnswer{active: true, doc: append([]byte(nil), body...)}, nil
	case gjson.False:
		return introspectionAnswer{}, nil
	}
	return introspectionAnswer{}, errIntrospectionActive
}

// judge turns a well-formed answer received at now into the cache entry for
// the token with this hash, or an error when the active answer's claims are
// not strict JSON (503, not cached). An active answer is kept until the
// earlier of now+cache_seconds and its exp; an inactive one for
// negative_cache_seconds. keep is false when the entry must not be cached
// (its lifetime is zero); it is still the answer for the requests waiting on
// it.
func (in *introspection) judge(hash [32]byte, ans introspectionAnswer, now time.Time) (e *introspectionEntry, keep bool, err error) {
	e = &introspectionEntry{hash: hash, fingerprint: in.fingerprint, storedAt: now, active: ans.active}
	if !ans.active {
		e.until = now.Add(in.negativeTTL)
		return e, in.negativeTTL > 0, nil
	}
	c, err := in.provider.verifier.ClaimsFromTrustedJSON(ans.doc, now)
	if r := jwtcore.ReasonOf(err); r == jwtcore.ErrTokenMalformed || r == jwtcore.ErrTokenTooLarge {
		return nil, false, errIntrospectionJSON
	}
	e.doc = ans.doc
	e.until = now.Add(in.cacheTTL)
	if err == nil {
		if exp := c.Expiry(); !exp.IsZero() && exp.Before(e.until) {
			e.until = exp
		}
	} else if exp, ok := numericExp(ans.doc); ok && exp.Before(e.until) {
		e.until = exp
	}
	return e, e.until.After(now), nil
}

// numericExp reads an integer "exp" (for the cache lifetime of an answer
// whose claims fail a check).
func numericExp(doc []byte) (time.Time, bool) {
	r := gjson.GetBytes(doc, "exp")
	if r.Type != gjson.Number {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(r.Raw, 10, 64)
	if err != nil || n < 0 || n > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}
