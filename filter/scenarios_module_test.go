//go:build !wasip1

package filter

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
)

// wasmFile is the filter module built by ./build.sh (make build), or the
// file named by $TOKENGATE_WASM (to test or benchmark another build).
func wasmFile() string {
	if f := os.Getenv("TOKENGATE_WASM"); f != "" {
		return f
	}
	return filepath.Join(distDir(), "tokengate.wasm")
}

// distDir is the repository's dist/ directory.
func distDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "dist")
}

// loadWasm reads dist/tokengate.wasm. A missing module fails the test: the
// wasm leg exists to catch what only the real module does.
func loadWasm(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(wasmFile())
	if err != nil {
		t.Fatalf("the filter module is needed (build dist/tokengate.wasm with ./build.sh or make build): %v", err)
	}
	return b
}

// TestScenarios_module is leg (c): every scenario against the real
// dist/tokengate.wasm, hosted by testenv the way Envoy hosts it.
func TestScenarios_module(t *testing.T) {
	wasm := loadWasm(t)
	// One host per configuration and instant (testenv's clock never goes
	// back), bound to the parent test: it outlives the subtests.
	type envKey struct {
		config string
		now    time.Time
	}
	parent := t
	envs := map[envKey]*testenv.Env{}
	for _, s := range scenarios(t) {
		t.Run(s.name, func(t *testing.T) {
			key := envKey{s.config, s.clock()}
			env, ok := envs[key]
			if !ok {
				env = testenv.New(parent, wasm, testenv.StartTime(key.now),
					testenv.PluginConfig(mustJSON(t, scenarioConfigs[s.config](t))))
				envs[key] = env
			}
			for round := 0; round < 2; round++ {
				st := env.NewStream()
				action := st.RequestHeaders(s.sendHeaders(), false)
				o := outcome{}
				if lr := st.LocalResponse(); lr != nil {
					o.status, o.body, o.details = lr.StatusCode, string(lr.Body), lr.Details
					o.headers = lr.Headers
				} else {
					if action != testenv.ActionContinue {
						t.Fatalf("round %d: no local reply and action %v", round, action)
					}
					o.forwarded = true
					o.upstream = st.UpstreamRequestHeaders()
					checkUpstreamExact(t, &s, o.upstream)
				}
				s.check(t, o)
				st.Complete()
			}
		})
	}
}

// checkUpstreamExact compares what the module forwarded with the native
// decision's headersAfter (the reference of apply's single host calls):
// the same names, values and order.
func checkUpstreamExact(t *testing.T, s *scenario, got [][2]string) {
	t.Helper()
	cfg, err := parseConfig([]byte(mustJSON(t, scenarioConfigs[s.config](t))))
	if err != nil {
		t.Fatal(err)
	}
	sent := s.sendHeaders()
	req, err := newRequest(sent)
	if err != nil {
		t.Fatal(err)
	}
	d := decide(cfg, req, s.clock())
	if !d.Allow || d.Wait != nil {
		t.Fatalf("forwarded by the module, but natively: allow=%t wait=%t reason=%v", d.Allow, d.Wait != nil, d.Reason)
	}
	want := d.headersAfter(sent)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("upstream headers:\n got %q\nwant %q", got, want)
	}
}
