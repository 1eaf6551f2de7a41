package shared

import (
	"bytes"
	"testing"
	"time"
)

func TestSlot_Await_OneFetchThenReady(t *testing.T) {
	p := newProxy(t, 1)
	p.slot("jwks/a", fetcher(), basePolicy)
	s, h := p.slots[0], p.hosts[0]

	fn, woke := counter()
	out, w := s.Await(0, false, fn)
	if out != Pending || w == nil {
		t.Fatalf("Await = %v, want pending", out)
	}
	if h.calls != 1 {
		t.Fatalf("calls = %d, want 1", h.calls)
	}
	// A second caller joins the same fetch.
	fn2, woke2 := counter()
	if out, _ := s.Await(0, false, fn2); out != Pending || h.calls != 1 {
		t.Fatalf("second Await = %v with %d calls, want pending and 1 call", out, h.calls)
	}
	if *woke != 0 {
		t.Fatal("waiter ran before the response")
	}
	h.respond(t, ok("K1"))
	if *woke != 1 || *woke2 != 1 {
		t.Fatalf("waiters ran %d and %d times, want 1 each", *woke, *woke2)
	}
	v := s.Value()
	if v.Version != 1 || string(v.Payload) != "K1" || !v.Usable(p.clk.now) || v.Stale(p.clk.now) {
		t.Fatalf("value = %+v", v)
	}
	if !v.FreshUntil.Equal(t0.Add(10*time.Minute)) || !v.UsableUntil.Equal(t0.Add(time.Hour)) {
		t.Fatalf("fresh/usable = %v/%v", v.FreshUntil, v.UsableUntil)
	}
	if got := p.rec[0]; len(got.updates) != 1 || len(got.attempts) != 1 || got.attempts[0].Err != nil {
		t.Fatalf("recorder = %+v", got)
	}
	if out, _ := s.Await(0, false, fn); out != Ready {
		t.Fatalf("Await after publish = %v, want ready", out)
	}
	if s.Waiters() != 0 {
		t.Fatalf("waiters left: %d", s.Waiters())
	}
}

func TestSlot_Await_OtherVMJoinsAndWakesOnTick(t *testing.T) {
	p := newProxy(t, 2)
	p.slot("k", fetcher(), basePolicy)
	a, b := p.slots[0], p.slots[1]

	fa, wokeA := counter()
	fb, wokeB := counter()
	if out, _ := a.Await(0, false, fa); out != Pending {
		t.Fatalf("A: %v", out)
	}
	if out, _ := b.Await(0, false, fb); out != Pending {
		t.Fatalf("B: %v", out)
	}
	if p.calls() != 1 || p.hosts[1].calls != 0 {
		t.Fatalf("calls = %d (B %d), want 1 (B 0)", p.calls(), p.hosts[1].calls)
	}
	p.hosts[0].respond(t, ok("K1"))
	if *wokeA != 1 || *wokeB != 0 {
		t.Fatalf("after A's response: woke A=%d B=%d, want 1/0 (B learns on its tick)", *wokeA, *wokeB)
	}
	p.vms[1].Tick()
	if *wokeB != 1 || b.Value().Version != 1 || string(b.Value().Payload) != "K1" {
		t.Fatalf("after B's tick: woke B=%d value=%+v", *wokeB, b.Value())
	}
	if len(p.rec[1].attempts) != 0 || len(p.rec[1].updates) != 1 {
		t.Fatalf("B recorder = %+v: B made no attempt and adopted once", p.rec[1])
	}
	if p.calls() != 1 {
		t.Fatalf("calls = %d", p.calls())
	}
}

func TestCoordinator_Tick_FourVMsOneFetch(t *testing.T) {
	p := newProxy(t, 4)
	pol := basePolicy
	pol.Background = true
	p.slot("jwks", fetcher(), pol)

	p.tickAll()
	if p.calls() != 1 || p.hosts[0].calls != 1 {
		t.Fatalf("startup: %d calls, want 1 (from vm0, first to tick)", p.calls())
	}
	p.tickAll() // lease held: nobody else fetches
	if p.calls() != 1 {
		t.Fatalf("second tick: %d calls", p.calls())
	}
	p.hosts[0].respond(t, ok("K1"))
	p.tickAll()
	for i, s := range p.slots {
		if s.Value().Version != 1 {
			t.Fatalf("vm%d version %d", i, s.Value().Version)
		}
	}
	// Fresh for 10 minutes: no fetch until then, one fetch at it.
	p.clk.advance(10*time.Minute - time.Second)
	p.tickAll()
	if p.calls() != 1 {
		t.Fatalf("before refresh time: %d calls", p.calls())
	}
	p.clk.advance(time.Second)
	p.tickAll()
	p.tickAll()
	if p.calls() != 2 {
		t.Fatalf("at refresh time: %d calls, want 2", p.calls())
	}
	for _, h := range p.hosts {
		for len(h.pending) > 0 {
			h.respond(t, ok("K2"))
		}
	}
	p.tickAll()
	for i, s := range p.slots {
		if v := s.Value(); v.Version != 2 || string(v.Payload) != "K2" {
			t.Fatalf("vm%d value %+v", i, v)
		}
	}
}

