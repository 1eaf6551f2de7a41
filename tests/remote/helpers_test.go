package remote

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
	"github.com/tokengate/tokengate/testenv/idp"
)

// issuer is the IdP's issuer in these tests; cluster "idp" serves it.
const issuer = "https://idp.example.com"

// wasmPath is dist/tokengate.wasm of this repository, or $TOKENGATE_WASM.
func wasmPath() string {
	if f := os.Getenv("TOKENGATE_WASM"); f != "" {
		return f
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "dist", "tokengate.wasm")
}

// loadWasm reads the filter module; a missing module fails the test.
func loadWasm(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(wasmPath())
	if err != nil {
		t.Fatalf("the filter module is needed (build dist/tokengate.wasm with ./build.sh or make build): %v", err)
	}
	return b
}

// newIdP is the fosite server with one JWT client, "app", allowed scopes
// read and write for audience "api".
func newIdP(t *testing.T) *idp.Server {
	t.Helper()
	return idp.New(idp.WithIssuer(issuer), idp.WithClient(idp.Client{
		ID: "app", Secret: "app-secret", Scopes: []string{"read", "write"}, Audiences: []string{"api"},
	}))
}

// remoteJWKS is the remote_jwks member of the provider in these tests.
type remoteJWKS map[string]any

// pluginConfig is a configuration with one provider "idp" whose keys come
// from remote_jwks, and rules: GET needs "read", everything else "write".
func pluginConfig(t *testing.T, rj remoteJWKS) string {
	t.Helper()
	cfg := map[string]any{
		"providers": map[string]any{
			"idp": map[string]any{
				"issuer": issuer, "audiences": []string{"api"}, "algorithms": []string{"RS256"},
				"remote_jwks": map[string]any(rj),
			},
		},
		"rules": []any{
			map[string]any{"match": map[string]any{"prefix": "/", "methods": []string{"GET"}},
				"require": map[string]any{"provider": "idp", "scopes": []string{"read"}}},
			map[string]any{"match": map[string]any{"prefix": "/"},
				"require": map[string]any{"provider": "idp", "scopes": []string{"write"}}},
		},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// defaultJWKS is the example remote_jwks with a 1-hour max_stale.
func defaultJWKS() remoteJWKS {
	return remoteJWKS{
		"cluster": "idp", "uri": issuer + idp.PathJWKS, "timeout_ms": 3000, "cache_seconds": 600,
		"refetch_on_unknown_kid": true, "refetch_cooldown_seconds": 30, "max_stale_seconds": 3600,
	}
}

// setup starts the IdP and the filter with n VMs; the IdP follows the host's
// fake clock, so tokens are issued "now" for the filter.
func setup(t *testing.T, n int, rj remoteJWKS, opts ...testenv.Option) (*testenv.Env, *idp.Server) {
	t.Helper()
	srv := newIdP(t)
	all := append([]testenv.Option{testenv.Workers(n), testenv.PluginConfig(pluginConfig(t, rj)),
		testenv.Cluster("idp", srv)}, opts...)
	env := testenv.New(t, loadWasm(t), all...)
	srv.SetClock(env.Clock().Now)
	return env, srv
}

// token gets an access token from the IdP with client credentials
// (client_secret_basic), as a client of the API would.
func token(t *testing.T, srv *idp.Server, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, err := http.NewRequest(http.MethodPost, srv.URL(idp.EndpointToken), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("app", "app-secret")
	resp, err := srv.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &tr) != nil || tr.AccessToken == "" {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, body)
	}
	return tr.AccessToken
}

// get sends GET /api/items with the token on VM vm; the stream is returned
// after the request headers (it may be paused).
func get(env *testenv.Env, vm int, tok string) *testenv.Stream {
	return send(env, vm, "GET", tok)
}

func send(env *testenv.Env, vm int, method, tok string) *testenv.Stream {
	s := env.VM(vm).NewStream()
	h := [][2]string{{":method", method}, {":path", "/api/items"}, {":authority", "api.example.com"},
		{":scheme", "https"}}
	if tok != "" {
		h = append(h, [2]string{"authorization", "Bearer " + tok})
	}
	s.RequestHeaders(h, true)
	return s
}

// outcome names what happened to a request: "allowed", "paused", or the
// local reply's status and reason ("503 jwks_unavailable").
func outcome(t *testing.T, s *testenv.Stream) string {
	t.Helper()
	if lr := s.LocalResponse(); lr != nil {
		var body struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(lr.Body, &body)
		return itoa(lr.StatusCode) + " " + body.Reason
	}
	if s.RequestPaused() {
		return "paused"
	}
	if s.UpstreamRequestHeaders() != nil {
		return "allowed"
	}
	return "neither allowed, paused nor denied"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// jwksHits is how many JWKS requests reached the IdP.
func jwksHits(srv *idp.Server) int { return srv.Hits(idp.EndpointJWKS) }

// metric returns a counter's value (0 when undefined).
func metric(env *testenv.Env, name string) int64 {
	v, _ := env.Metric(name)
	return v
}

// start brings every VM past its first tick (the startup fetch).
func start(env *testenv.Env) { env.Clock().Advance(20 * time.Millisecond) }

func expect(t *testing.T, what, have, want string) {
	t.Helper()
	if have != want {
		t.Fatalf("%s: have %q, want %q", what, have, want)
	}
}

func expectN(t *testing.T, what string, have, want int) {
	t.Helper()
	if have != want {
		t.Fatalf("%s: have %d, want %d", what, have, want)
	}
}
