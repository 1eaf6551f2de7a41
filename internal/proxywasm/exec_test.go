//go:build !wasip1

package proxywasm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// The binding's own wasm tests: the real modules run under a deliberately
// tiny wazero host that implements only the host calls these guests use,
// with Envoy's conventions where they matter (http-call responses on the root
// context, re-entrant proxy_on_memory_allocate, 0/0 for empty values). The
// full Envoy emulation is package testenv; this host exists so a binding bug
// is caught here, next to its cause.

const rootID = 1

type miniHost struct {
	t       testing.TB
	ctx     context.Context
	mod     api.Module
	malloc  api.Function
	exports map[string]api.Function
	stack   []uint64
	stderr  bytes.Buffer

	effective    uint32
	pluginConfig []byte
	headers      map[uint32][][2]string // request headers per stream
	callBody     []byte                 // body of the http-call response being delivered
	nextToken    uint32
	trace        []string // notable host calls, in order
	logs         []string
	headerReads  int
}

func (h *miniHost) record(format string, args ...any) {
	h.trace = append(h.trace, fmt.Sprintf(format, args...))
}

// newMiniHost instantiates wasm and runs _initialize, root context creation,
// proxy_on_vm_start and proxy_on_configure; it returns the configure result.
func newMiniHost(t testing.TB, wasm []byte, pluginConfig string) (*miniHost, bool) {
	t.Helper()
	h := &miniHost{t: t, ctx: context.Background(), pluginConfig: []byte(pluginConfig),
		headers: map[uint32][][2]string{}, exports: map[string]api.Function{}, stack: make([]uint64, 8)}
	r := wazero.NewRuntimeWithConfig(h.ctx, wazero.NewRuntimeConfig().WithCompilationCache(compileCache))
	t.Cleanup(func() { r.Close(h.ctx) })
	wasi_snapshot_preview1.MustInstantiate(h.ctx, r)
	cm, err := r.CompileModule(h.ctx, wasm)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	h.instantiateEnv(r, cm)
	h.mod, err = r.InstantiateModule(h.ctx, cm, wazero.NewModuleConfig().WithStartFunctions().
		WithStderr(&h.stderr).WithStdout(&h.stderr).WithSysNanotime().WithSysWalltime())
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	h.malloc = h.mod.ExportedFunction("proxy_on_memory_allocate")
	h.call("_initialize")
	h.call("proxy_on_context_create", rootID, 0)
	if h.call("proxy_on_vm_start", rootID, 0) != 1 {
		t.Fatalf("proxy_on_vm_start returned false; logs: %q", h.logs)
	}
	return h, h.call("proxy_on_configure", rootID, uint64(len(pluginConfig))) == 1
}

var compileCache = wazero.NewCompilationCache()

// call invokes an export with the effective context set to its first argument
// (as Envoy does) and returns its first result.
func (h *miniHost) call(name string, args ...uint64) uint64 {
	h.t.Helper()
	f := h.exports[name] // cached: each ExportedFunction value allocates its own call stack
	if f == nil {
		f = h.mod.ExportedFunction(name)
		h.exports[name] = f
	}
	if f == nil {
		h.t.Fatalf("export %s missing", name)
	}
	if len(args) > 0 {
		h.effective = uint32(args[0])
	}
	copy(h.stack, args)
	if err := f.CallWithStack(h.ctx, h.stack); err != nil {
		h.t.Fatalf("%s: %v\nstderr: %s\nlogs: %q", name, err, h.stderr.String(), h.logs)
	}
	return h.stack[0]
}

// request runs one stream: create, request headers, then (unless paused)
// done, log, delete. It returns the stream id and the action.
func (h *miniHost) request(id uint32, hs [][2]string) uint64 {
	h.headers[id] = hs
	h.call("proxy_on_context_create", uint64(id), rootID)
	return h.call("proxy_on_request_headers", uint64(id), uint64(len(hs)), 1)
}

func (h *miniHost) finish(id uint32) {
	h.call("proxy_on_done", uint64(id))
	h.call("proxy_on_log", uint64(id))
	h.call("proxy_on_delete", uint64(id))
	delete(h.headers, id)
}

