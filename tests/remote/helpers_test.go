package remote

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
	return configJSON(t, cfg)
}

// configJSON is cfg, a plugin configuration, as JSON.
func configJSON(t *testing.T, cfg map[string]any) string {
	t.Helper()
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
	return startFilter(t, srv, n, pluginConfig(t, rj), opts...), srv
}

// startFilter starts the filter with n VMs, the plugin configuration cfg and
// srv as cluster "idp" (with any more options); srv then follows the host's
// fake clock, so tokens are issued "now" for the filter.
func startFilter(t *testing.T, srv *idp.Server, n int, cfg string, opts ...testenv.Option) *testenv.Env {
	t.Helper()
	all := append([]testenv.Option{testenv.Workers(n), testenv.PluginConfig(cfg), testenv.Cluster("idp", srv)}, opts...)
	env := testenv.New(t, loadWasm(t), all...)
	srv.SetClock(env.Clock().Now)
	return env
}

// token gets an access token from the IdP for the API's client "app", with
// client credentials (client_secret_basic), as a client of the API would.
func token(t *testing.T, srv *idp.Server, scope string) string {
	t.Helper()
	return clientToken(t, srv, "app", "app-secret", scope)
}

// clientToken gets an access token for a client with client credentials.
func clientToken(t *testing.T, srv *idp.Server, id, secret, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, err := http.NewRequest(http.MethodPost, srv.URL(idp.EndpointToken), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
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

// gatewayEndToEnd is the loopback fixture of the end-to-end tests on the
// real clock: the gateway's IdP (gwIdP) on a loopback port, its issuer set
// to that URL; an echo upstream that reports the Authorization it received;
// and the plugin configuration: /backend needs a user token with scope read
// (keys from remote_jwks at cluster "idp"), and the gateway's own token for
// the upstream comes from the IdP's token endpoint.
func gatewayEndToEnd(t *testing.T) (srv *idp.Server, idpURL, upstreamURL string, cfg map[string]any) {
	t.Helper()
	srv = gwIdP(t)
	idpServer := httptest.NewServer(srv)
	t.Cleanup(idpServer.Close)
	idpURL = idpServer.URL
	if err := srv.SetIssuer(idpURL); err != nil {
		t.Fatal(err)
	}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "authorization="+strings.Join(r.Header.Values("authorization"), ","))
	}))
	t.Cleanup(echo.Close)
	cfg = map[string]any{
		"providers": map[string]any{"idp": map[string]any{
			"issuer": idpURL, "audiences": []string{"api"},
			"remote_jwks": map[string]any{"cluster": "idp", "uri": idpURL + idp.PathJWKS, "timeout_ms": 2000},
		}},
		"rules": []any{map[string]any{"match": map[string]any{"prefix": "/backend"},
			"require": map[string]any{"provider": "idp", "scopes": []string{"read"}}}},
		"upstream_credentials": []any{gwEntry(map[string]any{"token_uri": idpURL + idp.PathToken})},
	}
	return srv, idpURL, echo.URL, cfg
}

// expectGatewayTokenUpstream sends five GET /backend/items with a user's
// token to the gateway at api (an HTTP base URL in front of the fixture of
// gatewayEndToEnd): every one must reach the upstream with exactly one
// Authorization, the gateway's own token (verified with the IdP's JWKS), not
// the user's; the IdP must have seen one token request in all.
func expectGatewayTokenUpstream(t *testing.T, srv *idp.Server, api string) {
	t.Helper()
	user := token(t, srv, "read")
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequest("GET", api+"/backend/items", nil)
		req.Header.Set("Authorization", "Bearer "+user)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
		got := strings.TrimPrefix(string(body), "authorization=")
		if got == "Bearer "+user || !strings.HasPrefix(got, "Bearer ") || strings.Contains(got, ",") {
			t.Fatalf("the upstream saw authorization %q", got)
		}
		verifyGatewayToken(t, srv, strings.TrimPrefix(got, "Bearer "), time.Now(), "gateway")
	}
	expectN(t, "gateway token requests", len(tokenRequests(srv, "gateway")), 1)
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
