package remote

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
	"github.com/tokengate/tokengate/testenv/idp"
)

// Issue 6: RFC 7662 introspection of opaque tokens issued by the fosite
// server, through the real filter module with several VMs.

// The gateway's introspection client. Its secret holds characters that
// client_secret_basic must form-urlencode before base64 (RFC 6749 §2.3.1):
// fosite decodes them, so a wrong encoding fails authentication.
const (
	introClientID     = "gateway"
	introClientSecret = "gw-S3cret: +/%&="
)

// introIdP is the fosite server with the JWT client "app", the opaque-token
// client "mobile" (scopes read, write; audience api) and the introspecting
// client "gateway".
func introIdP(t *testing.T) *idp.Server {
	t.Helper()
	srv := newIdP(t)
	for _, c := range []idp.Client{
		{ID: "mobile", Secret: "mobile-secret", Scopes: []string{"read", "write"}, Audiences: []string{"api"}, Opaque: true},
		{ID: introClientID, Secret: introClientSecret, Introspect: true},
	} {
		if err := srv.AddClient(c); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// introConfig: provider "jwt" (remote JWKS of the same IdP) and introspection
// provider "opaque"; GET needs read, every other method write, from either.
func introConfig(t *testing.T, method string, edit map[string]any) string {
	t.Helper()
	opaque := map[string]any{
		"cluster": "idp", "uri": issuer + idp.PathIntrospect,
		"client_id": introClientID, "client_secret": introClientSecret, "auth_method": method,
		"token_type_hint": "access_token", "timeout_ms": 2000,
		"cache_seconds": 60, "negative_cache_seconds": 5,
		"issuer": issuer, "audiences": []string{"api"}, "scope_claim": "scope",
		"token_from":       []any{map[string]any{"header": "Authorization", "prefix": "Bearer "}, map[string]any{"query": "token"}},
		"claim_to_headers": []any{map[string]any{"claim": "sub", "header": "x-auth-sub"}},
	}
	for k, v := range edit {
		opaque[k] = v
	}
	cfg := map[string]any{
		"providers": map[string]any{"jwt": map[string]any{
			"issuer": issuer, "audiences": []string{"api"}, "algorithms": []string{"RS256"},
			"remote_jwks": map[string]any(defaultJWKS()),
		}},
		"introspection": map[string]any{"opaque": opaque},
		"rules": []any{
			map[string]any{"match": map[string]any{"prefix": "/", "methods": []string{"GET"}},
				"require": map[string]any{"any": []string{"jwt", "opaque"}, "scopes": []string{"read"}}},
			map[string]any{"match": map[string]any{"prefix": "/"},
				"require": map[string]any{"any": []string{"jwt", "opaque"}, "scopes": []string{"write"}}},
		},
	}
	return configJSON(t, cfg)
}

func introSetup(t *testing.T, n int, method string, edit map[string]any, opts ...testenv.Option) (*testenv.Env, *idp.Server) {
	t.Helper()
	srv := introIdP(t)
	env := startFilter(t, srv, n, introConfig(t, method, edit), opts...)
	start(env)
	return env, srv
}

func opaqueToken(t *testing.T, srv *idp.Server, scope string) string {
	t.Helper()
	tok := clientToken(t, srv, "mobile", "mobile-secret", scope)
	if strings.Count(tok, ".") == 2 {
		t.Fatalf("token %q looks like a JWT, want an opaque one", tok[:10])
	}
	return tok
}

// settle lets paused requests finish: the response of the call, then the
// other VMs' fast ticks (100 ms while they wait).
func settle(env *testenv.Env) { env.Clock().Advance(150 * time.Millisecond) }

// ask sends a request and lets it settle; it returns the stream.
func ask(env *testenv.Env, vm int, method, tok string) *testenv.Stream {
	s := send(env, vm, method, tok)
	if s.RequestPaused() {
		settle(env)
	}
	return s
}

func introspectHits(srv *idp.Server) int { return srv.Hits(idp.EndpointIntrospect) }

// noSecrets fails when a log line holds a token or the client secret.
func noSecrets(t *testing.T, env *testenv.Env, secrets ...string) {
	t.Helper()
	for _, l := range env.Logs() {
		for _, s := range append(secrets, introClientSecret, url.QueryEscape(introClientSecret)) {
			if s != "" && strings.Contains(l.Message, s) {
				t.Fatalf("vm%d log holds a secret or a token: %q", l.VM, l.Message)
			}
		}
	}
	for k, v := range env.SharedData() {
		for _, s := range append(secrets, introClientSecret) {
			if s != "" && (strings.Contains(k, s) || strings.Contains(string(v), s)) {
				t.Fatalf("shared data %q holds a secret or a token", k)
			}
		}
	}
}

// Active, inactive, revoked and JWT tokens on a route that takes either, with
// both client authentication methods as the IdP sees them.
func TestIntrospection_ActiveInactiveRevoked(t *testing.T) {
	for _, method := range []string{"client_secret_basic", "client_secret_post"} {
		t.Run(method, func(t *testing.T) {
			env, srv := introSetup(t, 3, method, nil)
			read := opaqueToken(t, srv, "read")
			revoked := opaqueToken(t, srv, "read write")
			if !srv.Revoke(revoked) {
				t.Fatal("revoke: unknown token")
			}
			jwtTok := token(t, srv, "read")

			s := ask(env, 0, "GET", read)
			expect(t, "opaque read GET", outcome(t, s), "allowed")
			if v, _ := s.UpstreamRequestHeader("x-auth-sub"); v != "mobile" {
				t.Errorf("x-auth-sub upstream = %q, want mobile", v)
			}
			if v, _ := s.UpstreamRequestHeader("authorization"); v != "" {
				t.Errorf("the opaque token went upstream: %q", v)
			}
			expect(t, "opaque read POST", outcome(t, ask(env, 1, "POST", read)), "403 insufficient_scope")
			expect(t, "unknown opaque", outcome(t, ask(env, 2, "GET", "ory_at_unknown.token")), "401 token_inactive")
			expect(t, "revoked opaque", outcome(t, ask(env, 0, "GET", revoked)), "401 token_inactive")
			expect(t, "jwt on the same route", outcome(t, ask(env, 1, "GET", jwtTok)), "allowed")
			expect(t, "no token", outcome(t, ask(env, 1, "GET", "")), "401 token_missing")

			reqs := srv.Requests(idp.EndpointIntrospect)
			expectN(t, "introspection calls (read, unknown, revoked; the JWT is verified locally)", len(reqs), 3)
			for _, r := range reqs {
				if r.AuthMethod != method || r.ClientID != introClientID || r.Status != 200 {
					t.Errorf("IdP saw %+v, want %s as %s with 200", r, method, introClientID)
				}
			}
			expectN(t, "introspection_success", int(metric(env, "tokengate.introspection_success")), 3)
			expectN(t, "introspection_failed", int(metric(env, "tokengate.introspection_failed")), 0)
			noSecrets(t, env, read, revoked, jwtTok)
		})
	}
}

// 100 requests with one token over four VMs: one IdP call; 99 cache hits
// (the first request waited for the answer).
func TestIntrospection_CacheAcrossVMs(t *testing.T) {
	env, srv := introSetup(t, 4, "client_secret_basic", nil)
	tok := opaqueToken(t, srv, "read")
	for i := 0; i < 100; i++ {
		expect(t, "request "+itoa(i), outcome(t, ask(env, i%4, "GET", tok)), "allowed")
	}
	expectN(t, "IdP introspection calls", introspectHits(srv), 1)
	expectN(t, "introspection_cache_hit", int(metric(env, "tokengate.introspection_cache_hit")), 99)
	noSecrets(t, env, tok)
}

// Ten concurrent requests with a new token over four VMs: one IdP call, all
// paused until its answer, then all allowed.
func TestIntrospection_SingleFlight(t *testing.T) {
	env, srv := introSetup(t, 4, "client_secret_post", nil, testenv.ClusterDelay("idp", 500*time.Millisecond))
	tok := opaqueToken(t, srv, "read")
	var streams []*testenv.Stream
	for i := 0; i < 10; i++ {
		s := send(env, i%4, "GET", tok)
		expect(t, "request "+itoa(i)+" before the answer", outcome(t, s), "paused")
		streams = append(streams, s)
	}
	expectN(t, "IdP calls while paused", introspectHits(srv), 1)
	env.Clock().Advance(500 * time.Millisecond)
	env.Clock().Advance(100 * time.Millisecond)
	for i, s := range streams {
		expect(t, "request "+itoa(i)+" after the answer", outcome(t, s), "allowed")
	}
	expectN(t, "IdP calls", introspectHits(srv), 1)
	noSecrets(t, env, tok)
}

// Revocation is seen once cache_seconds pass; a token's exp ends its cache
// entry earlier.
func TestIntrospection_RevocationAndExpiry(t *testing.T) {
	env, srv := introSetup(t, 2, "client_secret_basic", nil)
	tok := opaqueToken(t, srv, "read")
	expect(t, "fresh", outcome(t, ask(env, 0, "GET", tok)), "allowed")
	srv.Revoke(tok)
	env.Clock().Advance(59 * time.Second)
	expect(t, "revoked, within cache_seconds", outcome(t, ask(env, 1, "GET", tok)), "allowed")
	env.Clock().Advance(2 * time.Second)
	expect(t, "revoked, after cache_seconds", outcome(t, ask(env, 1, "GET", tok)), "401 token_inactive")
	expectN(t, "IdP calls", introspectHits(srv), 2)

	srv.SetTokenLifespan(30 * time.Second)
	short := opaqueToken(t, srv, "read")
	expect(t, "short-lived", outcome(t, ask(env, 0, "GET", short)), "allowed")
	env.Clock().Advance(29 * time.Second)
	expect(t, "short-lived before exp (cached)", outcome(t, ask(env, 1, "GET", short)), "allowed")
	expectN(t, "IdP calls", introspectHits(srv), 3)
	env.Clock().Advance(2 * time.Second)
	expect(t, "short-lived after exp", outcome(t, ask(env, 0, "GET", short)), "401 token_inactive")
	expectN(t, "IdP calls", introspectHits(srv), 4)
	noSecrets(t, env, tok, short)
}

// IdP down, slow, 500, garbage, or active not a boolean: 503
// introspection_unavailable with Retry-After, never an allow; then recovery.
func TestIntrospection_IdPFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault func(srv *idp.Server)
		opts  []testenv.Option
		slow  bool // the cluster answers after the timeout for the whole test
	}{
		{name: "down (connection closed)", fault: func(srv *idp.Server) { srv.SetDown(true, idp.EndpointIntrospect) }},
		{name: "down (503)", fault: func(srv *idp.Server) { srv.SetDownMode(idp.Down503, idp.EndpointIntrospect) }},
		{name: "slow (timeout)", opts: []testenv.Option{testenv.ClusterDelay("idp", 3*time.Second)}, slow: true},
		{name: "500", fault: func(srv *idp.Server) { srv.SetFailStatus(500, idp.EndpointIntrospect) }},
		{name: "garbage", fault: func(srv *idp.Server) { srv.SetMalformed(true, idp.EndpointIntrospect) }},
		{name: "active not a boolean", fault: func(srv *idp.Server) {
			srv.SetOverride(&idp.Override{ContentType: "application/json", Body: []byte(`{"active":"true","sub":"x","scope":"read"}`)}, idp.EndpointIntrospect)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, srv := introSetup(t, 2, "client_secret_basic", nil, tt.opts...)
			tok := opaqueToken(t, srv, "read")
			if tt.fault != nil {
				tt.fault(srv)
			}
			s := send(env, 0, "GET", tok)
			if tt.slow {
				env.Clock().Advance(1900 * time.Millisecond)
				expect(t, "before timeout_ms", outcome(t, s), "paused")
			}
			env.Clock().Advance(2100 * time.Millisecond) // past timeout_ms
			expect(t, "during the fault", outcome(t, s), "503 introspection_unavailable")
			if v := s.LocalResponse().Header("retry-after"); v == "" {
				t.Error("no Retry-After")
			}
			s2 := send(env, 1, "GET", tok) // refused during the backoff, or asks again and fails again
			if s2.RequestPaused() {
				env.Clock().Advance(2100 * time.Millisecond)
			}
			expect(t, "other VM during the fault", outcome(t, s2), "503 introspection_unavailable")
			if n := metric(env, "tokengate.introspection_failed"); n < 1 {
				t.Errorf("introspection_failed = %d", n)
			}
			if tt.slow {
				env.Clock().Advance(5 * time.Second) // past the backoff: asked again, timed out again
				s = send(env, 1, "GET", tok)
				env.Clock().Advance(3100 * time.Millisecond)
				expect(t, "still slow", outcome(t, s), "503 introspection_unavailable")
				noSecrets(t, env, tok)
				return
			}
			srv.Reset()
			env.Clock().Advance(5 * time.Second) // past the backoff
			s = send(env, 1, "GET", tok)
			env.Clock().Advance(3100 * time.Millisecond)
			expect(t, "after recovery", outcome(t, s), "allowed")
			noSecrets(t, env, tok)
		})
	}
}

