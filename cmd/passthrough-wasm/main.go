// Command passthrough-wasm is a proxy-wasm HTTP filter that lets every request
// through. It is the benchmark baseline for tokengate: built with the
// project's binding (internal/proxywasm) like the real filter, it reads the
// authorization request header on every request, so one request costs one host
// call and one re-entrant proxy_on_memory_allocate, as in the feasibility
// study (shared/notes/feasibility.md, Q3).
//
// Build: ./build.sh (dist/passthrough.wasm).
package main

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/tokengate/tokengate/internal/proxywasm"
)

// main never runs: a c-shared wasip1 module only runs init() (in _initialize).
func main() {}

func init() {
	proxywasm.SetVMContext(&vmContext{})
}

type vmContext struct{ types.DefaultVMContext }

func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }

type pluginContext struct{ types.DefaultPluginContext }

func (*pluginContext) NewHttpContext(uint32) types.HttpContext { return &httpContext{} }

type httpContext struct {
	types.DefaultHttpContext
	sawAuthorization bool
}

// OnHttpRequestHeaders reads the authorization header (result unused beyond a
// flag) and continues.
func (h *httpContext) OnHttpRequestHeaders(int, bool) types.Action {
	v, err := proxywasm.GetHttpRequestHeader("authorization")
	h.sawAuthorization = err == nil && v != ""
	return types.ActionContinue
}
