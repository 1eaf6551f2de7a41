package filter

import (
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// The host side of introspection: the plugin context binds one
// introspectionRuntime (per VM) to the configuration's introspection
// providers, on the plugin's shared.Coordinator, and counts:
//
//	tokengate.introspection_success    an introspection call answered (active or not), by the VM that made it
//	tokengate.introspection_failed     an introspection call failed (unreachable, timeout, non-200, malformed)
//	tokengate.introspection_cache_hit  a request answered from the cache without waiting
//
// Logs and metrics never carry the token or the client secret.
const (
	metricIntrospectionSuccess  = "tokengate.introspection_success"
	metricIntrospectionFailed   = "tokengate.introspection_failed"
	metricIntrospectionCacheHit = "tokengate.introspection_cache_hit"
)

// introCounters are this VM's introspection counters (package state is per
// VM: each VM is its own wasm instance).
var introCounters struct {
	defined          bool
	ok, failed, hits proxywasm.MetricCounter
}

func defineIntrospectionMetrics() {
	if introCounters.defined {
		return
	}
	introCounters.ok = proxywasm.DefineCounterMetric(metricIntrospectionSuccess)
	introCounters.failed = proxywasm.DefineCounterMetric(metricIntrospectionFailed)
	introCounters.hits = proxywasm.DefineCounterMetric(metricIntrospectionCacheHit)
	introCounters.defined = true
}

// startIntrospection binds the introspection providers of cfg to a runtime
// on the plugin's Coordinator (made here when no other remote work made one).
// Without introspection providers it does nothing.
func (p *pluginContext) startIntrospection(cfg *compiledConfig) error {
	defineIntrospectionMetrics()
	p.intro = nil
	if len(cfg.introspections) == 0 {
		return nil
	}
	if p.coord == nil {
		c, err := shared.NewCoordinator(&proxyHost{}, newOwnerID())
		if err != nil {
			return err
		}
		p.coord = c
		if err := p.setTick(idleTickMs); err != nil {
			return err
		}
	}
	rt := newIntrospectionRuntime(&proxyHost{}, p.coord, reportIntrospectionAttempt)
	for _, in := range cfg.introspections {
		in.rt = rt
	}
	p.intro = rt
	return nil
}

// reportIntrospectionAttempt logs and counts one introspection call made by
// this VM: a failure at warning level (its requests got 503).
func reportIntrospectionAttempt(in *introspection, a shared.Attempt) {
	msg, failed := in.attemptLog(a)
	if failed {
		introCounters.failed.Increment(1)
		proxywasm.LogWarn(msg)
		return
	}
	introCounters.ok.Increment(1)
	proxywasm.LogDebug(msg)
}

// introspectionEvent starts a host event for the runtime (see beginEvent).
func (p *pluginContext) introspectionEvent() {
	if p.intro != nil {
		p.intro.beginEvent()
	}
}

// introspectionAfterTick forgets idle bucket Slots (after Coordinator.Tick).
func (p *pluginContext) introspectionAfterTick() {
	if p.intro != nil {
		p.intro.tick()
	}
}

// recordIntrospectionHits counts a decision's cache hits.
func recordIntrospectionHits(d *Decision) {
	if d.IntrospectionHits > 0 && introCounters.defined {
		introCounters.hits.Increment(uint64(d.IntrospectionHits))
	}
}