// Two VMs race for the lease: B writes between A's read and A's CAS write.
// A's write fails on CAS, A re-reads, sees B's lease and joins it.
func TestSlot_TryStart_CASRace(t *testing.T) {
	p := newProxy(t, 2)
	p.slot("k", fetcher(), basePolicy)
	a, b := p.slots[0], p.slots[1]

	fb, wokeB := counter()
	p.st.beforeSet = func(key string) {
		if key != "k#s" {
			t.Fatalf("first write is to %q", key)
		}
		if out, _ := b.Await(0, false, fb); out != Pending {
			t.Fatalf("B (interleaved): %v", out)
		}
	}
	fa, wokeA := counter()
	if out, _ := a.Await(0, false, fa); out != Pending {
		t.Fatalf("A: %v", out)
	}
	if p.hosts[0].calls != 0 || p.hosts[1].calls != 1 {
		t.Fatalf("calls A=%d B=%d, want 0/1: B won the CAS", p.hosts[0].calls, p.hosts[1].calls)
	}
	if a.fetch != nil || b.fetch == nil {
		t.Fatal("A must have joined, B must be fetching")
	}
	p.hosts[1].respond(t, ok("K1"))
	p.vms[0].Tick()
	if *wokeA != 1 || *wokeB != 1 || a.Value().Version != 1 {
		t.Fatalf("woke A=%d B=%d, A version %d", *wokeA, *wokeB, a.Value().Version)
	}
}

// The same race on publishing: another VM publishes between this VM's read of
// the value record and its write; versions stay increasing and distinct.
func TestSlot_FinishOK_CASRaceOnValue(t *testing.T) {
	p := newProxy(t, 2)
	p.slot("k", fetcher(), basePolicy)
	a, b := p.slots[0], p.slots[1]
	a.Await(0, false, func() {})
	// B's lease: make A's lease expire so B may fetch too (a slow A).
	p.clk.advance(basePolicy.LeaseTTL)
	b.Await(0, false, func() {})
	if p.hosts[1].calls != 1 {
		t.Fatalf("B did not take over the expired lease")
	}
	p.st.beforeSet = func(key string) {
		if key != "k" {
			t.Fatalf("first write is to %q", key)
		}
		p.hosts[1].respond(t, ok("from-B"))
	}
	p.hosts[0].respond(t, ok("from-A"))
	p.tickAll()
	va, vb := a.Value(), b.Value()
	if vb.Version != 2 || string(vb.Payload) != "from-A" || va.Version != 2 {
		t.Fatalf("A %+v B %+v: B published v1, A (retrying its CAS) v2", va, vb)
	}
}

func TestSlot_Failure_BackoffSchedule(t *testing.T) {
	p := newProxy(t, 2)
	pol := basePolicy
	pol.Background = true
	p.slot("k", fetcher(), pol)
	a, b := p.slots[0], p.slots[1]
	want := []time.Duration{1, 2, 4, 8, 8, 8}
	for i, w := range want {
		p.tickAll()
		if p.calls() != i+1 {
			t.Fatalf("round %d: %d calls, want %d", i, p.calls(), i+1)
		}
		for _, h := range p.hosts {
			for len(h.pending) > 0 {
				h.respond(t, &Response{Status: 503})
			}
		}
		backoff := w * time.Second
		p.tickAll()
		if got := b.RetryAfter(p.clk.now); got != max(backoff, time.Second) {
			t.Fatalf("round %d: RetryAfter %v, want %v", i, got, backoff)
		}
		if a.Failures() != uint32(i+1) || a.LastError() != "status 503" {
			t.Fatalf("round %d: failures %d, last %q", i, a.Failures(), a.LastError())
		}
		// Nothing before the backoff ends, from any VM, even when asked.
		if out, _ := b.Await(0, false, func() {}); out != Refused {
			t.Fatalf("round %d: Await during backoff = %v", i, out)
		}
		p.clk.advance(backoff - time.Millisecond)
		p.tickAll()
		if p.calls() != i+1 {
			t.Fatalf("round %d: fetched before the backoff ended", i)
		}
		p.clk.advance(time.Millisecond)
	}
	p.tickAll()
	for _, h := range p.hosts {
		for len(h.pending) > 0 {
			h.respond(t, ok("K"))
		}
	}
	p.tickAll()
	if a.Failures() != 0 || a.LastError() != "" || b.Value().Version != 1 {
		t.Fatalf("after success: failures %d last %q version %d", a.Failures(), a.LastError(), b.Value().Version)
	}
}

