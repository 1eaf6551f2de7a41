package filter

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// introProxy is a native stand-in for a proxy with several VMs for the
// introspection runtime: shared data with CAS, one clock, and the fake IdP
// behind the cluster; responses arrive when the test delivers them.
type introProxy struct {
	t   *testing.T
	now time.Time
	fakeSharedData
	fakeCallQueue
	idp    *fakeIntrospectionIdP
	status int              // when not 0, the IdP answers this status instead
	reply  *shared.Response // when set, every call gets this response (the IdP is not asked)
	calls  int
	vms    []*introVM
}

type introVM struct {
	in   *introspection
	co   *shared.Coordinator
	rt   *introspectionRuntime
	logs []string
}

func (p *introProxy) Now() time.Time { return p.now }

func (p *introProxy) HttpCall(call *shared.Call, done func(*shared.Response)) error {
	p.calls++
	if p.reply != nil {
		r := p.reply
		p.later(func() { done(r) })
		return nil
	}
	resp := roundTrip(p.t, p.idp, call)
	status, body := resp.Status, resp.Body
	if p.status != 0 {
		status, body = p.status, []byte(`{"error":"down"}`)
	}
	p.later(func() { done(&shared.Response{Status: status, Body: body}) })
	return nil
}

func (p *introProxy) tickAll() {
	for _, vm := range p.vms {
		vm.rt.beginEvent()
		vm.co.Tick()
		vm.rt.tick()
	}
}

const introTestConfig = `{"opaque":{"cluster":"idp","uri":"https://idp.example/introspect","client_id":"gw","client_secret":"GATEWAY-SECRET",
	"issuer":"https://idp.example/","audiences":["api"],"cache_seconds":60,"negative_cache_seconds":5,"cache_max_entries":%d}}`