// returnBytes hands data to the guest the way Envoy does: a re-entrant
// proxy_on_memory_allocate, then the pointer and size in the out-params. It
// first allocates a decoy buffer, so the guest must pick the right one of two
// pinned allocations.
func (h *miniHost) returnBytes(mod api.Module, data []byte, ptrPtr, sizePtr uint32) uint32 {
	if len(data) == 0 {
		mod.Memory().WriteUint32Le(ptrPtr, 0)
		mod.Memory().WriteUint32Le(sizePtr, 0)
		return statusOK
	}
	alloc := func(n int) uint32 {
		st := []uint64{uint64(n)}
		if err := h.malloc.CallWithStack(h.ctx, st); err != nil {
			panic(err)
		}
		return uint32(st[0])
	}
	decoy := alloc(len(data) + 3)
	mod.Memory().Write(decoy, bytes.Repeat([]byte{'#'}, len(data)+3))
	p := alloc(len(data))
	if p == 0 || !mod.Memory().Write(p, data) {
		return statusInvalidMemoryAccess
	}
	mod.Memory().WriteUint32Le(ptrPtr, p)
	mod.Memory().WriteUint32Le(sizePtr, uint32(len(data)))
	return statusOK
}

func (h *miniHost) read(mod api.Module, p, n uint32) []byte {
	b, ok := mod.Memory().Read(p, n)
	if !ok {
		panic("guest passed an out-of-range buffer")
	}
	return bytes.Clone(b)
}

// instantiateEnv provides every env import of cm: the calls below with
// behaviour, any other one as a stub answering Unimplemented and recording
// the call (the tests fail on unexpected ones).
func (h *miniHost) instantiateEnv(r wazero.Runtime, cm wazero.CompiledModule) {
	impls := map[string]api.GoModuleFunc{
		"proxy_log": func(_ context.Context, mod api.Module, s []uint64) {
			h.logs = append(h.logs, fmt.Sprintf("%d:%s", s[0], h.read(mod, uint32(s[1]), uint32(s[2]))))
			s[0] = statusOK
		},
		"proxy_get_buffer_bytes": func(_ context.Context, mod api.Module, s []uint64) {
			var buf []byte
			switch s[0] {
			case bufferPluginConfiguration:
				buf = h.pluginConfig
			case bufferHTTPCallResponseBody:
				buf = h.callBody
			default:
				s[0] = statusNotFound
				return
			}
			start, n := min(uint32(s[1]), uint32(len(buf))), uint32(s[2])
			buf = buf[start:]
			buf = buf[:min(uint32(len(buf)), n)]
			s[0] = uint64(h.returnBytes(mod, buf, uint32(s[3]), uint32(s[4])))
		},
		"proxy_get_header_map_value": func(_ context.Context, mod api.Module, s []uint64) {
			h.headerReads++
			hs, ok := h.headers[h.effective]
			if s[0] != mapHTTPRequestHeaders || !ok {
				s[0] = statusBadArgument
				return
			}
			key := string(h.read(mod, uint32(s[1]), uint32(s[2])))
			for _, kv := range hs {
				if kv[0] == key {
					s[0] = uint64(h.returnBytes(mod, []byte(kv[1]), uint32(s[3]), uint32(s[4])))
					return
				}
			}
			s[0] = statusNotFound
		},
		"proxy_get_header_map_pairs": func(_ context.Context, mod api.Module, s []uint64) {
			hs, ok := h.headers[h.effective]
			if s[0] != mapHTTPRequestHeaders || !ok {
				s[0] = statusBadArgument
				return
			}
			s[0] = uint64(h.returnBytes(mod, appendPairs(nil, hs), uint32(s[1]), uint32(s[2])))
		},
		"proxy_add_header_map_value": func(_ context.Context, mod api.Module, s []uint64) {
			hs, ok := h.headers[h.effective]
			if s[0] != mapHTTPRequestHeaders || !ok {
				s[0] = statusBadArgument
				return
			}
			k, v := h.read(mod, uint32(s[1]), uint32(s[2])), h.read(mod, uint32(s[3]), uint32(s[4]))
			h.headers[h.effective] = append(hs, [2]string{string(k), string(v)})
			s[0] = statusOK
		},
		"proxy_send_local_response": func(_ context.Context, mod api.Module, s []uint64) {
			details := h.read(mod, uint32(s[1]), uint32(s[2]))
			body := h.read(mod, uint32(s[3]), uint32(s[4]))
			hs, err := parsePairs(h.read(mod, uint32(s[5]), uint32(s[6])))
			if err != nil {
				panic(err)
			}
			h.record("send_local_response(ctx=%d,%d,%q,body=%q,headers=%q,grpc=%d)", h.effective, s[0], details, body, hs, int32(s[7]))
			s[0] = statusOK
		},
		"proxy_http_call": func(_ context.Context, mod api.Module, s []uint64) {
			up := h.read(mod, uint32(s[0]), uint32(s[1]))
			hs, err := parsePairs(h.read(mod, uint32(s[2]), uint32(s[3])))
			if err != nil {
				panic(err)
			}
			if _, err := parsePairs(h.read(mod, uint32(s[6]), uint32(s[7]))); err != nil {
				panic(err)
			}
			h.nextToken++
			h.record("http_call(ctx=%d,%s,%q,timeout=%d)=%d", h.effective, up, hs, s[8], h.nextToken)
			mod.Memory().WriteUint32Le(uint32(s[9]), h.nextToken)
			s[0] = statusOK
		},
		"proxy_set_effective_context": func(_ context.Context, _ api.Module, s []uint64) {
			h.record("set_effective_context(%d)", s[0])
			if _, ok := h.headers[uint32(s[0])]; !ok && s[0] != rootID {
				s[0] = statusBadArgument
				return
			}
			h.effective = uint32(s[0])
			s[0] = statusOK
		},
		"proxy_continue_stream": func(_ context.Context, _ api.Module, s []uint64) {
			h.record("continue_stream(ctx=%d,%d)", h.effective, s[0])
			s[0] = statusOK
		},
	}
	b := r.NewHostModuleBuilder("env")
	for _, def := range cm.ImportedFunctions() {
		mod, name, _ := def.Import()
		if mod != "env" {
			continue
		}
		fn, ok := impls[name]
		if ok {
			// wazero hands i32 parameters over in uint64 slots whose upper
			// 32 bits are undefined: keep only the low half.
			impl, params := fn, def.ParamTypes()
			fn = func(ctx context.Context, mod api.Module, s []uint64) {
				for i, vt := range params {
					if vt == api.ValueTypeI32 {
						s[i] = uint64(uint32(s[i]))
					}
				}
				impl(ctx, mod, s)
			}
		} else {
			name := name
			fn = func(_ context.Context, _ api.Module, s []uint64) {
				h.record("UNEXPECTED %s", name)
				s[0] = statusUnimplemented
			}
		}
		b.NewFunctionBuilder().WithGoModuleFunction(fn, def.ParamTypes(), def.ResultTypes()).Export(name)
	}
	if _, err := b.Instantiate(h.ctx); err != nil {
		h.t.Fatalf("env: %v", err)
	}
}

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

