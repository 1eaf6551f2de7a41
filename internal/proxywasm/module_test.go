//go:build !wasip1

package proxywasm

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The module-shape test: a built filter must export exactly the proxy-wasm
// callbacks Envoy calls, with the exact wasm signatures, and import nothing
// but proxy-wasm ABI v0.2.1 host calls and the WASI calls Go's runtime needs.
// It catches the "SDK under standard Go" trap (a module exporting only
// _initialize) and any import Envoy would refuse to link.

// builtModules lists the modules build.sh produces.
var builtModules = []struct {
	name string
	path string // relative to the repository root
	// mustImport are host calls the module is known to use; their absence
	// means the build lost code (for example the binding fell out).
	mustImport []string
}{
	{
		name:       "passthrough",
		path:       "dist/passthrough.wasm",
		mustImport: []string{"env.proxy_get_header_map_value"},
	},
	{
		name: "tokengate",
		path: "dist/tokengate.wasm",
		mustImport: []string{
			"env.proxy_get_header_map_pairs", "env.proxy_send_local_response",
			"env.proxy_get_current_time_nanoseconds", "env.proxy_define_metric",
		},
	},
}

// wantExports is the exact export list, with signatures written as
// "params->results" (cpp-host: malloc Word<1>, on_vm_start/on_configure
// Word<2>, on_context_create Void<2>, on_request_headers Word<3>,
// on_http_call_response Void<5>, on_done Word<1>, on_log/on_delete/on_tick
// Void<1>).
var wantExports = map[string]string{
	"_initialize":                 "->",
	"proxy_abi_version_0_2_1":     "->",
	"proxy_on_memory_allocate":    "i32->i32",
	"proxy_on_context_create":     "i32,i32->",
	"proxy_on_vm_start":           "i32,i32->i32",
	"proxy_on_configure":          "i32,i32->i32",
	"proxy_on_tick":               "i32->",
	"proxy_on_request_headers":    "i32,i32,i32->i32",
	"proxy_on_request_body":       "i32,i32,i32->i32",
	"proxy_on_request_trailers":   "i32,i32->i32",
	"proxy_on_response_headers":   "i32,i32,i32->i32",
	"proxy_on_response_body":      "i32,i32,i32->i32",
	"proxy_on_response_trailers":  "i32,i32->i32",
	"proxy_on_http_call_response": "i32,i32,i32,i32,i32->",
	"proxy_on_queue_ready":        "i32,i32->",
	"proxy_on_done":               "i32->i32",
	"proxy_on_log":                "i32->",
	"proxy_on_delete":             "i32->",
}

