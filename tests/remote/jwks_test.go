package remote

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
	"github.com/tokengate/tokengate/testenv/idp"
)

// Startup fetch, one per proxy: four VMs, one JWKS request at the IdP; then
// tokens from the IdP are allowed on every VM (read), and denied for write
// without the scope. Refreshed every cache_seconds, still once per proxy.
func TestRemoteJWKS_StartupFetchFourVMsOneFetch(t *testing.T) {
	env, srv := setup(t, 4, defaultJWKS())
	start(env)
	expectN(t, "IdP JWKS hits after start", jwksHits(srv), 1)
	expectN(t, "jwks_fetch_success", int(metric(env, "tokengate.jwks_fetch_success")), 1)

	read := token(t, srv, "read")
	for vm := 0; vm < 4; vm++ {
		expect(t, "GET with read on vm"+itoa(vm), outcome(t, get(env, vm, read)), "allowed")
		expect(t, "POST with read on vm"+itoa(vm), outcome(t, send(env, vm, "POST", read)), "403 insufficient_scope")
	}
	expectN(t, "IdP JWKS hits after requests", jwksHits(srv), 1)

	for i := 1; i <= 3; i++ {
		env.Clock().Advance(600 * time.Second)
		expectN(t, "hits after refresh", jwksHits(srv), 1+i)
	}
	expectN(t, "jwks_fetch_success", int(metric(env, "tokengate.jwks_fetch_success")), 4)

	// A shorter Cache-Control max-age from the IdP is honoured.
	srv.SetJWKSMaxAge(60 * time.Second)
	env.Clock().Advance(600 * time.Second) // refresh; from now on max-age=60
	env.Clock().Advance(61 * time.Second)
	expectN(t, "hits with max-age=60", jwksHits(srv), 6)
}

// Requests that arrive before any keys exist are paused, on the VM that
// fetches and on the others, and resumed when the fetch completes.
func TestRemoteJWKS_PausedThenResumed(t *testing.T) {
	env, srv := setup(t, 3, defaultJWKS(), testenv.ClusterDelay("idp", 500*time.Millisecond))
	read := token(t, srv, "read")
	a := get(env, 1, read) // before the first tick: this VM fetches
	b := get(env, 2, read) // joins the fetch in flight
	expect(t, "vm1 before the response", outcome(t, a), "paused")
	expect(t, "vm2 before the response", outcome(t, b), "paused")
	env.Clock().Advance(400 * time.Millisecond)
	expect(t, "vm1 at 400 ms", outcome(t, a), "paused")
	env.Clock().Advance(100 * time.Millisecond)
	expect(t, "vm1 at 500 ms", outcome(t, a), "allowed")
	env.Clock().Advance(100 * time.Millisecond) // vm2 polls every 100 ms while it waits
	expect(t, "vm2 at 600 ms", outcome(t, b), "allowed")
	if v, _ := a.UpstreamRequestHeader("authorization"); v != "" {
		t.Fatalf("the token went upstream: %q", v)
	}
	expectN(t, "IdP JWKS hits", jwksHits(srv), 1)
}

// IdP down at start: 503 jwks_unavailable with Retry-After, never an allow;
// recovery once the IdP is up and the backoff has passed.
func TestRemoteJWKS_DownAtStart(t *testing.T) {
	for _, mode := range []idp.DownMode{idp.DownClose, idp.Down503} {
		t.Run(mode.String(), func(t *testing.T) {
			env, srv := setup(t, 2, defaultJWKS())
			srv.SetDownMode(mode, idp.EndpointJWKS)
			start(env)
			read := token(t, srv, "read")
			for vm := 0; vm < 2; vm++ {
				s := get(env, vm, read)
				expect(t, "while down", outcome(t, s), "503 jwks_unavailable")
				if ra := s.LocalResponse().Header("retry-after"); ra == "" {
					t.Fatal("no Retry-After")
				}
			}
			if metric(env, "tokengate.jwks_fetch_failed") < 1 {
				t.Fatal("jwks_fetch_failed not counted")
			}
			if !logged(env, "JWKS fetch failed") {
				t.Fatal("no warning logged")
			}
			srv.SetDownMode(idp.Up, idp.EndpointJWKS)
			env.Clock().Advance(3 * time.Second) // past the 1 s (then 2 s) backoff, at a tick
			for vm := 0; vm < 2; vm++ {
				expect(t, "after recovery", outcome(t, get(env, vm, read)), "allowed")
			}
		})
	}
}

