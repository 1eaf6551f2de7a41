package filter

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/jwtcore"
)

// remoteKeys is, in one VM, the key set of a provider whose keys come from
// remote_jwks: the Verifier built from the published JWKS version this VM
// adopted (once per version), and the shared.Slot that fetches it once per
// proxy. It is the only mutable part of a compiled configuration besides the
// verified-token cache, and it changes only in host callbacks (tick, http-call
// response, request), never concurrently: a VM is single-threaded.
type remoteKeys struct {
	src    *remoteJWKS
	p      *provider
	policy jwtcore.Policy // the provider's policy; Algorithms: configured allow-list, nil = every asymmetric one the keys fit

	slot        *shared.Slot // nil until bind (native decide tests may leave it nil: no keys, no fetch)
	version     uint64       // the published version the Verifier was built from
	usableUntil time.Time    // stale keys are never used after this
}

// asymmetricAlgs are the algorithms a remote JWKS may serve. A symmetric
// (oct) key published at a URL would be a shared secret anyone can read.
var asymmetricAlgs = func() []jwtcore.Alg {
	var out []jwtcore.Alg
	for _, a := range jwtcore.AllAlgs() {
		if !strings.HasPrefix(a.String(), "HS") {
			out = append(out, a)
		}
	}
	return out
}()

// build parses a JWKS and makes a Verifier with the provider's policy. The
// allow-list is the configured one (or every asymmetric algorithm) narrowed
// to the algorithms the set's keys can verify; none left is an error. With
// withCache false the Verifier does not touch the verified-token cache (a
// check before publishing must not make itself the cache's current verifier).
func (rk *remoteKeys) build(jwks []byte, withCache bool) (*jwtcore.Verifier, error) {
	ks, err := jwtcore.ParseJWKS(jwks)
	if err != nil {
		return nil, err
	}
	want := rk.policy.Algorithms
	if want == nil {
		want = asymmetricAlgs
	}
	can := ks.Algs()
	var allowed []jwtcore.Alg
	for _, a := range want {
		if containsAlg(can, a) {
			allowed = append(allowed, a)
		}
	}
	if len(allowed) == 0 {
		return nil, errors.New("no key for an allowed algorithm (" + algNames(want) + ")")
	}
	pol := rk.policy
	pol.Algorithms = allowed
	if !withCache {
		pol.Cache = nil
	}
	return jwtcore.NewVerifier(ks, pol)
}

// adopt makes a published version current in this VM. On error the previous
// Verifier stays (the caller logs it).
func (rk *remoteKeys) adopt(v shared.Value) error {
	ver, err := rk.build(v.Payload, true)
	if err != nil {
		return err
	}
	rk.p.verifier, rk.version, rk.usableUntil = ver, v.Version, v.UsableUntil
	return nil
}

// usable reports whether this VM has keys it may use at now.
func (rk *remoteKeys) usable(now time.Time) bool {
	return rk.p.verifier != nil && now.Before(rk.usableUntil)
}

// retryAfter is the Retry-After of a 503 jwks_unavailable, in whole seconds.
func (rk *remoteKeys) retryAfter(now time.Time) int {
	if rk.slot == nil {
		return 1
	}
	d := rk.slot.RetryAfter(now)
	return int((d + time.Second - 1) / time.Second)
}

// jwksPolicy is how a provider's JWKS is fetched and served across VMs.
func (rk *remoteKeys) jwksPolicy() shared.Policy {
	calls := time.Duration(1)
	if rk.src.discovery != nil {
		calls = 2
	}
	return shared.Policy{
		LeaseTTL:    calls*rk.src.timeout + time.Second,
		BackoffBase: jwksBackoffBase,
		BackoffMax:  min(jwksBackoffMax, rk.src.cacheFor),
		Cooldown:    rk.src.refetchCooldown,
		Background:  true,
	}
}

// Retry schedule after failed JWKS fetches: 1, 2, 4, ... s, at most 60 s
// (or cache_seconds when shorter).
const (
	jwksBackoffBase = time.Second
	jwksBackoffMax  = 60 * time.Second
)

// bind creates the provider's Slot in a VM's Coordinator. logf reports
// adoption failures and fetch outcomes; onAttempt counts them.
func (rk *remoteKeys) bind(c *shared.Coordinator, onAttempt func(*remoteKeys, shared.Attempt), logf func(level int, msg string)) error {
	f := newJWKSFetcher(rk.src, func(b []byte) (*jwtcore.Verifier, error) { return rk.build(b, false) })
	s, err := c.Slot(rk.src.key, shared.Config{
		Fetcher: f,
		Policy:  rk.jwksPolicy(),
		OnUpdate: func(v shared.Value) {
			if err := rk.adopt(v); err != nil {
				logf(logWarn, "tokengate: provider "+rk.p.name+": cannot use published JWKS version "+
					strconv.FormatUint(v.Version, 10)+": "+trimJWTPrefix(err))
			}
		},
		OnAttempt: func(a shared.Attempt) { onAttempt(rk, a) },
	})
	if err != nil {
		return err
	}
	rk.slot = s
	return nil
}

// Log levels handed to bind's logf.
const (
	logInfo = iota
	logWarn
)

func algNames(algs []jwtcore.Alg) string {
	s := make([]string, len(algs))
	for i, a := range algs {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}
