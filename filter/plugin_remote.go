package filter

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// Remote work (issue 5, and the mechanism issues 6 and 7 reuse): one
// shared.Coordinator per plugin context, driven by proxy_on_tick and by
// http-call responses.

// Tick periods. The first tick comes soon after start: it makes the first
// fetch (host calls are made from callbacks, never from plugin start). Then
// one tick a second, faster while a request of this VM waits for a value
// another VM may publish.
const (
	firstTickMs = 10
	idleTickMs  = 1000
	busyTickMs  = 100
)

// Metric names of remote key fetches (counted once per attempt, by the VM
// that made it).
const (
	metricJWKSFetchSuccess = "tokengate.jwks_fetch_success"
	metricJWKSFetchFailed  = "tokengate.jwks_fetch_failed"
)

type remoteMetrics struct {
	jwksOK, jwksFailed proxywasm.MetricCounter
}

// startRemote creates the Coordinator and binds every remote_jwks provider.
// Without remote work it does nothing (no tick).
func (p *pluginContext) startRemote(cfg *compiledConfig) error {
	var remote []*remoteKeys
	for _, pr := range cfg.providers {
		if pr.remote != nil {
			remote = append(remote, pr.remote)
		}
	}
	if p.remoteMetrics == nil {
		p.remoteMetrics = &remoteMetrics{
			jwksOK:     proxywasm.DefineCounterMetric(metricJWKSFetchSuccess),
			jwksFailed: proxywasm.DefineCounterMetric(metricJWKSFetchFailed),
		}
	}
	defineUpstreamMetrics()
	if len(remote) == 0 && len(cfg.upstream) == 0 {
		return nil
	}
	c, err := shared.NewCoordinator(&proxyHost{}, newOwnerID())
	if err != nil {
		return err
	}
	for _, rk := range remote {
		if err := rk.bind(c, p.jwksAttempt, logAt); err != nil {
			return err
		}
	}
	if err := attachUpstream(c, cfg.upstream, reportUpstreamAttempt); err != nil {
		return err
	}
	p.coord = c
	return p.setTick(firstTickMs)
}

// newOwnerID names this VM in fetch leases: random, so VMs never collide.
func newOwnerID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		// No randomness: the clock still tells VMs started apart, and a
		// collision costs at most a duplicate fetch.
		ns, _ := proxywasm.GetCurrentTimeNanoseconds()
		return "vm-t" + strconv.FormatInt(ns, 36)
	}
	return "vm-" + hex.EncodeToString(b[:])
}

// OnTick drives the Coordinator and adapts the tick period.
func (p *pluginContext) OnTick() {
	if p.coord == nil {
		return
	}
	p.introspectionEvent()
	p.coord.Tick()
	p.introspectionAfterTick()
	p.adjustTick()
}

// adjustTick ticks fast while this VM has waiters or a fetch in flight.
func (p *pluginContext) adjustTick() {
	if p.coord == nil {
		return
	}
	want := uint32(idleTickMs)
	if p.coord.Busy() {
		want = busyTickMs
	}
	if want != p.tickMs {
		if err := p.setTick(want); err != nil {
			proxywasm.LogErrorf("tokengate: setting the tick period to %d ms: %v", want, err)
		}
	}
}

func (p *pluginContext) setTick(ms uint32) error {
	if err := proxywasm.SetTickPeriodMilliSeconds(ms); err != nil {
		return err
	}
	p.tickMs = ms
	return nil
}

// jwksAttempt logs and counts one JWKS fetch attempt made by this VM.
func (p *pluginContext) jwksAttempt(rk *remoteKeys, a shared.Attempt) {
	name := rk.p.name
	if a.Err == nil {
		p.remoteMetrics.jwksOK.Increment(1)
		n := 0
		if rk.p.verifier != nil {
			n = rk.p.verifier.Keys().Len()
		}
		proxywasm.LogInfof("tokengate: provider %s: JWKS version %d fetched from cluster %s (%d keys)",
			name, a.Version, rk.src.cluster, n)
		return
	}
	p.remoteMetrics.jwksFailed.Increment(1)
	retry := a.NextAt.UTC().Format(time.RFC3339)
	ns, _ := proxywasm.GetCurrentTimeNanoseconds()
	if rk.usable(time.Unix(0, ns)) {
		proxywasm.LogWarnf("tokengate: provider %s: JWKS fetch failed (%d in a row): %v; serving the keys of version %d until %s; next attempt at %s",
			name, a.Failures, a.Err, rk.version, rk.usableUntil.UTC().Format(time.RFC3339), retry)
		return
	}
	proxywasm.LogWarnf("tokengate: provider %s: JWKS fetch failed (%d in a row): %v; no keys: its tokens get 503 jwks_unavailable; next attempt at %s",
		name, a.Failures, a.Err, retry)
}

// logAt logs at a remote_keys.go level.
func logAt(level int, msg string) {
	if level == logWarn {
		proxywasm.LogWarn(msg)
		return
	}
	proxywasm.LogInfo(msg)
}
