package proxywasm

import "unsafe"

// The borrowed read path: a host call whose result the caller only looks at
// for a known while can have the host write it into a buffer the binding
// reuses instead of a fresh heap allocation, so the call leaves no garbage.
//
// There are two such buffers, one per kind of borrowed read, so that one
// kind never overwrites the other's result:
//   - valueBuf: GetHttpRequestHeaderBorrowed (valid until the next host call);
//   - mapBuf:   GetHttpRequestHeadersBorrowed (valid until its next call).
//
// armBorrow(buf) makes the FIRST proxy_on_memory_allocate of the coming host
// call return *buf (grown first if too small); any further allocation in the
// same call takes the pinned heap path. Both buffers are package-level, so
// they are always reachable and need no pin (shared/notes/feasibility.md,
// Q2). takeBorrowed, or disarmBorrow on the error paths and in enter, ends
// the armed state on every path.

var (
	valueBuf    []byte  // reused destination of GetHttpRequestHeaderBorrowed
	mapBuf      []byte  // reused destination of GetHttpRequestHeadersBorrowed
	borrowInto  *[]byte // the buffer of the call in progress (nil: none)
	borrowArmed bool    // the next allocation is served from *borrowInto
	borrowUsed  bool    // an allocation of the current call was served from *borrowInto
)

// A borrowed buffer's capacity: at least minBorrow, so short values do not
// regrow it one size class at a time; kept between calls up to maxBorrow.
const (
	minBorrow = 256
	maxBorrow = 64 << 10
)

// armBorrow prepares the next host call for hostAllocate to serve its first
// allocation from *buf.
func armBorrow(buf *[]byte) { borrowInto, borrowArmed, borrowUsed = buf, true, false }

// disarmBorrow ends a borrowed call and releases its pins. A buffer that grew
// past maxBorrow is dropped (a slice already handed out keeps it alive for
// its holder), so one huge value does not stay resident.
func disarmBorrow() {
	if borrowInto != nil && cap(*borrowInto) > maxBorrow {
		*borrowInto = nil
	}
	borrowInto, borrowArmed, borrowUsed = nil, false, false
	releasePins()
}

// hostAllocate is the body of proxy_on_memory_allocate: the first allocation
// of an armed call is served from the armed buffer, every other one is pinned.
func hostAllocate(size uint32) *byte {
	if !borrowArmed {
		return allocatePinned(size)
	}
	borrowArmed = false
	if size > maxHostAllocation {
		return nil
	}
	buf := borrowInto
	n := max(int(size), 1)
	if n > cap(*buf) {
		*buf = make([]byte, max(n, min(2*cap(*buf), maxBorrow), minBorrow))
	}
	*buf = (*buf)[:cap(*buf)]
	borrowUsed = true
	return &(*buf)[0]
}

// takeBorrowed returns the value the host named (ptr, size) after a borrowed
// call: a slice of the armed buffer if the host wrote it there, else the
// pinned buffer (cut to size, as takeHostBuffer). ok is false if the host
// named memory the guest did not hand out in this call. It disarms on every
// path.
func takeBorrowed(ptr, size uint32) (b []byte, ok bool) {
	if size == 0 {
		disarmBorrow()
		return nil, true
	}
	if buf := borrowInto; borrowUsed && buf != nil &&
		uint32(uintptr(unsafe.Pointer(unsafe.SliceData(*buf)))) == ptr && uint64(size) <= uint64(len(*buf)) {
		b = (*buf)[:size:size]
		disarmBorrow()
		return b, true
	}
	borrowArmed, borrowUsed = false, false
	b, ok = takeHostBuffer(ptr, size)
	disarmBorrow()
	return b, ok
}
