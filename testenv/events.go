package testenv

import "time"

// maxEventsPerAdvance bounds one Advance/Set: a 1 ms tick over an hour would be 3.6 million
// guest calls, which is a test bug rather than a scenario.
const maxEventsPerAdvance = 1_000_000

// nextEvent is the earliest instant at which this VM has something to fire: a tick, or (unless
// ManualHttpCalls) an http-call response.
func (vm *VM) nextEvent() (time.Time, bool) {
	var at time.Time
	ok := false
	if vm.broken == nil && vm.tickPeriod > 0 {
		at, ok = vm.nextTick, true
	}
	if !vm.h.cfg.manualCalls {
		for _, c := range vm.inflight {
			if !ok || c.due.Before(at) {
				at, ok = c.due, true
			}
		}
	}
	return at, ok
}

// fireDue fires what is due at instant at: http-call responses first (by due time, then callout
// id), then the tick.
func (vm *VM) fireDue(at time.Time) {
	if !vm.h.cfg.manualCalls {
		for vm.broken == nil {
			c := vm.dueCall(at)
			if c == nil {
				break
			}
			vm.deliver(c)
		}
	}
	if vm.broken == nil && vm.tickPeriod > 0 && !vm.nextTick.After(at) {
		vm.nextTick = vm.nextTick.Add(vm.tickPeriod)
		vm.invoke(exTick, uint64(vm.rootID))
	}
}

// advanceTo moves the fake clock to t one event at a time.
func (h *Host) advanceTo(t time.Time) {
	for n := 0; ; n++ {
		if n == maxEventsPerAdvance {
			h.failf("clock: more than %d events while advancing to %v", maxEventsPerAdvance, t)
			return
		}
		var best *VM
		var bestAt time.Time
		for _, vm := range h.vms {
			vm.mu.Lock()
			at, ok := vm.nextEvent()
			vm.mu.Unlock()
			if ok && !at.After(t) && (best == nil || at.Before(bestAt)) {
				best, bestAt = vm, at
			}
		}
		if best == nil {
			break
		}
		h.clock.set(bestAt)
		best.mu.Lock()
		best.fireDue(bestAt)
		best.finish()
	}
	h.clock.set(t)
	h.settleOthers(nil)
	h.reportPending()
}

// Poll fires what is due on a real clock (RealClock): ticks, at most once per VM and call (a late
// timer fires once, as Envoy's does, then re-arms a period from now), and due http-call responses.
// A VM busy with a request is skipped until the next Poll. The Gateway calls it every 10 ms.
func (h *Host) Poll() {
	if h.isClosed() {
		return
	}
	for _, vm := range h.vms {
		if !vm.mu.TryLock() {
			continue
		}
		now := h.clock.Now()
		if vm.broken == nil && vm.tickPeriod > 0 && !vm.nextTick.After(now) {
			vm.nextTick = now.Add(vm.tickPeriod)
			vm.invoke(exTick, uint64(vm.rootID))
		}
		vm.settle()
		vm.restartIfBroken()
		vm.mu.Unlock()
	}
	h.reportPending()
}
