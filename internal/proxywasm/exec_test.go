//go:build !wasip1

package proxywasm

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

// The binding's own wasm tests: the real modules run under testenv, which hosts them as Envoy
// does (http-call responses on the root context, re-entrant proxy_on_memory_allocate, 0/0 for
// empty values), with two checks stricter than Envoy switched on: DecoyAllocations (every value
// the host returns costs two guest allocations, so the binding must use the one the host named
// and release both) and HostCallCounts (exactly which host calls a path makes). testenv never
// imports this package (it sees .wasm bytes only), so there is no cycle; a binding bug is still
// caught here, next to its cause.

func readModule(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatalf("read %s: %v (run ./build.sh first)", rel, err)
	}
	return b
}

var probe struct {
	once sync.Once
	wasm []byte
	err  error
}

// probeModule builds testdata/probe for wasip1 once per test binary.
func probeModule(t testing.TB) []byte {
	t.Helper()
	probe.once.Do(func() {
		out := filepath.Join(os.TempDir(), fmt.Sprintf("tokengate-probe-%d.wasm", os.Getpid()))
		defer os.Remove(out)
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./testdata/probe")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if msg, err := cmd.CombinedOutput(); err != nil {
			probe.err = fmt.Errorf("build testdata/probe: %v\n%s", err, msg)
			return
		}
		probe.wasm, probe.err = os.ReadFile(out)
	})
	if probe.err != nil {
		t.Fatal(probe.err)
	}
	return probe.wasm
}

// newProbe starts the probe guest with an http-call cluster "idp" answering body, responses held
// until DeliverHttpCalls, and the ABI trace recorded from after the start.
func newProbe(t *testing.T, config, body string) *testenv.Env {
	t.Helper()
	idp := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })
	env := testenv.New(t, probeModule(t), testenv.PluginConfig(config), testenv.Cluster("idp", idp),
		testenv.ManualHttpCalls(), testenv.RecordTrace(), testenv.DecoyAllocations())
	env.ResetTrace()
	return env
}

// notableCalls returns the host calls of a trace that change what Envoy does (local replies, http
// calls, effective context, continue), each with its result line, plus any host call outside the
// few the probe is expected to make (they would be bugs).
func notableCalls(trace string) []string {
	expected := []string{"env.proxy_log(", "env.proxy_get_buffer_bytes(", "env.proxy_get_header_map_value(",
		"env.proxy_get_header_map_pairs(", "env.proxy_add_header_map_value("}
	var out []string
	lines := strings.Split(trace, "\n")
	for i, l := range lines {
		call, ok := strings.CutPrefix(l, "==> env.")
		if !ok || slices.ContainsFunc(expected, func(p string) bool { return strings.HasPrefix(l, "==> "+p) }) {
			continue
		}
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "<== ") {
			call += " " + strings.TrimPrefix(lines[i+1], "<== ")
		}
		out = append(out, call)
	}
	return out
}

