package filter

import (
	"errors"
	"strconv"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/jwtcore"
)

// The per-VM runtime of the introspection providers: cache lookups (a small
// VM-local copy in front of the shared-data buckets), the bucket Slots of
// the plugin's shared.Coordinator (created on a miss, forgotten when idle),
// and the fetchers that ask the authorization server.
//
// A VM is single-threaded: everything here runs inside host callbacks
// (request headers, http-call response, tick), never concurrently.

const (
	// introspectionLeaseMargin is added to timeout_ms for a bucket's lease:
	// the host reports a timeout at timeout_ms, and the lease must outlive it.
	introspectionLeaseMargin = time.Second
	// Retry schedule of a bucket whose introspection failed: its requests get
	// 503 without a call until the backoff ends (1 s, 2 s, then 4 s at most).
	introspectionBackoffBase = time.Second
	introspectionBackoffMax  = 4 * time.Second
	// introspectionMaxPending bounds the tokens one bucket's fetcher holds
	// (in VM memory only) for the requests waiting on it.
	introspectionMaxPending = 16
	// introspectionLocalEntries bounds the VM-local copy of cache entries.
	introspectionLocalEntries = 4096
)

// introspectionRuntime is one VM's state for all introspection providers of
// a plugin configuration.
type introspectionRuntime struct {
	host   shared.Host
	co     *shared.Coordinator
	report func(in *introspection, a shared.Attempt) // attempts made by this VM (logs, metrics)

	local    map[localKey]*localIntrospection // entries seen in shared data, with their checked claims
	answers  map[[32]byte]*introspectionEntry // this VM's answers not kept in the cache, for the requests that waited on them
	fetchers map[string]*introspectionFetcher // by bucket key, while the bucket has a Slot in this VM
}

// localKey names a VM-local entry: a token's hash as seen by one provider.
// Providers asking the same server as the same client share cache entries
// (one fingerprint) but not their checks (issuer, audiences, leeway, scope
// claim), so the claims one of them checked are never served to another.
type localKey struct {
	in   *introspection
	hash [32]byte
}

// localIntrospection is a VM-local copy of a cache entry and, for an active
// one, its claims checked once (issuer, audience, time at checkedAt).
type localIntrospection struct {
	entry  *introspectionEntry
	claims *jwtcore.Claims // nil when the check failed
	err    error
}

func newIntrospectionRuntime(host shared.Host, co *shared.Coordinator, report func(*introspection, shared.Attempt)) *introspectionRuntime {
	return &introspectionRuntime{host: host, co: co, report: report,
		local:    map[localKey]*localIntrospection{},
		answers:  map[[32]byte]*introspectionEntry{},
		fetchers: map[string]*introspectionFetcher{}}
}

// beginEvent starts a new host event (a request, a tick): answers kept only
// for the requests that waited on them are dropped, so they never serve a
// later request.
func (rt *introspectionRuntime) beginEvent() {
	clear(rt.answers)
}

// introspectionResult is a token's cached answer, checked at now.
type introspectionResult struct {
	active bool
	claims *jwtcore.Claims // active and the claims checks passed
	err    error           // active, a claims check failed (jwtcore reason)
}

// lookup returns the cached answer for a token (by hash) at now, and the
// version of the bucket value it looked at (the Slot version to wait beyond).
// It reads shared data (through Peek) but never writes it.
func (rt *introspectionRuntime) lookup(in *introspection, hash [32]byte, now time.Time) (res introspectionResult, version uint64, ok bool) {
	if e := rt.answers[hash]; e != nil && e.fingerprint == in.fingerprint {
		return rt.check(in, &localIntrospection{entry: e}, now), 0, true
	}
	lk := localKey{in: in, hash: hash}
	if l := rt.local[lk]; l != nil {
		if in.usable(l.entry, hash, now) {
			return rt.check(in, l, now), 0, true
		}
		delete(rt.local, lk)
	}
	v, found := shared.Peek(rt.host, in.cacheKey(hash))
	if !found {
		return introspectionResult{}, 0, false
	}
	entries, err := decodeBucket(v.Payload)
	if err != nil {
		return introspectionResult{}, v.Version, false
	}
	e := in.findEntry(entries, hash, now)
	if e == nil {
		return introspectionResult{}, v.Version, false
	}
	l := &localIntrospection{entry: e}
	if len(rt.local) >= introspectionLocalEntries {
		rt.pruneLocal(now)
	}
	rt.local[lk] = l
	return rt.check(in, l, now), v.Version, true
}

// check applies the provider's claims checks to an entry at now, reusing the
// result of an earlier check while it still holds: issuer and audience do
// not change, nbf and iat only become valid with time, so only expiry (with
// the provider's leeway) is checked again; a failed check is redone.
func (rt *introspectionRuntime) check(in *introspection, l *localIntrospection, now time.Time) introspectionResult {
	if !l.entry.active {
		return introspectionResult{}
	}
	if l.claims != nil {
		if exp := l.claims.Expiry(); exp.IsZero() || now.Before(exp.Add(in.leeway)) {
			return introspectionResult{active: true, claims: l.claims}
		}
	}
	l.claims, l.err = in.provider.verifier.ClaimsFromTrustedJSON(l.entry.doc, now)
	if l.err != nil {
		l.claims = nil
		return introspectionResult{active: true, err: l.err}
	}
	return introspectionResult{active: true, claims: l.claims}
}

