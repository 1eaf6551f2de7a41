package filter

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// A fake proxy for native tests of remote keys: shared data with CAS, an
// http-call queue answered by an http.Handler (the stub IdP below), a clock.
// Each stubVM is one VM's shared.Host over it.

type stubProxy struct {
	t *testing.T
	fakeSharedData
	fakeCallQueue
	now time.Time
	idp http.Handler
}

type stubVM struct{ px *stubProxy }

func newStubProxy(t *testing.T, idp http.Handler) *stubProxy {
	return &stubProxy{t: t, fakeSharedData: newFakeSharedData(), now: testNow, idp: idp}
}

func (v *stubVM) Now() time.Time { return v.px.now }

func (v *stubVM) GetSharedData(key string) ([]byte, uint32, error) { return v.px.GetSharedData(key) }

func (v *stubVM) SetSharedData(key string, b []byte, cas uint32) error {
	return v.px.SetSharedData(key, b, cas)
}

// HttpCall queues the call; deliver answers it (the IdP is asked then).
func (v *stubVM) HttpCall(c *shared.Call, done func(*shared.Response)) error {
	v.px.later(func() { done(v.px.serve(c)) })
	return nil
}

func (px *stubProxy) serve(c *shared.Call) *shared.Response {
	r := roundTrip(px.t, px.idp, c)
	if r.Status == 599 { // the stub's "connection refused"
		return &shared.Response{}
	}
	for i := range r.Headers {
		r.Headers[i][0] = strings.ToLower(r.Headers[i][0])
	}
	return r
}

// stubIdP serves a JWKS and a discovery document, with test controls.
type stubIdP struct {
	mu       sync.Mutex
	issuer   string
	keys     []*rsa.PrivateKey
	kids     []string
	down     bool   // answer as a refused connection
	status   int    // non-zero: answer this status
	maxAge   string // Cache-Control value
	docIss   string // issuer in the discovery document ("" = issuer)
	jwksHits int
	docHits  int
}

func (s *stubIdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/jwks":
		s.jwksHits++
	case "/.well-known/openid-configuration":
		s.docHits++
	default:
		http.NotFound(w, r)
		return
	}
	if s.down {
		w.WriteHeader(599)
		return
	}
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	if r.URL.Path != "/jwks" {
		iss := s.docIss
		if iss == "" {
			iss = s.issuer
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": s.issuer + "/jwks"})
		return
	}
	var list []map[string]any
	for i, k := range s.keys {
		list = append(list, rsaJWK(k, s.kids[i]))
	}
	if s.maxAge != "" {
		w.Header().Set("Cache-Control", s.maxAge)
	}
	json.NewEncoder(w).Encode(map[string]any{"keys": list})
}

func (s *stubIdP) set(f func(s *stubIdP)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// stubFilterVM is one VM: its own compiled configuration bound to its own
// Coordinator over the shared fake proxy.
type stubFilterVM struct {
	cfg      *compiledConfig
	coord    *shared.Coordinator
	attempts []shared.Attempt
}

func newStubFilterVM(t *testing.T, px *stubProxy, name string, config map[string]any) *stubFilterVM {
	t.Helper()
	cfg, err := parseConfig([]byte(mustJSON(t, config)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := shared.NewCoordinator(&stubVM{px}, name)
	if err != nil {
		t.Fatal(err)
	}
	vm := &stubFilterVM{cfg: cfg, coord: c}
	for _, p := range cfg.providers {
		if p.remote != nil {
			err := p.remote.bind(c, func(_ *remoteKeys, a shared.Attempt) { vm.attempts = append(vm.attempts, a) },
				func(int, string) {})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return vm
}

// request decides a GET / with a bearer token, as the glue does: wait at most
// once per slot. It returns the final decision and how the waits went.
func (vm *stubFilterVM) request(px *stubProxy, tok string) (Decision, []shared.Outcome) {
	req := &Request{Method: "GET", Target: "/", Headers: [][2]string{bearer(tok)}}
	return decideLikeGlue(px.t, vm.cfg, req, waitKeys, &px.now, vm.coord.Tick, px.deliver)
}

// decideLikeGlue decides req as the glue does (http.go run/resume): wait at
// most once per slot; while waiting, deliver the pending http-call answers
// and tick (the clock *now 100 ms further each time) until the waiter wakes.
// Every wait must be for what. It returns the final decision and how the
// waits went.
func decideLikeGlue(t *testing.T, cfg *compiledConfig, req *Request, what string, now *time.Time, tick, deliver func()) (Decision, []shared.Outcome) {
	t.Helper()
	var outs []shared.Outcome
	var waited []*shared.Slot
	for round := 0; round < maxDecideRounds+2; round++ {
		d := decide(cfg, req, *now)
		if d.Wait == nil || containsSlot(waited, d.Wait.slot) {
			return d, outs
		}
		equal(t, "waits for", d.Wait.what, what)
		woke := false
		out, _ := d.Wait.slot.Await(d.Wait.have, d.Wait.force, func() { woke = true })
		outs = append(outs, out)
		switch out {
		case shared.Refused:
			return d, outs
		case shared.Pending:
			waited = append(waited, d.Wait.slot)
			deliver()
			for i := 0; !woke && i < 100; i++ {
				*now = now.Add(100 * time.Millisecond)
				tick()
				deliver()
			}
			if !woke {
				t.Fatal("waiter never woke")
			}
		}
	}
	t.Fatal("too many rounds")
	return Decision{}, nil
}

func containsSlot(list []*shared.Slot, s *shared.Slot) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
