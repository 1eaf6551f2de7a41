package testenv_test

import (
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

// BenchmarkPassthrough measures one request through dist/passthrough.wasm as Envoy drives it:
// context create, request headers (the filter reads authorization: one host call and one
// re-entrant allocation), response headers, done, log, delete. -benchmem shows host-side
// allocations per request.
func BenchmarkPassthrough(b *testing.B) {
	env := testenv.New(b, distWasm(b, "passthrough.wasm"))
	req := reqHeaders([2]string{"authorization", "Bearer abc"})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runPassthrough(b, env, req)
	}
}

func runPassthrough(b testing.TB, env *testenv.Env, req [][2]string) {
	s := env.NewStream()
	if act := s.RequestHeaders(req, true); act != testenv.ActionContinue {
		b.Fatalf("request headers: %v", act)
	}
	if act := s.ResponseHeaders(respHeaders, true); act != testenv.ActionContinue {
		b.Fatalf("response headers: %v", act)
	}
	s.Complete()
}

// BenchmarkPassthroughMemory reports the guest's linear memory after 10k, 100k, 250k, 500k, 1M and
// 1.5M requests (b.N is ignored: one run is the measurement) and fails unless it is the same at
// every mark (issue 3). The pass-through makes no garbage per request (the header is read into
// the binding's reused buffer, streams share one context), so nothing makes the heap grow; see
// internal/proxywasm/RATIONALE.md, "Is guest memory equal after 10k and 1M requests?", for why
// 16 B of garbage per request used to make it climb to 7.25 MiB. BenchmarkPassthroughMemoryBreakdown
// shows the Go runtime's side of the same run.
func BenchmarkPassthroughMemory(b *testing.B) {
	env := testenv.New(b, distWasm(b, "passthrough.wasm"))
	req := reqHeaders([2]string{"authorization", "Bearer abc"})
	marks := map[int]uint32{}
	for i := 1; i <= 1_500_000; i++ {
		runPassthrough(b, env, req)
		switch i {
		case 10_000, 100_000, 250_000, 500_000, 1_000_000, 1_500_000:
			marks[i] = env.GuestMemory(0)
		}
	}
	b.ReportMetric(float64(marks[10_000])/1024, "KiB@10k")
	b.ReportMetric(float64(marks[100_000])/1024, "KiB@100k")
	b.ReportMetric(float64(marks[1_000_000])/1024, "KiB@1M")
	b.ReportMetric(float64(marks[1_500_000])/1024, "KiB@1.5M")
	b.Logf("guest linear memory (bytes) after n requests: %v", marks)
	for _, n := range []int{100_000, 250_000, 500_000, 1_000_000, 1_500_000} {
		if marks[n] != marks[10_000] {
			b.Errorf("guest memory after %d requests is %d bytes, after 10k %d: want it equal", n, marks[n], marks[10_000])
		}
	}
}
