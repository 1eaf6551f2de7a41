//go:build !wasip1

package filter

import (
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

// BenchmarkIntrospection compares, under testenv with the real module, the
// per-request cost of a token answered from the introspection cache (SHA-256
// of the token, a VM-local entry, claims checks) with a JWT answered from the
// verified-token cache, in the same run. The first request of each warms the
// caches (the introspection one through the fake IdP behind cluster "idp").
// The ratio is reported as a metric; nothing here asserts a timing.
func BenchmarkIntrospection(b *testing.B) {
	idp := &fakeIntrospectionIdP{id: "gw", secret: "GATEWAY-SECRET", active: map[string]map[string]any{
		"opaque-bench-token": {"sub": "alice", "iss": "https://idp.example/", "aud": "api", "scope": "read"},
	}}
	cfg := introDecideConfig("")
	env := testenv.New(b, loadWasm(b), testenv.StartTime(testNow), testenv.PluginConfig(cfg), testenv.Cluster("idp", idp))
	jwt := signHS256(b, []byte(introDecideSecret), claims{"iss": "https://local.example/", "aud": "api", "sub": "jay",
		"exp": testNow.Unix() + 3600})
	jwtReq := requestHeaders("/either", [2]string{"authorization", "Bearer " + jwt})
	opaqueReq := requestHeaders("/either", [2]string{"authorization", "Bearer opaque-bench-token"})

	warm := env.NewStream()
	warm.RequestHeaders(opaqueReq, true)
	env.Clock().Advance(0)
	if warm.UpstreamRequestHeaders() == nil {
		b.Fatalf("warm-up request not forwarded (local reply %+v)", warm.LocalResponse())
	}
	warm.Complete()

	ns := map[string]float64{}
	for _, c := range []struct {
		name string
		h    [][2]string
	}{{"jwt-hit", jwtReq}, {"introspection-hit", opaqueReq}} {
		b.Run(c.name, func(b *testing.B) {
			streamBench(env, c.h)(b)
			ns[c.name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
	}
	b.Run("ratios", func(b *testing.B) {
		if ns["jwt-hit"] == 0 || ns["introspection-hit"] == 0 {
			b.Fatal("a case did not run")
		}
		b.ReportMetric(ns["introspection-hit"]/ns["jwt-hit"], "introspection-hit/jwt-hit")
		b.Logf("per request, this run: jwt-hit %.2f µs, introspection-hit %.2f µs", ns["jwt-hit"]/1e3, ns["introspection-hit"]/1e3)
	})
	if n := len(idp.seen); n != 1 {
		b.Fatalf("IdP calls = %d, want 1 (every timed request from the cache)", n)
	}
}