// Key rotation with a new kid: the first token with it is paused, one
// refetch brings the key, the token is accepted. The dropped key stops
// verifying, cached verifications included.
func TestRemoteJWKS_KeyRotation(t *testing.T) {
	env, srv := setup(t, 2, defaultJWKS(), testenv.ManualHttpCalls())
	start(env)
	env.DeliverHttpCalls()
	env.Clock().Advance(time.Second) // both VMs adopt the first set
	old := token(t, srv, "read")
	for vm := 0; vm < 2; vm++ {
		expect(t, "old token", outcome(t, get(env, vm, old)), "allowed")
		expect(t, "old token (cached)", outcome(t, get(env, vm, old)), "allowed")
	}
	if _, err := srv.RotateKey(false); err != nil {
		t.Fatal(err)
	}
	fresh := token(t, srv, "read")
	s := get(env, 0, fresh)
	expect(t, "new kid before the refetch", outcome(t, s), "paused")
	expectN(t, "refetch in flight", env.PendingHttpCalls(), 1)
	env.DeliverHttpCalls()
	expect(t, "new kid after the refetch", outcome(t, s), "allowed")
	expectN(t, "IdP JWKS hits", jwksHits(srv), 2)
	env.Clock().Advance(time.Second) // vm1 learns the new set at its tick
	expect(t, "new kid on vm1", outcome(t, get(env, 1, fresh)), "allowed")
	for vm := 0; vm < 2; vm++ {
		expect(t, "old token after rotation", outcome(t, get(env, vm, old)), "401 key_not_found")
	}
	expectN(t, "IdP JWKS hits", jwksHits(srv), 2)
}

// A flood of tokens with random kids costs at most one fetch per cooldown,
// across all VMs.
func TestRemoteJWKS_RandomKidFlood(t *testing.T) {
	env, srv := setup(t, 4, defaultJWKS()) // cooldown 30 s
	start(env)
	real := token(t, srv, "read")
	const seconds = 120
	for sec := 0; sec < seconds; sec++ {
		for i := 0; i < 5; i++ {
			s := get(env, (sec+i)%4, withKid(t, real, "random-"+itoa(sec)+"-"+itoa(i)))
			expect(t, "random kid", outcome(t, s), "401 key_not_found")
		}
		env.Clock().Advance(time.Second)
	}
	t.Logf("IdP JWKS hits for %d s of random kids on 4 VMs: %d", seconds, jwksHits(srv))
	// 1 at start, then at most one per 30 s window.
	if h := jwksHits(srv); h < 2 || h > 1+seconds/30+1 {
		t.Fatalf("IdP JWKS hits = %d for %d s of random kids (cooldown 30 s)", h, seconds)
	}
	expect(t, "real token still fine", outcome(t, get(env, 0, real)), "allowed")
}

// Stale keys are served while the IdP is down, until max_stale_seconds past
// their refresh time; then 503; a warning is logged on every failed attempt.
func TestRemoteJWKS_StaleWhileDown(t *testing.T) {
	env, srv := setup(t, 2, defaultJWKS()) // cache 600 s, max stale 3600 s
	srv.SetTokenLifespan(3 * time.Hour)
	start(env)
	read := token(t, srv, "read")
	srv.SetDown(true, idp.EndpointJWKS)
	t0 := env.Clock().Now()
	for env.Clock().Now().Before(t0.Add(600*time.Second + 3600*time.Second - time.Minute)) {
		env.Clock().Advance(time.Minute)
		expect(t, "stale at +"+env.Clock().Now().Sub(t0).String(), outcome(t, get(env, 0, read)), "allowed")
	}
	if !logged(env, "serving the keys of version 1") {
		t.Fatal("no stale warning logged")
	}
	env.Clock().Advance(2 * time.Minute)
	for vm := 0; vm < 2; vm++ {
		expect(t, "past max_stale", outcome(t, get(env, vm, read)), "503 jwks_unavailable")
	}
	failed := metric(env, "tokengate.jwks_fetch_failed")
	t.Logf("jwks_fetch_failed over 70 minutes down: %d", failed)
	if failed < 60 || failed > 90 { // about one a minute (60 s backoff cap), not one per tick
		t.Fatalf("jwks_fetch_failed = %d over 70 minutes", failed)
	}
	srv.SetDown(false, idp.EndpointJWKS)
	env.Clock().Advance(61 * time.Second)
	expect(t, "after recovery", outcome(t, get(env, 1, read)), "allowed")
}

