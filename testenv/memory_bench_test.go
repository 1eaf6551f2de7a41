package testenv_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
)

// BenchmarkPassthroughMemoryBreakdown explains BenchmarkPassthroughMemory's numbers from inside the
// guest. It runs testdata/guests/memstats (per request exactly what cmd/passthrough-wasm does,
// plus a runtime/metrics report on every tick, and ticks only between measurements) for 1M
// requests, and logs at each mark the host-side linear memory beside the Go runtime's view:
// GC cycles, heap goal, live heap after the last GC, bytes allocated per request.
//
// Sub-benchmarks: gogc=100 is the module as shipped; gogc=5 is the same guest built with
// debug.SetGCPercent(5), showing that the plateau follows the GC pacer's heap goal (see
// internal/proxywasm/RATIONALE.md, "Why is guest memory not equal after 10k and 1M requests?").
//
// It fails if the guest leaks: if the live heap the GC marks grows between the first GC cycle and
// 1M requests, or if requests allocate more than one 16-byte tiny block each (the header value the
// host asks the guest to allocate; the tick reports and the GC's own allocations add < 1 B/request).
func BenchmarkPassthroughMemoryBreakdown(b *testing.B) {
	for _, gogc := range []string{"100", "5"} {
		b.Run("gogc="+gogc, func(b *testing.B) {
			ldflags := ""
			if gogc != "100" {
				ldflags = "-X main.gcPercent=" + gogc
			}
			memoryBreakdown(b, guestBuild(b, "memstats", ldflags))
		})
	}
}

func memoryBreakdown(b *testing.B, wasm []byte) {
	env := testenv.New(b, wasm)
	req := reqHeaders([2]string{"authorization", "Bearer abc"})
	marks := []int{10_000, 100_000, 250_000, 500_000, 1_000_000}
	lines := []string{"requests  linear KiB  gc cycles  goal KiB  live KiB  heap objects KiB  alloc B/req"}
	var firstLive, lastLive, lastGCs, gcsAt10k, prevAlloc uint64
	n, prevN := 0, 0
	for _, m := range marks {
		for ; n < m; n++ {
			runPassthrough(b, env, req)
		}
		st := readMemstats(b, env)
		mem := env.GuestMemory(0)
		// Bytes allocated per request since the previous mark. The first interval also holds the
		// module's start-up allocations; every interval holds one tick report and the GC's own
		// allocations (first cycle: tens of KiB), which stay under 1 B/request over >= 90k requests.
		perReq := float64(st["allocbytes"]-prevAlloc) / float64(n-prevN)
		prevAlloc, prevN = st["allocbytes"], n
		lines = append(lines, fmt.Sprintf("%8d  %10d  %9d  %8d  %8d  %16d  %11.1f",
			n, mem/1024, st["gcs"], st["goal"]/1024, st["live"]/1024, st["objects"]/1024, perReq))
		if st["gcs"] > 0 && firstLive == 0 {
			firstLive = st["live"]
		}
		lastLive, lastGCs = st["live"], st["gcs"]
		if m == 10_000 {
			gcsAt10k = st["gcs"]
			b.ReportMetric(float64(mem)/1024, "KiB@10k")
		}
		if m > 10_000 && perReq >= 17 {
			b.Errorf("%d requests allocated %.1f bytes each in the guest; the pass-through path should allocate only the header value (one 16-byte tiny block)", n, perReq)
		}
	}
	b.ReportMetric(float64(env.GuestMemory(0))/1024, "KiB@1M")
	b.ReportMetric(float64(gcsAt10k), "gcs@10k")
	b.ReportMetric(float64(lastGCs), "gcs@1M")
	b.ReportMetric(float64(prevAlloc)/float64(n), "guestB/req")
	b.Logf("guest memory, linear vs Go runtime:\n%s", strings.Join(lines, "\n"))
	if lastGCs < 2 {
		b.Fatalf("only %d GC cycles in 1M requests: the leak check below needs two", lastGCs)
	}
	if lastLive > firstLive {
		b.Errorf("live heap after GC grew from %d bytes (first cycle) to %d bytes (after 1M requests): the guest retains something per request", firstLive, lastLive)
	}
}

// readMemstats makes the memstats guest report (by advancing the clock one tick period) and parses
// its last "memstats k=v ..." log line.
func readMemstats(b *testing.B, env *testenv.Env) map[string]uint64 {
	b.Helper()
	env.Clock().Advance(time.Second)
	ls := logged(env, "memstats ")
	if len(ls) == 0 {
		b.Fatal("memstats guest logged no report on tick")
	}
	st := map[string]uint64{}
	for _, kv := range strings.Fields(strings.TrimPrefix(ls[len(ls)-1], "memstats ")) {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 64)
		if !ok || err != nil {
			b.Fatalf("memstats report: bad field %q", kv)
		}
		st[k] = n
	}
	return st
}
