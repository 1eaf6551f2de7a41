//go:build !wasip1

package filter

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/jwtcore"
	"github.com/tokengate/tokengate/testenv"
)

// Benchmarks of issue 4 "How it is shown to work": per-request cost under
// testenv of a cache hit, an RS256 miss and an HS256 miss, beside references
// measured in the same run:
//
//   - passthrough: dist/passthrough.wasm (reads one header, continues);
//   - bare RSA: testdata/rsaguest (passthrough + one RSA-2048 verify with crypto/rsa);
//   - hit host calls: testdata/hostcallsguest (exactly the host calls of a hit, nothing else:
//     the floor of a hit under this host);
//   - native: jwtcore.Verifier.Verify in the test process, without cache.
//
// Targets (issue 4): hit <= 2x passthrough; HS256 miss <= 14 µs (HAProxy's
// per-request CPU); RS256 miss <= 1.1x the bare RSA verify inside wasm.
// The ratios are reported as metrics; nothing here asserts a timing.

// streamBench sends h through env once per iteration and wants it forwarded.
func streamBench(env *testenv.Env, h [][2]string) func(*testing.B) {
	return func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			st := env.NewStream()
			if act := st.RequestHeaders(h, true); act != testenv.ActionContinue {
				lr := st.LocalResponse()
				if lr != nil {
					b.Fatalf("request denied: %d %s", lr.StatusCode, lr.Body)
				}
				b.Fatalf("request not forwarded: %v", act)
			}
			st.Complete()
		}
	}
}

// guestBuilds holds the reference guests built for this test process.
var guestBuilds sync.Map // testdata dir name -> *guestBuild

type guestBuild struct {
	once sync.Once
	wasm []byte
	err  error
}

// buildGuest builds filter/testdata/<name> with standard Go for wasip1 (once per process).
func buildGuest(tb testing.TB, name string) []byte {
	tb.Helper()
	v, _ := guestBuilds.LoadOrStore(name, &guestBuild{})
	g := v.(*guestBuild)
	g.once.Do(func() {
		dir, err := os.MkdirTemp("", name)
		if err != nil {
			g.err = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, name+".wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w", "-o", out, "./testdata/"+name)
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if msg, err := cmd.CombinedOutput(); err != nil {
			g.err = fmt.Errorf("build testdata/%s: %v\n%s", name, err, msg)
			return
		}
		g.wasm, g.err = os.ReadFile(out)
	})
	if g.err != nil {
		tb.Fatal(g.err)
	}
	return g.wasm
}

// buildRSAGuest builds testdata/rsaguest.
func buildRSAGuest(tb testing.TB) []byte { return buildGuest(tb, "rsaguest") }

// rsaGuestConfig signs a message with k and renders rsaguest's configuration.
func rsaGuestConfig(tb testing.TB, k *rsa.PrivateKey) string {
	msg := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9"
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	return k.N.Text(16) + " " + hex.EncodeToString(sig) + " " + msg
}

func distFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(distDir(), name))
	if err != nil {
		tb.Fatalf("dist/%s is needed (./build.sh): %v", name, err)
	}
	return b
}

