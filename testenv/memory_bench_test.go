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
// It fails if requests allocate in the guest (>= 0.1 B/request over an interval; the tick reports
// add ~0.01) or if linear memory changes after 10k requests. The pass-through makes no garbage
// (see internal/proxywasm/RATIONALE.md, "Is guest memory equal after 10k and 1M requests?"), so
// the GC never runs here; what a guest retains is bounded by what it allocates, so the allocation
// bound is also the leak check.
func BenchmarkPassthroughMemoryBreakdown(b *testing.B) {
	env := testenv.New(b, guestBuild(b, "memstats", ""))
	req := reqHeaders([2]string{"authorization", "Bearer abc"})
	marks := []int{10_000, 100_000, 250_000, 500_000, 1_000_000}
	lines := []string{"requests  linear KiB  gc cycles  goal KiB  live KiB  heap objects KiB  alloc B/req"}
	var lastGCs, gcsAt10k, prevAlloc uint64
	var memAt10k uint32
	n, prevN := 0, 0
	for _, m := range marks {
		for ; n < m; n++ {
			runPassthrough(b, env, req)
		}
		st := readMemstats(b, env)
		mem := env.GuestMemory(0)
		// Bytes allocated per request since the previous mark. The first interval also holds the
		// module's start-up allocations; every interval holds one tick report (a few KiB).
		perReq := float64(st["allocbytes"]-prevAlloc) / float64(n-prevN)
		prevAlloc, prevN = st["allocbytes"], n
		lines = append(lines, fmt.Sprintf("%8d  %10d  %9d  %8d  %8d  %16d  %11.3f",
			n, mem/1024, st["gcs"], st["goal"]/1024, st["live"]/1024, st["objects"]/1024, perReq))
		lastGCs = st["gcs"]
		if m == 10_000 {
			gcsAt10k, memAt10k = st["gcs"], mem
			b.ReportMetric(float64(mem)/1024, "KiB@10k")
		}
		if m > 10_000 && perReq >= 0.1 {
			b.Errorf("%d requests allocated %.3f bytes each in the guest; the pass-through path should allocate nothing", n, perReq)
		}
		if mem != memAt10k {
			b.Errorf("guest linear memory %d bytes after %d requests, %d after 10k: want it flat", mem, n, memAt10k)
		}
	}
	b.ReportMetric(float64(env.GuestMemory(0))/1024, "KiB@1M")
	b.ReportMetric(float64(gcsAt10k), "gcs@10k")
	b.ReportMetric(float64(lastGCs), "gcs@1M")
	b.ReportMetric(float64(prevAlloc)/float64(n), "guestB/req")
	b.Logf("guest memory, linear vs Go runtime:\n%s", strings.Join(lines, "\n"))
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
