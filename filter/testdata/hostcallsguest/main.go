// Command hostcallsguest is a benchmark reference, not part of tokengate: a
// proxy-wasm filter that, on every request, makes exactly the host calls
// tokengate makes on a verified-token cache hit of BenchmarkFilter's request,
// with values of the same sizes, and nothing else:
//
//	proxy_get_header_map_pairs (request headers, read borrowed, as tokengate does)
//	proxy_get_current_time_nanoseconds
//	proxy_remove_header_map_value  authorization
//	proxy_add_header_map_value     x-jwt-sub (16 bytes), x-jwt-scope (4), x-jwt-payload (254)
//	proxy_increment_metric ×2      tokengate.allowed, tokengate.cache_hit
//
// Its per-request cost is the floor a cache hit cannot go under while it
// reads every request header (to see every token and every spoofed claim
// header) and sets the claim headers with single host calls; the rest of a
// hit is tokengate's own code. Like dist/passthrough.wasm it shares one
// stream context and allocates nothing per request.
//
// Built by filter/bench_test.go at benchmark time.
package main

import (
	"strings"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/tokengate/tokengate/internal/proxywasm"
)

func main() {}

func init() { proxywasm.SetVMContext(&vmContext{}) }

type vmContext struct{ types.DefaultVMContext }

func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }

type pluginContext struct {
	types.DefaultPluginContext
}

var allowed, cacheHit proxywasm.MetricCounter

func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	allowed = proxywasm.DefineCounterMetric("tokengate.allowed")
	cacheHit = proxywasm.DefineCounterMetric("tokengate.cache_hit")
	return types.OnPluginStartStatusOK
}

func (*pluginContext) NewHttpContext(uint32) types.HttpContext { return sharedStream }

var sharedStream = &httpContext{}

type httpContext struct{ types.DefaultHttpContext }

var (
	sub     = strings.Repeat("s", 16)
	scope   = "read"
	payload = strings.Repeat("p", 254)
)

func (*httpContext) OnHttpRequestHeaders(int, bool) types.Action {
	if _, err := proxywasm.GetHttpRequestHeadersBorrowed(); err != nil {
		return fail()
	}
	if _, err := proxywasm.GetCurrentTimeNanoseconds(); err != nil {
		return fail()
	}
	if proxywasm.RemoveHttpRequestHeader("authorization") != nil ||
		proxywasm.AddHttpRequestHeader("x-jwt-sub", sub) != nil ||
		proxywasm.AddHttpRequestHeader("x-jwt-scope", scope) != nil ||
		proxywasm.AddHttpRequestHeader("x-jwt-payload", payload) != nil {
		return fail()
	}
	allowed.Increment(1)
	cacheHit.Increment(1)
	return types.ActionContinue
}

// fail answers 500: the benchmark wants every request forwarded, so a failed
// host call shows as a benchmark failure.
func fail() types.Action {
	_ = proxywasm.SendHttpResponse(500, nil, nil, -1)
	return types.ActionPause
}
