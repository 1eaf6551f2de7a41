package shared

import (
	"errors"
	"fmt"
	"time"
)

// Value is a published value as this VM holds it. Payload must not be modified.
type Value struct {
	Version     uint64 // 0: no value yet
	Payload     []byte
	FetchedAt   time.Time
	FreshUntil  time.Time // refresh due from here on
	UsableUntil time.Time // never served from here on
}

// Usable reports whether the value exists and may be served at now.
func (v Value) Usable(now time.Time) bool { return v.Version > 0 && now.Before(v.UsableUntil) }

// Stale reports whether the value is past its refresh time at now.
func (v Value) Stale(now time.Time) bool { return !now.Before(v.FreshUntil) }

// Slot is one key in one VM: its last known shared state, the value this VM
// adopted, this VM's fetch in flight (if any) and the local waiters.
type Slot struct {
	c   *Coordinator
	key string
	cfg Config

	st    state  // last state read
	stCas uint32 // its CAS token
	stOK  bool   // st/stCas came from a successful read

	val     Value
	fetch   *fetching
	waiters []*Waiter
}

// fetching is this VM's attempt in flight.
type fetching struct {
	leaseID uint64
	forced  bool
	steps   int
	until   time.Time // the lease's end: after it the attempt is abandoned
}

// Waiter is one paused caller of Await.
type Waiter struct {
	s        *Slot
	fn       func()
	base     uint64 // state.attempts when it started waiting
	have     uint64 // the version it had
	deadline time.Time
	done     bool
}

// Cancel stops the wait (the paused request went away); fn will not run.
func (w *Waiter) Cancel() {
	if w == nil || w.done {
		return
	}
	w.done = true
	s := w.s
	for i, o := range s.waiters {
		if o == w {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			break
		}
	}
}

// Outcome is Await's answer.
type Outcome int

const (
	// Ready: a usable value newer than the caller's version is here now
	// (Slot.Value); no wait.
	Ready Outcome = iota
	// Pending: the callback runs once, when an attempt that had not finished
	// at the time of the call finishes (success or failure), or when the wait
	// deadline passes. The caller then looks at Slot.Value again.
	Pending
	// Refused: nothing to wait for: retries are backing off, the on-demand
	// cooldown is running, the waiter bound is reached, or the fetch could not
	// even be dispatched. RetryAfter says when trying again makes sense.
	Refused
)