// allowedImports are the host calls a module may import: the proxy-wasm ABI
// v0.2.1 calls of an HTTP filter (signatures from the spec) and the WASI calls
// the Go runtime (and os/fmt/time) imports, all provided by Envoy (cpp-host
// >= PR #427 for sched_yield and poll_oneoff).
var allowedImports = map[string]string{
	"env.proxy_log":                          "i32,i32,i32->i32",
	"env.proxy_get_log_level":                "i32->i32",
	"env.proxy_get_current_time_nanoseconds": "i32->i32",
	"env.proxy_set_tick_period_milliseconds": "i32->i32",
	"env.proxy_set_effective_context":        "i32->i32",
	"env.proxy_done":                         "->i32",
	"env.proxy_get_buffer_bytes":             "i32,i32,i32,i32,i32->i32",
	"env.proxy_set_buffer_bytes":             "i32,i32,i32,i32,i32->i32",
	"env.proxy_get_header_map_pairs":         "i32,i32,i32->i32",
	"env.proxy_set_header_map_pairs":         "i32,i32,i32->i32",
	"env.proxy_get_header_map_value":         "i32,i32,i32,i32,i32->i32",
	"env.proxy_add_header_map_value":         "i32,i32,i32,i32,i32->i32",
	"env.proxy_replace_header_map_value":     "i32,i32,i32,i32,i32->i32",
	"env.proxy_remove_header_map_value":      "i32,i32,i32->i32",
	"env.proxy_continue_stream":              "i32->i32",
	"env.proxy_send_local_response":          "i32,i32,i32,i32,i32,i32,i32,i32->i32",
	"env.proxy_http_call":                    "i32,i32,i32,i32,i32,i32,i32,i32,i32,i32->i32",
	"env.proxy_get_shared_data":              "i32,i32,i32,i32,i32->i32",
	"env.proxy_set_shared_data":              "i32,i32,i32,i32,i32->i32",
	"env.proxy_register_shared_queue":        "i32,i32,i32->i32",
	"env.proxy_resolve_shared_queue":         "i32,i32,i32,i32,i32->i32",
	"env.proxy_enqueue_shared_queue":         "i32,i32,i32->i32",
	"env.proxy_dequeue_shared_queue":         "i32,i32,i32->i32",
	"env.proxy_define_metric":                "i32,i32,i32,i32->i32",
	"env.proxy_increment_metric":             "i32,i64->i32",
	"env.proxy_record_metric":                "i32,i64->i32",
	"env.proxy_get_metric":                   "i32,i32->i32",
	"env.proxy_get_property":                 "i32,i32,i32,i32->i32",
	"env.proxy_set_property":                 "i32,i32,i32,i32->i32",

	"wasi_snapshot_preview1.sched_yield":         "->i32",
	"wasi_snapshot_preview1.proc_exit":           "i32->",
	"wasi_snapshot_preview1.args_get":            "i32,i32->i32",
	"wasi_snapshot_preview1.args_sizes_get":      "i32,i32->i32",
	"wasi_snapshot_preview1.clock_time_get":      "i32,i64,i32->i32",
	"wasi_snapshot_preview1.environ_get":         "i32,i32->i32",
	"wasi_snapshot_preview1.environ_sizes_get":   "i32,i32->i32",
	"wasi_snapshot_preview1.fd_write":            "i32,i32,i32,i32->i32",
	"wasi_snapshot_preview1.random_get":          "i32,i32->i32",
	"wasi_snapshot_preview1.poll_oneoff":         "i32,i32,i32,i32->i32",
	"wasi_snapshot_preview1.fd_fdstat_get":       "i32,i32->i32",
	"wasi_snapshot_preview1.fd_fdstat_set_flags": "i32,i32->i32",
	"wasi_snapshot_preview1.fd_prestat_get":      "i32,i32->i32",
	// Imported once os is linked (fmt pulls it in); provided by cpp-host's
	// FOR_ALL_WASI_FUNCTIONS list, never called by a filter that opens no file.
	"wasi_snapshot_preview1.fd_close":            "i32->i32",
	"wasi_snapshot_preview1.fd_prestat_dir_name": "i32,i32,i32->i32",
	// Linked with os.File reads (the filter's module has it); also in cpp-host's WASI list.
	"wasi_snapshot_preview1.fd_read": "i32,i32,i32,i32->i32",
}

func TestModule_Shape(t *testing.T) {
	root := repoRoot(t)
	for _, m := range builtModules {
		t.Run(m.name, func(t *testing.T) {
			wasm, err := os.ReadFile(filepath.Join(root, m.path))
			if err != nil {
				t.Fatalf("read %s: %v (run ./build.sh first)", m.path, err)
			}
			exports, imports := moduleShape(t, wasm)
			if msg := checkExports(exports); msg != "" {
				t.Error(msg)
			}
			if msg := checkImports(imports); msg != "" {
				t.Error(msg)
			}
			for _, name := range m.mustImport {
				if _, ok := imports[name]; !ok {
					t.Errorf("import[%s]: missing, but %s is known to use it", name, m.name)
				}
			}
		})
	}
}

// TestModule_Shape_probe checks the probe guest, which calls every host
// function of the binding: it must import every proxy-wasm call of the
// allow-list, each with the spec's signature, so a wrong //go:wasmimport
// declaration fails here even if no filter uses it yet.
func TestModule_Shape_probe(t *testing.T) {
	exports, imports := moduleShape(t, probeModule(t))
	if msg := checkExports(exports); msg != "" {
		t.Error(msg)
	}
	if msg := checkImports(imports); msg != "" {
		t.Error(msg)
	}
	for name := range allowedImports {
		if _, ok := imports[name]; !ok && strings.HasPrefix(name, "env.") {
			t.Errorf("import[%s]: not imported by the probe, so its declaration is untested", name)
		}
	}
}

