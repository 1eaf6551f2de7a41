package filter

import (
	"strconv"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/jwtcore"
)

// waitFor is the part of a Decision that asks the glue to pause the request
// until a shared.Slot has something newer than version have (a key set, an
// introspection answer or an upstream token), then decide again. The rest of the Decision is the fallback:
// the complete denial to send when waiting is refused, or when the request
// already waited on this slot once (a stream never waits twice on a slot).
type waitFor struct {
	slot  *shared.Slot
	have  uint64
	force bool   // a refetch although the value is fresh (unknown kid)
	what  string // what the request waits for, for the glue's log line
}

// What a waitFor waits for (waitFor.what).
const (
	waitKeys          = "keys"
	waitIntrospection = "an introspection result"
	waitUpstreamToken = "an upstream token"
)

// keysPending is decide.verify's signal that a remote_jwks provider cannot
// decide yet: it has no usable keys, or (unknownKid) the token names a key
// the current set lacks and a refetch may bring it.
type keysPending struct {
	p          *provider
	unknownKid bool
	cause      error // the key_not_found error, for the fallback denial
}

func (e *keysPending) Error() string {
	if e.unknownKid {
		return "provider " + e.p.name + ": unknown key, refetch possible"
	}
	return "provider " + e.p.name + ": no usable keys"
}

// waitForKeys turns keysPending into a waiting Decision whose fallback is
// 503 jwks_unavailable with Retry-After (no keys) or 401 key_not_found.
func (d Decision) waitForKeys(cfg *compiledConfig, ru *rule, kp *keysPending, now time.Time) Decision {
	rk := kp.p.remote
	var out Decision
	if kp.unknownKid {
		out = d.denyToken(cfg, ru, kp.cause)
	} else {
		out = d.deny(cfg, reasonJWKSUnavailable, reasonJWKSUnavailable.message, nil)
		out.Reply.headers = append(out.Reply.headers, [2]string{"retry-after", strconv.Itoa(rk.retryAfter(now))})
	}
	out.Provider = kp.p.name
	if rk.slot != nil {
		out.Wait = &waitFor{slot: rk.slot, have: rk.version, force: kp.unknownKid, what: waitKeys}
	}
	return out
}

// remoteVerifier returns the verifier of p at now, or keysPending when p's
// keys are remote and not usable (none yet, or stale beyond max_stale_seconds).
func remoteVerifier(p *provider, now time.Time) (*jwtcore.Verifier, error) {
	if p.remote != nil && !p.remote.usable(now) {
		return nil, &keysPending{p: p}
	}
	return p.verifier, nil
}