// Discovery: the document's issuer must equal the configured one exactly,
// and jwks_uri comes from it.
func TestRemoteJWKS_Discovery(t *testing.T) {
	rj := remoteJWKS{"cluster": "idp", "discovery": true, "cache_seconds": 600}
	t.Run("matching issuer", func(t *testing.T) {
		env, srv := setup(t, 2, rj)
		start(env)
		expect(t, "request", outcome(t, get(env, 1, token(t, srv, "read"))), "allowed")
		expectN(t, "discovery hits", srv.Hits(idp.EndpointDiscovery), 1)
		expectN(t, "jwks hits", jwksHits(srv), 1)
	})
	t.Run("mismatching issuer", func(t *testing.T) {
		env, srv := setup(t, 2, rj)
		tok := token(t, srv, "read") // iss is the configured issuer
		if err := srv.SetIssuer("https://other.example.com"); err != nil {
			t.Fatal(err)
		}
		start(env)
		expect(t, "request", outcome(t, get(env, 0, tok)), "503 jwks_unavailable")
		expectN(t, "jwks hits", jwksHits(srv), 0)
		if !logged(env, `discovery: issuer "https://other.example.com" is not the configured "https://idp.example.com"`) {
			t.Fatalf("no clear log; logs:\n%s", strings.Join(env.LogMessages(testenv.LogWarn), "\n"))
		}
	})
}

// withKid returns tok with its header's kid replaced (the signature no longer
// matches, but the key lookup comes first: key_not_found).
func withKid(t *testing.T, tok, kid string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	h["kid"] = kid
	b, _ := json.Marshal(h)
	parts[0] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// logged reports whether some guest log line contains s.
func logged(env *testenv.Env, s string) bool {
	for _, m := range env.LogMessages(testenv.LogTrace) {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// Streams paused while the keys are fetched keep their own request: the
// filter reads request headers into a buffer it reuses for the next request,
// so a paused stream must copy them. A, then B (read over A's buffer), then
// C (different sizes) pause on one VM; after the fetch each goes upstream
// with exactly its own path and headers.
func TestRemoteJWKS_PausedStreamsKeepTheirRequest(t *testing.T) {
	env, srv := setup(t, 1, defaultJWKS(), testenv.ManualHttpCalls())
	tok := token(t, srv, "read")
	reqs := [][][2]string{
		{{":method", "GET"}, {":path", "/api/a?q=1"}, {":authority", "api.example.com"}, {":scheme", "https"},
			{"x-request", "stream-a"}, {"authorization", "Bearer " + tok}},
		{{":method", "GET"}, {":path", "/b"}, {":authority", "b.example.com"}, {":scheme", "https"},
			{"authorization", "Bearer " + tok}, {"x-request", "stream-b-with-a-longer-value"}},
		{{":method", "GET"}, {":path", "/c/longer/path/than/the/others"}, {":authority", "c"}, {":scheme", "https"},
			{"x-request", "c"}, {"accept", "*/*"}, {"authorization", "Bearer " + tok}},
	}
	var streams []*testenv.Stream
	for _, h := range reqs {
		s := env.VM(0).NewStream()
		s.RequestHeaders(h, true)
		expect(t, "before the keys", outcome(t, s), "paused")
		streams = append(streams, s)
	}
	start(env)
	env.DeliverHttpCalls()
	for i, s := range streams {
		expect(t, "after the keys", outcome(t, s), "allowed")
		for _, name := range []string{":path", ":authority", "x-request"} {
			want := ""
			for _, h := range reqs[i] {
				if h[0] == name {
					want = h[1]
				}
			}
			if have, _ := s.UpstreamRequestHeader(name); have != want {
				t.Errorf("stream %d: upstream %s = %q, want %q", i, name, have, want)
			}
		}
		if v, ok := s.UpstreamRequestHeader("authorization"); ok {
			t.Errorf("stream %d: the token went upstream: %q", i, v)
		}
	}
}