func TestSlot_StaleWhileError(t *testing.T) {
	p := newProxy(t, 1)
	pol := basePolicy
	pol.Background = true
	p.slot("k", fetcher(), pol) // fresh 10 min, usable 1 h
	s, h := p.slots[0], p.hosts[0]
	p.tickAll()
	h.respond(t, ok("K1"))
	p.clk.advance(10 * time.Minute)
	if !s.Value().Stale(p.clk.now) || !s.Value().Usable(p.clk.now) {
		t.Fatal("at 10 min the value is stale but usable")
	}
	for p.clk.now.Before(t0.Add(time.Hour)) {
		p.tickAll()
		for len(h.pending) > 0 {
			h.respond(t, &Response{Status: 500})
		}
		if !s.Value().Usable(p.clk.now) {
			t.Fatalf("unusable at %v, before the hour", p.clk.now.Sub(t0))
		}
		p.clk.advance(time.Second)
	}
	if s.Value().Usable(p.clk.now) {
		t.Fatal("usable after UsableUntil")
	}
	var failed int
	for _, a := range p.rec[0].attempts {
		if a.Err != nil {
			failed++
		}
	}
	// 50 minutes of failures with a 1,2,4,8,8... s schedule: bounded, not one per tick.
	if failed < 300 || failed > 400 {
		t.Fatalf("%d failed attempts in 50 min with an 8 s backoff cap", failed)
	}
	if out, _ := s.Await(0, false, func() {}); out != Refused && out != Pending {
		t.Fatalf("Await with an unusable value = %v", out)
	}
}

func TestSlot_Await_ForcedCooldownAcrossVMs(t *testing.T) {
	p := newProxy(t, 3)
	p.slot("k", fetcher(), basePolicy) // cooldown 30 s
	a, b, c := p.slots[0], p.slots[1], p.slots[2]
	a.Await(0, false, func() {})
	p.hosts[0].respond(t, ok("K1"))
	p.tickAll()

	// An unknown kid in B: forced refetch.
	fb, wokeB := counter()
	if out, _ := b.Await(1, true, fb); out != Pending {
		t.Fatalf("forced: %v", out)
	}
	// A flood of unknown kids on every VM while it runs, and after it: one call in all.
	for i := 0; i < 100; i++ {
		for _, s := range []*Slot{a, b, c} {
			s.Await(1, true, func() {})
		}
	}
	if p.calls() != 2 {
		t.Fatalf("calls = %d, want 2 (startup + one forced)", p.calls())
	}
	p.hosts[1].respond(t, ok("K2"))
	p.tickAll()
	if *wokeB != 1 || a.Value().Version != 2 || c.Value().Version != 2 {
		t.Fatalf("woke %d, versions %d/%d", *wokeB, a.Value().Version, c.Value().Version)
	}
	for i := 0; i < 100; i++ {
		for _, s := range []*Slot{a, b, c} {
			if out, _ := s.Await(2, true, func() {}); out != Refused {
				t.Fatalf("within the cooldown: %v", out)
			}
		}
	}
	p.clk.advance(30*time.Second - time.Millisecond)
	if out, _ := c.Await(2, true, func() {}); out != Refused {
		t.Fatalf("just before the cooldown ends: %v", out)
	}
	p.clk.advance(time.Millisecond)
	if out, _ := c.Await(2, true, func() {}); out != Pending {
		t.Fatalf("after the cooldown: %v", out)
	}
	if p.calls() != 3 {
		t.Fatalf("calls = %d, want 3", p.calls())
	}
}

