package proxywasm

import "unsafe"

// The borrowed read path: a host call whose value the caller only looks at
// until its next host call can have the host write that value into one reused
// buffer instead of a fresh heap allocation, so the call leaves no garbage.
//
// armBorrow makes the FIRST proxy_on_memory_allocate of the coming host call
// return borrowBuf (grown first if too small); any further allocation in the
// same call takes the pinned heap path. borrowBuf is package-level, so it is
// always reachable and needs no pin (shared/notes/feasibility.md, Q2).
// takeBorrowed, or disarmBorrow on the error paths and in enter, ends the
// armed state on every path.

var (
	borrowBuf   []byte // reused destination of the first allocation of a borrowed call
	borrowArmed bool   // the next allocation is served from borrowBuf
	borrowUsed  bool   // an allocation of the current call was served from borrowBuf
)

// borrowBuf's capacity: at least minBorrow, so short header values do not
// regrow it one size class at a time; kept between calls up to maxBorrow.
const (
	minBorrow = 256
	maxBorrow = 64 << 10
)

// armBorrow prepares the next host call for borrowAllocate.
func armBorrow() { borrowArmed, borrowUsed = true, false }

// disarmBorrow ends a borrowed call and releases its pins. A borrowBuf that
// grew past maxBorrow is dropped (a slice already handed out keeps it alive
// for its holder), so one huge value does not stay resident.
func disarmBorrow() {
	borrowArmed, borrowUsed = false, false
	if cap(borrowBuf) > maxBorrow {
		borrowBuf = nil
	}
	releasePins()
}

// hostAllocate is the body of proxy_on_memory_allocate: the first allocation
// of an armed call is served from borrowBuf, every other one is pinned.
func hostAllocate(size uint32) *byte {
	if !borrowArmed {
		return allocatePinned(size)
	}
	borrowArmed = false
	if size > maxHostAllocation {
		return nil
	}
	n := max(int(size), 1)
	if n > cap(borrowBuf) {
		borrowBuf = make([]byte, max(n, min(2*cap(borrowBuf), maxBorrow), minBorrow))
	}
	borrowBuf = borrowBuf[:cap(borrowBuf)]
	borrowUsed = true
	return &borrowBuf[0]
}

// takeBorrowed returns the value the host named (ptr, size) after a borrowed
// call: a slice of borrowBuf if the host wrote it there, else the pinned buffer
// (cut to size, as takeHostBuffer). ok is false if the host named memory the
// guest did not hand out in this call. It disarms on every path.
func takeBorrowed(ptr, size uint32) (b []byte, ok bool) {
	if size == 0 {
		disarmBorrow()
		return nil, true
	}
	if borrowUsed && uint32(uintptr(unsafe.Pointer(unsafe.SliceData(borrowBuf)))) == ptr &&
		uint64(size) <= uint64(len(borrowBuf)) {
		b = borrowBuf[:size:size]
		disarmBorrow()
		return b, true
	}
	borrowArmed, borrowUsed = false, false
	b, ok = takeHostBuffer(ptr, size)
	disarmBorrow()
	return b, ok
}
