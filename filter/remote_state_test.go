package filter

import (
	"crypto/rsa"
	"testing"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

const stubIssuer = "https://idp.test"

func remoteConfig(extra map[string]any) map[string]any {
	rj := map[string]any{"cluster": "idp", "uri": stubIssuer + "/jwks", "cache_seconds": 600,
		"refetch_cooldown_seconds": 30, "max_stale_seconds": 3600}
	for k, v := range extra {
		rj[k] = v
	}
	return map[string]any{"providers": map[string]any{"idp": map[string]any{
		"issuer": stubIssuer, "audiences": []string{"api"}, "remote_jwks": rj,
	}}}
}

func stubToken(t *testing.T, idx int, kid string) string {
	k := fixtureKeys(t)
	keys := []*rsa.PrivateKey{k.fusionA, k.fusionB, k.attacker}
	return signRS256(t, keys[idx], kid, claims{"iss": stubIssuer, "aud": "api", "sub": "u1",
		"iat": testNow.Unix(), "exp": testNow.Add(24 * time.Hour).Unix()})
}

func newStub(t *testing.T) *stubIdP {
	k := fixtureKeys(t)
	return &stubIdP{issuer: stubIssuer, keys: []*rsa.PrivateKey{k.fusionA}, kids: []string{"k1"}}
}

func reasonCode(d Decision) string {
	if d.Allow {
		return "allow"
	}
	return d.Reason.code
}

func header(hs [][2]string, name string) string {
	for _, h := range hs {
		if h[0] == name {
			return h[1]
		}
	}
	return ""
}

// A request before any keys exist waits for the fetch and is allowed; the
// other VMs take the published set without fetching.
func TestRemoteKeys_FirstRequestWaits(t *testing.T) {
	idp := newStub(t)
	px := newStubProxy(t, idp)
	vms := []*stubFilterVM{}
	for _, n := range []string{"vm0", "vm1", "vm2", "vm3"} {
		vms = append(vms, newStubFilterVM(t, px, n, remoteConfig(nil)))
	}
	tok := stubToken(t, 0, "k1")
	d, outs := vms[0].request(px, tok)
	if !d.Allow || len(outs) != 1 || outs[0] != shared.Pending {
		t.Fatalf("vm0: %s after %v", reasonCode(d), outs)
	}
	for i, vm := range vms[1:] {
		d, outs := vm.request(px, tok)
		if !d.Allow || len(outs) != 1 || outs[0] != shared.Ready {
			t.Fatalf("vm%d: %s after %v", i+1, reasonCode(d), outs)
		}
	}
	equal(t, "IdP hits", idp.jwksHits, 1)
	equal(t, "vm0 attempts", len(vms[0].attempts), 1)
}

// The same from ticks: the first tick fetches once for the whole proxy.
func TestRemoteKeys_TickFetchesOncePerProxy(t *testing.T) {
	idp := newStub(t)
	px := newStubProxy(t, idp)
	var vms []*stubFilterVM
	for _, n := range []string{"vm0", "vm1", "vm2", "vm3"} {
		vms = append(vms, newStubFilterVM(t, px, n, remoteConfig(nil)))
	}
	tick := func() {
		for _, vm := range vms {
			vm.coord.Tick()
		}
		px.deliver()
	}
	tick()
	tick()
	equal(t, "hits after start", idp.jwksHits, 1)
	for i, vm := range vms {
		if d, _ := vm.request(px, stubToken(t, 0, "k1")); !d.Allow {
			t.Fatalf("vm%d: %s", i, reasonCode(d))
		}
	}
	// Refreshed every cache_seconds, still once per proxy.
	for i := 0; i < 3; i++ {
		px.now = px.now.Add(600 * time.Second)
		tick()
		tick()
	}
	equal(t, "hits after 3 refreshes", idp.jwksHits, 4)
	// A shorter Cache-Control max-age wins.
	idp.set(func(s *stubIdP) { s.maxAge = "max-age=60" })
	px.now = px.now.Add(600 * time.Second)
	tick()
	px.now = px.now.Add(60 * time.Second)
	tick()
	equal(t, "hits with max-age=60", idp.jwksHits, 6)
}

// IdP down at start: the waiting request gets 503 jwks_unavailable with
// Retry-After, never an allow; once the IdP is back and the backoff passed,
// requests pass.
func TestRemoteKeys_DownAtStart(t *testing.T) {
	idp := newStub(t)
	idp.down = true
	px := newStubProxy(t, idp)
	vm := newStubFilterVM(t, px, "vm0", remoteConfig(nil))
	tok := stubToken(t, 0, "k1")
	d, outs := vm.request(px, tok)
	if d.Allow || d.Reason != reasonJWKSUnavailable || d.Reply.status != 503 {
		t.Fatalf("got %s (%v)", reasonCode(d), outs)
	}
	equal(t, "retry-after", header(d.Reply.headers, "retry-after"), "1")
	equal(t, "waits", outs, []shared.Outcome{shared.Pending})
	// Within the backoff: refused at once, no new fetch.
	d, outs = vm.request(px, tok)
	equal(t, "in backoff", outs, []shared.Outcome{shared.Refused})
	equal(t, "reason", reasonCode(d), "jwks_unavailable")
	equal(t, "hits", idp.jwksHits, 1)
	if len(vm.attempts) != 1 || vm.attempts[0].Err == nil {
		t.Fatalf("attempts %+v", vm.attempts)
	}
	idp.set(func(s *stubIdP) { s.down = false })
	px.now = px.now.Add(time.Second)
	vm.coord.Tick()
	px.deliver()
	if d, _ := vm.request(px, tok); !d.Allow {
		t.Fatalf("after recovery: %s", reasonCode(d))
	}
}

// Key rotation with a new kid: one refetch, then the token verifies. Random
// kids cost nothing more within the cooldown. The dropped key stops working
// at once, even for a token verified (and cached) before.
func TestRemoteKeys_RotationAndUnknownKid(t *testing.T) {
	k := fixtureKeys(t)
	idp := newStub(t)
	px := newStubProxy(t, idp)
	a := newStubFilterVM(t, px, "vm0", remoteConfig(nil))
	b := newStubFilterVM(t, px, "vm1", remoteConfig(nil))
	old := stubToken(t, 0, "k1")
	for _, vm := range []*stubFilterVM{a, b} {
		if d, _ := vm.request(px, old); !d.Allow {
			t.Fatalf("old token: %s", reasonCode(d))
		}
		if d, _ := vm.request(px, old); !d.Allow || d.CacheHits != 1 {
			t.Fatalf("old token again: %s, %d cache hits", reasonCode(d), d.CacheHits)
		}
	}
	equal(t, "hits", idp.jwksHits, 1)

	// Rotation: k1 dropped, k2 added.
	idp.set(func(s *stubIdP) { s.keys, s.kids = []*rsa.PrivateKey{k.fusionB}, []string{"k2"} })
	px.now = px.now.Add(time.Minute)
	d, outs := a.request(px, stubToken(t, 1, "k2"))
	if !d.Allow {
		t.Fatalf("new kid: %s after %v", reasonCode(d), outs)
	}
	equal(t, "refetch", outs, []shared.Outcome{shared.Pending})
	equal(t, "hits after rotation", idp.jwksHits, 2)
	b.coord.Tick()
	if d, outs := b.request(px, stubToken(t, 1, "k2")); !d.Allow || len(outs) != 0 {
		t.Fatalf("vm1 new kid: %s after %v", reasonCode(d), outs)
	}
	// The old token (cached in both VMs) no longer passes: its key is gone.
	for i, vm := range []*stubFilterVM{a, b} {
		d, outs := vm.request(px, old)
		if d.Allow || reasonCode(d) != "key_not_found" || d.Reply.status != 401 {
			t.Fatalf("vm%d old token after rotation: %s (%v)", i, reasonCode(d), outs)
		}
		equal(t, "cooldown", outs, []shared.Outcome{shared.Refused})
	}
	// A flood of random kids within the cooldown: no fetch at all.
	for i := 0; i < 50; i++ {
		for _, vm := range []*stubFilterVM{a, b} {
			d, _ := vm.request(px, stubToken(t, 2, "random-"+string(rune('a'+i%26))))
			equal(t, "random kid", reasonCode(d), "key_not_found")
		}
	}
	equal(t, "hits after flood", idp.jwksHits, 2)
	// After the cooldown one more refetch is allowed, and only one.
	px.now = px.now.Add(30 * time.Second)
	for i := 0; i < 10; i++ {
		for _, vm := range []*stubFilterVM{a, b} {
			vm.request(px, stubToken(t, 2, "other"))
		}
	}
	equal(t, "hits after cooldown", idp.jwksHits, 3)
}

// refetch_on_unknown_kid false: an unknown kid is 401 key_not_found at once.
func TestRemoteKeys_NoRefetchOnUnknownKid(t *testing.T) {
	idp := newStub(t)
	px := newStubProxy(t, idp)
	vm := newStubFilterVM(t, px, "vm0", remoteConfig(map[string]any{"refetch_on_unknown_kid": false}))
	vm.request(px, stubToken(t, 0, "k1"))
	d, outs := vm.request(px, stubToken(t, 1, "k2"))
	if reasonCode(d) != "key_not_found" || len(outs) != 0 {
		t.Fatalf("%s after %v", reasonCode(d), outs)
	}
	equal(t, "hits", idp.jwksHits, 1)
}

// Stale keys are served while the IdP is down, up to max_stale_seconds past
// their refresh time, then requests get 503.
func TestRemoteKeys_StaleWhileDown(t *testing.T) {
	idp := newStub(t)
	px := newStubProxy(t, idp)
	vm := newStubFilterVM(t, px, "vm0", remoteConfig(nil)) // cache 600 s, stale 3600 s
	tok := stubToken(t, 0, "k1")
	vm.coord.Tick()
	px.deliver()
	idp.set(func(s *stubIdP) { s.status = 500 })
	start := px.now
	for px.now.Before(start.Add(600*time.Second + 3600*time.Second)) {
		vm.coord.Tick()
		px.deliver()
		if d, _ := vm.request(px, tok); !d.Allow {
			t.Fatalf("at +%v: %s", px.now.Sub(start), reasonCode(d))
		}
		px.now = px.now.Add(10 * time.Second)
	}
	vm.coord.Tick()
	px.deliver()
	d, _ := vm.request(px, tok)
	equal(t, "after max stale", reasonCode(d), "jwks_unavailable")
	failed := 0
	for _, a := range vm.attempts {
		if a.Err != nil {
			failed++
		}
	}
	// 3600 s of failures with a 1..60 s backoff: about one a minute, not one a tick.
	if failed < 55 || failed > 80 {
		t.Fatalf("%d failed attempts in an hour", failed)
	}
	idp.set(func(s *stubIdP) { s.status = 0 })
	px.now = px.now.Add(time.Minute)
	vm.coord.Tick()
	px.deliver()
	if d, _ := vm.request(px, tok); !d.Allow {
		t.Fatalf("after recovery: %s", reasonCode(d))
	}
}

// Discovery: the issuer of the document must be the configured one exactly.
func TestRemoteKeys_Discovery(t *testing.T) {
	tests := []struct {
		name   string
		docIss string
		want   string
	}{
		{name: "matching issuer", docIss: "", want: "allow"},
		{name: "mismatching issuer", docIss: "https://evil.test", want: "jwks_unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idp := newStub(t)
			idp.docIss = tc.docIss
			px := newStubProxy(t, idp)
			cfg := remoteConfig(nil)
			rj := cfg["providers"].(map[string]any)["idp"].(map[string]any)["remote_jwks"].(map[string]any)
			delete(rj, "uri")
			rj["discovery"] = true
			vm := newStubFilterVM(t, px, "vm0", cfg)
			d, _ := vm.request(px, stubToken(t, 0, "k1"))
			equal(t, "decision", reasonCode(d), tc.want)
			equal(t, "discovery hits", idp.docHits, 1)
			if tc.want == "allow" {
				equal(t, "jwks hits", idp.jwksHits, 1)
			} else {
				equal(t, "jwks hits", idp.jwksHits, 0)
				if len(vm.attempts) != 1 || vm.attempts[0].Err == nil {
					t.Fatalf("attempts %+v", vm.attempts)
				}
				equal(t, "error", vm.attempts[0].Err.Error(), `discovery: issuer "https://evil.test" is not the configured "https://idp.test"`)
			}
		})
	}
}
