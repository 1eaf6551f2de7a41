// Package testenv hosts a proxy-wasm module (.wasm bytes) under wazero the way Envoy does, so Go
// tests can drive the real module through Envoy's lifecycle and observe what Envoy would.
//
// It is a test harness and the engine of `tokengate run`. It is NOT Envoy: it has no routing, no
// filter chain besides the one module, no TCP filters, no gRPC (the gRPC host calls answer
// Unimplemented), and it does not reproduce V8's limits (about 1 MB of native stack, lazy
// TurboFan compilation); see RATIONALE.md. It never imports the filter's Go code: it sees only
// the .wasm bytes.
//
// # What it emulates
//
// The rules are those of proxy-wasm-cpp-host + Envoy as recorded in shared/notes/envoy-host.md:
//
//   - Compile once (a process-wide wazero CompilationCache), one VM per worker (Workers), all
//     VMs sharing one shared-data store with CAS, shared queues and metrics.
//   - Start: _initialize (restricted host calls), proxy_on_context_create(root), proxy_on_vm_start,
//     proxy_on_configure with the plugin configuration (PluginConfig). false or a trap fails the
//     start with the guest's logs. The plugin configuration is readable only then.
//   - Streams: proxy_on_context_create, request headers/body/trailers, response
//     headers/body/trailers, then proxy_on_done, proxy_on_log, proxy_on_delete (Stream.Complete).
//     Pause stops a direction until proxy_continue_stream; data arriving meanwhile is buffered and
//     delivered on continue. Headers are unreadable (BadArgument) once their direction continued,
//     and readable again in proxy_on_log. A local reply ends the stream after passing through the
//     filter's own proxy_on_response_headers/body.
//   - Deferred actions: local replies, continue/close and http-call dispatch run after the
//     outermost guest call returns; http-call responses, ticks and queue notifications come from
//     the event loop, never inside a guest call. http-call responses go to the ROOT context id.
//   - proxy_http_call routes by cluster name (Cluster, ClusterURL) and validates like Envoy
//     (:method, :path, :authority, known cluster, else BadArgument); timeout gives 504 and a
//     connection failure 503, as Envoy's async client.
//   - A settable clock (Clock) drives proxy_get_current_time_nanoseconds, WASI clocks, ticks and
//     http-call timeouts; tests Advance it and never sleep.
//   - WASI as cpp-host >= #533 gives it: poll_oneoff returns 0 events, fd 1/2 go to the log,
//     no files/args/env, proc_exit traps, random_get at most 64 KiB, restricted-callback
//     allow-lists during _initialize and proxy_on_memory_allocate (trap "restricted_callback").
//   - A trap discards the instance and starts a new one (all guest state lost); the stream in
//     flight gets Envoy's 503 "wasm_fail_stream". Guest misuse of the ABI gets the status Envoy
//     returns and is recorded (Misuses).
//
// # Test API
//
//	env := testenv.New(t, wasm, testenv.PluginConfig(`{"issuer":"x"}`), testenv.Cluster("idp", h), testenv.Workers(2))
//	s := env.NewStream()                         // or env.VM(i).NewStream()
//	act := s.RequestHeaders([][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, true)
//	s.LocalResponse()                            // *LocalResponse or nil
//	s.UpstreamRequestHeaders()                   // what went upstream, with the filter's mutations
//	s.ResponseHeaders(h, true); s.Complete()
//	env.Logs(); env.Metrics(); env.SharedData(); env.Clock().Advance(time.Minute)
//
// New registers t.Cleanup and turns traps and start failures into t.Fatalf with the guest's
// stderr, logs and last ABI calls (TolerateTraps keeps them as records). RecordTrace records
// every ABI crossing for golden tests (Host.Trace, in wazero's "==> env.proxy_x(a=1)" / "<== status=Ok"
// form, with the bytes behind pointers instead of pointers; lines of several workers interleave
// in time order without a VM marker, so golden scenarios use one worker). See testdata/*.trace.
//
// Two checks go beyond Envoy, for tests of a binding: DecoyAllocations makes every returned value
// cost two guest allocations (the guest must use the one the host names and release both), and
// Host.HostCallCounts counts every host call by name (also those the trace leaves out), so a test
// can assert "one header read per request and nothing else" over many requests without a trace.
//
// How http-call responses meet the fake clock: handlers (Cluster) and real upstreams (ClusterURL)
// are called synchronously at dispatch (after the outermost guest call returns); the response is
// due ClusterDelay later on the host clock (default 0: delivered right after the current script
// step), or is a 504 at dispatch+timeout if the delay reaches the timeout. Real time spent by a
// real upstream is not charged to the fake clock. ManualHttpCalls holds due responses until
// DeliverHttpCalls.
//
// # Host API (no testing.T), for a CLI
//
// NewHost(wasm, opts...) (*Host, error) is the same host without a test: a trap ends the stream
// with Envoy's 503 "wasm_fail_stream" local reply, Stream.Err and Host.Traps report it, and
// Host.OnFailure receives every failure (for logging). Use RealClock and LogWriter for a server.
//
// # Gateway
//
// Gateway is an http.Handler that runs each incoming request through a VM of a Host and either
// writes the filter's local reply or reverse-proxies the request, with the filter's header (and
// :path) mutations, to an upstream URL, then runs the response back through the filter:
//
//	host, err := testenv.NewHost(wasm, testenv.RealClock(), testenv.Workers(2),
//		testenv.PluginConfig(cfg), testenv.ClusterURL("idp", "http://127.0.0.1:9000"))
//	gw, err := testenv.NewGateway(host, "http://127.0.0.1:8081") // upstream
//	defer gw.Close()                                             // stops the tick poller
//	http.ListenAndServe("127.0.0.1:8080", gw)
//
// Each request holds one VM for its whole life (a pool of Workers VMs, one request at a time per
// VM); a request that stays paused longer than Gateway.Timeout (default 15 s, Envoy's route
// timeout) gets 504. Bodies are read whole, up to Gateway.MaxBodyBytes (default 1 MiB; a larger
// request is 413). An unreachable upstream gives the 503 Envoy's router would, which still passes
// through the filter's response callbacks.
// The Gateway adds x-request-id when absent and sets :scheme from the listener (http).
package testenv
