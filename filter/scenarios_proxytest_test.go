//go:build !wasip1

package filter

import (
	"testing"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// newEmulator starts the filter natively under the SDK's proxytest host with
// the given plugin configuration and clock. The emulator is process-global:
// tests using it must not run in parallel.
func newEmulator(t *testing.T, config []byte, now *time.Time) (proxytest.HostEmulator, types.OnPluginStartStatus) {
	t.Helper()
	opt := proxytest.NewEmulatorOption().WithVMContext(NewVMContext()).WithPluginConfiguration(config)
	host, reset := proxytest.NewHostEmulator(opt)
	proxywasm.SetNativeClock(func() time.Time { return *now })
	t.Cleanup(func() {
		reset()
		proxywasm.SetNativeClock(nil)
	})
	return host, host.StartPlugin()
}

// TestScenarios_proxytest is leg (b): every scenario through the plugin glue,
// natively, under the SDK's host emulator.
func TestScenarios_proxytest(t *testing.T) {
	for _, s := range scenarios(t) {
		t.Run(s.name, func(t *testing.T) {
			now := s.clock()
			host, st := newEmulator(t, []byte(mustJSON(t, scenarioConfigs[s.config](t))), &now)
			if st != types.OnPluginStartStatusOK {
				t.Fatalf("plugin start: %v; critical logs: %q", st, host.GetCriticalLogs())
			}
			// Twice on one VM: the second request may be served by the verified-token cache,
			// and must be decided the same way.
			for round := 0; round < 2; round++ {
				id := host.InitializeHttpContext()
				action := host.CallOnRequestHeaders(id, s.sendHeaders(), false)
				o := outcome{}
				if lr := host.GetSentLocalResponse(id); lr != nil {
					if action != types.ActionPause {
						t.Errorf("round %d: local reply sent but action %v", round, action)
					}
					o.status, o.headers, o.body = int(lr.StatusCode), lr.Headers, string(lr.Data)
					o.noDetails = true // natively the binding forwards to the SDK, which drops details
				} else {
					if action != types.ActionContinue {
						t.Fatalf("round %d: no local reply and action %v", round, action)
					}
					o.forwarded = true
					o.upstream = host.GetCurrentRequestHeaders(id)
				}
				s.check(t, o)
				host.CompleteHttpContext(id)
			}
		})
	}
}
