//go:build wasip1 && !tinygo

package proxywasm

import "github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

// Callbacks of proxy-wasm ABI v0.2.1 exported to the host, one
// //go:wasmexport each (https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1).
// _initialize is exported by the Go toolchain in c-shared mode; it runs the
// package init functions, where the filter calls SetVMContext.
//
// Every callback recovers panics and fails closed (see doc.go). None blocks.

var (
	reg      = newRegistry()
	activeID uint32 // the context the running callback acts for (the effective context)
)

// SetVMContext registers the filter's VM context. Call it from init(): with
// -buildmode=c-shared main() never runs.
func SetVMContext(ctx types.VMContext) {
	reg.vm = ctx
}

// internalErrorDetails is the response-code detail of fail-closed replies.
const internalErrorDetails = "tokengate_internal_error"

// enter starts a callback for context id.
func enter(id uint32) {
	activeID = id
	if len(pins) > 0 || borrowInto != nil { // a host call that never completed: drop its allocations
		disarmBorrow()
	}
}

// logPanic logs a recovered panic at critical level, without fmt.
func logPanic(where string, r any) {
	var msg string
	switch v := r.(type) {
	case error:
		msg = v.Error()
	case string:
		msg = v
	case interface{ String() string }:
		msg = v.String()
	default:
		msg = "(non-string panic value)"
	}
	if len(msg) > 512 {
		msg = msg[:512] + "..."
	}
	LogCritical("proxywasm: recovered panic in " + where + ": " + msg)
}

// failStream is the fail-closed answer of a request or response callback: a
// 500 local reply and Pause.
func failStream(where, why string) uint32 {
	LogCritical("proxywasm: " + where + ": " + why + "; replying 500")
	_ = sendLocalResponse(500, internalErrorDetails, nil, nil, -1)
	reg.markReplied(activeID)
	return uint32(types.ActionPause)
}

