//go:build wasip1 && !tinygo

package proxywasm

import "unsafe"

// Plumbing shared by the host-call wrappers.

// Out-parameter slots. They are package-level (never on a goroutine stack,
// which may move while the host re-enters the guest) and safe because a VM
// runs one callback at a time and host calls do not nest.
var (
	retData, retSize, retU32 uint32
	retU64                   uint64
)

// Scratch buffers for values serialized for the host (header maps, property
// paths). The host reads them during the call only. Buffers that grew past
// maxScratch are dropped after use so one large reply does not stay resident.
var scratchA, scratchB []byte

const maxScratch = 64 << 10

func trimScratch() {
	if cap(scratchA) > maxScratch {
		scratchA = nil
	}
	if cap(scratchB) > maxScratch {
		scratchB = nil
	}
}

func strPtr(s string) *byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.StringData(s)
}

func bytesPtr(b []byte) *byte {
	if len(b) == 0 {
		return nil
	}
	return &b[0]
}

// resetRet clears the out-parameter slots before a host call, so a host that
// reports success without writing them yields an empty value, not a stale one.
func resetRet() {
	retData, retSize, retU32, retU64 = 0, 0, 0, 0
}

// fetched completes a host call that returns bytes through retData/retSize:
// it takes the pinned buffer over (zero-copy) and releases every pin, on the
// error paths too.
func fetched(st uint32) ([]byte, error) {
	if st != statusOK {
		releasePins()
		return nil, statusToError(st)
	}
	b, ok := takeHostBuffer(retData, retSize)
	if !ok {
		return nil, ErrorHostMemory
	}
	return b, nil
}

// fetchedBorrowed is fetched for a call armed with armBorrow: the value is a
// slice of the armed buffer (or the pinned buffer the host chose), valid as
// that buffer's borrowed contract says. It disarms on every path.
func fetchedBorrowed(st uint32) ([]byte, error) {
	if st != statusOK {
		disarmBorrow()
		return nil, statusToError(st)
	}
	b, ok := takeBorrowed(retData, retSize)
	if !ok {
		return nil, ErrorHostMemory
	}
	return b, nil
}

// u32Arg converts a non-negative int argument of the SDK API to the ABI's
// uint32, clamping values too large for 31 bits (hosts clamp lengths too).
func u32Arg(v int) (uint32, bool) {
	if v < 0 {
		return 0, false
	}
	if v > 0x7fffffff {
		return 0x7fffffff, true
	}
	return uint32(v), true
}
