package filter

import (
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// Metric names of upstream token fetches (counted once per attempt, by the VM
// that made it, so once per attempt per proxy).
const (
	metricUpstreamTokenFetchSuccess = "tokengate.upstream_token_fetch_success"
	metricUpstreamTokenFetchFailed  = "tokengate.upstream_token_fetch_failed"
)

// upstreamCounters are this VM's upstream token fetch counters (package state
// is per VM: each VM is its own wasm instance).
var upstreamCounters struct {
	defined    bool
	ok, failed proxywasm.MetricCounter
}

// defineUpstreamMetrics defines the counters once per VM (from plugin start:
// host calls are refused during _initialize).
func defineUpstreamMetrics() {
	if upstreamCounters.defined {
		return
	}
	upstreamCounters.ok = proxywasm.DefineCounterMetric(metricUpstreamTokenFetchSuccess)
	upstreamCounters.failed = proxywasm.DefineCounterMetric(metricUpstreamTokenFetchFailed)
	upstreamCounters.defined = true
}

// reportUpstreamAttempt logs and counts one token fetch made by this VM: a
// success at info level, a rejection by the token endpoint (4xx) at error
// level, any other failure at warning level.
func reportUpstreamAttempt(c *upstreamCred, a shared.Attempt) {
	ns, _ := proxywasm.GetCurrentTimeNanoseconds()
	msg, isErr := c.attemptLog(a, time.Unix(0, ns))
	switch {
	case a.Err == nil:
		if upstreamCounters.defined {
			upstreamCounters.ok.Increment(1)
		}
		proxywasm.LogInfo(msg)
		return
	case isErr:
		proxywasm.LogError(msg)
	default:
		proxywasm.LogWarn(msg)
	}
	if upstreamCounters.defined {
		upstreamCounters.failed.Increment(1)
	}
}