func TestWasm_passthrough(t *testing.T) {
	h, ok := newMiniHost(t, readModule(t, "dist/passthrough.wasm"), "")
	if !ok {
		t.Fatalf("proxy_on_configure = false; logs %q", h.logs)
	}
	hs := [][2]string{{":path", "/"}, {"authorization", "Bearer abc.def.ghi"}}
	run := func(from, n int) {
		for i := range n {
			id := uint32(from + i)
			if a := h.request(id, hs); a != 0 {
				t.Fatalf("request %d: action %d, want Continue", id, a)
			}
			h.finish(id)
		}
	}
	// The Go heap settles after ~200k requests here (7.25 MiB); after that
	// linear memory must stay flat, or something (pins, contexts, callouts)
	// leaks per request.
	run(2, 200_000)
	warm := h.mod.Memory().Size()
	run(200_002, 100_000)
	if got := h.mod.Memory().Size(); got != warm {
		t.Errorf("guest memory grew from %d to %d bytes between 200k and 300k requests", warm, got)
	}
	if h.headerReads != 300_000 {
		t.Errorf("authorization reads = %d, want one per request (300000)", h.headerReads)
	}
	if len(h.trace) != 0 {
		t.Errorf("unexpected host calls: %q", h.trace)
	}
}

func TestWasm_probeConfigure(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		want    bool
		wantLog string
	}{
		{name: "ok", config: "x", want: true},
		{name: "plugin refuses", config: "fail", want: false},
		{name: "plugin panics: fail closed", config: "panic", want: false,
			wantLog: "5:proxywasm: recovered panic in proxy_on_configure: probe: configure panic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, ok := newMiniHost(t, probeModule(t), tc.config)
			if ok != tc.want {
				t.Errorf("proxy_on_configure = %v, want %v (logs %q)", ok, tc.want, h.logs)
			}
			if tc.wantLog != "" && !slices.Contains(h.logs, tc.wantLog) {
				t.Errorf("logs = %q, want %q", h.logs, tc.wantLog)
			}
		})
	}
}