func (o Outcome) String() string {
	switch o {
	case Ready:
		return "ready"
	case Pending:
		return "pending"
	case Refused:
		return "refused"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Key returns the slot's key.
func (s *Slot) Key() string { return s.key }

// Value returns the value this VM holds (check Usable).
func (s *Slot) Value() Value { return s.val }

// LastError returns the last failure recorded in the shared state, "" after
// a success.
func (s *Slot) LastError() string { return s.st.lastErr }

// Failures returns the consecutive failures recorded in the shared state.
func (s *Slot) Failures() uint32 { return s.st.failures }

// Waiters returns how many local callers wait.
func (s *Slot) Waiters() int { return len(s.waiters) }

// RetryAfter is how long a refused caller should wait before trying again:
// until the backoff ends, at least one second.
func (s *Slot) RetryAfter(now time.Time) time.Duration {
	if d := s.st.nextAt.Sub(now); d > time.Second {
		return d
	}
	return time.Second
}

// Await asks for a usable value newer than version have (0: any usable value).
// With force, it asks for a refetch even though the value is fresh (a token
// names a key the value lacks): at most one forced attempt per
// Policy.Cooldown across all VMs starts. fn runs once if the outcome is
// Pending (never from inside Await), and the Waiter can cancel it.
func (s *Slot) Await(have uint64, force bool, fn func()) (Outcome, *Waiter) {
	now := s.c.host.Now()
	s.sync()
	if s.val.Version > have && s.val.Usable(now) {
		return Ready, nil
	}
	if len(s.waiters) >= s.cfg.Policy.maxWaiters() {
		return Refused, nil
	}
	if s.fetch == nil {
		switch s.tryStart(now, force) {
		case refused:
			return Refused, nil
		case started:
			if s.fetch == nil {
				return Refused, nil // failed at dispatch
			}
		}
	}
	// The fresh state read by tryStart (or by sync) is the baseline: the next
	// attempt to finish is one this caller did not see finish.
	w := &Waiter{s: s, fn: fn, base: s.st.attempts, have: have, deadline: now.Add(s.cfg.Policy.maxWait())}
	s.waiters = append(s.waiters, w)
	return Pending, w
}

// sync reads the shared state and adopts a newer published value.
func (s *Slot) sync() {
	b, cas, err := s.c.host.GetSharedData(s.key + stateSuffix)
	if err != nil {
		s.stOK = false // missing (never created) or unreadable: next write goes without CAS knowledge
		if errors.Is(err, ErrNotFound) {
			s.st, s.stCas = state{}, 0
		}
		return
	}
	if s.stOK && cas == s.stCas {
		return
	}
	st, err := decodeState(b)
	if err != nil {
		st = state{} // corrupt: as empty; the next write replaces it under this CAS
	}
	s.st, s.stCas, s.stOK = st, cas, true
	if st.version > s.val.Version {
		s.loadValue()
	}
}

// loadValue reads the value record and adopts it if newer.
func (s *Slot) loadValue() {
	b, _, err := s.c.host.GetSharedData(s.key)
	if err != nil {
		return
	}
	v, err := decodeValue(b)
	if err != nil || v.version <= s.val.Version {
		return
	}
	s.adopt(v)
}

func (s *Slot) adopt(v value) {
	s.val = Value{Version: v.version, Payload: v.payload, FetchedAt: v.fetchedAt,
		FreshUntil: v.freshUntil, UsableUntil: v.usableUntil}
	if s.cfg.OnUpdate != nil {
		s.cfg.OnUpdate(s.val)
	}
}

// errNoChange ends an updateState whose mutation decided not to write.
var errNoChange = errors.New("no change")

// updateState is a read-modify-write of the state record under CAS: it
// re-reads, lets mutate change a copy (false: nothing to write), and writes
// with the CAS it read, retrying on mismatch.
func (s *Slot) updateState(mutate func(st *state) bool) error {
	for i := 0; i < casRetries; i++ {
		s.sync()
		st := s.st
		if !mutate(&st) {
			return errNoChange
		}
		cas := s.stCas
		if !s.stOK {
			cas = 0
		}
		err := s.c.host.SetSharedData(s.key+stateSuffix, st.encode(), cas)
		if err == nil {
			s.st, s.stOK = st, false // the new CAS is unknown: the next sync re-reads
			return nil
		}
		if !errors.Is(err, ErrCasMismatch) {
			return fmt.Errorf("shared: writing %q: %w", s.key+stateSuffix, err)
		}
		s.stOK = false
	}
	return fmt.Errorf("shared: writing %q: %d cas mismatches in a row", s.key+stateSuffix, casRetries)
}

type startResult int

const (
	started startResult = iota // this VM holds the lease (the fetch may already have failed)
	joined                     // another VM holds the lease, or this VM is already fetching
	refused                    // backoff, cooldown, or the state could not be written
)

// tryStart takes the lease and dispatches the first call, if the state allows.
func (s *Slot) tryStart(now time.Time, force bool) startResult {
	if s.fetch != nil {
		return joined
	}
	p := &s.cfg.Policy
	res := refused
	var lease uint64
	err := s.updateState(func(st *state) bool {
		switch {
		case st.leased(now):
			res = joined
			return false
		case now.Before(st.nextAt):
			res = refused
			return false
		case force && !st.forcedAt.IsZero() && now.Before(st.forcedAt.Add(p.Cooldown)):
			res = refused
			return false
		}
		s.c.seq++
		lease = s.c.seq
		st.owner, st.leaseID, st.leaseUntil = s.c.owner, lease, now.Add(p.LeaseTTL)
		if force {
			st.forcedAt = now
		}
		res = started
		return true
	})
	if err != nil {
		if err != errNoChange {
			res = refused
		}
		return res
	}
	s.fetch = &fetching{leaseID: lease, forced: force, until: now.Add(p.LeaseTTL)}
	call, err := s.cfg.Fetcher.First()
	if err != nil {
		s.finishFail(now, fmt.Errorf("building the request: %w", err))
		return started
	}
	s.dispatch(now, call)
	return started
}

func (s *Slot) dispatch(now time.Time, call *Call) {
	f := s.fetch
	f.steps++
	lease := f.leaseID
	err := s.c.host.HttpCall(call, func(r *Response) { s.onResponse(lease, r) })
	if err != nil {
		s.finishFail(now, fmt.Errorf("dispatching to cluster %q: %w", call.Cluster, err))
	}
}

// onResponse continues the fetch of lease with a response.
func (s *Slot) onResponse(lease uint64, r *Response) {
	f := s.fetch
	if f == nil || f.leaseID != lease {
		return // abandoned (lease outlived) or superseded
	}
	now := s.c.host.Now()
	step, err := s.cfg.Fetcher.Next(r, now)
	switch {
	case err != nil:
		s.finishFail(now, err)
	case step.Next != nil && f.steps >= maxSteps:
		s.finishFail(now, fmt.Errorf("more than %d calls in one fetch", maxSteps))
	case step.Next != nil:
		s.dispatch(now, step.Next)
	default:
		s.finishOK(now, step)
	}
}

// finishOK publishes a fetched value: the value record first (so a VM that
// sees the new version in the state finds it), then the state, releasing the
// lease.
func (s *Slot) finishOK(now time.Time, step Step) {
	f := s.fetch
	fresh := max(step.FreshFor, minFresh)
	usable := max(step.UsableFor, fresh)
	var v value
	var err error
	for i := 0; ; i++ {
		if i == casRetries {
			err = fmt.Errorf("shared: writing %q: %d cas mismatches in a row", s.key, casRetries)
			break
		}
		b, cas, gerr := s.c.host.GetSharedData(s.key)
		if gerr != nil && !errors.Is(gerr, ErrNotFound) {
			err = fmt.Errorf("shared: reading %q: %w", s.key, gerr)
			break
		}
		cur, _ := decodeValue(b) // corrupt or missing: version 0
		v = value{version: max(cur.version, s.st.version, s.val.Version) + 1, fetchedAt: now,
			freshUntil: now.Add(fresh), usableUntil: now.Add(usable), payload: step.Value}
		err = s.c.host.SetSharedData(s.key, v.encode(), cas)
		if err == nil || !errors.Is(err, ErrCasMismatch) {
			break
		}
	}
	if err != nil {
		s.finishFail(now, fmt.Errorf("publishing: %w", err))
		return
	}
	// The value is out; the state update only advertises it. If that update
	// fails, the version still reaches others through the next publish, and
	// the lease expires on its own.
	_ = s.updateState(func(st *state) bool {
		if v.version > st.version {
			st.version, st.freshUntil, st.usableUntil = v.version, v.freshUntil, v.usableUntil
		}
		st.attempts++
		st.failures, st.nextAt, st.lastErr = 0, time.Time{}, ""
		if st.owner == s.c.owner && st.leaseID == f.leaseID {
			st.owner, st.leaseID, st.leaseUntil = "", 0, time.Time{}
		}
		return true
	})
	s.fetch = nil
	if v.version > s.val.Version {
		s.adopt(v)
	}
	s.report(Attempt{Version: v.version, Forced: f.forced})
	s.wakeAll()
}

// finishFail records a failed attempt (backoff) if this VM still holds the
// lease, then wakes the local waiters.
func (s *Slot) finishFail(now time.Time, cause error) {
	f := s.fetch
	var failures uint32
	var next time.Time
	_ = s.updateState(func(st *state) bool {
		if st.owner != s.c.owner || st.leaseID != f.leaseID {
			return false // the lease went to another VM, whose attempt counts
		}
		st.attempts++
		st.failures++
		st.nextAt = now.Add(s.cfg.Policy.backoff(st.failures))
		st.lastErr = cause.Error()
		st.owner, st.leaseID, st.leaseUntil = "", 0, time.Time{}
		failures, next = st.failures, st.nextAt
		return true
	})
	s.fetch = nil
	s.report(Attempt{Err: cause, Forced: f.forced, Failures: failures, NextAt: next})
	s.wakeAll()
}

func (s *Slot) report(a Attempt) {
	if s.cfg.OnAttempt != nil {
		s.cfg.OnAttempt(a)
	}
}

// tick is one Coordinator.Tick for this slot.
func (s *Slot) tick(now time.Time) {
	s.sync()
	if s.fetch != nil && !now.Before(s.fetch.until) {
		s.finishFail(now, errors.New("no response within the lease"))
	}
	s.wakeDue(now)
	need := len(s.waiters) > 0 ||
		s.cfg.Policy.Background && (s.st.version == 0 || !now.Before(s.st.freshUntil) || !s.val.Usable(now))
	if need && s.fetch == nil && !s.st.leased(now) && !now.Before(s.st.nextAt) {
		s.tryStart(now, false)
	}
}

// wakeDue runs the waiters whose attempt finished elsewhere, who got a newer
// value, or whose deadline passed.
func (s *Slot) wakeDue(now time.Time) {
	var due []*Waiter
	keep := s.waiters[:0]
	for _, w := range s.waiters {
		if s.st.attempts > w.base || s.val.Version > w.have || !now.Before(w.deadline) {
			due = append(due, w)
		} else {
			keep = append(keep, w)
		}
	}
	clear(s.waiters[len(keep):])
	s.waiters = keep
	run(due)
}

// wakeAll runs every waiter (an attempt of this VM finished).
func (s *Slot) wakeAll() {
	due := s.waiters
	s.waiters = nil
	run(due)
}

// run calls the callbacks after the waiter list is consistent, so a callback
// may call Await again.
func run(due []*Waiter) {
	for _, w := range due {
		w.done = true
	}
	for _, w := range due {
		w.fn()
	}
}
