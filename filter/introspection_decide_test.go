package filter

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

const introDecideSecret = "0123456789abcdef0123456789abcdef"

// introDecideConfig: a JWT provider and an introspection provider; /either
// accepts both, /opaque only introspection (with a scope), /jwt only JWTs.
func introDecideConfig(extra string) string {
	return `{
  "providers": {"local": {"issuer": "https://local.example/", "hmac_secret": "` + introDecideSecret + `", "audiences": ["api"]}},
  "introspection": {"opaque": {"cluster": "idp", "uri": "https://idp.example/introspect", "client_id": "gw",
    "client_secret": "GATEWAY-SECRET", "issuer": "https://idp.example/", "audiences": ["api"],
    "claim_to_headers": [{"claim": "sub", "header": "x-auth-sub"}]` + extra + `}},
  "rules": [
    {"match": {"prefix": "/either"}, "require": {"any": ["local", "opaque"]}},
    {"match": {"prefix": "/opaque"}, "require": {"provider": "opaque", "scopes": ["write"]}},
    {"match": {"prefix": "/jwt"}, "require": {"provider": "local"}}
  ]
}`
}

// introDecideEnv is one VM: a compiled config whose introspection provider
// is bound to a runtime over the native fake proxy.
func introDecideEnv(t *testing.T, extra string) (*introProxy, *compiledConfig) {
	t.Helper()
	return introDecideEnvFor(t, introDecideConfig(extra))
}

