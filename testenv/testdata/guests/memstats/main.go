// Command memstats is a guest module for testenv's memory benchmarks. Provenance: written for
// testenv (not generated, not copied); built by testenv's tests with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o memstats.wasm ./testdata/guests/memstats
//
// against the project's binding (internal/proxywasm). Per request it does exactly what
// cmd/passthrough-wasm does (reads the authorization header, continues). In addition it sets a
// 1-second tick period; on every proxy_on_tick it logs, at info level, one line
// "memstats k=v k=v ..." with the Go runtime's own view of its memory (runtime/metrics), so a
// benchmark can tell heap, stacks and runtime metadata apart from the host-side linear memory
// size. Ticks fire only when the test advances the host clock, so requests run exactly as in
// passthrough.
package main

import (
	"runtime/metrics"
	"strconv"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/tokengate/tokengate/internal/proxywasm"
)

func main() {}

func init() { proxywasm.SetVMContext(&vmContext{}) }

type vmContext struct{ types.DefaultVMContext }

func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }

type pluginContext struct{ types.DefaultPluginContext }

func (*pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	if err := proxywasm.SetTickPeriodMilliSeconds(1000); err != nil {
		proxywasm.LogError("memstats: set tick period failed")
		return false
	}
	return true
}

// names are the runtime/metrics reported, with the short key each is logged under.
var names = [][2]string{
	{"total", "/memory/classes/total:bytes"},
	{"objects", "/memory/classes/heap/objects:bytes"},
	{"heapfree", "/memory/classes/heap/free:bytes"},
	{"released", "/memory/classes/heap/released:bytes"},
	{"unused", "/memory/classes/heap/unused:bytes"},
	{"stacks", "/memory/classes/heap/stacks:bytes"},
	{"osstacks", "/memory/classes/os-stacks:bytes"},
	{"mspan", "/memory/classes/metadata/mspan/inuse:bytes"},
	{"mspanfree", "/memory/classes/metadata/mspan/free:bytes"},
	{"mcache", "/memory/classes/metadata/mcache/inuse:bytes"},
	{"metaother", "/memory/classes/metadata/other:bytes"},
	{"other", "/memory/classes/other:bytes"},
	{"buckhash", "/memory/classes/profiling/buckets:bytes"},
	{"gcs", "/gc/cycles/total:gc-cycles"},
	{"goal", "/gc/heap/goal:bytes"},
	{"live", "/gc/heap/live:bytes"},
	{"allocs", "/gc/heap/allocs:objects"},
	{"allocbytes", "/gc/heap/allocs:bytes"},
	{"goroutines", "/sched/goroutines:goroutines"},
	{"gcstacks", "/gc/scan/stack:bytes"},
	{"gcglobals", "/gc/scan/globals:bytes"},
}

var samples = func() []metrics.Sample {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n[1]
	}
	return s
}()

func (*pluginContext) OnTick() {
	metrics.Read(samples)
	line := "memstats"
	for i, s := range samples {
		var v uint64
		if s.Value.Kind() == metrics.KindUint64 {
			v = s.Value.Uint64()
		}
		line += " " + names[i][0] + "=" + strconv.FormatUint(v, 10)
	}
	proxywasm.LogInfo(line)
}

// Streams as in cmd/passthrough-wasm: one shared stateless context, the header read borrowed.
func (*pluginContext) NewHttpContext(uint32) types.HttpContext { return sharedStream }

var sharedStream = &httpContext{}

type httpContext struct{ types.DefaultHttpContext }

func (*httpContext) OnHttpRequestHeaders(int, bool) types.Action {
	_, _ = proxywasm.GetHttpRequestHeaderBorrowed("authorization")
	return types.ActionContinue
}
