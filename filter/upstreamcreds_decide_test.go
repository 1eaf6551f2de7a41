package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// upstreamConfig is the seed configuration plus two upstream_credentials
// entries: the gateway's token for GET/POST /api in Authorization, and for
// the public /health route in x-gw-token.
func upstreamConfig(t *testing.T) map[string]any {
	cfg := seedConfig(t)
	cfg["upstream_credentials"] = []any{
		map[string]any{"match": map[string]any{"prefix": "/api"}, "cluster": "idp",
			"token_uri": "https://idp/oauth2/token", "client_id": "gateway", "client_secret": "s3cret",
			"scopes": []string{"inventory:read"}, "endpoint_params": map[string]any{"audience": []string{"https://inventory.internal"}}},
		map[string]any{"match": map[string]any{"prefix": "/health"}, "cluster": "idp",
			"token_uri": "https://idp/oauth2/token", "client_id": "gateway-health", "client_secret": "s3cret",
			"header": "X-GW-Token", "auth_method": "client_secret_post"},
	}
	return cfg
}

// credFilterVM is one VM with the whole filter configuration bound to a
// Coordinator over the fake proxy of upstreamcreds_runtime_test.go.
type credFilterVM struct {
	cfg *compiledConfig
	co  *shared.Coordinator
}

func newCredFilterVM(t *testing.T, p *credProxy, name string, config map[string]any) *credFilterVM {
	t.Helper()
	cfg, err := parseConfig([]byte(mustJSON(t, config)))
	if err != nil {
		t.Fatal(err)
	}
	co, err := shared.NewCoordinator(p, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := attachUpstream(co, cfg.upstream, nil); err != nil {
		t.Fatal(err)
	}
	return &credFilterVM{cfg: cfg, co: co}
}

// request decides like the glue (http.go run/resume): wait at most once per
// slot, deliver the token endpoint's answers, tick until the waiter wakes.
func (vm *credFilterVM) request(p *credProxy, method, target string, headers ...[2]string) (Decision, []shared.Outcome) {
	req := &Request{Method: method, Target: target, Headers: headers}
	return decideLikeGlue(p.t, vm.cfg, req, waitUpstreamToken, &p.now, vm.co.Tick, p.deliver)
}

func setOf(d Decision, name string) (string, int) {
	v, n := "", 0
	for _, kv := range d.Set {
		if kv[0] == name {
			v, n = kv[1], n+1
		}
	}
	return v, n
}

func TestDecide_upstreamCredentials(t *testing.T) {
	tf := newTokens(t)
	srv := &tokenServer{expiresIn: 3600}
	p := newCredProxy(t, 0, runtimeEntry, srv)
	p.now = testNow
	vm := newCredFilterVM(t, p, "vm0", upstreamConfig(t))
	vm.co.Tick() // the first tick fetches both entries' tokens
	p.deliver()
	equal(t, "token requests", int(srv.hits.Load()), 2)

	read := bearer(tf.auth0("read", nil))
	tests := []struct {
		name       string
		method     string
		target     string
		headers    [][2]string
		wantReason string // "allow" or a reason code
		wantHeader string // the header the gateway sets ("" for none)
		wantValue  string
		wantRemove []string // must be in Remove
	}{
		{name: "client token checked, then replaced by the gateway's", method: "GET", target: "/api/items",
			headers: [][2]string{read}, wantReason: "allow", wantHeader: "authorization", wantValue: "Bearer tok-1",
			wantRemove: []string{"authorization"}},
		{name: "inbound checks run first", method: "GET", target: "/api/items", wantReason: "token_missing"},
		{name: "inbound scope check first", method: "POST", target: "/api/items", headers: [][2]string{read},
			wantReason: "insufficient_scope"},
		{name: "public route, own header, client's value dropped", method: "GET", target: "/health",
			headers:    [][2]string{{"x-gw-token", "Bearer forged"}, {"authorization", "Bearer mine"}},
			wantReason: "allow", wantHeader: "x-gw-token", wantValue: "Bearer tok-2", wantRemove: []string{"x-gw-token"}},
		{name: "route without an entry", method: "GET", target: "/app", headers: [][2]string{bearer(tf.fusion(nil))},
			wantReason: "allow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, outs := vm.request(p, tt.method, tt.target, tt.headers...)
			equal(t, "reason", reasonCode(d), tt.wantReason)
			equal(t, "waits", len(outs), 0)
			for _, h := range []string{"authorization", "x-gw-token"} {
				v, n := setOf(d, h)
				if h == tt.wantHeader {
					equal(t, "set "+h, v, tt.wantValue)
					equal(t, "times set "+h, n, 1)
				} else if n != 0 {
					t.Errorf("%s set to %q", h, v)
				}
			}
			for _, h := range tt.wantRemove {
				if !containsString(d.Remove, h) {
					t.Errorf("Remove %q lacks %q", d.Remove, h)
				}
			}
		})
	}
}