func TestWasm_passthrough(t *testing.T) {
	env := testenv.New(t, readModule(t, "dist/passthrough.wasm"), testenv.DecoyAllocations())
	before := env.HostCallCounts()
	hs := [][2]string{{":path", "/"}, {"authorization", "Bearer abc.def.ghi"}}
	run := func(n int) {
		for range n {
			s := env.NewStream()
			if a := s.RequestHeaders(hs, true); a != testenv.ActionContinue {
				t.Fatalf("request %d: action %v, want Continue", s.ID(), a)
			}
			if lr := s.LocalResponse(); lr != nil {
				t.Fatalf("request %d: local response %d", s.ID(), lr.StatusCode)
			}
			s.Complete()
		}
	}
	// With decoys the decoy takes the binding's reused buffer and the value a pinned heap one, so
	// requests still make garbage and the Go heap settles only after ~200k of them (without decoys
	// memory is flat from the start: testenv's BenchmarkPassthroughMemory). After that linear memory
	// must stay flat, or something (pins, decoy allocations, contexts, callouts) leaks per request.
	run(200_000)
	warm := env.GuestMemory(0)
	run(100_000)
	if got := env.GuestMemory(0); got != warm {
		t.Errorf("guest memory grew from %d to %d bytes between 200k and 300k requests", warm, got)
	}
	// One authorization read per request, and no other proxy-wasm host call at all.
	for name, n := range env.HostCallCounts() {
		if n -= before[name]; n == 0 || !strings.HasPrefix(name, "env.") {
			continue
		}
		if name != "env.proxy_get_header_map_value" || n != 300_000 {
			t.Errorf("%s: %d calls during 300000 requests, want only env.proxy_get_header_map_value, once per request", name, n)
		}
	}
	if got := env.HostCallCounts()["env.proxy_get_header_map_value"] - before["env.proxy_get_header_map_value"]; got != 300_000 {
		t.Errorf("authorization reads = %d, want one per request (300000)", got)
	}
	if m := env.Misuses(); len(m) != 0 {
		t.Errorf("misuses: %q", m)
	}
}