func TestWasm_probeStreams(t *testing.T) {
	const stream = 7
	fail500 := func(ctx int) string {
		return fmt.Sprintf(`send_local_response(ctx=%d,500,"tokengate_internal_error",body="",headers=[],grpc=-1)`, ctx)
	}
	callTrace := `http_call(ctx=7,idp,[[":method" "GET"] [":path" "/k"] [":authority" "idp"]],timeout=1000)=1`
	tests := []struct {
		name        string
		config      string
		headers     [][2]string
		response    string // non-empty: deliver this http-call response body on the root context
		deleteFirst bool   // delete the stream before the response arrives
		wantAction  uint64
		wantTrace   []string
		wantHeader  [2]string // expected added request header, if any
	}{
		{
			name:       "no probe header: continue",
			config:     "c",
			headers:    [][2]string{{":path", "/"}},
			wantAction: 0,
		},
		{
			name:       "panic in request headers: 500 and pause",
			config:     "c",
			headers:    [][2]string{{"x-probe", "panic"}},
			wantAction: 1,
			wantTrace:  []string{fail500(stream)},
		},
		{
			name:       "plugin without http context: 500 and pause",
			config:     "no-http",
			headers:    [][2]string{{"x-probe", "echo"}},
			wantAction: 1,
			wantTrace:  []string{fail500(stream)},
		},
		{
			name:       "header pairs round trip through the guest",
			config:     "cfg-body",
			headers:    [][2]string{{":path", "/a"}, {"x-probe", "echo"}, {"", ""}, {"k", "v\x00w"}},
			wantAction: 1,
			wantTrace:  []string{`send_local_response(ctx=7,200,"",body="cfg-body",headers=[[":path" "/a"] ["x-probe" "echo"] ["" ""] ["k" "v\x00w"]],grpc=-1)`},
		},
		{
			name:       "local reply with details",
			config:     "c",
			headers:    [][2]string{{"x-probe", "deny"}},
			wantAction: 1,
			wantTrace:  []string{`send_local_response(ctx=7,401,"tokengate_denied{jwt_expired}",body="denied",headers=[["www-authenticate" "Bearer error=\"invalid_token\""]],grpc=-1)`},
		},
		{
			name:       "http call answered on the root runs on the stream",
			config:     "c",
			headers:    [][2]string{{"x-probe", "call"}},
			response:   "key-material",
			wantAction: 1,
			wantTrace:  []string{callTrace, "set_effective_context(7)", "continue_stream(ctx=7,0)"},
			wantHeader: [2]string{"x-idp", "key-material"},
		},
		{
			name:       "panic in the http-call callback fails the stream",
			config:     "c",
			headers:    [][2]string{{"x-probe", "call"}},
			response:   "boom",
			wantAction: 1,
			wantTrace:  []string{callTrace, "set_effective_context(7)", fail500(stream)},
		},
		{
			name:        "stream deleted before the response: callback runs on the root",
			config:      "c",
			headers:     [][2]string{{"x-probe", "call"}},
			response:    "late",
			deleteFirst: true,
			wantAction:  1,
			wantTrace:   []string{callTrace, "continue_stream(ctx=1,0)"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, ok := newMiniHost(t, probeModule(t), tc.config)
			if !ok {
				t.Fatalf("configure failed: %q", h.logs)
			}
			if a := h.request(stream, tc.headers); a != tc.wantAction {
				t.Errorf("action = %d, want %d (logs %q)", a, tc.wantAction, h.logs)
			}
			if tc.response != "" {
				if tc.deleteFirst {
					h.finish(stream)
				}
				h.callBody = []byte(tc.response)
				h.call("proxy_on_http_call_response", rootID, 1, 1, uint64(len(tc.response)), 0)
			}
			if !slices.Equal(h.trace, tc.wantTrace) {
				t.Errorf("trace:\n got %q\nwant %q\nlogs %q", h.trace, tc.wantTrace, h.logs)
			}
			if tc.wantHeader != ([2]string{}) && !slices.Contains(h.headers[stream], tc.wantHeader) {
				t.Errorf("request headers = %q, want %q added", h.headers[stream], tc.wantHeader)
			}
			for _, l := range h.logs {
				if strings.Contains(l, "unknown http call") {
					t.Errorf("log %q", l)
				}
			}
		})
	}
}

// BenchmarkWasm_passthrough is the binding's per-request cost under this
// minimal host (context create, request headers with one header read,
// done, log, delete); testenv's benchmark is the reference figure.
func BenchmarkWasm_passthrough(b *testing.B) {
	h, ok := newMiniHost(b, readModule(b, "dist/passthrough.wasm"), "")
	if !ok {
		b.Fatal("configure failed")
	}
	hs := [][2]string{{":path", "/"}, {"authorization", "Bearer abc.def.ghi"}}
	b.ReportAllocs()
	id := uint32(2)
	for b.Loop() {
		h.request(id, hs)
		h.finish(id)
		id++
	}
}
