// Package proxywasm is tokengate's own binding of the proxy-wasm ABI v0.2.1 for
// standard Go (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared, Go >= 1.24).
//
// A filter is written against the programming model of
// github.com/tetratelabs/proxy-wasm-go-sdk v0.24.0: it implements
// types.VMContext, types.PluginContext and types.HttpContext from the SDK's
// proxywasm/types package, calls SetVMContext from its init() function, and
// calls host functions whose names and Go signatures are those of the SDK's
// proxywasm package (GetHttpRequestHeader, SendHttpResponse, DispatchHttpCall,
// ...). Switching the filter to the SDK, or to the SDK's standard-Go
// successor, is an import change.
//
// Two implementations share that API:
//
//   - under `wasip1 && !tinygo` (files *_wasip1.go) the package is the ABI
//     itself: //go:wasmexport callbacks (proxy_on_*) and //go:wasmimport host
//     calls (proxy_*), written from the specification at
//     https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1
//   - under every other build (files *_native.go: native `go test`, TinyGo) each
//     function forwards to the SDK's proxywasm package, so the SDK's proxytest
//     emulator drives a filter natively, and TinyGo builds use the SDK's ABI.
//
// Rules the wasip1 implementation follows (see the project notes
// shared/notes/feasibility.md and envoy-host.md):
//
//   - every export and import uses 32-bit integer parameters (never int);
//   - out-parameters live in package-level variables, never on a goroutine
//     stack that may move, and no import is marked //go:noescape;
//   - every buffer handed to the host by proxy_on_memory_allocate is pinned
//     until the Go code that asked for it takes it over, and the pins are
//     released after every host call, error paths included;
//   - every exported callback recovers panics and fails closed: request and
//     response callbacks send a 500 local reply (details
//     "tokengate_internal_error") and return Pause; proxy_on_vm_start and
//     proxy_on_configure return false; other callbacks log at critical level;
//   - an http-call response arrives on the root context id (as in Envoy): the
//     binding remembers which context dispatched each call and makes it the
//     effective context before running the callback.
//
// What this package is NOT:
//
//   - not a general proxy-wasm SDK: only what an HTTP filter needs. There are
//     no TCP (network filter) callbacks or host calls, no gRPC calls, no
//     foreign functions; types.TcpContext is never used.
//   - not a scheduler: nothing here blocks, sleeps or starts goroutines, and a
//     filter must not either (a goroutine only runs inside a later callback).
//   - not a host: the wazero harness that emulates Envoy is package testenv.
//
// Differences from the SDK v0.24.0 API, all additive:
//
//   - GetCurrentTimeNanoseconds (proxy_get_current_time_nanoseconds) has no SDK
//     counterpart; natively it returns the time of a replaceable clock
//     (SetNativeClock, native builds only), defaulting to time.Now.
//   - SendHttpResponseWithDetails passes the response-code details of a local
//     reply (for access logs); natively the details are dropped, because the
//     SDK's API cannot carry them.
//   - GetHttpRequestHeaderBorrowed reads a request header into a buffer the
//     binding reuses, so the read leaves no garbage; the slice is valid only
//     until the next call into this package. Natively it returns a copy.
//   - GetHttpRequestHeadersBorrowed reads every request header into a buffer
//     and a slice the binding reuses (no garbage once they have grown); the
//     result is valid only until its next call. Natively the headers are
//     copied into one reused buffer whose previous contents are overwritten
//     with 0xAA first, so a string kept too long shows in native tests too.
//   - GetLogLevel (proxy_get_log_level) has no SDK counterpart either;
//     natively it reports LogLevelTrace (the emulator keeps every level).
package proxywasm
