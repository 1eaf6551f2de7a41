package testenv_test

import (
	"strings"
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

func TestNewHost_Start(t *testing.T) {
	tests := []struct {
		name    string
		opts    []testenv.Option
		wantErr []string // substrings of the error; nil: start succeeds
	}{
		{name: "configure ok", opts: []testenv.Option{testenv.PluginConfig("start=log:hello")}},
		{
			name: "configure false is a plugin start failure with the guest's logs",
			opts: []testenv.Option{testenv.PluginConfig("fail=1")},
			wantErr: []string{"plugin start failed: proxy_on_configure returned false",
				"configure: refusing to start (fail=1)", "last ABI calls", "guest.proxy_on_configure"},
		},
		{
			name:    "a trap while configuring",
			opts:    []testenv.Option{testenv.PluginConfig("start=deadlock")},
			wantErr: []string{"proxy_on_configure trapped", "all goroutines are asleep - deadlock"},
		},
		{
			name:    "unknown cluster option is refused before compiling",
			opts:    []testenv.Option{testenv.ClusterDelay("nowhere", 1)},
			wantErr: []string{`cluster["nowhere"]: ClusterDelay without Cluster or ClusterURL`},
		},
		{
			name:    "bad workers",
			opts:    []testenv.Option{testenv.Workers(0)},
			wantErr: []string{"Workers(0)"},
		},
	}
	wasm := guest(t, "scripted")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := testenv.NewHost(wasm, tc.opts...)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("NewHost: %v", err)
				}
				h.Close()
				return
			}
			if err == nil {
				h.Close()
				t.Fatalf("NewHost succeeded, want error containing %q", tc.wantErr)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestNewHost_NotProxyWasm(t *testing.T) {
	// A module exporting only _initialize, as the SDK built with standard Go does, is refused.
	_, err := testenv.NewHost(minimalModule)
	if err == nil || !strings.Contains(err.Error(), "not a proxy-wasm module") {
		t.Fatalf("got %v, want a 'not a proxy-wasm module' error", err)
	}
}

// minimalModule is (module (memory (export "memory") 1) (func (export "_initialize"))), assembled
// by hand: magic, version, type/func/memory/export/code sections.
var minimalModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type 0: () -> ()
	0x03, 0x02, 0x01, 0x00, // func 0: type 0
	0x05, 0x03, 0x01, 0x00, 0x01, // memory: min 1
	0x07, 0x18, 0x02, // exports: 2
	0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
	0x0b, '_', 'i', 'n', 'i', 't', 'i', 'a', 'l', 'i', 'z', 'e', 0x00, 0x00,
	0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // code: empty body
}

func TestEnv_StartSequence(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.RecordTrace(), testenv.VMConfig("vmcfg"),
		testenv.PluginConfig("start=config;vmconfig"))
	trace := env.Trace()
	// Envoy's order: _initialize, root context, on_vm_start, on_configure.
	want := []string{
		"==> guest._initialize()",
		"==> guest.proxy_on_context_create(context_id=1,parent_context_id=0)",
		"==> guest.proxy_on_vm_start(root_context_id=1,vm_configuration_size=5)",
		"==> guest.proxy_on_configure(root_context_id=1,plugin_configuration_size=21)",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(trace[at:], w)
		if i < 0 {
			t.Fatalf("trace lacks %q after offset %d:\n%s", w, at, trace)
		}
		at += i + len(w)
	}
	wantLog(t, env, "vm start: vm_configuration_size=5")
	wantLog(t, env, "start config -> 21 bytes")
	wantLog(t, env, `start vmconfig -> "vmcfg"`)
}

func TestEnv_ConfigOnlyInConfigure(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.VMConfig("vmcfg"), testenv.PluginConfig("start=config"))
	s := env.NewStream()
	s.RequestHeaders(reqHeaders(script("reqhdr", "config;vmconfig")), true)
	s.Complete()
	wantLog(t, env, "start config -> 12 bytes")
	wantLog(t, env, "reqhdr config -> NotFound")
	wantLog(t, env, `reqhdr vmconfig -> "vmcfg"`) // buffer 6 stays readable
	if m := env.Misuses(); len(m) != 1 || !strings.Contains(m[0], "plugin_configuration") {
		t.Fatalf("misuses = %q, want the plugin-configuration read recorded", m)
	}
}

func TestEnv_Workers(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.Workers(3))
	if env.Workers() != 3 {
		t.Fatalf("Workers() = %d", env.Workers())
	}
	// NewStream spreads streams over the workers round-robin; each VM has its own root context.
	seen := map[int]bool{}
	for i := 0; i < 3; i++ {
		s := env.NewStream()
		seen[s.VM().Index()] = true
		s.Complete()
	}
	if len(seen) != 3 {
		t.Fatalf("streams ran on VMs %v, want all 3", seen)
	}
	if n := len(logged(env, "configure: ")); n != 3 {
		t.Fatalf("%d configure logs, want one per VM", n)
	}
}

func TestHost_Close(t *testing.T) {
	h, err := testenv.NewHost(guest(t, "scripted"))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h.Poll() // a Gateway's poller may still tick once: harmless
	s := h.NewStream()
	if lr := s.LocalResponse(); lr == nil || lr.StatusCode != 503 || s.Err() == nil {
		t.Fatalf("stream on a closed host: local=%+v err=%v, want 503 and an error", lr, s.Err())
	}
	if len(h.Traps()) != 0 {
		t.Fatalf("closing recorded traps: %v", h.Traps())
	}
}

func TestNewHost_ConfigureHttpCallDeliveredBeforeFirstRequest(t *testing.T) {
	// A filter fetching keys in proxy_on_configure gets the response before the first request.
	env := testenv.New(t, guest(t, "scripted"), testenv.Cluster("idp", okHandler("keys")),
		testenv.PluginConfig("start=call:idp:/jwks:1000"))
	wantLog(t, env, `callresp status=200 headers=2 body="keys"`)
}
