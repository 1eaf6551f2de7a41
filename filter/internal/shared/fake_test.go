package shared

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// store is the fake shared data of one proxy: every fakeHost of a test shares it.
type store struct {
	m    map[string]rec
	last uint32
	// beforeSet, when set, runs at the start of every SetSharedData (once per
	// hook installation), so a test can interleave another VM between a read
	// and a CAS write.
	beforeSet func(key string)
	sets      int
}

type rec struct {
	v   []byte
	cas uint32
}

type clock struct{ now time.Time }

func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

// fakeHost is one VM's view of the proxy.
type fakeHost struct {
	name    string
	st      *store
	clk     *clock
	pending []*pendingCall
	calls   int   // dispatched calls
	failDsp error // HttpCall fails with this when set
}

type pendingCall struct {
	call *Call
	done func(*Response)
}

func (h *fakeHost) Now() time.Time { return h.clk.now }

func (h *fakeHost) GetSharedData(key string) ([]byte, uint32, error) {
	r, ok := h.st.m[key]
	if !ok {
		return nil, 0, ErrNotFound
	}
	return append([]byte(nil), r.v...), r.cas, nil
}

func (h *fakeHost) SetSharedData(key string, v []byte, cas uint32) error {
	if f := h.st.beforeSet; f != nil {
		h.st.beforeSet = nil
		f(key)
	}
	h.st.sets++
	if r, ok := h.st.m[key]; ok && cas != 0 && cas != r.cas {
		return fmt.Errorf("set %q: %w", key, ErrCasMismatch)
	}
	h.st.last++
	h.st.m[key] = rec{append([]byte(nil), v...), h.st.last}
	return nil
}

func (h *fakeHost) HttpCall(c *Call, done func(*Response)) error {
	if h.failDsp != nil {
		return h.failDsp
	}
	h.calls++
	h.pending = append(h.pending, &pendingCall{c, done})
	return nil
}

// respond answers the oldest pending call of this VM.
func (h *fakeHost) respond(t *testing.T, r *Response) {
	t.Helper()
	if len(h.pending) == 0 {
		t.Fatalf("%s: no pending call to answer", h.name)
	}
	p := h.pending[0]
	h.pending = h.pending[1:]
	p.done(r)
}

// proxy is a test's set of VMs over one store and clock.
type proxy struct {
	t     *testing.T
	st    *store
	clk   *clock
	hosts []*fakeHost
	vms   []*Coordinator
	slots []*Slot
	rec   []*recorder
}

// recorder collects OnUpdate and OnAttempt of one VM's slot.
type recorder struct {
	updates  []uint64
	attempts []Attempt
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newProxy(t *testing.T, n int) *proxy {
	p := &proxy{t: t, st: &store{m: map[string]rec{}}, clk: &clock{now: t0}}
	for i := 0; i < n; i++ {
		h := &fakeHost{name: fmt.Sprintf("vm%d", i), st: p.st, clk: p.clk}
		c, err := NewCoordinator(h, h.name)
		if err != nil {
			t.Fatal(err)
		}
		p.hosts = append(p.hosts, h)
		p.vms = append(p.vms, c)
	}
	return p
}

// slot creates key on every VM with fetcher f and policy pol.
func (p *proxy) slot(key string, f Fetcher, pol Policy) {
	p.t.Helper()
	p.slots, p.rec = nil, nil
	for _, c := range p.vms {
		r := &recorder{}
		s, err := c.Slot(key, Config{Fetcher: f, Policy: pol,
			OnUpdate:  func(v Value) { r.updates = append(r.updates, v.Version) },
			OnAttempt: func(a Attempt) { r.attempts = append(r.attempts, a) }})
		if err != nil {
			p.t.Fatal(err)
		}
		p.slots = append(p.slots, s)
		p.rec = append(p.rec, r)
	}
}

func (p *proxy) tickAll() {
	for _, c := range p.vms {
		c.Tick()
	}
}

func (p *proxy) calls() int {
	n := 0
	for _, h := range p.hosts {
		n += h.calls
	}
	return n
}

// okFetcher answers 200 with the body as the value; anything else fails.
// With discovery, the first call fetches a document whose body names the
// path of the second call.
type okFetcher struct {
	fresh, usable time.Duration
	discovery     bool
}

func (f *okFetcher) First() (*Call, error) {
	path := "/keys"
	if f.discovery {
		path = "/discovery"
	}
	return &Call{Cluster: "idp", Headers: [][2]string{{":method", "GET"}, {":path", path}, {":authority", "idp"}},
		Timeout: time.Second}, nil
}

func (f *okFetcher) Next(r *Response, now time.Time) (Step, error) {
	if r.Status != 200 {
		return Step{}, fmt.Errorf("status %d", r.Status)
	}
	if f.discovery && len(r.Body) > 0 && r.Body[0] == '/' {
		return Step{Next: &Call{Cluster: "idp", Headers: [][2]string{{":method", "GET"}, {":path", string(r.Body)},
			{":authority", "idp"}}, Timeout: time.Second}}, nil
	}
	return Step{Value: r.Body, FreshFor: f.fresh, UsableFor: f.usable}, nil
}

var errBoom = errors.New("boom")

func ok(body string) *Response { return &Response{Status: 200, Body: []byte(body)} }

var basePolicy = Policy{LeaseTTL: 5 * time.Second, BackoffBase: time.Second, BackoffMax: 8 * time.Second,
	Cooldown: 30 * time.Second}

func fetcher() *okFetcher { return &okFetcher{fresh: 10 * time.Minute, usable: time.Hour} }

// counter returns a callback and a pointer to how many times it ran.
func counter() (func(), *int) {
	n := new(int)
	return func() { *n++ }, n
}
