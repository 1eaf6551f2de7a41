package testenv

import (
	"sync"
	"time"
)

// Clock is the host's notion of time. It drives proxy_get_current_time_nanoseconds, the WASI
// realtime clock, tick periods and http-call timeouts and latencies.
//
// By default it is fake: it starts at DefaultStartTime (or StartTime) and moves only when the test
// calls Advance or Set, which fire every tick and http-call event that falls due on the way, in
// time order, each at its own instant. Tests therefore never sleep.
//
// With RealClock it follows time.Now, Advance and Set are refused, and events fire from Host.Poll
// (the Gateway polls every 10 ms).
//
// The WASI monotonic clock (clock 1, which the Go runtime uses for its scheduler and time.Sleep) is
// real elapsed time plus everything the fake clock was advanced by, so it never stands still and a
// guest that busy-waits in time.Sleep still finishes, as it does in Envoy.
type Clock struct {
	mu       sync.Mutex
	host     *Host
	real     bool
	now      time.Time
	advanced time.Duration
	origin   time.Time // real instant the host was created, for the monotonic clock
}

func newClock(h *Host, start time.Time, real bool) *Clock {
	return &Clock{host: h, real: real, now: start, origin: time.Now()}
}

// Now returns the host's current time.
func (c *Clock) Now() time.Time {
	if c.real {
		return time.Now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// monotonic returns nanoseconds for the WASI monotonic clock.
func (c *Clock) monotonic() uint64 {
	c.mu.Lock()
	adv := c.advanced
	c.mu.Unlock()
	return uint64(time.Since(c.origin) + adv)
}

func (c *Clock) set(t time.Time) {
	c.mu.Lock()
	if t.After(c.now) {
		c.advanced += t.Sub(c.now)
		c.now = t
	}
	c.mu.Unlock()
}

// Advance moves the fake clock forward by d, firing every due tick, http-call response and
// http-call timeout on the way in time order. A negative d is refused.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		c.host.failf("clock: Advance(%v): negative duration", d)
		return
	}
	c.Set(c.Now().Add(d))
}

// Set moves the fake clock forward to t, firing due events as Advance does. Moving backwards is
// refused: Envoy's clock does not go back either.
func (c *Clock) Set(t time.Time) {
	if c.real {
		c.host.failf("clock: Set/Advance on a real clock (RealClock option)")
		return
	}
	if t.Before(c.Now()) {
		c.host.failf("clock: Set(%v) is before now (%v)", t, c.Now())
		return
	}
	c.host.advanceTo(t)
}
