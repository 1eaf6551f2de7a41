package filter

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// credProxy is a native stand-in for one proxy with several VMs: one shared
// data store with CAS, one clock, and a token endpoint (an http.Handler)
// behind the cluster. Calls are answered when the test says (deliver), as
// the host's event loop would, never inside the guest call that made them.
type credProxy struct {
	t   *testing.T
	now time.Time
	fakeSharedData
	fakeCallQueue
	handler http.Handler
	vms     []*credVM
}

type credVM struct {
	p     *credProxy
	co    *shared.Coordinator
	creds []*upstreamCred
	logs  []string // attemptLog lines, "E " or "I " first
}

func (p *credProxy) Now() time.Time { return p.now }

func (p *credProxy) HttpCall(call *shared.Call, done func(*shared.Response)) error {
	resp := roundTrip(p.t, p.handler, call)
	p.later(func() { done(resp) })
	return nil
}

// tickAll ticks every VM, then delivers responses, then ticks again (so VMs
// that did not fetch adopt what was published).
func (p *credProxy) tickAll() {
	for _, vm := range p.vms {
		vm.co.Tick()
	}
	p.deliver()
	for _, vm := range p.vms {
		vm.co.Tick()
	}
}

func newCredProxy(t *testing.T, vms int, entry string, h http.Handler) *credProxy {
	p := &credProxy{t: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		fakeSharedData: newFakeSharedData(), handler: h}
	for i := 0; i < vms; i++ {
		co, err := shared.NewCoordinator(p, fmt.Sprintf("vm%d", i))
		if err != nil {
			t.Fatal(err)
		}
		vm := &credVM{p: p, co: co, creds: []*upstreamCred{mustCred(t, entry)}}
		err = attachUpstream(co, vm.creds, func(c *upstreamCred, a shared.Attempt) {
			msg, isErr := c.attemptLog(a, p.now)
			if isErr {
				msg = "E " + msg
			} else {
				msg = "I " + msg
			}
			vm.logs = append(vm.logs, msg)
		})
		if err != nil {
			t.Fatal(err)
		}
		p.vms = append(p.vms, vm)
	}
	return p
}

// tokenServer is a fake token endpoint: it counts requests and answers with
// a new token each time ("tok-<n>"), or with the status and body set.
type tokenServer struct {
	hits      atomic.Int32
	expiresIn int
	status    int    // 0: 200 with a token
	body      string // with status
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.hits.Add(1)
	if s.status != 0 {
		jsonHandler(s.status, s.body).ServeHTTP(w, r)
		return
	}
	jsonHandler(200, fmt.Sprintf(`{"access_token":"tok-%d","token_type":"Bearer","expires_in":%d}`, n, s.expiresIn)).ServeHTTP(w, r)
}

const runtimeEntry = `{"match":{"prefix":"/"},"cluster":"idp","token_uri":"https://idp/token",
	"client_id":"gateway","client_secret":"hunter2-secret","refresh_before_seconds":60,"timeout_ms":2000}`

// tokens returns what every VM would send at the proxy's now ("-" for none).
func (p *credProxy) tokens() string {
	var out []string
	for _, vm := range p.vms {
		tok, ok := vm.creds[0].currentToken(p.now)
		if !ok {
			tok = "-"
		}
		out = append(out, tok)
	}
	return strings.Join(out, ",")
}

func TestUpstreamCreds_oneFetchPerProxy(t *testing.T) {
	srv := &tokenServer{expiresIn: 600}
	p := newCredProxy(t, 4, runtimeEntry, srv)
	equal(t, "tokens before any tick", p.tokens(), "-,-,-,-")
	p.tickAll()
	equal(t, "hits", int(srv.hits.Load()), 1)
	equal(t, "tokens", p.tokens(), "tok-1,tok-1,tok-1,tok-1")
	for i := 0; i < 10; i++ {
		p.now = p.now.Add(10 * time.Second)
		p.tickAll()
	}
	equal(t, "hits after 100 s of ticks", int(srv.hits.Load()), 1)
}

func TestUpstreamCreds_refreshAhead(t *testing.T) {
	srv := &tokenServer{expiresIn: 600}
	p := newCredProxy(t, 3, runtimeEntry, srv)
	p.tickAll()
	// Fresh for 600-60 = 540 s: no refresh before, one refresh right after,
	// and the old token is served until the new one is published.
	p.now = p.now.Add(539 * time.Second)
	p.tickAll()
	equal(t, "hits at 539 s", int(srv.hits.Load()), 1)
	p.now = p.now.Add(time.Second)
	for _, vm := range p.vms {
		vm.co.Tick()
	}
	equal(t, "hits at 540 s", int(srv.hits.Load()), 2)
	equal(t, "old token served while the refresh is in flight", p.tokens(), "tok-1,tok-1,tok-1")
	p.deliver()
	for _, vm := range p.vms {
		vm.co.Tick()
	}
	equal(t, "new token everywhere", p.tokens(), "tok-2,tok-2,tok-2")
}