// TestModule_Shape_rejects feeds the checks modules they must refuse, so the
// shape test is known to fail when it should.
func TestModule_Shape_rejects(t *testing.T) {
	tests := []struct {
		name    string
		exports map[string]string
		imports map[string]string
		want    string // substring of the failure
	}{
		{
			name:    "sdk under standard go: only _initialize",
			exports: map[string]string{"_initialize": "->"},
			want:    "export[proxy_on_context_create]: missing",
		},
		{
			name:    "int became i64",
			exports: withExport("proxy_on_vm_start", "i64,i64->i32"),
			want:    `export[proxy_on_vm_start]: signature "i64,i64->i32"`,
		},
		{
			name:    "extra export",
			exports: withExport("proxy_on_new_connection", "i32->i32"),
			want:    "export[proxy_on_new_connection]: unexpected",
		},
		{
			name:    "import not provided by envoy",
			exports: wantExports,
			imports: map[string]string{"env.proxy_get_foo": "i32->i32"},
			want:    "import[env.proxy_get_foo]: not allowed",
		},
		{
			name:    "import with wrong signature",
			exports: wantExports,
			imports: map[string]string{"env.proxy_log": "i32,i32,i64->i32"},
			want:    `import[env.proxy_log]: signature "i32,i32,i64->i32"`,
		},
		{
			name:    "wasi call envoy lacks",
			exports: wantExports,
			imports: map[string]string{"wasi_snapshot_preview1.path_open": "i32,i32,i32,i32,i32,i64,i64,i32,i32->i32"},
			want:    "import[wasi_snapshot_preview1.path_open]: not allowed",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := checkExports(tc.exports) + checkImports(tc.imports)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("checks reported %q, want it to contain %q", msg, tc.want)
			}
		})
	}
}

func withExport(name, sig string) map[string]string {
	m := make(map[string]string, len(wantExports)+1)
	for k, v := range wantExports {
		m[k] = v
	}
	m[name] = sig
	return m
}

// checkExports returns "" if exports is exactly wantExports, else a report.
func checkExports(exports map[string]string) string {
	var errs []string
	for name, want := range wantExports {
		got, ok := exports[name]
		switch {
		case !ok:
			errs = append(errs, "export["+name+"]: missing")
		case got != want:
			errs = append(errs, "export["+name+"]: signature \""+got+"\", want \""+want+"\"")
		}
	}
	for name := range exports {
		if _, ok := wantExports[name]; !ok {
			errs = append(errs, "export["+name+"]: unexpected")
		}
	}
	sort.Strings(errs)
	return strings.Join(errs, "\n")
}

// checkImports returns "" if every import is allowed with its exact
// signature, else a report.
func checkImports(imports map[string]string) string {
	var errs []string
	for name, got := range imports {
		want, ok := allowedImports[name]
		switch {
		case !ok:
			errs = append(errs, "import["+name+"]: not allowed (not a proxy-wasm 0.2.1 host call or a WASI call Envoy provides)")
		case got != want:
			errs = append(errs, "import["+name+"]: signature \""+got+"\", want \""+want+"\"")
		}
	}
	sort.Strings(errs)
	return strings.Join(errs, "\n")
}

// moduleShape compiles wasm (without instantiating it) and returns its
// exported and imported functions as name -> signature. It also requires the
// module to export its memory as "memory" (hosts read and write it).
func moduleShape(t *testing.T, wasm []byte) (exports, imports map[string]string) {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	cm, err := r.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatalf("compile module: %v", err)
	}
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		t.Errorf("export[memory]: missing")
	}
	exports = map[string]string{}
	for name, def := range cm.ExportedFunctions() {
		exports[name] = signature(def)
	}
	imports = map[string]string{}
	for _, def := range cm.ImportedFunctions() {
		mod, name, _ := def.Import()
		imports[mod+"."+name] = signature(def)
	}
	return exports, imports
}

func signature(def api.FunctionDefinition) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, vt := range ts {
			s[i] = api.ValueTypeName(vt)
		}
		return strings.Join(s, ",")
	}
	return names(def.ParamTypes()) + "->" + names(def.ResultTypes())
}

// repoRoot walks up from the package directory to the directory with go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}
