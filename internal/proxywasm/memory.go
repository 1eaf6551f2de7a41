package proxywasm

import "unsafe"

// Memory handed to the host through proxy_on_memory_allocate.
//
// After proxy_on_memory_allocate returns, the only reference to the buffer is
// an i32 the host writes into guest memory, which the GC cannot see. Every
// buffer is therefore kept in pins until the host call that caused the
// allocation returns and takeHostBuffer hands it to Go code (see
// shared/notes/feasibility.md, Q2). releasePins runs on every path.

// maxHostAllocation bounds one proxy_on_memory_allocate request; larger
// requests fail (return 0) instead of exhausting the VM's memory.
const maxHostAllocation = 64 << 20

// pins holds host-requested allocations not yet taken over by Go code.
var pins [][]byte

// allocatePinned returns a new zeroed buffer of size bytes (at least one, so
// the pointer is valid) and pins it. It returns nil if size is too large.
func allocatePinned(size uint32) *byte {
	if size > maxHostAllocation {
		return nil
	}
	n := size
	if n == 0 {
		n = 1
	}
	b := make([]byte, n)
	pins = append(pins, b)
	return &b[0]
}

// takeHostBuffer returns the pinned buffer starting at ptr, cut to size
// bytes, and releases all pins. It returns ok=false if ptr does not belong to
// a pinned buffer large enough (the host returned memory the guest did not
// hand out). size 0 yields (nil, true) whatever ptr is: Envoy passes 0/0 for
// empty values.
func takeHostBuffer(ptr, size uint32) (b []byte, ok bool) {
	if size == 0 {
		releasePins()
		return nil, true
	}
	for _, p := range pins {
		if uint32(uintptr(unsafe.Pointer(unsafe.SliceData(p)))) == ptr && uint64(size) <= uint64(len(p)) {
			b = p[:size:size]
			ok = true
			break
		}
	}
	releasePins()
	return b, ok
}

// releasePins drops every pin, keeping the slice's backing array.
func releasePins() {
	clear(pins)
	pins = pins[:0]
}
