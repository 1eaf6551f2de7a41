package filter

import (
	"errors"
	"strings"
	"time"

	"github.com/tokengate/tokengate/jwtcore"
)

// Request is what decide needs to know about a request: plain values gathered
// by the plugin glue from the request headers.
//
// Its strings may alias a buffer the binding reuses for the next request
// (proxywasm.GetHttpRequestHeadersBorrowed): decide must not keep any of
// them, nor anything sliced from them, once it returns. jwtcore copies what
// it keeps; the introspection queue gets a copy (see Decision.verify).
type Request struct {
	Method  string      // :method
	Target  string      // :path as received (path, query, maybe a fragment)
	Headers [][2]string // every request header, in order; names compared case-insensitively
}

// Decision is the outcome of decide: what the glue must do with the request.
// It explains itself: Reason, RuleIndex, Provider and Source say why.
type Decision struct {
	Allow bool

	// On deny: the reason, the text shown as error_description (never token
	// bytes or secrets), and the local reply to send.
	Reason      *reason
	Description string
	Reply       reply

	RuleIndex int    // index in "rules" of the rule that decided; -1: none (or the implicit rule)
	Provider  string // provider of the first token; "" when no token was verified
	Source    string // source of the token that failed ("header authorization"); "" otherwise

	// Header operations for the upstream request, applied in this order:
	// every Remove (all values of the header), then every Set (replacing).
	// Remove always lists every header the filter can set, on every request.
	Remove []string
	Set    [][2]string

	CacheHits, CacheMisses int // verified-token cache lookups (for metrics)

	// Wait, when set, asks the glue to pause and decide again once the slot
	// has news (remote keys, decide_wait.go); the rest is the fallback denial.
	Wait *waitFor

	IntrospectionHits int // introspection answers served from the cache (for metrics)
}

// decide applies the configuration to one request at time now. It never
// calls the host and never panics on any input.
//
// Order (each step may end the decision):
//  1. normalize the path (400 path_invalid);
//  2. find the first matching rule (403 no_rule_matched); allow: true ends here;
//  3. extract every token at the rule's sources; none: 401 token_missing
//     (or allow, with allow_missing);
//  4. verify every token: cache, else route by unverified iss to one provider
//     and verify there (401 with jwtcore's reason); all must verify;
//  5. check the rule's scopes then claims rules on every token (403);
//  6. allow: set claim headers from the first token, strip tokens unless
//     forward_token, rewrite :path to the normalized path without stripped
//     query parameters;
//  7. upstream_credentials (upstreamcreds_decide.go): the first matching
//     entry replaces its header with the gateway's token, or (no usable
//     token yet) the request waits, with 503 upstream_token_unavailable as
//     the fallback.
func decide(cfg *compiledConfig, req *Request, now time.Time) Decision {
	// Remove aliases cfg.setHeaders with cap == len: an append copies it.
	d := Decision{RuleIndex: -1, Remove: cfg.setHeaders[:len(cfg.setHeaders):len(cfg.setHeaders)]}

	rawPath, query := splitTarget(req.Target)
	path, err := normalizePath(rawPath)
	if err == nil && hasControl(query) {
		err = errQueryControl // it would go back upstream in :path
	}
	if err != nil {
		return d.deny(cfg, reasonPathInvalid, err.Error(), nil)
	}
	ri := firstMatch(cfg.rules, req.Method, path)
	if ri < 0 {
		return d.deny(cfg, reasonNoRuleMatched, reasonNoRuleMatched.message, nil)
	}
	ru := &cfg.rules[ri]
	d.RuleIndex = ru.index
	if ru.allow {
		d.Allow = true
		d.setPath(req.Target, path, query)
		return d.withUpstream(cfg, req.Method, path, now)
	}

	var foundBuf [2]foundToken // most requests carry one token: no allocation
	found := extractTokens(foundBuf[:0], ru.sources, req.Headers, query)
	if len(found) == 0 {
		if ru.allowMissing {
			d.Allow = true
			d.setPath(req.Target, path, query)
			return d.withUpstream(cfg, req.Method, path, now)
		}
		return d.denyToken(cfg, ru, &jwtcore.Error{Reason: jwtcore.ErrTokenMissing})
	}

	var verifiedBuf [2]*jwtcore.Claims
	var ownersBuf [2]*provider
	verified, owners := verifiedBuf[:0], ownersBuf[:0]
	for i := range found {
		ft := &found[i]
		c, p, err := d.verify(cfg, ru, ft, now)
		if err != nil {
			d.Source = ru.sources[ft.source].String()
			if kp, ok := err.(*keysPending); ok {
				return d.waitForKeys(cfg, ru, kp, now)
			}
			if ip, ok := err.(*introspectionPending); ok {
				return d.waitForIntrospection(cfg, ip, now)
			}
			return d.denyToken(cfg, ru, err)
		}
		verified, owners = append(verified, c), append(owners, p)
	}
	d.Provider = owners[0].name
	for i, c := range verified {
		if err := cfg.memo.authorize(ri, ru, c); err != nil {
			d.Source = ru.sources[found[i].source].String()
			return d.denyToken(cfg, ru, err)
		}
	}

	jwt := ""
	if owners[0].introspect == nil { // a JWT, verified or cached
		jwt = found[0].token
	}
	set, badClaim := cfg.memo.get(owners[0], verified[0], jwt)
	if badClaim != "" {
		d.Source = ru.sources[found[0].source].String()
		return d.denyToken(cfg, ru, &jwtcore.Error{Reason: jwtcore.ErrClaimMalformed, Detail: badClaim})
	}
	d.Set = set[:len(set):len(set)] // appends below copy, never touching the memo
	newQuery := d.strip(ru, cfg.setHeaders, found, owners, req.Headers, query)
	d.setPath(req.Target, path, newQuery)
	d.Allow = true
	if len(cfg.upstream) == 0 {
		return d // withUpstream would return d as is; this saves copying it twice
	}
	return d.withUpstream(cfg, req.Method, path, now)
}