func BenchmarkFilter(b *testing.B) {
	f := newTokens(b)
	k := fixtureKeys(b)
	tg := loadWasm(b)
	read := f.auth0("read", nil)
	internal := f.internal(nil)

	seed := seedConfig(b)
	noCache := seedConfig(b)
	noCache["cache"] = map[string]any{"max_entries": 0}

	envHit := testenv.New(b, tg, testenv.StartTime(testNow), testenv.PluginConfig(mustJSON(b, seed)))
	envMiss := testenv.New(b, tg, testenv.StartTime(testNow), testenv.PluginConfig(mustJSON(b, noCache)))
	envPass := testenv.New(b, distFile(b, "passthrough.wasm"), testenv.StartTime(testNow))
	envRSA := testenv.New(b, buildRSAGuest(b), testenv.StartTime(testNow),
		testenv.PluginConfig(rsaGuestConfig(b, k.auth0)))
	envCalls := testenv.New(b, buildGuest(b, "hostcallsguest"), testenv.StartTime(testNow))

	rsReq := requestHeaders("/api/items", bearer(read))
	hsReq := requestHeaders("/billing/run", [2]string{"x-internal-token", internal})

	cfg, err := parseConfig([]byte(mustJSON(b, noCache)))
	if err != nil {
		b.Fatal(err)
	}
	nativeRS, nativeHS := cfg.byIssuer[auth0Issuer].verifier, cfg.byIssuer[internalIssuer].verifier
	native := func(v *jwtcore.Verifier, tok string) func(*testing.B) {
		return func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := v.Verify(tok, testNow); err != nil {
					b.Fatal(err)
				}
			}
		}
	}

	cases := []struct {
		name string
		run  func(*testing.B)
	}{
		{"passthrough", streamBench(envPass, rsReq)},
		{"hit", streamBench(envHit, rsReq)},
		{"hit-host-calls", streamBench(envCalls, rsReq)},
		{"hs256-miss", streamBench(envMiss, hsReq)},
		{"rs256-miss", streamBench(envMiss, rsReq)},
		{"bare-rsa-wasm", streamBench(envRSA, rsReq)},
		{"native-rs256", native(nativeRS, read)},
		{"native-hs256", native(nativeHS, internal)},
	}
	// Every case is a sub-benchmark (so benchstat sees them); each records its
	// last ns/op, and the final "ratios" sub-benchmark reports the ratios
	// measured in this run as metrics.
	ns, cpuNs := map[string]float64{}, map[string]float64{}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cpu0 := processCPU()
			c.run(b)
			if cpu := processCPU() - cpu0; cpu > 0 {
				// CPU time of the whole process (the host's GC included): on a
				// busy machine it moves far less than wall time.
				cpuNs[c.name] = float64(cpu) / float64(b.N)
				b.ReportMetric(cpuNs[c.name], "cpu-ns/op")
			}
			ns[c.name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
	}
	b.Run("ratios", func(b *testing.B) {
		for _, c := range cases {
			if ns[c.name] == 0 {
				b.Fatalf("%s did not run", c.name)
			}
		}
		b.ReportMetric(ns["hit"]/ns["passthrough"], "hit/passthrough")
		b.ReportMetric(ns["hit-host-calls"]/ns["passthrough"], "hit-host-calls/passthrough")
		b.ReportMetric(ns["rs256-miss"]/ns["bare-rsa-wasm"], "rs256-miss/bare-rsa-wasm")
		b.ReportMetric(ns["hs256-miss"]/14e3, "hs256-miss/haproxy-14µs")
		b.ReportMetric(ns["rs256-miss"]/ns["native-rs256"], "rs256-miss/native")
		b.ReportMetric(ns["hs256-miss"]/ns["native-hs256"], "hs256-miss/native")
		var lines []string
		for _, c := range cases {
			lines = append(lines, fmt.Sprintf("%-15s %9.2f µs/op %9.2f µs CPU/op", c.name, ns[c.name]/1e3, cpuNs[c.name]/1e3))
		}
		if cpuNs["passthrough"] > 0 && cpuNs["bare-rsa-wasm"] > 0 {
			lines = append(lines, fmt.Sprintf("by CPU time: hit/passthrough %.2f, hit-host-calls/passthrough %.2f, rs256-miss/bare-rsa-wasm %.3f, hs256-miss %.2f µs",
				cpuNs["hit"]/cpuNs["passthrough"], cpuNs["hit-host-calls"]/cpuNs["passthrough"],
				cpuNs["rs256-miss"]/cpuNs["bare-rsa-wasm"], cpuNs["hs256-miss"]/1e3))
		}
		b.Logf("per request, this run:\n%s", strings.Join(lines, "\n"))
	})
}

// BenchmarkFilter_guestMemory sends HS256 tokens that all differ (each one a
// cache miss and a new cache entry) and reports the guest's linear memory
// after 10k, 200k and 1M requests: bounded by the cache, flat after warm-up.
func BenchmarkFilter_guestMemory(b *testing.B) {
	f := newTokens(b)
	cfg := seedConfig(b)
	cfg["cache"] = map[string]any{"max_entries": 4096}
	env := testenv.New(b, loadWasm(b), testenv.StartTime(testNow), testenv.PluginConfig(mustJSON(b, cfg)))
	const requests = 1_000_000
	marks := map[int]string{10_000: "MiB@10k", 200_000: "MiB@200k", requests: "MiB@1M"}
	start := time.Now()
	for i := 1; i <= requests; i++ {
		tok := signHS256(b, f.k.hmacSecret, claims{"iss": internalIssuer, "svc": "billing",
			"jti": i, "exp": testNow.Add(time.Hour).Unix()})
		st := env.NewStream()
		if act := st.RequestHeaders(requestHeaders("/billing/run", [2]string{"x-internal-token", tok}), true); act != testenv.ActionContinue {
			b.Fatalf("request %d not forwarded", i)
		}
		st.Complete()
		if m, ok := marks[i]; ok {
			b.ReportMetric(float64(env.GuestMemory(0))/(1<<20), m)
		}
	}
	// One run of a fixed number of requests (b.N is not used): report the
	// cost per request, including minting each token natively.
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/requests, "ns/op")
}
