//go:build !wasip1

package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

func TestPluginContext_OnPluginStart_invalidConfig(t *testing.T) {
	k := fixtureKeys(t)
	secret := "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"
	tests := []struct {
		name     string
		config   string
		wantLine string
	}{
		{name: "empty", config: "", wantLine: "tokengate: invalid plugin configuration: configuration is empty"},
		{name: "unknown field", config: `{"providers":{"a":{"issuer":"i","hmac_secret":"` + secret + `","audience":"x"}}}`,
			wantLine: "tokengate: invalid plugin configuration: providers.a.audience: unknown field"},
		{name: "weak rsa key", config: mustJSON(t, map[string]any{"providers": map[string]any{"a": map[string]any{
			"issuer": "i", "public_key_pem": pkcs1PEM(k.weak)}}}),
			wantLine: "tokengate: invalid plugin configuration: providers.a.public_key_pem: key[0]: rsa modulus is 1024 bits, need >= 2048"},
		{name: "secret never logged", config: `{"providers":{"a":{"issuer":"i","hmac_secret":"` + secret + `","algorithms":["RS256"]}}}`,
			wantLine: "tokengate: invalid plugin configuration: providers.a.algorithms[0]: no key of this provider can verify RS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			host, st := newEmulator(t, []byte(tc.config), &now)
			equal(t, "status", st, types.OnPluginStartStatusFailed)
			logs := host.GetCriticalLogs()
			equal(t, "critical logs", logs, []string{tc.wantLine})
			for _, level := range [][]string{host.GetDebugLogs(), host.GetInfoLogs(), host.GetErrorLogs(), logs} {
				for _, l := range level {
					if strings.Contains(l, secret) {
						t.Errorf("a log line holds the secret: %q", l)
					}
				}
			}
		})
	}
}

func TestHttpContext_metricsAndLogs(t *testing.T) {
	f := newTokens(t)
	now := testNow
	host, st := newEmulator(t, []byte(mustJSON(t, seedConfig(t))), &now)
	if st != types.OnPluginStartStatusOK {
		t.Fatalf("plugin start: %v", st)
	}
	read := f.auth0("read", nil)
	expired := f.auth0("read", claims{"exp": testNow.Add(-time.Hour).Unix(), "iat": testNow.Add(-2 * time.Hour).Unix()})
	send := func(target string, extra ...[2]string) {
		id := host.InitializeHttpContext()
		h := append([][2]string{{":method", "GET"}, {":path", target}, {":authority", "a"}}, extra...)
		host.CallOnRequestHeaders(id, h, false)
		host.CompleteHttpContext(id)
	}
	send("/api/a", bearer(read))    // allowed, cache miss
	send("/api/b", bearer(read))    // allowed, cache hit
	send("/api/c", bearer(expired)) // token_expired, cache miss
	send("/nowhere", bearer(read))  // no_rule_matched, no lookup
	send("/api%2fx", bearer(read))  // path_invalid, no lookup
	send("/health")                 // allowed, no lookup

	want := map[string]uint64{
		"tokengate.allowed": 3, "tokengate.cache_hit": 1, "tokengate.cache_miss": 2,
		"tokengate.denied.token_expired": 1, "tokengate.denied.no_rule_matched": 1,
		"tokengate.denied.path_invalid": 1, "tokengate.denied.token_missing": 0,
	}
	for name, n := range want {
		have, err := host.GetCounterMetric(name)
		if err != nil {
			t.Errorf("metric %s: %v", name, err)
			continue
		}
		equal(t, name, have, n)
	}
	for _, r := range allReasons() {
		if _, err := host.GetCounterMetric(metricDeniedPrefix + r.code); err != nil {
			t.Errorf("metric for reason %s is not defined: %v", r.code, err)
		}
	}

	debug := host.GetDebugLogs()
	wantLines := []string{
		`tokengate: denied reason=token_expired rule=1 source="header authorization" provider="" status=401: token is expired [exp]`,
		`tokengate: denied reason=no_rule_matched rule=-1 source="" provider="" status=403: no rule allows this request`,
		`tokengate: denied reason=path_invalid rule=-1 source="" provider="" status=400: path holds an encoded '/', '\', '.' or NUL`,
	}
	equal(t, "debug logs", debug, wantLines)
	for _, l := range append(debug, host.GetErrorLogs()...) {
		for _, tok := range []string{read, expired} {
			for _, part := range strings.Split(tok, ".") {
				if strings.Contains(l, part) {
					t.Errorf("a log line holds token bytes: %q", l)
				}
			}
		}
	}
}

// TestHttpContext_failClosed: every failure outside decide denies with 500
// internal_error (JSON body, metric), never lets the request through.
func TestHttpContext_failClosed(t *testing.T) {
	f := newTokens(t)
	read := f.auth0("read", nil)
	good := []byte(mustJSON(t, seedConfig(t)))
	tests := []struct {
		name    string
		config  []byte
		clock   func() time.Time
		wantLog string
		counted bool // metrics exist (the plugin started) and count the denial
	}{
		{name: "plugin without configuration", config: []byte(`{"rulez": []}`),
			wantLog: "tokengate: denied reason=internal_error: no configuration"},
		{name: "panic while deciding", config: good,
			clock:   func() time.Time { panic("host clock broke") },
			wantLog: "tokengate: denied reason=internal_error: recovered panic: host clock broke", counted: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			host, _ := newEmulator(t, tc.config, &now)
			if tc.clock != nil {
				proxywasm.SetNativeClock(tc.clock)
			}
			id := host.InitializeHttpContext()
			action := host.CallOnRequestHeaders(id, [][2]string{{":method", "GET"}, {":path", "/api/x"}, bearer(read)}, false)
			equal(t, "action", action, types.ActionPause)
			lr := host.GetSentLocalResponse(id)
			if lr == nil {
				t.Fatal("no local reply: the request went through")
			}
			equal(t, "status", lr.StatusCode, uint32(500))
			equal(t, "body", string(lr.Data), `{"error":"server_error","error_description":"internal error","reason":"internal_error"}`)
			equal(t, "error logs", host.GetErrorLogs(), []string{tc.wantLog})
			if tc.counted {
				n, err := host.GetCounterMetric("tokengate.denied.internal_error")
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "denied.internal_error", n, uint64(1))
			}
		})
	}
}
