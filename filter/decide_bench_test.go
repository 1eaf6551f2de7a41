package filter

import "testing"

// BenchmarkDecide measures the pure decision (no host, no stream) on the
// requests BenchmarkFilter sends: an RS256 token already in the verified-token
// cache, and an HS256 token with the cache off. It runs natively and, through
// `make bench-wasm`, inside wasm (where the filter runs), which is the figure
// that matters: BenchmarkFilter's per-request cost is this plus the stream's
// host calls.
func BenchmarkDecide(b *testing.B) {
	f := newTokens(b)
	cases := []struct {
		name    string
		noCache bool
		headers [][2]string
	}{
		{name: "hit", headers: requestHeaders("/api/items", bearer(f.auth0("read", nil)))},
		{name: "hs256-miss", noCache: true, headers: requestHeaders("/billing/run", [2]string{"x-internal-token", f.internal(nil)})},
	}
	for _, c := range cases {
		seed := seedConfig(b)
		if c.noCache {
			seed["cache"] = map[string]any{"max_entries": 0}
		}
		cfg, err := parseConfig([]byte(mustJSON(b, seed)))
		if err != nil {
			b.Fatal(err)
		}
		req, err := newRequest(c.headers)
		if err != nil {
			b.Fatal(err)
		}
		if d := decide(cfg, req, testNow); !d.Allow { // warms the cache for "hit"
			b.Fatalf("%s: denied: %s", c.name, d.Description)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if d := decide(cfg, req, testNow); !d.Allow {
					b.Fatalf("denied: %s", d.Description)
				}
			}
		})
	}
}

// requestHeaders is the request BenchmarkFilter and BenchmarkDecide send.
func requestHeaders(target string, extra ...[2]string) [][2]string {
	h := [][2]string{{":method", "GET"}, {":path", target}, {":authority", "api.mywebsite.com"},
		{":scheme", "http"}, {"user-agent", "bench"}, {"accept", "*/*"}}
	return append(h, extra...)
}