// verify returns the verified claims of one token and its provider: from the
// cache when a provider the rule accepts for this source verified it before,
// else by the one provider whose issuer is the token's (unverified) iss.
func (d *Decision) verify(cfg *compiledConfig, ru *rule, ft *foundToken, now time.Time) (*jwtcore.Claims, *provider, error) {
	if ft.malformed {
		return nil, nil, &jwtcore.Error{Reason: jwtcore.ErrTokenMalformed, Detail: "empty credential"}
	}
	accepts := ru.accepts[ft.source]
	if cfg.cache != nil {
		if c, ok := cfg.cache.Get(ft.token, now); ok {
			if p := providerOf(accepts, c.VerifiedBy()); p != nil && (p.remote == nil || p.remote.usable(now)) {
				d.CacheHits++
				return c, p, nil
			}
		}
		d.CacheMisses++
	}
	// ft.token may be borrowed from the binding's buffer (Request). jwtcore
	// keeps no reference to a token it is given (it copies what it caches or
	// remembers: jwtcore's TestVerify_KeepsNoReferenceToTheToken), and the
	// introspection path copies the token before queueing it (introspect).
	token := ft.token
	// The payload is decoded and scanned once, for routing and for verifying.
	pk, err := jwtcore.Peek(token, cfg.peekBytes)
	if err != nil {
		if in := introspectionOf(accepts); in != nil { // not a JWT: an opaque token
			return d.introspect(in, token, now)
		}
		return nil, nil, err
	}
	defer pk.Release()                                // when VerifyPeeked was not reached
	p := cfg.byIssuer[string(pk.UnsafeIssuerBytes())] // no copy: a map index
	if p == nil || !containsProvider(accepts, p) {
		if in := introspectionOf(accepts); in != nil { // a JWT no accepted JWT provider issues
			return d.introspect(in, token, now)
		}
		return nil, nil, &jwtcore.Error{Reason: jwtcore.ErrIssuerNotAllowed, Detail: "iss"}
	}
	v, err := remoteVerifier(p, now)
	if err != nil {
		return nil, nil, err
	}
	c, err := v.VerifyPeeked(&pk, now)
	if err != nil {
		if p.remote != nil && p.remote.src.refetchOnKid && errors.Is(err, jwtcore.ErrKeyNotFound) {
			return nil, nil, &keysPending{p: p, unknownKid: true, cause: err}
		}
		return nil, nil, err
	}
	if c.VerifiedBy() != p.verifier {
		// A cache shared by verifiers must never hand one provider's claims to another.
		return nil, nil, errors.New("verified by an unexpected provider")
	}
	return c, p, nil
}

// authorize checks the rule's scopes, then its claims rules, on verified claims.
func authorize(ru *rule, c *jwtcore.Claims) error {
	if len(ru.scopes) > 0 {
		if err := c.RequireScopes(ru.scopes); err != nil {
			return err
		}
	}
	for _, cr := range ru.claims {
		if err := cr.Check(c); err != nil {
			return err
		}
	}
	return nil
}