func TestUpstreamCreds_staleWhileRefreshFails(t *testing.T) {
	srv := &tokenServer{expiresIn: 600}
	p := newCredProxy(t, 2, runtimeEntry, srv)
	p.tickAll()
	srv.status, srv.body = 503, `{"error":"temporarily_unavailable"}`
	p.now = p.now.Add(540 * time.Second)
	p.tickAll()
	equal(t, "hits", int(srv.hits.Load()), 2)
	equal(t, "old token still served", p.tokens(), "tok-1,tok-1")
	// Backoff: 1 s, 2 s, 4 s ... between attempts, whichever VM makes them.
	var at []int
	start := p.now
	for s := 1; s <= 40; s++ {
		p.now = start.Add(time.Duration(s) * time.Second)
		before := srv.hits.Load()
		p.tickAll()
		if srv.hits.Load() > before {
			at = append(at, s)
		}
	}
	equal(t, "attempt times (s after the first failure)", at, []int{1, 3, 7, 15, 31})
	// Usable until 598 s after the fetch: then no token at all (fail closed).
	p.now = start.Add(57 * time.Second)
	p.tickAll()
	equal(t, "old token at 597 s", p.tokens(), "tok-1,tok-1")
	p.now = start.Add(58 * time.Second)
	equal(t, "no token from 598 s", p.tokens(), "-,-")
	srv.status = 0
	p.now = start.Add(63 * time.Second)
	p.tickAll()
	equal(t, "recovered", p.tokens(), "tok-8,tok-8")
}

func TestUpstreamCreds_rejectedLogsOncePerAttempt(t *testing.T) {
	srv := &tokenServer{status: 401, body: `{"error":"invalid_client","error_description":"no such client hunter2-secret"}`}
	p := newCredProxy(t, 3, runtimeEntry, srv)
	start := p.now
	for s := 0; s <= 10; s++ {
		p.now = start.Add(time.Duration(s) * time.Second)
		p.tickAll()
	}
	var logs []string
	for _, vm := range p.vms {
		logs = append(logs, vm.logs...)
	}
	// Attempts at 0, 1, 3, 7 s: four lines in the whole proxy, one per attempt.
	equal(t, "attempts", int(srv.hits.Load()), 4)
	equal(t, "log lines", len(logs), 4)
	for _, l := range logs {
		if !strings.HasPrefix(l, "E tokengate: upstream_credentials[0] (client_id \"gateway\", client_secret_basic, cluster \"idp\", https://idp/token): the token endpoint rejected the request: token endpoint: answered HTTP 401 (error=invalid_client)") {
			t.Errorf("log line %q", l)
		}
		if strings.Contains(l, "hunter2") {
			t.Errorf("log line holds the secret: %q", l)
		}
	}
	equal(t, "no token", p.tokens(), "-,-,-")
}

func TestUpstreamCred_attemptLog(t *testing.T) {
	c := mustCred(t, runtimeEntry)
	next := time.Date(2026, 3, 1, 12, 0, 4, 0, time.UTC)
	tests := []struct {
		name    string
		a       shared.Attempt
		want    string
		isError bool
	}{
		{name: "success", a: shared.Attempt{Version: 2},
			want: `tokengate: upstream_credentials[0] (client_id "gateway", client_secret_basic, cluster "idp", https://idp/token): token fetched`},
		{name: "timeout", a: shared.Attempt{Err: &tokenEndpointError{status: 504, msg: "answered HTTP 504"}, Failures: 3, NextAt: next},
			want: `tokengate: upstream_credentials[0] (client_id "gateway", client_secret_basic, cluster "idp", https://idp/token): token fetch failed: token endpoint: answered HTTP 504; failures in a row: 3; next attempt at 2026-03-01T12:00:04Z`},
		{name: "dispatch failure", a: shared.Attempt{Err: errors.New(`dispatching to cluster "idp": bad argument`), Failures: 1},
			want: `tokengate: upstream_credentials[0] (client_id "gateway", client_secret_basic, cluster "idp", https://idp/token): token fetch failed: dispatching to cluster "idp": bad argument; failures in a row: 1`},
		{name: "rejected", a: shared.Attempt{Err: &tokenEndpointError{status: 400, oauthError: "invalid_scope", msg: "answered HTTP 400"}, Failures: 1, NextAt: next},
			want:    `tokengate: upstream_credentials[0] (client_id "gateway", client_secret_basic, cluster "idp", https://idp/token): the token endpoint rejected the request: token endpoint: answered HTTP 400 (error=invalid_scope) (check client_id, client_secret, auth_method, scopes and endpoint_params); failures in a row: 1; next attempt at 2026-03-01T12:00:04Z`,
			isError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, isErr := c.attemptLog(tt.a, next)
			equal(t, "message", msg, tt.want)
			equal(t, "is error", isErr, tt.isError)
		})
	}
}

func TestUpstreamCred_currentToken_noState(t *testing.T) {
	c := mustCred(t, runtimeEntry)
	if tok, ok := c.currentToken(time.Now()); ok || tok != "" {
		t.Errorf("an entry without a slot gave a token %q", tok)
	}
}