func TestWasm_probeConfigure(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		wantErr []string // empty: the plugin starts
	}{
		{name: "ok", config: "x"},
		{name: "plugin refuses", config: "fail", wantErr: []string{"proxy_on_configure returned false"}},
		{name: "plugin panics: fail closed", config: "panic", wantErr: []string{"proxy_on_configure returned false",
			"[vm0] critical: proxywasm: recovered panic in proxy_on_configure: probe: configure panic"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := testenv.NewHost(probeModule(t), testenv.PluginConfig(tc.config), testenv.DecoyAllocations())
			if h != nil {
				defer h.Close()
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("start: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("the plugin started, want proxy_on_configure to return false")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("start error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestWasm_probeStreams(t *testing.T) {
	fail500 := `proxy_send_local_response(status_code=500,status_code_details="tokengate_internal_error",body="",headers=[],grpc_status=4294967295) status=Ok`
	callTrace := `proxy_http_call(upstream_name="idp",headers=[":method":"GET" ":path":"/k" ":authority":"idp"],body="",trailers=[],timeout_milliseconds=1000) status=Ok,callout_id=1`
	tests := []struct {
		name        string
		config      string
		headers     [][2]string
		response    string // non-empty: the idp answers this body, delivered on the root context
		deleteFirst bool   // complete the stream before the response arrives
		wantAction  testenv.Action
		wantTrace   []string
		wantLocal   *testenv.LocalResponse // the stream's local reply (headers: the filter's own)
		wantHeader  [2]string              // expected request header added before continuing, if any
		wantMisuses []string               // substrings of the expected misuses, in order
	}{
		{
			name:       "no probe header: continue",
			config:     "c",
			headers:    [][2]string{{":path", "/"}},
			wantAction: testenv.ActionContinue,
		},
		{
			name:       "panic in request headers: 500 and pause",
			config:     "c",
			headers:    [][2]string{{"x-probe", "panic"}},
			wantAction: testenv.ActionPause,
			wantTrace:  []string{fail500},
			wantLocal:  &testenv.LocalResponse{StatusCode: 500, Details: "tokengate_internal_error", GrpcStatus: -1},
		},
		{
			// The local reply passes through the filter's proxy_on_response_headers (as in Envoy),
			// which has no http context either: that is the binding's own 500, so it continues
			// (it used to reply 500 a second time, which the host dropped as a misuse).
			name:       "plugin without http context: 500 and pause, once",
			config:     "no-http",
			headers:    [][2]string{{"x-probe", "echo"}},
			wantAction: testenv.ActionPause,
			wantTrace:  []string{fail500},
			wantLocal:  &testenv.LocalResponse{StatusCode: 500, Details: "tokengate_internal_error", GrpcStatus: -1},
		},
		{
			name:       "header pairs round trip through the guest",
			config:     "cfg-body",
			headers:    [][2]string{{":path", "/a"}, {"x-probe", "echo"}, {"", ""}, {"k", "v\x00w"}},
			wantAction: testenv.ActionPause,
			wantTrace:  []string{`proxy_send_local_response(status_code=200,status_code_details="",body="cfg-body",headers=[":path":"/a" "x-probe":"echo" "":"" "k":"v\x00w"],grpc_status=4294967295) status=Ok`},
			wantLocal:  &testenv.LocalResponse{StatusCode: 200, Body: []byte("cfg-body"), GrpcStatus: -1},
		},
		{
			name:       "local reply with details",
			config:     "c",
			headers:    [][2]string{{"x-probe", "deny"}},
			wantAction: testenv.ActionPause,
			wantTrace:  []string{`proxy_send_local_response(status_code=401,status_code_details="tokengate_denied{jwt_expired}",body="denied",headers=["www-authenticate":"Bearer error=\"invalid_token\""],grpc_status=4294967295) status=Ok`},
			wantLocal:  &testenv.LocalResponse{StatusCode: 401, Details: "tokengate_denied{jwt_expired}", Body: []byte("denied"), GrpcStatus: -1},
		},
		{
			name:       "http call answered on the root runs on the stream",
			config:     "c",
			headers:    [][2]string{{"x-probe", "call"}},
			response:   "key-material",
			wantAction: testenv.ActionPause,
			wantTrace:  []string{callTrace, "proxy_set_effective_context(context_id=%d) status=Ok", "proxy_continue_stream(stream_type=0) status=Ok"},
			wantHeader: [2]string{"x-idp", "key-material"},
		},
		{
			name:       "panic in the http-call callback fails the stream",
			config:     "c",
			headers:    [][2]string{{"x-probe", "call"}},
			response:   "boom",
			wantAction: testenv.ActionPause,
			wantTrace:  []string{callTrace, "proxy_set_effective_context(context_id=%d) status=Ok", fail500},
			wantLocal:  &testenv.LocalResponse{StatusCode: 500, Details: "tokengate_internal_error", GrpcStatus: -1},
		},
		{
			name:        "stream deleted before the response: callback runs on the root",
			config:      "c",
			headers:     [][2]string{{"x-probe", "call"}},
			response:    "late",
			deleteFirst: true,
			wantAction:  testenv.ActionPause,
			wantTrace:   []string{callTrace, "proxy_continue_stream(stream_type=0) status=Ok"},
			wantMisuses: []string{"proxy_add_header_map_value(request_headers): called on the root context",
				"proxy_continue_stream(0) on the root context"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newProbe(t, tc.config, tc.response)
			s := env.NewStream()
			if a := s.RequestHeaders(tc.headers, true); a != tc.wantAction {
				t.Errorf("action = %v, want %v (logs %q)", a, tc.wantAction, env.LogMessages(testenv.LogTrace))
			}
			if tc.response != "" {
				if tc.deleteFirst {
					s.Complete()
				}
				if n := env.DeliverHttpCalls(); n != 1 {
					t.Fatalf("delivered %d http-call responses, want 1", n)
				}
			}
			want := slices.Clone(tc.wantTrace)
			for i, w := range want {
				if strings.Contains(w, "%d") {
					want[i] = fmt.Sprintf(w, s.ID())
				}
			}
			if got := notableCalls(env.Trace()); !slices.Equal(got, want) {
				t.Errorf("host calls:\n got %q\nwant %q\nlogs %q", got, want, env.LogMessages(testenv.LogTrace))
			}
			checkLocal(t, s.LocalResponse(), tc.wantLocal)
			if tc.wantHeader != ([2]string{}) {
				if s.RequestPaused() {
					t.Error("request still paused after the http-call callback continued it")
				}
				if !slices.Contains(s.UpstreamRequestHeaders(), tc.wantHeader) {
					t.Errorf("upstream request headers = %q, want %q added", s.UpstreamRequestHeaders(), tc.wantHeader)
				}
			}
			misuses := env.Misuses()
			ok := len(misuses) == len(tc.wantMisuses)
			for i := 0; ok && i < len(misuses); i++ {
				ok = strings.Contains(misuses[i], tc.wantMisuses[i])
			}
			if !ok {
				t.Errorf("misuses = %q, want %q", misuses, tc.wantMisuses)
			}
			for _, l := range env.LogMessages(testenv.LogTrace) {
				if strings.Contains(l, "unknown http call") {
					t.Errorf("log %q", l)
				}
			}
		})
	}
}

func TestWasm_probeBorrowed(t *testing.T) {
	tests := []struct {
		name  string
		decoy bool // two guest allocations per value: the scratch buffer gets the decoy
	}{
		{name: "one allocation per value, as Envoy"},
		{name: "decoy allocations", decoy: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []testenv.Option{}
			if tc.decoy {
				opts = append(opts, testenv.DecoyAllocations())
			}
			env := testenv.New(t, probeModule(t), append(opts, testenv.PluginConfig("c"))...)
			// Values of pseudo-random length 0..300 and content; every 997th is 10 KB, every
			// 49,999th 100 KB (past the buffer the binding keeps), so the buffer grows, is dropped
			// and grows again; every 13th request has no x-value (NotFound on both reads).
			var value []byte
			x := uint32(1)
			for i := range 300_000 {
				x ^= x << 13
				x ^= x >> 17
				x ^= x << 5
				n := int(x % 301)
				switch {
				case i%49_999 == 0:
					n = 100_000
				case i%997 == 0:
					n = 10_000
				}
				value = value[:0]
				for j := range n {
					value = append(value, 'a'+byte((uint32(j)+x)%26))
				}
				hs := [][2]string{{"x-probe", "borrow"}}
				if i%13 != 0 {
					hs = append(hs, [2]string{"x-want", string(value)}, [2]string{"x-value", string(value)})
				}
				s := env.NewStream()
				if a := s.RequestHeaders(hs, true); a != testenv.ActionContinue {
					var body string
					if lr := s.LocalResponse(); lr != nil {
						body = string(lr.Body)
					}
					t.Fatalf("request %d (value length %d): action %v, local reply %q", i, n, a, body)
				}
				s.Complete()
			}
			if m := env.Misuses(); len(m) != 0 {
				t.Errorf("misuses: %q", m)
			}
		})
	}
}

// checkLocal compares a local reply with want (nil: none); headers are compared on the ones want
// names, since the host adds its own (content-length, :status).
func checkLocal(t *testing.T, got, want *testenv.LocalResponse) {
	t.Helper()
	if got == nil || want == nil {
		if got != want {
			t.Errorf("local response = %+v, want %+v", got, want)
		}
		return
	}
	if got.StatusCode != want.StatusCode || got.Details != want.Details || string(got.Body) != string(want.Body) || got.GrpcStatus != want.GrpcStatus {
		t.Errorf("local response = %d %q body %q grpc %d, want %d %q body %q grpc %d", got.StatusCode, got.Details,
			got.Body, got.GrpcStatus, want.StatusCode, want.Details, want.Body, want.GrpcStatus)
	}
}

// BenchmarkWasm_passthrough is the binding's per-request cost under testenv (context create,
// request headers with one header read, done, log, delete), decoy allocations included;
// testenv's own benchmark is the reference figure.
func BenchmarkWasm_passthrough(b *testing.B) {
	env := testenv.New(b, readModule(b, "dist/passthrough.wasm"), testenv.DecoyAllocations())
	hs := [][2]string{{":path", "/"}, {"authorization", "Bearer abc.def.ghi"}}
	b.ReportAllocs()
	for b.Loop() {
		s := env.NewStream()
		s.RequestHeaders(hs, true)
		s.Complete()
	}
}
