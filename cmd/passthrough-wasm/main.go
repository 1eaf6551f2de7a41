// Command passthrough-wasm is a proxy-wasm HTTP filter that lets every request
// through. It is the benchmark baseline for tokengate: built with the
// project's binding (internal/proxywasm) like the real filter, it reads the
// authorization request header on every request, so one request costs one host
// call and one re-entrant proxy_on_memory_allocate, as in the feasibility
// study (shared/notes/feasibility.md, Q3).
//
// It allocates nothing per request: the header is read with the binding's
// GetHttpRequestHeaderBorrowed (the host writes it into a reused buffer) and
// every stream shares one stateless http context, so the guest makes no
// garbage and its memory is flat from the first requests on
// (internal/proxywasm/RATIONALE.md).
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

// NewHttpContext returns the one shared stream context: it keeps no per-stream
// state, so no stream needs its own (and creating one would allocate).
func (*pluginContext) NewHttpContext(uint32) types.HttpContext { return sharedStream }

var sharedStream = &httpContext{}

// httpContext is stateless; see NewHttpContext.
type httpContext struct{ types.DefaultHttpContext }

// OnHttpRequestHeaders reads the authorization header (the value is not used:
// the read is the work being measured) and continues.
func (*httpContext) OnHttpRequestHeaders(int, bool) types.Action {
	_, _ = proxywasm.GetHttpRequestHeaderBorrowed("authorization")
	return types.ActionContinue
}
