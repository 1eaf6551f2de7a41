package filter

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/jwtcore"
)

// How decide uses an introspection provider. For a token at a source whose
// rule accepts an introspection provider, decide.verify first tries the JWT
// path: a token that parses as a JWT whose iss names a JWT provider the rule
// accepts is verified as a JWT, and its result is final. Every other token
// (opaque, or a JWT of no accepted JWT provider) goes to the introspection
// provider the rule accepts for that source (there is at most one:
// checkIntrospectionSources):
//
//   - a cached answer (introspectionRuntime.lookup): inactive -> 401
//     token_inactive; active -> its claims (checked at now), then the rule's
//     scopes, claims rules and claim headers exactly as for a JWT;
//   - no cached answer -> a waiting Decision (the glue pauses the request until
//     the bucket's Slot has news) whose fallback is 503
//     introspection_unavailable with Retry-After. A failed introspection
//     (unreachable, timeout, non-200, malformed, "active" not a boolean) is
//     never cached, so the request decided again after it finds nothing and
//     gets the fallback: never an allow.

// Reasons only introspection produces.
var (
	// reasonTokenInactive: the authorization server says the token is not
	// active (RFC 7662 "active": false): unknown, expired, revoked, or issued
	// to another resource.
	reasonTokenInactive = &reason{code: "token_inactive", message: "token is not active",
		status: 401, challenge: true, oauthError: "invalid_token", bodyErr: "invalid_token"}
	// reasonIntrospectionUnavailable: no answer could be had from the
	// authorization server (unreachable, timeout, non-200, malformed response,
	// "active" not a boolean, retries backing off). 503 with Retry-After;
	// never an allow.
	reasonIntrospectionUnavailable = &reason{code: "introspection_unavailable",
		message: "the token introspection service is unavailable", status: 503, bodyErr: "temporarily_unavailable"}
)

// reasonError is a denial for a filter-level reason found while verifying a
// token (decide.denyToken answers it with its reason).
type reasonError struct{ r *reason }

func (e *reasonError) Error() string { return e.r.message }

var errTokenInactive = &reasonError{r: reasonTokenInactive}

// introspectionPending is decide.verify's signal that a token needs an answer
// from the authorization server first.
type introspectionPending struct {
	in   *introspection
	slot *shared.Slot // nil: no wait possible (no runtime, or the bucket Slot could not be made)
	have uint64       // the bucket version looked at
}

func (e *introspectionPending) Error() string {
	return "provider " + e.in.provider.name + ": token not introspected yet"
}

// introspectionOf returns the introspection provider among a rule source's
// providers, or nil.
func introspectionOf(accepts []*provider) *introspection {
	for _, p := range accepts {
		if p.introspect != nil {
			return p.introspect
		}
	}
	return nil
}

// introspect is the introspection path of decide.verify for one token.
func (d *Decision) introspect(in *introspection, token string, now time.Time) (*jwtcore.Claims, *provider, error) {
	p := in.provider
	if len(token) > p.maxTokenBytes {
		return nil, nil, &jwtcore.Error{Reason: jwtcore.ErrTokenTooLarge}
	}
	if in.rt == nil {
		return nil, nil, &introspectionPending{in: in}
	}
	hash := tokenHash(token)
	res, version, ok := in.rt.lookup(in, hash, now)
	if ok {
		d.IntrospectionHits++
		switch {
		case !res.active:
			return nil, nil, errTokenInactive
		case res.err != nil:
			return nil, nil, res.err
		}
		return res.claims, p, nil
	}
	// The bucket's fetcher keeps the token until it asks about it; the token
	// may be borrowed from the binding's buffer (Request): queue our own copy.
	slot, err := in.rt.prepare(in, strings.Clone(token), hash)
	if err != nil {
		return nil, nil, &introspectionPending{in: in}
	}
	return nil, nil, &introspectionPending{in: in, slot: slot, have: version}
}

// waitForIntrospection turns introspectionPending into a waiting Decision
// whose fallback is 503 introspection_unavailable with Retry-After.
func (d Decision) waitForIntrospection(cfg *compiledConfig, ip *introspectionPending, now time.Time) Decision {
	out := d.deny(cfg, reasonIntrospectionUnavailable, reasonIntrospectionUnavailable.message, nil)
	retry := time.Second
	if ip.slot != nil {
		retry = ip.slot.RetryAfter(now)
		out.Wait = &waitFor{slot: ip.slot, have: ip.have, what: waitIntrospection}
	}
	out.Reply.headers = append(out.Reply.headers, [2]string{"retry-after", strconv.Itoa(int((retry + time.Second - 1) / time.Second))})
	out.Provider = ip.in.provider.name
	return out
}

// asReasonError reports a filter-level token denial.
func asReasonError(err error) (*reason, bool) {
	var re *reasonError
	if errors.As(err, &re) {
		return re.r, true
	}
	return nil, false
}

// checkIntrospectionSources rejects a rule that accepts two introspection
// providers for the same token source: the filter would not know which
// authorization server may see the token.
func checkIntrospectionSources(cfg *compiledConfig) error {
	for _, ru := range cfg.rules {
		for i, accepts := range ru.accepts {
			var first *provider
			for _, p := range accepts {
				if p.introspect == nil {
					continue
				}
				if first != nil {
					path := "rules[" + strconv.Itoa(ru.index) + "].require"
					if ru.index < 0 {
						path = "introspection." + p.name
					}
					return errAt(path, "introspection providers %s and %s both read tokens from %s: a token may be sent to one authorization server only (use separate rules or token_from)",
						first.name, p.name, ru.sources[i])
				}
				first = p
			}
		}
	}
	return nil
}

// addIntrospections reads "introspection" into cfg: each entry becomes a
// provider (rules name it like a JWT provider) linked to its introspection.
// Introspection providers are not routed to by iss (their tokens are opaque),
// so they never enter cfg.byIssuer, and one may share its issuer with a JWT
// provider.
func addIntrospections(cfg *compiledConfig, r gjson.Result) error {
	list, err := parseIntrospections(r, func(name string) bool { return cfg.providerByName(name) != nil })
	if err != nil {
		return err
	}
	for _, in := range list {
		in.provider.introspect = in
		cfg.providers = append(cfg.providers, in.provider)
		cfg.introspections = append(cfg.introspections, in)
	}
	return nil
}

// providerPath is the JSON path of a provider's configuration.
func providerPath(p *provider) string {
	if p.introspect != nil {
		return field("introspection", p.name)
	}
	return field("providers", p.name)
}
