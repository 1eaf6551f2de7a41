package filter

import "github.com/tokengate/tokengate/internal/proxywasm"

// Metric names (Envoy style). tokengate.denied.<code> exists for every code of
// the reason vocabulary (reasons.go); all are defined once, at plugin start.
const (
	metricAllowed      = "tokengate.allowed"
	metricDeniedPrefix = "tokengate.denied."
	metricCacheHit     = "tokengate.cache_hit"
	metricCacheMiss    = "tokengate.cache_miss"
)

// metrics holds the counters of one plugin.
type metrics struct {
	allowed   proxywasm.MetricCounter
	denied    map[string]proxywasm.MetricCounter // by reason code
	cacheHit  proxywasm.MetricCounter
	cacheMiss proxywasm.MetricCounter
}

// defineMetrics defines every counter. It must run in OnPluginStart (Envoy
// refuses host calls during _initialize, where init() functions run).
func defineMetrics() *metrics {
	m := &metrics{
		allowed:   proxywasm.DefineCounterMetric(metricAllowed),
		denied:    map[string]proxywasm.MetricCounter{},
		cacheHit:  proxywasm.DefineCounterMetric(metricCacheHit),
		cacheMiss: proxywasm.DefineCounterMetric(metricCacheMiss),
	}
	for _, r := range allReasons() {
		m.denied[r.code] = proxywasm.DefineCounterMetric(metricDeniedPrefix + r.code)
	}
	return m
}

// record counts one decision.
func (m *metrics) record(d *Decision) {
	recordIntrospectionHits(d)
	if d.CacheHits > 0 {
		m.cacheHit.Increment(uint64(d.CacheHits))
	}
	if d.CacheMisses > 0 {
		m.cacheMiss.Increment(uint64(d.CacheMisses))
	}
	if d.Allow {
		m.allowed.Increment(1)
		return
	}
	if c, ok := m.denied[d.Reason.code]; ok {
		c.Increment(1)
	}
}