// strip removes the verified tokens from where they were found, unless their
// provider forwards tokens, and returns the query without stripped parameters.
func (d *Decision) strip(ru *rule, setHeaders []string, found []foundToken, owners []*provider, headers [][2]string, query string) string {
	var queryNames, cookieNames []string
	for i := range found {
		if owners[i].forwardToken {
			continue
		}
		ft := &found[i]
		s := &ru.sources[ft.source]
		switch s.kind {
		case sourceHeader:
			switch rw := ru.removeWith[ft.source]; {
			case containsString(d.Remove, s.name):
			case d.removesOnly(setHeaders):
				// The precomputed setHeaders + this header: no allocation (cap == len).
				d.Remove = rw[:len(rw):len(rw)]
			default:
				d.Remove = append(d.Remove, s.name)
			}
		case sourceQuery:
			if !containsString(queryNames, s.name) {
				queryNames = append(queryNames, s.name)
			}
		case sourceCookie:
			if !containsString(cookieNames, s.name) {
				cookieNames = append(cookieNames, s.name)
			}
		}
	}
	if len(cookieNames) > 0 {
		d.Remove = append(d.Remove, "cookie")
		if rest := withoutCookies(headers, cookieNames); rest != "" {
			d.Set = append(d.Set, [2]string{"cookie", rest})
		}
	}
	if len(queryNames) > 0 {
		return withoutQueryParams(query, queryNames)
	}
	return query
}

// removesOnly reports whether d.Remove is still exactly setHeaders (the
// same array, as decide starts it).
func (d *Decision) removesOnly(setHeaders []string) bool {
	if len(d.Remove) != len(setHeaders) {
		return false
	}
	return len(setHeaders) == 0 || &d.Remove[0] == &setHeaders[0]
}

// setPath rewrites :path to the normalized path plus newQuery when that
// differs from what the client sent, so the upstream sees what was matched.
func (d *Decision) setPath(target, path, newQuery string) {
	want := path
	if newQuery != "" {
		want += "?" + newQuery
	}
	if want != target {
		d.Set = append(d.Set, [2]string{":path", want})
	}
}

// deny fills in a denial for reason r.
func (d Decision) deny(cfg *compiledConfig, r *reason, description string, scope []string) Decision {
	d.Allow = false
	d.Reason = r
	d.Description = description
	d.Reply = buildReply(r, description, cfg.realm, scope)
	d.Set = nil
	return d
}

// denyToken fills in a denial for a token failure (a jwtcore error, or an
// unexpected error, which becomes internal_error).
func (d Decision) denyToken(cfg *compiledConfig, ru *rule, err error) Decision {
	if r, ok := asReasonError(err); ok {
		return d.deny(cfg, r, r.message, nil)
	}
	jr := jwtcore.ReasonOf(err)
	r := reasonForJWT(jr)
	if r == nil {
		return d.deny(cfg, reasonInternalError, reasonInternalError.message, nil)
	}
	desc := jr.Message()
	var je *jwtcore.Error
	if errors.As(err, &je) && je.Detail != "" {
		desc += " [" + je.Detail + "]"
	}
	return d.deny(cfg, r, desc, ru.scopes)
}

// headersAfter returns the request headers as they must go upstream: in's
// headers minus every Remove (all values), then every Set replacing the
// first header of that name (or appended). Names are compared
// case-insensitively and come out in lower case.
func (d *Decision) headersAfter(in [][2]string) [][2]string {
	out := make([][2]string, 0, len(in)+len(d.Set))
	for _, h := range in {
		name := strings.ToLower(h[0])
		if !containsString(d.Remove, name) {
			out = append(out, [2]string{name, h[1]})
		}
	}
	for _, s := range d.Set {
		i := 0
		for i < len(out) && out[i][0] != s[0] {
			i++
		}
		if i < len(out) {
			out[i][1] = s[1]
		} else {
			out = append(out, s)
		}
	}
	return out
}

// internalErrorDecision is the decision for a failure outside decide (a host
// call failed, a panic was recovered).
func internalErrorDecision(cfg *compiledConfig) Decision {
	d := Decision{RuleIndex: -1}
	if cfg != nil {
		return d.deny(cfg, reasonInternalError, reasonInternalError.message, nil)
	}
	return d.deny(&compiledConfig{}, reasonInternalError, reasonInternalError.message, nil)
}

// firstMatch returns the index in rules of the first rule whose match
// selects the request, or -1. Rules are ordered; the first match wins.
func firstMatch(rules []rule, method, path string) int {
	for i := range rules {
		if rules[i].match.matches(method, path) {
			return i
		}
	}
	return -1
}

func providerOf(list []*provider, v *jwtcore.Verifier) *provider {
	for _, p := range list {
		if p.verifier == v {
			return p
		}
	}
	return nil
}

func containsProvider(list []*provider, p *provider) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

// jwtPayloadSegment returns the middle of the three segments of a compact JWS
// ("" when token does not have that shape).
func jwtPayloadSegment(token string) string {
	d1 := strings.IndexByte(token, '.')
	if d1 < 0 {
		return ""
	}
	d2 := strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 {
		return ""
	}
	return token[d1+1 : d1+1+d2]
}
