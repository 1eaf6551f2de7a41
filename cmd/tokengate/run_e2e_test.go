package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/demo"
	"github.com/tokengate/tokengate/internal/jwtmint"
)

// wasmPath is the filter module the end-to-end tests run: dist/tokengate.wasm, or $TOKENGATE_WASM
// (as in filter's tests). `make test` builds it first; when it is missing the tests FAIL (never
// skip): a skipped end-to-end test would hide exactly what it guards.
var wasmPath = func() string {
	if p := os.Getenv("TOKENGATE_WASM"); p != "" {
		return p
	}
	return "../../dist/tokengate.wasm"
}()

// e2eTokens mints tokens with the committed demo key (examples/envoy/demo-rs256.key), whose public
// half is in examples/envoy/plugin.json, the configuration of envoy.yaml: so these tests also prove
// that envoy.yaml's plugin configuration loads in the real .wasm and does what its comments say.
func e2eTokens(t *testing.T) map[string]string {
	t.Helper()
	keyPEM, err := os.ReadFile("../../examples/envoy/demo-rs256.key")
	if err != nil {
		t.Fatal(err)
	}
	rs256, _ := lookupAlg("RS256")
	key, err := parseSigningKey(rs256, keyPEM, "raw")
	if err != nil {
		t.Fatal(err)
	}
	other, err := jwtmint.MaterialFor(rs256, signerFor(t, rs256), "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mint := func(k jwtmint.Key, o tokenOptions, at time.Time) string {
		if o.Issuer == "" {
			o.Issuer = "https://myaccount.auth0.com/"
		}
		if o.Audiences == nil {
			o.Audiences = []string{"https://api.mywebsite.com"}
		}
		if o.Exp == 0 {
			o.Exp = time.Hour
		}
		payload, err := buildClaims(o, at)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := k.SignJWT("", payload)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	return map[string]string{
		"read":         mint(key, tokenOptions{Subject: "client-r", Scope: "read"}, now),
		"write":        mint(key, tokenOptions{Subject: "client-w", Scope: "read write"}, now),
		"expired":      mint(key, tokenOptions{Subject: "client-r", Scope: "read"}, now.Add(-3*time.Hour)),
		"wrong_aud":    mint(key, tokenOptions{Subject: "client-r", Scope: "read", Audiences: []string{"https://other.example"}}, now),
		"other_signer": mint(other.Key, tokenOptions{Subject: "client-r", Scope: "read"}, now),
	}
}

// startE2E runs `tokengate run`'s gateway in-process on 127.0.0.1:0 with envoy.yaml's plugin
// configuration, in front of a recording echo upstream.
func startE2E(t *testing.T, workers string) (base string, up *demo.Echo, log *demo.SyncBuffer) {
	t.Helper()
	if _, err := os.Stat(wasmPath); err != nil {
		t.Fatalf("%s is missing (%v): run ./build.sh or make test first", wasmPath, err)
	}
	up = &demo.Echo{}
	upSrv := httptest.NewServer(up)
	t.Cleanup(upSrv.Close)
	o, err := parseRunOptions([]string{"--wasm", wasmPath, "--config", "../../examples/envoy/plugin.json",
		"--listen", "127.0.0.1:0", "--upstream", upSrv.URL, "--workers", workers, "-v"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log = &demo.SyncBuffer{}
	gw, err := startGateway(o, log)
	if err != nil {
		t.Fatalf("startGateway: %v", err)
	}
	t.Cleanup(func() { gw.Close() })
	return "http://" + gw.Addr(), up, log
}

// TestRun_EndToEnd sends real HTTP requests through the gateway (the real .wasm) and checks what the
// client got and what the upstream received.
func TestRun_EndToEnd(t *testing.T) {
	base, up, log := startE2E(t, "2")
	tokens := e2eTokens(t)
	payloadOf := func(tok string) string { return strings.Split(tok, ".")[1] }

	tests := []struct {
		name       string
		method     string
		path       string
		token      string // key of tokens; "" for none
		header     [2]string
		wantStatus int
		wantReason string            // denial reason code in the JSON body
		wantAuth   string            // substring of WWW-Authenticate
		wantUp     map[string]string // headers the upstream must see (allowed requests)
	}{
		{name: "health is open", method: "GET", path: "/health", wantStatus: 200, wantUp: map[string]string{}},
		{name: "health: a spoofed claim header is removed", method: "GET", path: "/health", header: [2]string{"X-Jwt-Sub", "admin"},
			wantStatus: 200, wantUp: map[string]string{"x-jwt-sub": ""}},
		{name: "GET with read scope reaches the upstream with claims, without the token", method: "GET", path: "/api/things?page=2", token: "read",
			wantStatus: 200, wantUp: map[string]string{"x-jwt-sub": "client-r", "x-jwt-scope": "read", "authorization": ""}},
		{name: "a spoofed claim header is replaced by the verified one", method: "GET", path: "/api/things", token: "read", header: [2]string{"X-Jwt-Sub", "admin"},
			wantStatus: 200, wantUp: map[string]string{"x-jwt-sub": "client-r"}},
		{name: "POST with write scope", method: "POST", path: "/api/things", token: "write",
			wantStatus: 200, wantUp: map[string]string{"x-jwt-sub": "client-w", "x-jwt-scope": "read write"}},
		{name: "no token", method: "GET", path: "/api/things", wantStatus: 401, wantReason: "token_missing", wantAuth: `Bearer realm="api"`},
		{name: "POST with only read scope", method: "POST", path: "/api/things", token: "read", wantStatus: 403, wantReason: "insufficient_scope", wantAuth: `error="insufficient_scope"`},
		{name: "expired", method: "GET", path: "/api/things", token: "expired", wantStatus: 401, wantReason: "token_expired", wantAuth: `error="invalid_token"`},
		{name: "wrong audience", method: "GET", path: "/api/things", token: "wrong_aud", wantStatus: 401, wantReason: "audience_not_allowed", wantAuth: `error="invalid_token"`},
		{name: "signed by another key", method: "GET", path: "/api/things", token: "other_signer", wantStatus: 401, wantReason: "signature_invalid", wantAuth: `error="invalid_token"`},
		{name: "no rule matches: fail closed", method: "GET", path: "/other", token: "read", wantStatus: 403, wantReason: "no_rule_matched"},
		{name: "encoded slash is rejected", method: "GET", path: "/health/..%2Fapi/things", wantStatus: 400, wantReason: "path_invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(up.Requests())
			req, err := http.NewRequest(tc.method, base+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tokens[tc.token])
			}
			if tc.header[0] != "" {
				req.Header.Set(tc.header[0], tc.header[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			seen := up.Requests()[before:]
			if tc.wantStatus != 200 {
				if len(seen) != 0 {
					t.Errorf("a denied request reached the upstream: %+v", seen)
				}
				var denial struct{ Error, ErrorDescription, Reason string }
				if err := json.Unmarshal(body, &denial); err != nil {
					t.Fatalf("denial body is not JSON: %v: %s", err, body)
				}
				if denial.Reason != tc.wantReason {
					t.Errorf("reason = %q, want %q (body %s)", denial.Reason, tc.wantReason, body)
				}
				if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, tc.wantAuth) {
					t.Errorf("WWW-Authenticate = %q, want it to contain %q", got, tc.wantAuth)
				}
				if tc.token != "" && bytes.Contains(body, []byte(tokens[tc.token])) {
					t.Error("the denial body echoes the token")
				}
				return
			}
			if len(seen) != 1 {
				t.Fatalf("upstream saw %d requests, want 1", len(seen))
			}
			got := seen[0]
			if got.Method != tc.method || got.Path != tc.path {
				t.Errorf("upstream got %s %s, want %s %s", got.Method, got.Path, tc.method, tc.path)
			}
			for name, want := range tc.wantUp {
				if v := got.Headers[name]; v != want {
					t.Errorf("upstream header %s = %q, want %q", name, v, want)
				}
			}
			if tc.token != "" {
				if p := got.Headers["x-jwt-payload"]; p != payloadOf(tokens[tc.token]) {
					t.Errorf("x-jwt-payload = %q, want the token's payload segment", p)
				}
				if _, err := base64.RawURLEncoding.DecodeString(got.Headers["x-jwt-payload"]); err != nil {
					t.Errorf("x-jwt-payload is not base64url: %v", err)
				}
			}
		})
	}

	// The request log names the status and reason, never a token.
	out := log.String()
	for _, tok := range tokens {
		if strings.Contains(out, tok) || strings.Contains(out, payloadOf(tok)) {
			t.Fatal("the gateway's output contains a token")
		}
	}
	if !strings.Contains(out, "gateway: POST /api/things -> 403 insufficient_scope") {
		t.Errorf("request log lacks the 403 line:\n%s", out)
	}
}

// TestStartGateway_InvalidConfig checks that a configuration the filter rejects stops `run` at
// start, with the filter's one log line naming the JSON path at fault.
func TestStartGateway_InvalidConfig(t *testing.T) {
	if _, err := os.Stat(wasmPath); err != nil {
		t.Fatalf("%s is missing (%v): run ./build.sh or make test first", wasmPath, err)
	}
	cfg := writeTemp(t, "bad.json", []byte(`{"providers":{"a":{"issuer":"x","hmac_secret":"0123456789abcdef0123456789abcdef"}},"rulez":[]}`))
	o, err := parseRunOptions([]string{"--wasm", wasmPath, "--config", cfg, "--listen", "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := startGateway(o, io.Discard)
	if err == nil {
		gw.Close()
		t.Fatal("startGateway accepted a configuration with an unknown field")
	}
	msg := err.Error()
	if !strings.Contains(msg, "rulez") || !strings.Contains(msg, "proxy_on_configure") {
		t.Errorf("error does not name the fault: %s", msg)
	}
	if strings.Contains(msg, "==>") {
		t.Errorf("error holds the ABI trace without -v: %s", msg)
	}
}