// pruneLocal drops expired local entries, and all of them if that is not
// enough (the shared cache still has them).
func (rt *introspectionRuntime) pruneLocal(now time.Time) {
	for h, l := range rt.local {
		if !now.Before(l.entry.until) {
			delete(rt.local, h)
		}
	}
	if len(rt.local) >= introspectionLocalEntries {
		clear(rt.local)
	}
}

// prepare readies the bucket of a token for a wait: its Slot (created on
// first use in this VM) and the token handed to the bucket's fetcher, which
// asks about it when this VM makes the next attempt. The token stays in VM
// memory only, and only while requests wait on the bucket.
func (rt *introspectionRuntime) prepare(in *introspection, token string, hash [32]byte) (*shared.Slot, error) {
	key := in.cacheKey(hash)
	f := rt.fetchers[key]
	if f == nil {
		f = &introspectionFetcher{rt: rt, in: in}
		cfg := shared.Config{Fetcher: f, Policy: in.policy()}
		if rt.report != nil {
			cfg.OnAttempt = func(a shared.Attempt) { rt.report(in, a) }
		}
		s, err := rt.co.Slot(key, cfg)
		if err != nil {
			return nil, err
		}
		f.slot = s
		rt.fetchers[key] = f
	}
	f.add(token, hash)
	return f.slot, nil
}

// tick forgets the bucket Slots nobody waits on any more, with the tokens
// their fetchers held. Call it after Coordinator.Tick.
func (rt *introspectionRuntime) tick() {
	for key, f := range rt.fetchers {
		if f.slot.Waiters() == 0 && rt.co.Forget(key) {
			f.pending = nil
			delete(rt.fetchers, key)
		}
	}
}

// policy is how a bucket is fetched: on demand only (no background refresh,
// nothing served stale), one VM at a time under a lease that covers the
// call's timeout, and a short backoff after a failure.
func (in *introspection) policy() shared.Policy {
	return shared.Policy{
		LeaseTTL:    in.timeout + introspectionLeaseMargin,
		BackoffBase: introspectionBackoffBase,
		BackoffMax:  introspectionBackoffMax,
	}
}

// introspectionFetcher asks the authorization server about the oldest token
// waiting on its bucket and publishes the bucket with the answer merged in.
type introspectionFetcher struct {
	rt      *introspectionRuntime
	in      *introspection
	slot    *shared.Slot
	pending []pendingIntrospection
	asked   [32]byte
}

type pendingIntrospection struct {
	token string
	hash  [32]byte
}

func (f *introspectionFetcher) add(token string, hash [32]byte) {
	for _, p := range f.pending {
		if p.hash == hash {
			return
		}
	}
	if len(f.pending) >= introspectionMaxPending {
		f.pending = f.pending[1:]
	}
	f.pending = append(f.pending, pendingIntrospection{token: token, hash: hash})
}

func (f *introspectionFetcher) drop(hash [32]byte) {
	for i, p := range f.pending {
		if p.hash == hash {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			return
		}
	}
}

var errNoPendingToken = errors.New("introspection: no token waits on this bucket")

// First builds the call for the oldest waiting token.
func (f *introspectionFetcher) First() (*shared.Call, error) {
	if len(f.pending) == 0 {
		return nil, errNoPendingToken
	}
	p := f.pending[0]
	f.asked = p.hash
	return f.in.request(p.token), nil
}

// Next judges the answer and returns the bucket to publish. A failed
// introspection publishes nothing: the requests waiting on it get 503.
func (f *introspectionFetcher) Next(resp *shared.Response, now time.Time) (shared.Step, error) {
	asked := f.asked
	f.drop(asked)
	ans, err := parseIntrospectionResponse(resp.Status, resp.Body, resp.TooLarge)
	if err != nil {
		return shared.Step{}, err
	}
	e, keep, err := f.in.judge(asked, ans, now)
	if err != nil {
		return shared.Step{}, err
	}
	if !keep {
		f.rt.answers[asked] = e
	}
	delete(f.rt.local, localKey{in: f.in, hash: asked})
	old, _ := decodeBucket(f.slot.Value().Payload) // none yet, or corrupt: start empty
	entries := f.in.mergeBucket(old, e, keep, now)
	life := bucketLife(entries, now)
	return shared.Step{Value: encodeBucket(entries), FreshFor: life, UsableFor: life}, nil
}

// attemptLog is the log line of one finished attempt made by this VM, and
// whether it is a failure. It names the provider, the client and the
// endpoint, never the token or the secret.
func (in *introspection) attemptLog(a shared.Attempt) (msg string, failed bool) {
	who := "tokengate: introspection." + in.provider.name + " (" + in.describe() + ")"
	if a.Err == nil {
		return who + ": token introspected", false
	}
	return who + ": introspection failed: " + a.Err.Error() + "; failures in a row: " +
		strconv.Itoa(int(a.Failures)), true
}