// A VM takes the lease and never answers (it crashed): after LeaseTTL another
// VM with waiters fetches; the first VM's late response is ignored.
func TestSlot_LeaseExpiryTakeover(t *testing.T) {
	p := newProxy(t, 2)
	p.slot("k", fetcher(), basePolicy)
	a, b := p.slots[0], p.slots[1]
	a.Await(0, false, func() {})
	fb, wokeB := counter()
	b.Await(0, false, fb)
	p.clk.advance(basePolicy.LeaseTTL - time.Millisecond)
	p.vms[1].Tick()
	if p.hosts[1].calls != 0 {
		t.Fatal("B fetched while A's lease was valid")
	}
	p.clk.advance(time.Millisecond)
	p.vms[1].Tick()
	if p.hosts[1].calls != 1 {
		t.Fatalf("B calls = %d after the lease expired", p.hosts[1].calls)
	}
	p.vms[0].Tick() // A abandons its attempt; B's lease is untouched
	if a.fetch != nil || !b.st.leased(p.clk.now) && b.fetch == nil {
		t.Fatal("A still fetching, or B lost its fetch")
	}
	if a.Failures() != 0 {
		t.Fatalf("A's abandoned attempt counted as a failure (%d): the lease was B's", a.Failures())
	}
	p.hosts[0].respond(t, ok("late-A")) // ignored
	p.hosts[1].respond(t, ok("K-B"))
	if *wokeB != 1 || string(b.Value().Payload) != "K-B" || b.Value().Version != 1 {
		t.Fatalf("woke %d, value %+v", *wokeB, b.Value())
	}
}

func TestWaiter_CancelAndDeadline(t *testing.T) {
	p := newProxy(t, 2)
	pol := basePolicy
	pol.MaxWait = 3 * time.Second
	p.slot("k", fetcher(), pol)
	a, b := p.slots[0], p.slots[1]
	a.Await(0, false, func() {})
	f1, n1 := counter()
	f2, n2 := counter()
	_, w1 := b.Await(0, false, f1)
	b.Await(0, false, f2)
	w1.Cancel()
	w1.Cancel() // idempotent
	if b.Waiters() != 1 {
		t.Fatalf("waiters = %d", b.Waiters())
	}
	p.clk.advance(3 * time.Second)
	p.vms[1].Tick()
	if *n1 != 0 || *n2 != 1 {
		t.Fatalf("cancelled ran %d, deadline waiter ran %d", *n1, *n2)
	}
}

func TestSlot_Await_MaxWaiters(t *testing.T) {
	p := newProxy(t, 1)
	pol := basePolicy
	pol.MaxWaiters = 3
	p.slot("k", fetcher(), pol)
	s := p.slots[0]
	for i := 0; i < 3; i++ {
		if out, _ := s.Await(0, false, func() {}); out != Pending {
			t.Fatalf("waiter %d: %v", i, out)
		}
	}
	if out, _ := s.Await(0, false, func() {}); out != Refused {
		t.Fatalf("4th waiter: %v", out)
	}
}

func TestSlot_Await_DispatchFailure(t *testing.T) {
	p := newProxy(t, 1)
	p.slot("k", fetcher(), basePolicy)
	s, h := p.slots[0], p.hosts[0]
	h.failDsp = errBoom
	fn, n := counter()
	if out, _ := s.Await(0, false, fn); out != Refused {
		t.Fatalf("Await = %v, want refused", out)
	}
	if *n != 0 || s.Waiters() != 0 || s.fetch != nil {
		t.Fatal("a refused Await left a waiter or a fetch")
	}
	s.sync()
	if s.Failures() != 1 || s.LastError() != `dispatching to cluster "idp": boom` {
		t.Fatalf("failures %d, last %q", s.Failures(), s.LastError())
	}
	if len(p.rec[0].attempts) != 1 || p.rec[0].attempts[0].Err == nil {
		t.Fatalf("attempts = %+v", p.rec[0].attempts)
	}
}

func TestSlot_MultiStepFetch(t *testing.T) {
	p := newProxy(t, 1)
	p.slot("k", &okFetcher{fresh: time.Minute, usable: time.Hour, discovery: true}, basePolicy)
	s, h := p.slots[0], p.hosts[0]
	fn, n := counter()
	s.Await(0, false, fn)
	h.respond(t, ok("/jwks"))
	if *n != 0 || h.calls != 2 || h.pending[0].call.Headers[1][1] != "/jwks" {
		t.Fatalf("second step: woke %d, calls %d", *n, h.calls)
	}
	h.respond(t, ok("KEYS"))
	if *n != 1 || string(s.Value().Payload) != "KEYS" {
		t.Fatalf("woke %d value %+v", *n, s.Value())
	}
	// A provider that keeps redirecting: bounded.
	p.clk.advance(time.Hour)
	s.Await(0, false, func() {})
	for i := 0; i < maxSteps; i++ {
		h.respond(t, ok("/again"))
	}
	if len(h.pending) != 0 || s.fetch != nil {
		t.Fatalf("fetch not bounded: %d pending", len(h.pending))
	}
	s.sync()
	if s.LastError() != "more than 4 calls in one fetch" {
		t.Fatalf("last error %q", s.LastError())
	}
}