// Two new opaque tokens that share a cache bucket (cache_max_entries 4: one
// bucket) arrive together on one VM: the bucket's fetcher asks about one token
// per call, so the second request wakes up after the first answer without its
// own, and must wait again for the next call, not fail with a 503.
func TestIntrospection_TokensSharingABucket(t *testing.T) {
	env, srv := introSetup(t, 1, "client_secret_post", map[string]any{"cache_max_entries": 4},
		testenv.ClusterDelay("idp", 200*time.Millisecond))
	toks := []string{opaqueToken(t, srv, "read"), opaqueToken(t, srv, "read"), opaqueToken(t, srv, "read")}
	var streams []*testenv.Stream
	for i, tok := range toks {
		s := send(env, 0, "GET", tok)
		expect(t, "request "+itoa(i)+" before any answer", outcome(t, s), "paused")
		streams = append(streams, s)
	}
	for i := 0; i < 10 && streams[len(streams)-1].RequestPaused(); i++ {
		env.Clock().Advance(250 * time.Millisecond) // one introspection call after another
	}
	for i, s := range streams {
		expect(t, "request "+itoa(i)+" after the answers", outcome(t, s), "allowed")
		if sub, _ := s.UpstreamRequestHeader("x-auth-sub"); sub != "mobile" {
			t.Errorf("request %d: x-auth-sub = %q, want mobile", i, sub)
		}
	}
	expectN(t, "IdP calls (one per token)", introspectHits(srv), len(toks))
	noSecrets(t, env, toks...)
}
