package remote

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
	"github.com/tokengate/tokengate/testenv/idp"
)

// Issue 7: the gateway's own access token (OAuth 2.0 client credentials) for
// the backend, fetched from the fosite IdP by the filter module, shared by
// every VM. Inbound, /backend requires a user token from client "app" with
// scope read (keys from remote_jwks, as in the other tests of this module).

const (
	gwAudience = "https://inventory.internal"
	gwScope    = "inventory:read"
	gwSecret   = "gw-secret-Zq9"
)

// gwIdP is the IdP with the API's client "app" and the gateway's clients:
// "gateway" (used with client_secret_basic) and "gateway-post"
// (client_secret_post), both allowed inventory scopes for gwAudience.
func gwIdP(t *testing.T) *idp.Server {
	t.Helper()
	return idp.New(idp.WithIssuer(issuer),
		idp.WithClient(idp.Client{ID: "app", Secret: "app-secret", Scopes: []string{"read", "write"}, Audiences: []string{"api"}}),
		idp.WithClient(idp.Client{ID: "gateway", Secret: gwSecret,
			Scopes: []string{gwScope, "inventory:write"}, Audiences: []string{gwAudience, "https://other.internal"}}),
		idp.WithClient(idp.Client{ID: "gateway-post", Secret: gwSecret,
			Scopes: []string{gwScope}, Audiences: []string{gwAudience}}))
}

// gwEntry is the upstream_credentials example entry for /backend;
// edit changes it.
func gwEntry(edit map[string]any) map[string]any {
	e := map[string]any{
		"match": map[string]any{"prefix": "/backend"}, "cluster": "idp", "token_uri": issuer + idp.PathToken,
		"client_id": "gateway", "client_secret": gwSecret, "auth_method": "client_secret_basic",
		"scopes": []string{gwScope}, "endpoint_params": map[string]any{"audience": []string{gwAudience}},
		"header": "Authorization", "refresh_before_seconds": 60, "timeout_ms": 3000,
	}
	for k, v := range edit {
		e[k] = v
	}
	return e
}

// gwSetup starts the IdP and the filter with n VMs and the given
// upstream_credentials entries; the IdP follows the host's fake clock.
func gwSetup(t *testing.T, n int, entries ...map[string]any) (*testenv.Env, *idp.Server) {
	t.Helper()
	return gwSetupWith(t, n, nil, entries...)
}

// gwSetupWith is gwSetup with more testenv options.
func gwSetupWith(t *testing.T, n int, opts []testenv.Option, entries ...map[string]any) (*testenv.Env, *idp.Server) {
	t.Helper()
	srv := gwIdP(t)
	creds := make([]any, len(entries))
	for i, e := range entries {
		creds[i] = e
	}
	cfg := map[string]any{
		"providers": map[string]any{"idp": map[string]any{
			"issuer": issuer, "audiences": []string{"api"}, "algorithms": []string{"RS256"},
			"remote_jwks": map[string]any(defaultJWKS()),
		}},
		"rules": []any{
			map[string]any{"match": map[string]any{"prefix": "/backend", "methods": []string{"GET"}},
				"require": map[string]any{"provider": "idp", "scopes": []string{"read"}}},
			map[string]any{"match": map[string]any{"prefix": "/public"}, "allow": true},
		},
		"upstream_credentials": creds,
	}
	return startFilter(t, srv, n, configJSON(t, cfg), opts...), srv
}

// gwGet sends GET <path> with the user's token (and any extra headers) on VM vm.
func gwGet(env *testenv.Env, vm int, path, userToken string, extra ...[2]string) *testenv.Stream {
	s := env.VM(vm).NewStream()
	h := [][2]string{{":method", "GET"}, {":path", path}, {":authority", "api.example.com"}, {":scheme", "https"}}
	if userToken != "" {
		h = append(h, [2]string{"authorization", "Bearer " + userToken})
	}
	s.RequestHeaders(append(h, extra...), true)
	return s
}

// upstreamAuth returns every authorization value that reached the backend.
func upstreamAuth(s *testenv.Stream) []string {
	var out []string
	for _, h := range s.UpstreamRequestHeaders() {
		if strings.EqualFold(h[0], "authorization") {
			out = append(out, h[1])
		}
	}
	return out
}