func TestSlot_CorruptRecordsAreReplaced(t *testing.T) {
	p := newProxy(t, 1)
	p.st.m["k#s"] = rec{[]byte("garbage"), 77}
	p.st.m["k"] = rec{[]byte("TGv1\xff"), 78}
	p.st.last = 78
	p.slot("k", fetcher(), basePolicy)
	s, h := p.slots[0], p.hosts[0]
	if out, _ := s.Await(0, false, func() {}); out != Pending {
		t.Fatalf("Await = %v", out)
	}
	h.respond(t, ok("K"))
	if s.Value().Version != 1 {
		t.Fatalf("version %d", s.Value().Version)
	}
	st, err := decodeState(p.st.m["k#s"].v)
	if err != nil || st.version != 1 || st.owner != "" {
		t.Fatalf("state %+v err %v", st, err)
	}
	if v, err := decodeValue(p.st.m["k"].v); err != nil || !bytes.Equal(v.payload, []byte("K")) {
		t.Fatalf("value %+v err %v", v, err)
	}
}

// A VM that starts after the value was published adopts it at Slot creation.
func TestCoordinator_Slot_AdoptsPublished(t *testing.T) {
	p := newProxy(t, 1)
	p.slot("k", fetcher(), basePolicy)
	p.slots[0].Await(0, false, func() {})
	p.hosts[0].respond(t, ok("K1"))

	late := &fakeHost{name: "late", st: p.st, clk: p.clk}
	c, err := NewCoordinator(late, "late")
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	s, err := c.Slot("k", Config{Fetcher: fetcher(), Policy: basePolicy, OnUpdate: func(v Value) { got = append(got, v.Version) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != 1 || string(s.Value().Payload) != "K1" {
		t.Fatalf("updates %v value %+v", got, s.Value())
	}
	if out, _ := s.Await(0, false, func() {}); out != Ready || late.calls != 0 {
		t.Fatalf("Await = %v, calls %d", out, late.calls)
	}
}

// A waiter whose attempt fails in another VM wakes on its tick; the value is
// still absent and the next Await is refused until the backoff ends.
func TestSlot_RemoteFailureWakesWaiters(t *testing.T) {
	p := newProxy(t, 2)
	p.slot("k", fetcher(), basePolicy)
	a, b := p.slots[0], p.slots[1]
	a.Await(0, false, func() {})
	fb, n := counter()
	b.Await(0, false, fb)
	p.hosts[0].respond(t, &Response{Status: 0})
	p.vms[1].Tick()
	if *n != 1 || b.Value().Version != 0 {
		t.Fatalf("woke %d version %d", *n, b.Value().Version)
	}
	if out, _ := b.Await(0, false, func() {}); out != Refused {
		t.Fatalf("Await in backoff = %v", out)
	}
	if got := b.RetryAfter(p.clk.now); got != time.Second {
		t.Fatalf("RetryAfter = %v", got)
	}
	if p.calls() != 1 {
		t.Fatalf("calls %d", p.calls())
	}
}

func TestCoordinator_Slot_Errors(t *testing.T) {
	p := newProxy(t, 1)
	c := p.vms[0]
	tests := []struct {
		name string
		key  string
		cfg  Config
	}{
		{name: "empty key", key: "", cfg: Config{Fetcher: fetcher(), Policy: basePolicy}},
		{name: "state suffix", key: "x#s", cfg: Config{Fetcher: fetcher(), Policy: basePolicy}},
		{name: "no fetcher", key: "x", cfg: Config{Policy: basePolicy}},
		{name: "no lease ttl", key: "x", cfg: Config{Fetcher: fetcher(), Policy: Policy{BackoffBase: 1, BackoffMax: 1}}},
		{name: "backoff max below base", key: "x", cfg: Config{Fetcher: fetcher(), Policy: Policy{LeaseTTL: 1, BackoffBase: 2, BackoffMax: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Slot(tc.key, tc.cfg); err == nil {
				t.Fatal("no error")
			}
		})
	}
	c.SetMaxSlots(1)
	if _, err := c.Slot("one", Config{Fetcher: fetcher(), Policy: basePolicy}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Slot("two", Config{Fetcher: fetcher(), Policy: basePolicy}); err == nil {
		t.Fatal("second slot beyond the bound")
	}
	if !c.Forget("one") || c.Lookup("one") != nil {
		t.Fatal("Forget of an idle slot")
	}
	if _, err := c.Slot("two", Config{Fetcher: fetcher(), Policy: basePolicy}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewCoordinator(p.hosts[0], ""); err == nil {
		t.Fatal("empty owner accepted")
	}
}