// introDecideEnvFor is introDecideEnv with a whole configuration; the VM's
// first introspection provider is the one the fake proxy drives.
func introDecideEnvFor(t *testing.T, config string) (*introProxy, *compiledConfig) {
	t.Helper()
	p := newIntroProxy(t, 0, 4096)
	cfg, err := parseConfig([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	co, err := shared.NewCoordinator(p, "vm0")
	if err != nil {
		t.Fatal(err)
	}
	rt := newIntrospectionRuntime(p, co, nil)
	for _, in := range cfg.introspections {
		in.rt = rt
	}
	p.vms = append(p.vms, &introVM{in: cfg.introspections[0], co: co, rt: rt})
	return p, cfg
}

func introBearer(path, token string) *Request {
	return &Request{Method: "GET", Target: path, Headers: [][2]string{
		{":method", "GET"}, {":path", path}, {"authorization", "Bearer " + token}, {"x-auth-sub", "spoofed"}}}
}

// decideWaiting runs decide as the glue does: on a Wait, Await, deliver the
// IdP's answer, and decide again once.
func decideWaiting(t *testing.T, p *introProxy, cfg *compiledConfig, req *Request) (first, final Decision) {
	t.Helper()
	p.vms[0].rt.beginEvent()
	first = decide(cfg, req, p.now)
	if first.Wait == nil {
		return first, first
	}
	equal(t, "waits for", first.Wait.what, waitIntrospection)
	woke := false
	out, _ := first.Wait.slot.Await(first.Wait.have, first.Wait.force, func() { woke = true })
	if out != shared.Pending {
		return first, first // the fallback
	}
	p.deliver()
	if !woke {
		t.Fatal("not woken")
	}
	return first, decide(cfg, req, p.now)
}

func TestDecide_introspection(t *testing.T) {
	p, cfg := introDecideEnv(t, "")
	p.activate("opaque-read", "alice", p.now.Add(time.Hour))
	p.idp.active["opaque-write"] = map[string]any{"sub": "bob", "iss": "https://idp.example/", "aud": "api", "scope": "read write"}
	p.idp.active["opaque-evil"] = map[string]any{"sub": "mallory", "iss": "https://evil.example/", "aud": "api"}
	jwt := signHS256(t, []byte(introDecideSecret), claims{"iss": "https://local.example/", "aud": "api", "sub": "jay",
		"exp": p.now.Add(time.Hour).Unix()})
	foreignJWT := signHS256(t, []byte(introDecideSecret), claims{"iss": "https://other.example/", "aud": "api", "sub": "x",
		"exp": p.now.Add(time.Hour).Unix()})

	tests := []struct {
		name     string
		path     string
		token    string
		waits    bool
		allow    bool
		status   uint32
		reason   string
		subject  string // x-auth-sub set on allow
		stripped bool
	}{
		{name: "opaque active", path: "/either", token: "opaque-read", waits: true, allow: true, subject: "alice", stripped: true},
		{name: "opaque active again from the cache", path: "/either", token: "opaque-read", allow: true, subject: "alice", stripped: true},
		{name: "jwt on the either route", path: "/either", token: jwt, allow: true, stripped: true},
		{name: "opaque inactive", path: "/either", token: "opaque-unknown", waits: true, status: 401, reason: "token_inactive"},
		{name: "opaque inactive from the cache", path: "/either", token: "opaque-unknown", status: 401, reason: "token_inactive"},
		{name: "opaque on a jwt-only route", path: "/jwt", token: "opaque-read", status: 401, reason: "token_malformed"},
		{name: "foreign jwt is introspected", path: "/either", token: foreignJWT, waits: true, status: 401, reason: "token_inactive"},
		{name: "missing scope", path: "/opaque", token: "opaque-read", status: 403, reason: "insufficient_scope"},
		{name: "scope present", path: "/opaque", token: "opaque-write", waits: true, allow: true, subject: "bob", stripped: true},
		{name: "issuer checked", path: "/either", token: "opaque-evil", waits: true, status: 401, reason: "issuer_not_allowed"},
		{name: "too large", path: "/either", token: strings.Repeat("a", 9000), status: 401, reason: "token_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := p.calls
			first, d := decideWaiting(t, p, cfg, introBearer(tt.path, tt.token))
			equal(t, "waited", first.Wait != nil, tt.waits)
			if tt.waits {
				equal(t, "fallback status", first.Reply.status, uint32(503))
				equal(t, "fallback reason", first.Reason.code, "introspection_unavailable")
				equal(t, "IdP calls", p.calls, calls+1)
			} else {
				equal(t, "IdP calls", p.calls, calls)
			}
			if d.Wait != nil {
				t.Fatal("still waiting after the answer")
			}
			equal(t, "allow", d.Allow, tt.allow)
			if !tt.allow {
				equal(t, "status", d.Reply.status, tt.status)
				equal(t, "reason", d.Reason.code, tt.reason)
				return
			}
			sub, auth := "", "Bearer "+tt.token
			for _, h := range d.Set {
				if h[0] == "x-auth-sub" {
					sub = h[1]
				}
			}
			if containsString(d.Remove, "authorization") {
				auth = ""
			}
			if !containsString(d.Remove, "x-auth-sub") {
				t.Error("the spoofable claim header is not removed")
			}
			equal(t, "x-auth-sub", sub, tt.subject)
			equal(t, "token stripped", auth == "", tt.stripped)
		})
	}
	equal(t, "auth method seen by the IdP", p.idp.seen[0], "client_secret_basic")
}

func TestDecide_introspectionUnavailable(t *testing.T) {
	tests := []struct {
		name string
		body string // IdP answer body with status 200; "" uses status 500
	}{
		{name: "500"},
		{name: "garbage", body: "<html>"},
		{name: "active not boolean", body: `{"active":"true","sub":"x"}`},
		{name: "duplicate active", body: `{"active":true,"active":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, cfg := introDecideEnv(t, `, "auth_method": "client_secret_post"`)
			p.activate("opaque-read", "alice", time.Time{})
			p.status = 500
			if tt.body != "" {
				p.reply = &shared.Response{Status: 200, Body: []byte(tt.body)}
			}
			first := decide(cfg, introBearer("/either", "opaque-read"), p.now)
			if first.Wait == nil {
				t.Fatal("no wait")
			}
			out, _ := first.Wait.slot.Await(first.Wait.have, false, func() {})
			if out != shared.Pending {
				t.Fatalf("Await = %v", out)
			}
			p.deliver()
			d := decide(cfg, introBearer("/either", "opaque-read"), p.now)
			// The glue never waits twice on a slot: the fallback is sent.
			if d.Wait == nil || d.Allow {
				t.Fatalf("after a failed introspection: wait %v allow %v", d.Wait != nil, d.Allow)
			}
			equal(t, "status", d.Reply.status, uint32(503))
			equal(t, "reason", d.Reason.code, "introspection_unavailable")
			ra := ""
			for _, h := range d.Reply.headers {
				if h[0] == "retry-after" {
					ra = h[1]
				}
			}
			if n, err := strconv.Atoi(ra); err != nil || n < 1 {
				t.Errorf("retry-after %q", ra)
			}
			// Within the backoff the bucket refuses a new wait.
			if out, _ := d.Wait.slot.Await(d.Wait.have, false, func() {}); out != shared.Refused {
				t.Errorf("Await during backoff = %v, want refused", out)
			}
		})
	}
}

func Test_parseConfig_introspection(t *testing.T) {
	tests := []struct {
		name string
		cfg  string
		want string
	}{
		{name: "two introspection providers on one source", cfg: `{"introspection": {
			"a": {"cluster": "c", "uri": "https://i/", "client_id": "x", "client_secret": "y"},
			"b": {"cluster": "c", "uri": "https://j/", "client_id": "x", "client_secret": "y"}}}`,
			want: "introspection.b: introspection providers a and b both read tokens from header authorization: a token may be sent to one authorization server only (use separate rules or token_from)"},
		{name: "same name as a jwt provider", cfg: `{"providers": {"a": {"issuer": "i", "hmac_secret": "` + introDecideSecret + `"}},
			"introspection": {"a": {"cluster": "c", "uri": "https://i/", "client_id": "x", "client_secret": "y"}}}`,
			want: "introspection.a: providers.a has the same name (rules name providers of both kinds)"},
		{name: "claim header read as a token source", cfg: `{"introspection": {
			"a": {"cluster": "c", "uri": "https://i/", "client_id": "x", "client_secret": "y",
			      "claim_to_headers": [{"claim": "sub", "header": "x-token"}], "token_from": [{"header": "x-token"}]}}}`,
			want: `introspection.a.claim_to_headers[0].header: "x-token" is a token_from header of introspection.a (header x-token)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tt.cfg))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			equal(t, "error", err.Error(), tt.want)
		})
	}
	// One issuer may have both kinds (JWT access tokens and opaque ones).
	if _, err := parseConfig([]byte(`{"providers": {"jwt": {"issuer": "https://idp/", "hmac_secret": "` + introDecideSecret + `"}},
		"introspection": {"opaque": {"cluster": "c", "uri": "https://i/", "client_id": "x", "client_secret": "y", "issuer": "https://idp/"}}}`)); err != nil {
		t.Errorf("jwt and introspection providers with one issuer: %v", err)
	}
}

