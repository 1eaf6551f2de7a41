//go:build !wasip1

package proxywasm_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/tokengate/tokengate/internal/proxywasm"
)

// A small filter written only against this package and the SDK's types,
// driven natively by the SDK's proxytest emulator: it shows that the native
// build forwards to the SDK, so filters are testable without a .wasm.

type tVM struct{ types.DefaultVMContext }

func (*tVM) NewPluginContext(uint32) types.PluginContext { return &tPlugin{} }

type tPlugin struct {
	types.DefaultPluginContext
	realm    string
	requests proxywasm.MetricCounter
}

func (p *tPlugin) OnPluginStart(int) types.OnPluginStartStatus {
	cfg, err := proxywasm.GetPluginConfiguration()
	if err != nil || len(cfg) == 0 {
		proxywasm.LogCritical("no configuration")
		return types.OnPluginStartStatusFailed
	}
	p.realm = string(cfg)
	p.requests = proxywasm.DefineCounterMetric("t_requests")
	if err := proxywasm.SetTickPeriodMilliSeconds(1000); err != nil {
		return types.OnPluginStartStatusFailed
	}
	return types.OnPluginStartStatusOK
}

func (p *tPlugin) NewHttpContext(id uint32) types.HttpContext { return &tHTTP{plugin: p} }

type tHTTP struct {
	types.DefaultHttpContext
	plugin *tPlugin
}

func (h *tHTTP) OnHttpRequestHeaders(int, bool) types.Action {
	h.plugin.requests.Increment(1)
	auth, err := proxywasm.GetHttpRequestHeader("authorization")
	// The borrowed read must agree with the plain one (natively it forwards to the same SDK call).
	if b, berr := proxywasm.GetHttpRequestHeaderBorrowed("authorization"); (berr == nil) != (err == nil) || string(b) != auth {
		_ = proxywasm.SendHttpResponse(500, nil, []byte("borrowed read differs"), -1)
		return types.ActionPause
	}
	switch {
	case err != nil:
		_ = proxywasm.SendHttpResponse(401, [][2]string{{"www-authenticate", "Bearer realm=\"" + h.plugin.realm + "\""}}, nil, -1)
		return types.ActionPause
	case auth == "Bearer remote":
		_, err := proxywasm.DispatchHttpCall("idp", [][2]string{{":method", "GET"}, {":path", "/check"}, {":authority", "idp"}},
			nil, nil, 5000, func(numHeaders, _, _ int) {
				hs, err := proxywasm.GetHttpCallResponseHeaders()
				if err != nil || numHeaders == 0 {
					_ = proxywasm.SendHttpResponse(503, nil, nil, -1)
					return
				}
				for _, kv := range hs {
					if kv[0] == ":status" {
						_ = proxywasm.AddHttpRequestHeader("x-idp-status", kv[1])
					}
				}
				_ = proxywasm.ResumeHttpRequest()
			})
		if err != nil {
			_ = proxywasm.SendHttpResponse(500, nil, nil, -1)
		}
		return types.ActionPause
	}
	now, err := proxywasm.GetCurrentTimeNanoseconds()
	if err != nil {
		return types.ActionPause
	}
	_ = proxywasm.ReplaceHttpRequestHeader("x-checked-at", strconv.FormatInt(now, 10))
	_ = proxywasm.RemoveHttpRequestHeader("authorization")
	return types.ActionContinue
}

func TestNative_proxytest(t *testing.T) {
	proxywasm.SetNativeClock(func() time.Time { return time.Unix(1700000000, 0) })
	defer proxywasm.SetNativeClock(nil)

	tests := []struct {
		name        string
		headers     [][2]string
		idpStatus   string // non-empty: the test answers the http call with this status
		wantAction  types.Action
		wantLocal   uint32 // 0: no local response
		wantHeaders [][2]string
	}{
		{
			name:       "missing token: 401 with realm",
			headers:    [][2]string{{":path", "/"}},
			wantAction: types.ActionPause,
			wantLocal:  401,
		},
		{
			name:        "token: header stripped, time stamped",
			headers:     [][2]string{{":path", "/"}, {"authorization", "Bearer x"}},
			wantAction:  types.ActionContinue,
			wantHeaders: [][2]string{{":path", "/"}, {"x-checked-at", "1700000000000000000"}},
		},
		{
			name:        "remote check: callout, header added, resumed",
			headers:     [][2]string{{":path", "/"}, {"authorization", "Bearer remote"}},
			idpStatus:   "204",
			wantAction:  types.ActionContinue,
			wantHeaders: [][2]string{{":path", "/"}, {"authorization", "Bearer remote"}, {"x-idp-status", "204"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := proxytest.NewEmulatorOption().WithVMContext(&tVM{}).WithPluginConfiguration([]byte("tokengate"))
			host, reset := proxytest.NewHostEmulator(opt)
			defer reset()
			if st := host.StartPlugin(); st != types.OnPluginStartStatusOK {
				t.Fatalf("StartPlugin = %v", st)
			}
			id := host.InitializeHttpContext()
			action := host.CallOnRequestHeaders(id, tc.headers, true)
			if tc.idpStatus != "" {
				if action != types.ActionPause {
					t.Fatalf("action before the callout = %v, want Pause", action)
				}
				callouts := host.GetCalloutAttributesFromContext(id)
				if len(callouts) != 1 || callouts[0].Upstream != "idp" {
					t.Fatalf("callouts = %+v, want one to idp", callouts)
				}
				host.CallOnHttpCallResponse(callouts[0].CalloutID, [][2]string{{":status", tc.idpStatus}}, nil, nil)
				action = host.GetCurrentHttpStreamAction(id)
			}
			if action != tc.wantAction {
				t.Errorf("action = %v, want %v", action, tc.wantAction)
			}
			local := host.GetSentLocalResponse(id)
			switch {
			case tc.wantLocal == 0 && local != nil:
				t.Errorf("unexpected local response %d", local.StatusCode)
			case tc.wantLocal != 0 && (local == nil || local.StatusCode != tc.wantLocal):
				t.Errorf("local response = %+v, want status %d", local, tc.wantLocal)
			case tc.wantLocal == 401 && !slices.Contains(local.Headers, [2]string{"www-authenticate", `Bearer realm="tokengate"`}):
				t.Errorf("401 headers = %q, want the realm from the plugin configuration", local.Headers)
			}
			if tc.wantHeaders != nil {
				if got := host.GetCurrentRequestHeaders(id); !slices.Equal(got, tc.wantHeaders) {
					t.Errorf("request headers = %q, want %q", got, tc.wantHeaders)
				}
			}
			if n, err := host.GetCounterMetric("t_requests"); err != nil || n != 1 {
				t.Errorf("t_requests = %d, %v; want 1", n, err)
			}
			if p := host.GetTickPeriod(); p != 1000 {
				t.Errorf("tick period = %d, want 1000", p)
			}
		})
	}
}