func newIntroProxy(t *testing.T, vms, entries int) *introProxy {
	p := &introProxy{t: t, now: time.Unix(1_800_000_000, 0), fakeSharedData: newFakeSharedData(),
		idp: &fakeIntrospectionIdP{id: "gw", secret: "GATEWAY-SECRET", active: map[string]map[string]any{}}}
	for i := 0; i < vms; i++ {
		vm := &introVM{in: mustIntrospection(t, sprintf(introTestConfig, entries))} // each VM parses its own config
		co, err := shared.NewCoordinator(p, "vm"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		vm.co = co
		vm.rt = newIntrospectionRuntime(p, co, func(in *introspection, a shared.Attempt) {
			msg, _ := in.attemptLog(a)
			vm.logs = append(vm.logs, msg)
		})
		p.vms = append(p.vms, vm)
	}
	return p
}

func sprintf(format string, n int) string {
	return string(bytes.Replace([]byte(format), []byte("%d"), []byte(strconv.Itoa(n)), 1))
}

// ask is one request's path through the runtime as the filter glue drives
// it: look up; on a miss prepare the bucket and wait; after waking look up
// again. It returns the lookup result when one is there at once (done) or the
// waiter's state.
type ask struct {
	vm     *introVM
	hash   [32]byte
	woke   bool
	waitOK bool
}

func (p *introProxy) ask(vm int, token string) (*ask, introspectionResult, bool) {
	v := p.vms[vm]
	v.rt.beginEvent()
	a := &ask{vm: v, hash: tokenHash(token)}
	res, version, ok := v.rt.lookup(v.in, a.hash, p.now)
	if ok {
		return a, res, true
	}
	s, err := v.rt.prepare(v.in, token, a.hash)
	if err != nil {
		p.t.Fatal(err)
	}
	out, _ := s.Await(version, false, func() { a.woke = true })
	a.waitOK = out == shared.Pending
	return a, introspectionResult{}, false
}

func (a *ask) result(t *testing.T, now time.Time) (introspectionResult, bool) {
	t.Helper()
	if !a.woke {
		t.Fatal("the waiting request was not woken")
	}
	res, _, ok := a.vm.rt.lookup(a.vm.in, a.hash, now)
	return res, ok
}

func (p *introProxy) activate(token, sub string, exp time.Time) {
	c := map[string]any{"sub": sub, "iss": "https://idp.example/", "aud": []string{"api"}, "scope": "read"}
	if !exp.IsZero() {
		c["exp"] = exp.Unix()
	}
	p.idp.active[token] = c
}

func TestIntrospectionRuntime_singleFlightAcrossVMs(t *testing.T) {
	p := newIntroProxy(t, 3, 4096)
	p.activate("tok-A", "alice", p.now.Add(time.Hour))

	// Ten concurrent requests with the new token, spread over three VMs.
	var asks []*ask
	for i := 0; i < 10; i++ {
		a, _, done := p.ask(i%3, "tok-A")
		if done || !a.waitOK {
			t.Fatalf("request %d: done %v wait %v, want a wait", i, done, a.waitOK)
		}
		asks = append(asks, a)
	}
	equal(t, "IdP calls before delivery", p.calls, 1)
	p.deliver()
	p.tickAll() // the other VMs learn on their tick
	for i, a := range asks {
		res, ok := a.result(t, p.now)
		if !ok || !res.active || res.claims == nil || res.claims.Subject() != "alice" {
			t.Fatalf("request %d after wake: ok %v result %+v", i, ok, res)
		}
	}
	// A hundred more requests on every VM: all from the cache.
	for i := 0; i < 100; i++ {
		if _, res, done := p.ask(i%3, "tok-A"); !done || res.claims == nil {
			t.Fatalf("cached request %d: done %v", i, done)
		}
	}
	equal(t, "IdP calls", p.calls, 1)
	equal(t, "IdP auth methods", p.idp.seen, []string{"client_secret_basic"})
	logs := 0
	for _, vm := range p.vms {
		logs += len(vm.logs)
	}
	equal(t, "attempt log lines (one per attempt, in the VM that made it)", logs, 1)

	for k, v := range p.data {
		if bytes.Contains(v, []byte("tok-A")) || bytes.Contains([]byte(k), []byte("tok-A")) || bytes.Contains(v, []byte("GATEWAY-SECRET")) {
			t.Errorf("shared data %q holds the token or the secret", k)
		}
	}
}

func TestIntrospectionRuntime_lifetimes(t *testing.T) {
	p := newIntroProxy(t, 2, 4096)
	p.activate("tok-A", "alice", p.now.Add(time.Hour))
	p.activate("tok-E", "eve", p.now.Add(10*time.Second))

	get := func(vm int, token string) introspectionResult {
		t.Helper()
		a, res, done := p.ask(vm, token)
		if done {
			return res
		}
		p.deliver()
		p.tickAll()
		res, ok := a.result(t, p.now)
		if !ok {
			t.Fatalf("%s: no answer after the wait", token)
		}
		return res
	}
	equal(t, "inactive", get(0, "tok-X").active, false)
	equal(t, "active", get(0, "tok-A").active, true)
	equal(t, "short exp", get(1, "tok-E").active, true)
	equal(t, "calls", p.calls, 3)

	// Revocation is seen once cache_seconds pass; expiry from exp.
	delete(p.idp.active, "tok-A")
	p.now = p.now.Add(4 * time.Second)
	get(1, "tok-X")
	get(1, "tok-A")
	equal(t, "calls within the lifetimes", p.calls, 3)
	p.now = p.now.Add(2 * time.Second) // 6 s: the negative entry (5 s) is gone
	equal(t, "inactive again", get(1, "tok-X").active, false)
	equal(t, "calls", p.calls, 4)
	p.now = p.now.Add(5 * time.Second) // 11 s: tok-E's exp (10 s) passed
	delete(p.idp.active, "tok-E")
	equal(t, "expired token asked again", get(0, "tok-E").active, false)
	equal(t, "calls", p.calls, 5)
	if res := get(0, "tok-A"); !res.active {
		t.Fatal("revoked token not served from the cache before cache_seconds")
	}
	p.now = p.now.Add(50 * time.Second) // 61 s
	equal(t, "revoked after cache_seconds", get(0, "tok-A").active, false)
	equal(t, "calls", p.calls, 6)
}

func TestIntrospectionRuntime_idpDown(t *testing.T) {
	p := newIntroProxy(t, 1, 4096)
	p.activate("tok-A", "alice", time.Time{})
	p.status = 500
	a, _, _ := p.ask(0, "tok-A")
	p.deliver()
	if _, ok := a.result(t, p.now); ok {
		t.Fatal("an answer after a 500")
	}
	if len(p.vms[0].logs) != 1 || !bytes.Contains([]byte(p.vms[0].logs[0]), []byte("introspection failed: introspection: status 500")) {
		t.Fatalf("logs %q", p.vms[0].logs)
	}
	// Within the backoff the bucket refuses at once: no call.
	b, _, _ := p.ask(0, "tok-A")
	equal(t, "wait refused during backoff", b.waitOK, false)
	equal(t, "calls", p.calls, 1)
	// After the backoff and with the IdP back, the token is introspected.
	p.status = 0
	p.now = p.now.Add(time.Second)
	c, _, _ := p.ask(0, "tok-A")
	p.deliver()
	if res, ok := c.result(t, p.now); !ok || !res.active {
		t.Fatalf("after recovery: %v %+v", ok, res)
	}
	equal(t, "calls", p.calls, 2)
}

func TestIntrospectionRuntime_bucketBound(t *testing.T) {
	p := newIntroProxy(t, 1, 4) // one bucket of 4 entries
	for i := 0; i < 6; i++ {
		tok := "tok-" + strconv.Itoa(i)
		p.activate(tok, "u"+strconv.Itoa(i), p.now.Add(time.Duration(10+i)*time.Minute))
		a, _, _ := p.ask(0, tok)
		p.deliver()
		if res, ok := a.result(t, p.now); !ok || !res.active {
			t.Fatalf("%s: %v %+v", tok, ok, res)
		}
	}
	if len(p.data) != 2 { // the bucket's value and state records
		t.Fatalf("%d shared-data keys, want 2", len(p.data))
	}
	v, _ := shared.Peek(p, p.vms[0].in.cacheKey(tokenHash("tok-0")))
	entries, err := decodeBucket(v.Payload)
	if err != nil || len(entries) != 4 {
		t.Fatalf("bucket: %d entries, %v", len(entries), err)
	}
	// The entries expiring first (tok-0, tok-1) made room.
	clear(p.vms[0].rt.local)
	for i, want := range []bool{false, false, true, true, true, true} {
		_, _, done := p.ask(0, "tok-"+strconv.Itoa(i))
		equal(t, "cached tok-"+strconv.Itoa(i), done, want)
	}
	p.deliver() // the misses above asked again
	p.tickAll()
	if len(p.vms[0].rt.fetchers) != 0 {
		t.Errorf("%d idle fetchers kept after the tick", len(p.vms[0].rt.fetchers))
	}
}
