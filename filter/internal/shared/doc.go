// Package shared coordinates remote fetches between the VMs of one proxy
// (Envoy runs one VM per worker thread) through proxy-wasm shared data, so that
// a value the whole proxy needs (a JWKS, an introspection result, the gateway's
// own access token) is fetched once per proxy, not once per worker.
//
// For each key there are two shared-data records, both written only with CAS:
//
//   - key + "#s", the state: the version last published, how many fetch
//     attempts have finished, the consecutive failures and the earliest next
//     attempt (backoff), the last on-demand refetch (cooldown), and the lease:
//     the VM that is fetching now (owner id, lease id) and until when;
//   - key, the value: the published payload with its version, when it was
//     fetched, when it should be refreshed and until when it may be served.
//
// A VM fetches only while it holds the lease (won by CAS on the state record);
// the others read the published value. Each VM keeps its own copy of the
// current value (Slot.Value) and is told when it adopts a newer version
// (Config.OnUpdate), so callers parse a value once per VM per version.
//
// Nothing here blocks, sleeps or starts a goroutine. Progress happens only
// when the host calls in: Coordinator.Tick (proxy_on_tick), an http-call
// response (the callback given to Host.HttpCall), or a request asking for a
// value (Slot.Await). A request that must wait registers a callback and
// pauses; the callback runs when an attempt started after it finished (in this
// VM: from the http-call response; in another VM: from the next tick that sees
// the published state), or when its wait deadline passes.
//
// Time is an input (Host.Now); the host operations are the small Host
// interface, so the whole mechanism is tested natively with a fake host,
// including VMs racing on CAS.
//
// What this package is NOT:
//
//   - not a cache of many small entries with eviction in shared data:
//     proxy-wasm has no delete, so a caller with unbounded keys (introspection
//     by token hash) must bound and reuse its key space itself;
//   - not an HTTP client: a Fetcher builds the calls and judges the responses;
//   - not a lock for anything but fetching: a lost lease (its VM crashed, or
//     its call outlived LeaseTTL) only costs a duplicate fetch, because values
//     are published under CAS with increasing versions;
//   - not proof against the very first write of a key by two VMs at once:
//     proxy-wasm's set_shared_data has no "create if absent" (CAS 0 means no
//     check), so Slot creation writes an empty record when the key is
//     missing, and two VMs doing that in the same instant may both fetch once.
package shared