// Before any token exists the request waits for the fetch it starts and is
// allowed with the token; other VMs take the published token.
func TestDecide_upstreamCredentials_firstRequestWaits(t *testing.T) {
	tf := newTokens(t)
	srv := &tokenServer{expiresIn: 3600}
	p := newCredProxy(t, 0, runtimeEntry, srv)
	p.now = testNow
	vm0 := newCredFilterVM(t, p, "vm0", upstreamConfig(t))
	vm1 := newCredFilterVM(t, p, "vm1", upstreamConfig(t))
	read := bearer(tf.auth0("read", nil))

	d, outs := vm0.request(p, "GET", "/api/items", read)
	equal(t, "vm0 reason", reasonCode(d), "allow")
	equal(t, "vm0 waits", outs, []shared.Outcome{shared.Pending})
	v, _ := setOf(d, "authorization")
	equal(t, "vm0 token", v, "Bearer tok-1")

	d, outs = vm1.request(p, "GET", "/api/items", read)
	equal(t, "vm1 reason", reasonCode(d), "allow")
	equal(t, "vm1 waits", outs, []shared.Outcome{shared.Ready})
	v, _ = setOf(d, "authorization")
	equal(t, "vm1 token", v, "Bearer tok-1")
	equal(t, "token requests", int(srv.hits.Load()), 1)
}

// With the token endpoint down and no token, the waiting request gets 503
// upstream_token_unavailable with Retry-After; during the backoff the next
// ones get it at once; after recovery they are allowed.
func TestDecide_upstreamCredentials_downAtStart(t *testing.T) {
	tf := newTokens(t)
	srv := &tokenServer{status: 500, body: `{"error":"server_error"}`}
	p := newCredProxy(t, 0, runtimeEntry, srv)
	p.now = testNow
	vm := newCredFilterVM(t, p, "vm0", upstreamConfig(t))
	read := bearer(tf.auth0("read", nil))

	d, outs := vm.request(p, "GET", "/api/items", read)
	equal(t, "reason", reasonCode(d), "upstream_token_unavailable")
	equal(t, "waits", outs, []shared.Outcome{shared.Pending})
	equal(t, "status", d.Reply.status, uint32(503))
	equal(t, "retry-after", header(d.Reply.headers, "retry-after"), "1")
	equal(t, "no challenge", header(d.Reply.headers, "www-authenticate"), "")
	if _, n := setOf(d, "authorization"); n != 0 || d.Allow {
		t.Fatal("a denied request carries the gateway header")
	}
	if !strings.Contains(string(d.Reply.body), `"reason":"upstream_token_unavailable"`) {
		t.Errorf("body %s", d.Reply.body)
	}

	d, outs = vm.request(p, "GET", "/api/items", read)
	equal(t, "during backoff", reasonCode(d), "upstream_token_unavailable")
	equal(t, "refused", outs, []shared.Outcome{shared.Refused})

	srv.status = 0
	srv.expiresIn = 600
	p.now = p.now.Add(5 * time.Second)
	d, _ = vm.request(p, "GET", "/api/items", read)
	equal(t, "recovered", reasonCode(d), "allow")
	if v, _ := setOf(d, "authorization"); !strings.HasPrefix(v, "Bearer tok-") {
		t.Errorf("authorization %q", v)
	}
}

func Test_parseConfig_upstreamCredentials(t *testing.T) {
	tests := []struct {
		name string
		edit func(c map[string]any)
		want string // "" for no error
	}{
		{name: "accepted", edit: func(map[string]any) {}},
		{name: "header set by a provider", edit: func(c map[string]any) {
			c["upstream_credentials"].([]any)[1].(map[string]any)["header"] = "X-JWT-Sub"
		}, want: `upstream_credentials[1].header: "x-jwt-sub" is set by a provider (claim_to_headers or payload_header)`},
		{name: "entry fault named", edit: func(c map[string]any) {
			c["upstream_credentials"].([]any)[0].(map[string]any)["auth_method"] = "none"
		}, want: `upstream_credentials[0].auth_method: must be "client_secret_basic" or "client_secret_post", not "none"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := upstreamConfig(t)
			tt.edit(c)
			cfg, err := parseConfig([]byte(mustJSON(t, c)))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "entries", len(cfg.upstream), 2)
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			equal(t, "error", err.Error(), tt.want)
		})
	}
}

// Without a Coordinator (no slot: plugin start never bound the entry) a
// matching request is denied, never forwarded without the token.
func TestDecide_upstreamCredentials_unbound(t *testing.T) {
	cfg, err := parseConfig([]byte(mustJSON(t, upstreamConfig(t))))
	if err != nil {
		t.Fatal(err)
	}
	d := decide(cfg, &Request{Method: "GET", Target: "/health"}, testNow)
	equal(t, "reason", reasonCode(d), "upstream_token_unavailable")
	if d.Wait != nil {
		t.Error("waits without a slot")
	}
}