// Two introspection providers asking the same server as the same client
// (one fingerprint) but accepting different audiences: claims checked for
// one must never be served to the other from the VM-local copy.
func TestDecide_introspectionProvidersKeepTheirOwnChecks(t *testing.T) {
	const provider = `"cluster": "idp", "uri": "https://idp.example/introspect", "client_id": "gw",
    "client_secret": "GATEWAY-SECRET", "issuer": "https://idp.example/"`
	conf := `{
  "introspection": {
    "api": {` + provider + `, "audiences": ["api"]},
    "admin": {` + provider + `, "audiences": ["admin"]}
  },
  "rules": [
    {"match": {"prefix": "/api"}, "require": {"provider": "api"}},
    {"match": {"prefix": "/admin"}, "require": {"provider": "admin"}}
  ]
}`
	tests := []struct {
		name  string
		order []string // paths asked in turn with the same token; the last one's outcome is checked
		allow bool
		why   string
	}{
		{name: "api then admin", order: []string{"/api", "/admin"}, why: "audience_not_allowed"},
		{name: "admin, api, admin", order: []string{"/admin", "/api", "/admin"}, why: "audience_not_allowed"},
		{name: "api, admin, api", order: []string{"/api", "/admin", "/api"}, allow: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, cfg := introDecideEnvFor(t, conf)
			p.idp.active["opaque-api"] = map[string]any{"sub": "alice", "iss": "https://idp.example/",
				"aud": "api", "exp": p.now.Add(time.Hour).Unix()}
			var d Decision
			for _, path := range tt.order {
				_, d = decideWaiting(t, p, cfg, introBearer(path, "opaque-api"))
			}
			if d.Allow != tt.allow {
				t.Fatalf("allow: have %v, want %v", d.Allow, tt.allow)
			}
			if !tt.allow {
				equal(t, "reason", d.Reason.code, tt.why)
			}
		})
	}
}