// gatewayToken returns the single "Bearer <token>" the backend saw, failing
// the test otherwise.
func gatewayToken(t *testing.T, s *testenv.Stream) string {
	t.Helper()
	got := upstreamAuth(s)
	if len(got) != 1 || !strings.HasPrefix(got[0], "Bearer ") {
		t.Fatalf("backend saw authorization %q, want one Bearer value", got)
	}
	return strings.TrimPrefix(got[0], "Bearer ")
}

// tokenRequests returns the IdP's log of token requests by one client.
func tokenRequests(srv *idp.Server, clientID string) []idp.Request {
	var out []idp.Request
	for _, r := range srv.Requests(idp.EndpointToken) {
		if r.ClientID == clientID {
			out = append(out, r)
		}
	}
	return out
}

// verifyGatewayToken checks tok independently of the filter and of jwtcore:
// an RS256 JWS whose kid names a key of the IdP's published JWKS and whose
// signature verifies with it (crypto/rsa), with iss the IdP's issuer, aud
// gwAudience, the requested scope, the client's id, and exp after now.
func verifyGatewayToken(t *testing.T, srv *idp.Server, tok string, now time.Time, clientID string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("the backend's token is not a JWS compact serialization")
	}
	var hdr struct{ Alg, Kid string }
	var claims struct {
		Iss      string          `json:"iss"`
		Aud      json.RawMessage `json:"aud"`
		Scope    string          `json:"scope"`
		ClientID string          `json:"client_id"`
		Exp      int64           `json:"exp"`
	}
	decodePart(t, parts[0], &hdr)
	decodePart(t, parts[1], &claims)
	if hdr.Alg != "RS256" {
		t.Fatalf("alg %q", hdr.Alg)
	}
	var jwks struct {
		Keys []struct{ Kid, Kty, N, E string }
	}
	if err := json.Unmarshal(srv.JWKS(), &jwks); err != nil {
		t.Fatal(err)
	}
	var pub *rsa.PublicKey
	for _, k := range jwks.Keys {
		if k.Kid == hdr.Kid && k.Kty == "RSA" {
			n, err1 := base64.RawURLEncoding.DecodeString(k.N)
			e, err2 := base64.RawURLEncoding.DecodeString(k.E)
			if err1 != nil || err2 != nil {
				t.Fatal("bad JWK")
			}
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if pub == nil {
		t.Fatalf("kid %q is not in the IdP's JWKS", hdr.Kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("the backend's token does not verify with the IdP's JWKS: %v", err)
	}
	var auds []string
	if json.Unmarshal(claims.Aud, &auds) != nil {
		var one string
		_ = json.Unmarshal(claims.Aud, &one)
		auds = []string{one}
	}
	switch {
	case claims.Iss != srv.Issuer():
		t.Fatalf("iss %q", claims.Iss)
	case len(auds) != 1 || auds[0] != gwAudience:
		t.Fatalf("aud %q, want [%q]", auds, gwAudience)
	case claims.Scope != gwScope:
		t.Fatalf("scope %q, want %q", claims.Scope, gwScope)
	case claims.ClientID != clientID:
		t.Fatalf("client_id %q, want %q", claims.ClientID, clientID)
	case !now.Before(time.Unix(claims.Exp, 0)):
		t.Fatalf("expired at %s (now %s)", time.Unix(claims.Exp, 0).UTC(), now.UTC())
	}
}

func decodePart(t *testing.T, part string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil || json.Unmarshal(b, v) != nil {
		t.Fatalf("the backend's token: a part is not base64url JSON")
	}
}

// Many requests on four VMs, one token fetch at the IdP (client_secret_basic,
// checked on the IdP side). The backend sees the gateway's token, verifiable
// with the IdP's JWKS, with the requested scope and audience, never the
// client's own Authorization.
func TestUpstreamCredentials_ManyRequestsOneFetch(t *testing.T) {
	env, srv := gwSetup(t, 4, gwEntry(nil))
	user := token(t, srv, "read")
	start(env)
	expectN(t, "gateway token requests after start", len(tokenRequests(srv, "gateway")), 1)

	var first string
	for i := 0; i < 40; i++ {
		s := gwGet(env, i%4, "/backend/items", user)
		expect(t, "request "+itoa(i), outcome(t, s), "allowed")
		tok := gatewayToken(t, s)
		if tok == user {
			t.Fatal("the client's token reached the backend")
		}
		if first == "" {
			first = tok
		} else if tok != first {
			t.Fatalf("request %d: another gateway token", i)
		}
	}
	verifyGatewayToken(t, srv, first, env.Clock().Now(), "gateway")
	reqs := tokenRequests(srv, "gateway")
	expectN(t, "gateway token requests after 40 requests", len(reqs), 1)
	expect(t, "auth method seen by the IdP", reqs[0].AuthMethod, "client_secret_basic")
	expectN(t, "upstream_token_fetch_success", int(metric(env, "tokengate.upstream_token_fetch_success")), 1)

	for _, logLine := range env.LogMessages(testenv.LogTrace) {
		if strings.Contains(logLine, gwSecret) || strings.Contains(logLine, first) {
			t.Fatalf("a log line holds the secret or the token: %q", logLine)
		}
	}
}

// client_secret_post (what Auth0 needs): the credentials travel in the form
// body, as the IdP sees; and a public route gets the token too, replacing
// what the client sent in the header.
func TestUpstreamCredentials_ClientSecretPost(t *testing.T) {
	env, srv := gwSetup(t, 2,
		gwEntry(map[string]any{"match": map[string]any{"prefix": "/public"}, "client_id": "gateway-post",
			"auth_method": "client_secret_post", "header": "X-Upstream-Token"}))
	start(env)
	s := gwGet(env, 1, "/public/x", "", [2]string{"x-upstream-token", "Bearer forged"}, [2]string{"authorization", "Basic dTpw"})
	expect(t, "public request", outcome(t, s), "allowed")
	var got []string
	for _, h := range s.UpstreamRequestHeaders() {
		if h[0] == "x-upstream-token" {
			got = append(got, h[1])
		}
	}
	if len(got) != 1 || got[0] == "Bearer forged" || !strings.HasPrefix(got[0], "Bearer ") {
		t.Fatalf("x-upstream-token at the backend: %q", got)
	}
	verifyGatewayToken(t, srv, strings.TrimPrefix(got[0], "Bearer "), env.Clock().Now(), "gateway-post")
	reqs := tokenRequests(srv, "gateway-post")
	expectN(t, "token requests", len(reqs), 1)
	expect(t, "auth method seen by the IdP", reqs[0].AuthMethod, "client_secret_post")
	// Another header than Authorization: the client's Authorization is not
	// the filter's business on an allow rule and passes.
	expect(t, "client authorization", strings.Join(upstreamAuth(s), ","), "Basic dTpw")
}

// Refreshed ahead of expiry from ticks: 5-minute tokens, refreshed 60 s
// before; steady traffic for 10 minutes never waits, and the backend gets a
// new token after each refresh.
func TestUpstreamCredentials_RefreshBeforeExpiry(t *testing.T) {
	// Answers take 200 ms: a request that waited for a token would be seen
	// paused right after its headers.
	env, srv := gwSetupWith(t, 3, []testenv.Option{testenv.ClusterDelay("idp", 200*time.Millisecond)}, gwEntry(nil))
	srv.SetTokenLifespan(5 * time.Minute)
	env.Clock().Advance(300 * time.Millisecond) // the startup fetches (keys, token) are in
	seen := map[string]bool{}
	for step := 0; step < 40; step++ { // 40 x 15 s = 10 min
		user := token(t, srv, "read")
		for vm := 0; vm < 3; vm++ {
			s := gwGet(env, vm, "/backend/items", user)
			expect(t, "at "+itoa(step*15)+" s on vm"+itoa(vm), outcome(t, s), "allowed") // never paused
			tok := gatewayToken(t, s)
			verifyGatewayToken(t, srv, tok, env.Clock().Now(), "gateway")
			seen[tok] = true
		}
		env.Clock().Advance(15 * time.Second)
	}
	// Fetches at 0, 240 and 480 s (each fresh for 300-60 s): three tokens.
	expectN(t, "gateway token requests", len(tokenRequests(srv, "gateway")), 3)
	expectN(t, "distinct tokens at the backend", len(seen), 3)
	expectN(t, "upstream_token_fetch_success", int(metric(env, "tokengate.upstream_token_fetch_success")), 3)
}

// IdP token endpoint down (or answering garbage) at start: 503
// upstream_token_unavailable with Retry-After (never forwarded without the
// token), then recovery.
func TestUpstreamCredentials_DownAtStart(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(srv *idp.Server)
		recovery func(srv *idp.Server)
	}{
		{name: "connection closed", fail: func(srv *idp.Server) { srv.SetDownMode(idp.DownClose, idp.EndpointToken) },
			recovery: func(srv *idp.Server) { srv.SetDownMode(idp.Up, idp.EndpointToken) }},
		{name: "503", fail: func(srv *idp.Server) { srv.SetDownMode(idp.Down503, idp.EndpointToken) },
			recovery: func(srv *idp.Server) { srv.SetDownMode(idp.Up, idp.EndpointToken) }},
		{name: "malformed 200", fail: func(srv *idp.Server) { srv.SetMalformed(true, idp.EndpointToken) },
			recovery: func(srv *idp.Server) { srv.SetMalformed(false, idp.EndpointToken) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, srv := gwSetup(t, 2, gwEntry(nil))
			user := token(t, srv, "read")
			tt.fail(srv)
			start(env)
			for vm := 0; vm < 2; vm++ {
				s := gwGet(env, vm, "/backend/items", user)
				expect(t, "while down", outcome(t, s), "503 upstream_token_unavailable")
				if ra := s.LocalResponse().Header("retry-after"); ra == "" {
					t.Fatal("no Retry-After")
				}
				if s.UpstreamRequestHeaders() != nil {
					t.Fatal("forwarded without the token")
				}
			}
			if metric(env, "tokengate.upstream_token_fetch_failed") < 1 {
				t.Fatal("upstream_token_fetch_failed not counted")
			}
			if !logged(env, "token fetch failed") {
				t.Fatal("no warning logged")
			}
			tt.recovery(srv)
			env.Clock().Advance(3 * time.Second) // past the 1 s (then 2 s) backoff, at a tick
			for vm := 0; vm < 2; vm++ {
				s := gwGet(env, vm, "/backend/items", user)
				expect(t, "after recovery", outcome(t, s), "allowed")
				verifyGatewayToken(t, srv, gatewayToken(t, s), env.Clock().Now(), "gateway")
			}
		})
	}
}

// A request that arrives before the first token is paused (on the VM that
// fetches and on another) and resumed with the token. The entry is on an
// allow route, so only the token is waited for.
func TestUpstreamCredentials_PausedThenResumed(t *testing.T) {
	env, srv := gwSetupWith(t, 2, []testenv.Option{testenv.ClusterDelay("idp", 500*time.Millisecond)},
		gwEntry(map[string]any{"match": map[string]any{"prefix": "/public"}}))
	a := gwGet(env, 0, "/public/a", "") // before the first tick: this VM fetches
	b := gwGet(env, 1, "/public/b", "") // joins the fetch in flight
	expect(t, "vm0 before the response", outcome(t, a), "paused")
	expect(t, "vm1 before the response", outcome(t, b), "paused")
	env.Clock().Advance(400 * time.Millisecond)
	expect(t, "vm0 at 400 ms", outcome(t, a), "paused")
	env.Clock().Advance(100 * time.Millisecond)
	expect(t, "vm0 at 500 ms", outcome(t, a), "allowed")
	env.Clock().Advance(100 * time.Millisecond) // vm1 polls every 100 ms while it waits
	expect(t, "vm1 at 600 ms", outcome(t, b), "allowed")
	verifyGatewayToken(t, srv, gatewayToken(t, a), env.Clock().Now(), "gateway")
	if gatewayToken(t, a) != gatewayToken(t, b) {
		t.Fatal("two tokens")
	}
	expectN(t, "gateway token requests", len(tokenRequests(srv, "gateway")), 1)
}

// A token endpoint slower than timeout_ms: the paused request gets 503
// upstream_token_unavailable when the host reports the timeout.
func TestUpstreamCredentials_TimeoutWhilePaused(t *testing.T) {
	env, srv := gwSetupWith(t, 1, []testenv.Option{testenv.ClusterDelay("idp", 2*time.Second)},
		gwEntry(map[string]any{"match": map[string]any{"prefix": "/public"}, "timeout_ms": 300}))
	a := gwGet(env, 0, "/public/a", "")
	expect(t, "before the timeout", outcome(t, a), "paused")
	env.Clock().Advance(300 * time.Millisecond)
	expect(t, "at the timeout", outcome(t, a), "503 upstream_token_unavailable")
	expectN(t, "gateway token requests", len(tokenRequests(srv, "gateway")), 1)
	if !logged(env, "answered HTTP 504") {
		t.Fatal("the timeout is not logged")
	}
}

// A refresh that fails while the old token is still valid: the old token
// keeps being served; once it is no longer usable, 503.
func TestUpstreamCredentials_StaleWhileRefreshFails(t *testing.T) {
	env, srv := gwSetup(t, 2, gwEntry(map[string]any{"refresh_before_seconds": 120}))
	srv.SetTokenLifespan(5 * time.Minute)
	start(env)
	user0 := token(t, srv, "read")
	old := gatewayToken(t, gwGet(env, 0, "/backend/items", user0))
	env.Clock().Advance(170 * time.Second)
	user := token(t, srv, "read")
	srv.SetDownMode(idp.Down503, idp.EndpointToken)
	env.Clock().Advance(60 * time.Second) // refreshes from 180 s on fail
	if metric(env, "tokengate.upstream_token_fetch_failed") < 2 {
		t.Fatalf("upstream_token_fetch_failed = %d, want retries", metric(env, "tokengate.upstream_token_fetch_failed"))
	}
	for vm := 0; vm < 2; vm++ {
		s := gwGet(env, vm, "/backend/items", user)
		expect(t, "at 230 s, refresh failing", outcome(t, s), "allowed")
		if tok := gatewayToken(t, s); tok != old {
			t.Fatal("not the old token")
		}
	}
	if !logged(env, "the previous token is used until") {
		t.Fatal("the failure log does not say the old token is still used")
	}
	env.Clock().Advance(70 * time.Second) // 300 s: the old token has expired
	for vm := 0; vm < 2; vm++ {
		expect(t, "after the old token expired", outcome(t, gwGet(env, vm, "/backend/items", user)), "503 upstream_token_unavailable")
	}
}

// Bad client credentials: the IdP answers 401 invalid_client; the filter
// logs it clearly at error level, once per attempt (so once per backoff
// period for the whole proxy), without the secret, and answers 503.
func TestUpstreamCredentials_BadSecretLoggedOncePerBackoff(t *testing.T) {
	env, srv := gwSetup(t, 3, gwEntry(map[string]any{"client_secret": "wrong-secret-XY"}))
	start(env)
	env.Clock().Advance(10 * time.Second)
	reqs := tokenRequests(srv, "gateway")
	// One attempt per backoff period for the whole proxy: 1 s, 2 s, 4 s
	// apart, each at the first tick (1 s period) after the backoff ends.
	attempts := len(reqs)
	expectN(t, "token requests in 10 s", attempts, 4)
	for i, backoff := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if gap := reqs[i+1].At.Sub(reqs[i].At); gap < backoff || gap >= backoff+time.Second {
			t.Fatalf("attempt %d came %s after the previous one, want %s (+ less than one tick)", i+1, gap, backoff)
		}
	}
	var rejected int
	for _, l := range env.Logs() {
		if strings.Contains(l.Message, "wrong-secret-XY") {
			t.Fatalf("the secret was logged: %q", l.Message)
		}
		if strings.Contains(l.Message, "rejected the request") {
			rejected++
			if l.Level != testenv.LogError || !strings.Contains(l.Message, "(error=invalid_client)") {
				t.Fatalf("log line %s", l)
			}
		}
	}
	expectN(t, "error lines", rejected, attempts)
	user := token(t, srv, "read")
	expect(t, "request", outcome(t, gwGet(env, 0, "/backend/items", user)), "503 upstream_token_unavailable")
}

// End to end over loopback HTTP on the real clock, through testenv's Gateway
// (the engine of `tokengate run`): the echo upstream reports the
// Authorization it received: the gateway's token, not the client's.
func TestUpstreamCredentials_GatewayEndToEnd(t *testing.T) {
	srv, idpHTTP, upstream, cfg := gatewayEndToEnd(t)
	host, err := testenv.NewHost(loadWasm(t), testenv.RealClock(), testenv.Workers(2),
		testenv.PluginConfig(configJSON(t, cfg)), testenv.ClusterURL("idp", idpHTTP))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	gw, err := testenv.NewGateway(host, upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	apiServer := httptest.NewServer(gw)
	t.Cleanup(apiServer.Close)
	expectGatewayTokenUpstream(t, srv, apiServer.URL)
}