// failResponse is failStream for a response callback: when the binding has
// already answered this stream with its 500, the response passing through is
// that reply (Envoy runs a local reply through the filter's response
// callbacks), so it continues instead of replying a second time.
func failResponse(where, why string) uint32 {
	if reg.replied(activeID) {
		return uint32(types.ActionContinue)
	}
	return failStream(where, why)
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_abi_version_0_2_1
//
//go:wasmexport proxy_abi_version_0_2_1
func proxyABIVersion021() {}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_memory_allocate
//
//go:wasmexport proxy_on_memory_allocate
func proxyOnMemoryAllocate(memorySize uint32) (p *byte) {
	defer func() {
		if recover() != nil { // makeslice failure: report 0, never call the host here
			p = nil
		}
	}()
	return hostAllocate(memorySize)
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_context_create
//
//go:wasmexport proxy_on_context_create
func proxyOnContextCreate(contextID, parentContextID uint32) {
	enter(contextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_context_create", r)
		}
	}()
	if !reg.createContext(contextID, parentContextID) && parentContextID == 0 {
		LogCritical("proxywasm: no plugin context created (SetVMContext not called from init, or NewPluginContext returned nil)")
	}
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_vm_start
//
//go:wasmexport proxy_on_vm_start
func proxyOnVMStart(pluginContextID, vmConfigurationSize uint32) (ok bool) {
	enter(pluginContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_vm_start", r)
			ok = false
		}
	}()
	if reg.vm == nil {
		LogCritical("proxywasm: SetVMContext was not called from init()")
		return false
	}
	return bool(reg.vm.OnVMStart(int(vmConfigurationSize)))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_configure
//
//go:wasmexport proxy_on_configure
func proxyOnConfigure(pluginContextID, pluginConfigurationSize uint32) (ok bool) {
	enter(pluginContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_configure", r)
			ok = false
		}
	}()
	pc := reg.roots[pluginContextID]
	if pc == nil {
		LogCritical("proxywasm: proxy_on_configure: unknown plugin context")
		return false
	}
	return bool(pc.OnPluginStart(int(pluginConfigurationSize)))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_tick
//
//go:wasmexport proxy_on_tick
func proxyOnTick(pluginContextID uint32) {
	enter(pluginContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_tick", r)
		}
	}()
	if pc := reg.roots[pluginContextID]; pc != nil {
		pc.OnTick()
	}
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_queue_ready
//
//go:wasmexport proxy_on_queue_ready
func proxyOnQueueReady(pluginContextID, queueID uint32) {
	enter(pluginContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_queue_ready", r)
		}
	}()
	if pc := reg.roots[pluginContextID]; pc != nil {
		pc.OnQueueReady(queueID)
	}
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_request_headers
//
//go:wasmexport proxy_on_request_headers
func proxyOnRequestHeaders(streamContextID, numHeaders, endOfStream uint32) (action uint32) {
	enter(streamContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_request_headers", r)
			action = failStream("proxy_on_request_headers", "panic")
		}
	}()
	ctx := reg.streams[streamContextID].ctx
	if ctx == nil {
		return failStream("proxy_on_request_headers", "no http context")
	}
	return uint32(ctx.OnHttpRequestHeaders(int(numHeaders), endOfStream != 0))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_request_body
//
//go:wasmexport proxy_on_request_body
func proxyOnRequestBody(streamContextID, bodySize, endOfStream uint32) (action uint32) {
	enter(streamContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_request_body", r)
			action = failStream("proxy_on_request_body", "panic")
		}
	}()
	ctx := reg.streams[streamContextID].ctx
	if ctx == nil {
		return failStream("proxy_on_request_body", "no http context")
	}
	return uint32(ctx.OnHttpRequestBody(int(bodySize), endOfStream != 0))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_request_trailers
//
//go:wasmexport proxy_on_request_trailers
func proxyOnRequestTrailers(streamContextID, numTrailers uint32) (action uint32) {
	enter(streamContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_request_trailers", r)
			action = failStream("proxy_on_request_trailers", "panic")
		}
	}()
	ctx := reg.streams[streamContextID].ctx
	if ctx == nil {
		return failStream("proxy_on_request_trailers", "no http context")
	}
	return uint32(ctx.OnHttpRequestTrailers(int(numTrailers)))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_response_headers
//
//go:wasmexport proxy_on_response_headers
func proxyOnResponseHeaders(streamContextID, numHeaders, endOfStream uint32) (action uint32) {
	enter(streamContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_response_headers", r)
			action = failResponse("proxy_on_response_headers", "panic")
		}
	}()
	ctx := reg.streams[streamContextID].ctx
	if ctx == nil {
		return failResponse("proxy_on_response_headers", "no http context")
	}
	return uint32(ctx.OnHttpResponseHeaders(int(numHeaders), endOfStream != 0))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_response_body
//
//go:wasmexport proxy_on_response_body
func proxyOnResponseBody(streamContextID, bodySize, endOfStream uint32) (action uint32) {
	enter(streamContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_response_body", r)
			action = failResponse("proxy_on_response_body", "panic")
		}
	}()
	ctx := reg.streams[streamContextID].ctx
	if ctx == nil {
		return failResponse("proxy_on_response_body", "no http context")
	}
	return uint32(ctx.OnHttpResponseBody(int(bodySize), endOfStream != 0))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_response_trailers
//
//go:wasmexport proxy_on_response_trailers
func proxyOnResponseTrailers(streamContextID, numTrailers uint32) (action uint32) {
	enter(streamContextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_response_trailers", r)
			action = failResponse("proxy_on_response_trailers", "panic")
		}
	}()
	ctx := reg.streams[streamContextID].ctx
	if ctx == nil {
		return failResponse("proxy_on_response_trailers", "no http context")
	}
	return uint32(ctx.OnHttpResponseTrailers(int(numTrailers)))
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_http_call_response
//
// The host (Envoy) delivers the response on the root context id; the binding
// switches to the context that dispatched the call before running its
// callback. A panic in the callback fails that stream closed (500).
//
//go:wasmexport proxy_on_http_call_response
func proxyOnHttpCallResponse(pluginContextID, callID, numHeaders, bodySize, numTrailers uint32) {
	enter(pluginContextID)
	onStream := false
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_http_call_response", r)
			if onStream {
				failStream("proxy_on_http_call_response", "panic in the http-call callback")
			}
		}
	}()
	e, ok := reg.takeCallout(pluginContextID, callID)
	if !ok {
		LogWarn("proxywasm: proxy_on_http_call_response: unknown http call id")
		return
	}
	if e.ctx != pluginContextID {
		if _, live := reg.streams[e.ctx]; live && proxy_set_effective_context(e.ctx) == statusOK {
			activeID = e.ctx
			onStream = true
		}
	}
	if e.cb != nil {
		e.cb(int(numHeaders), int(bodySize), int(numTrailers))
	}
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_done
//
//go:wasmexport proxy_on_done
func proxyOnDone(contextID uint32) (completed bool) {
	enter(contextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_done", r)
			completed = true
		}
	}()
	if pc := reg.roots[contextID]; pc != nil {
		return pc.OnPluginDone()
	}
	return true
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_log
//
// OnHttpStreamDone runs here, as in the SDK: request and response headers are
// readable again in this phase.
//
//go:wasmexport proxy_on_log
func proxyOnLog(contextID uint32) {
	enter(contextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_log", r)
		}
	}()
	if ctx := reg.streams[contextID].ctx; ctx != nil {
		ctx.OnHttpStreamDone()
	}
}

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_on_delete
//
//go:wasmexport proxy_on_delete
func proxyOnDelete(contextID uint32) {
	enter(contextID)
	defer func() {
		if r := recover(); r != nil {
			logPanic("proxy_on_delete", r)
		}
	}()
	reg.deleteContext(contextID)
}
