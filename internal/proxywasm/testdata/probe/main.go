// Command probe is a guest module for internal/proxywasm's own wasm tests
// (exec_test.go builds it with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared).
// Its behaviour is chosen per request by the x-probe request header, so one
// module exercises the binding's paths that a pass-through filter never
// takes: panics failing closed, http calls answered on the root context, map
// serialization in both directions, plugin configuration, borrowed reads.
package main

import (
	"runtime"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/tokengate/tokengate/internal/proxywasm"
)

func main() {}

func init() { proxywasm.SetVMContext(&vm{}) }

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct {
	types.DefaultPluginContext
	config string
}

func (p *plugin) OnPluginStart(int) types.OnPluginStartStatus {
	cfg, err := proxywasm.GetPluginConfiguration()
	if err != nil {
		return types.OnPluginStartStatusFailed
	}
	p.config = string(cfg)
	switch p.config {
	case "fail":
		return types.OnPluginStartStatusFailed
	case "panic":
		panic("probe: configure panic")
	}
	return types.OnPluginStartStatusOK
}

func (p *plugin) NewHttpContext(id uint32) types.HttpContext {
	if p.config == "no-http" {
		return nil
	}
	return &stream{plugin: p}
}

type stream struct {
	types.DefaultHttpContext
	plugin *plugin
}

func (s *stream) OnHttpRequestHeaders(int, bool) types.Action {
	mode, err := proxywasm.GetHttpRequestHeader("x-probe")
	if err != nil {
		return types.ActionContinue
	}
	switch mode {
	case "panic":
		var m map[string]int
		m["x"]++ // nil map write: a runtime panic
	case "echo":
		hs, err := proxywasm.GetHttpRequestHeaders()
		if err != nil {
			panic(err)
		}
		_ = proxywasm.SendHttpResponse(200, hs, []byte(s.plugin.config), -1)
		return types.ActionPause
	case "deny":
		_ = proxywasm.SendHttpResponseWithDetails(401, "tokengate_denied{jwt_expired}",
			[][2]string{{"www-authenticate", `Bearer error="invalid_token"`}}, []byte("denied"), -1)
		return types.ActionPause
	case "call":
		_, err := proxywasm.DispatchHttpCall("idp",
			[][2]string{{":method", "GET"}, {":path", "/k"}, {":authority", "idp"}}, nil, nil, 1000,
			func(numHeaders, bodySize, _ int) {
				body, _ := proxywasm.GetHttpCallResponseBody(0, bodySize)
				if string(body) == "boom" {
					panic("probe: callback panic")
				}
				_ = proxywasm.AddHttpRequestHeader("x-idp", string(body))
				_ = proxywasm.ResumeHttpRequest()
			})
		if err != nil {
			panic(err)
		}
		return types.ActionPause
	case "borrow":
		return borrowCheck()
	case "all":
		touchAll()
		return types.ActionContinue
	}
	return types.ActionContinue
}

// touchAll calls every host function of the binding once, so the module
// imports all of them and the module-shape test checks every import's
// signature against the spec. Results are ignored; the tests never send
// x-probe: all.
func touchAll() {
	_, _ = proxywasm.GetVMConfiguration()
	_ = proxywasm.SetEffectiveContext(0)
	q, _ := proxywasm.RegisterSharedQueue("q")
	_, _ = proxywasm.ResolveSharedQueue("vm", "q")
	_ = proxywasm.EnqueueSharedQueue(q, nil)
	_, _ = proxywasm.DequeueSharedQueue(q)
	proxywasm.PluginDone()
	_, _ = proxywasm.GetHttpCallResponseHeaders()
	_, _ = proxywasm.GetHttpCallResponseTrailers()
	_ = proxywasm.ReplaceHttpRequestHeaders(nil)
	_ = proxywasm.RemoveHttpRequestHeader("k")
	_ = proxywasm.ReplaceHttpRequestHeader("k", "v")
	_ = proxywasm.AppendHttpRequestBody(nil)
	_, _ = proxywasm.GetHttpResponseBody(0, 1)
	_ = proxywasm.ResumeHttpResponse()
	_, _, _ = proxywasm.GetSharedData("k")
	_ = proxywasm.SetSharedData("k", nil, 0)
	_, _ = proxywasm.GetProperty([]string{"plugin_name"})
	_ = proxywasm.SetProperty([]string{"p"}, nil)
	_, _ = proxywasm.GetCurrentTimeNanoseconds()
	_, _ = proxywasm.GetLogLevel()
	_ = proxywasm.SetTickPeriodMilliSeconds(0)
	c := proxywasm.DefineCounterMetric("c")
	c.Increment(1)
	_ = c.Value()
	proxywasm.DefineHistogramMetric("h").Record(1)
}

// borrowRequests counts x-probe: borrow requests, to force a GC every 1000th.
var borrowRequests int

// sink keeps the per-request garbage of borrowCheck from being optimized away.
var sink []byte

// borrowCheck reads x-value with GetHttpRequestHeaderBorrowed and x-want (the
// same value, or absent together) with GetHttpRequestHeader, makes garbage and
// sometimes forces a GC while holding the borrowed slice, then compares. On
// any difference it replies 409 and pauses; the test expects Continue.
func borrowCheck() types.Action {
	want, wantErr := proxywasm.GetHttpRequestHeader("x-want")
	got, gotErr := proxywasm.GetHttpRequestHeaderBorrowed("x-value")
	sink = make([]byte, 1024)
	if borrowRequests++; borrowRequests%1000 == 0 {
		runtime.GC()
	}
	if (wantErr == nil) != (gotErr == nil) || string(got) != want {
		_ = proxywasm.SendHttpResponse(409, nil, []byte("probe: borrowed value differs"), -1)
		return types.ActionPause
	}
	return types.ActionContinue
}
