package proxywasm

import (
	"testing"
	"unsafe"
)

func addrOf(p *byte) uint32 { return uint32(uintptr(unsafe.Pointer(p))) }

func Test_takeHostBuffer(t *testing.T) {
	tests := []struct {
		name     string
		alloc    []uint32 // sizes requested by the host during one call
		takeIdx  int      // which allocation the host returns (-1: a foreign pointer)
		takeSize uint32
		wantOK   bool
		wantLen  int
	}{
		{name: "single allocation", alloc: []uint32{5}, takeIdx: 0, takeSize: 5, wantOK: true, wantLen: 5},
		{name: "second of two allocations", alloc: []uint32{8, 3}, takeIdx: 1, takeSize: 3, wantOK: true, wantLen: 3},
		{name: "shorter than allocated", alloc: []uint32{8}, takeIdx: 0, takeSize: 2, wantOK: true, wantLen: 2},
		{name: "longer than allocated", alloc: []uint32{4}, takeIdx: 0, takeSize: 5, wantOK: false},
		{name: "foreign pointer", alloc: []uint32{4}, takeIdx: -1, takeSize: 4, wantOK: false},
		{name: "empty value", alloc: nil, takeIdx: -1, takeSize: 0, wantOK: true, wantLen: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ptrs []uint32
			for _, n := range tc.alloc {
				p := allocatePinned(n)
				if p == nil {
					t.Fatalf("allocatePinned(%d) = nil", n)
				}
				ptrs = append(ptrs, addrOf(p))
			}
			if len(pins) != len(tc.alloc) {
				t.Fatalf("pins = %d, want %d", len(pins), len(tc.alloc))
			}
			ptr := uint32(12345)
			if tc.takeIdx >= 0 {
				ptr = ptrs[tc.takeIdx]
			}
			b, ok := takeHostBuffer(ptr, tc.takeSize)
			if ok != tc.wantOK || len(b) != tc.wantLen {
				t.Errorf("takeHostBuffer = len %d, %v; want len %d, %v", len(b), ok, tc.wantLen, tc.wantOK)
			}
			if ok && len(b) > 0 && cap(b) != len(b) {
				t.Errorf("cap = %d, want it cut to len %d", cap(b), len(b))
			}
			if len(pins) != 0 {
				t.Errorf("%d pins left after take: must be released on every path", len(pins))
			}
		})
	}
}

func Test_allocatePinned(t *testing.T) {
	defer releasePins()
	if p := allocatePinned(0); p == nil {
		t.Error("size 0: want a valid pointer to a 1-byte buffer")
	}
	if p := allocatePinned(maxHostAllocation + 1); p != nil {
		t.Error("size above maxHostAllocation: want nil (allocation failure)")
	}
	if len(pins) != 1 {
		t.Errorf("pins = %d, want 1", len(pins))
	}
}

func Test_takeBorrowed(t *testing.T) {
	tests := []struct {
		name     string
		alloc    []uint32 // sizes requested by the host during one armed call
		takeIdx  int      // which allocation the host returns (-1: a foreign pointer)
		takeSize uint32
		wantOK   bool
		wantLen  int
		wantBuf  bool // the result is a slice of valueBuf
	}{
		{name: "single allocation: the borrowed buffer", alloc: []uint32{5}, takeIdx: 0, takeSize: 5, wantOK: true, wantLen: 5, wantBuf: true},
		{name: "value grows the buffer", alloc: []uint32{minBorrow * 3}, takeIdx: 0, takeSize: minBorrow * 3, wantOK: true, wantLen: minBorrow * 3, wantBuf: true},
		{name: "second of two: the pinned one", alloc: []uint32{8, 3}, takeIdx: 1, takeSize: 3, wantOK: true, wantLen: 3},
		{name: "first of two: the borrowed one", alloc: []uint32{8, 3}, takeIdx: 0, takeSize: 8, wantOK: true, wantLen: 8, wantBuf: true},
		{name: "foreign pointer", alloc: []uint32{4, 4}, takeIdx: -1, takeSize: 4, wantOK: false},
		{name: "empty value", alloc: nil, takeIdx: -1, takeSize: 0, wantOK: true, wantLen: 0},
		{name: "past maxBorrow: handed out, then dropped", alloc: []uint32{maxBorrow + 1}, takeIdx: 0, takeSize: maxBorrow + 1, wantOK: true, wantLen: maxBorrow + 1, wantBuf: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			armBorrow(&valueBuf)
			var ptrs []uint32
			for _, n := range tc.alloc {
				p := hostAllocate(n)
				if p == nil {
					t.Fatalf("hostAllocate(%d) = nil", n)
				}
				ptrs = append(ptrs, addrOf(p))
			}
			if want := max(len(tc.alloc)-1, 0); len(pins) != want {
				t.Fatalf("pins = %d, want %d (all but the first allocation)", len(pins), want)
			}
			ptr := uint32(12345)
			if tc.takeIdx >= 0 {
				ptr = ptrs[tc.takeIdx]
			}
			bufBefore := valueBuf
			b, ok := takeBorrowed(ptr, tc.takeSize)
			if ok != tc.wantOK || len(b) != tc.wantLen {
				t.Fatalf("takeBorrowed = len %d, %v; want len %d, %v", len(b), ok, tc.wantLen, tc.wantOK)
			}
			if isBuf := len(b) > 0 && unsafe.SliceData(b) == unsafe.SliceData(bufBefore); isBuf != tc.wantBuf {
				t.Errorf("result is the borrowed buffer: %v, want %v", isBuf, tc.wantBuf)
			}
			if len(b) > 0 && cap(b) != len(b) {
				t.Errorf("cap = %d, want it cut to len %d", cap(b), len(b))
			}
			if len(pins) != 0 || borrowArmed || borrowUsed || borrowInto != nil {
				t.Errorf("after take: %d pins, armed %v, used %v; want all released", len(pins), borrowArmed, borrowUsed)
			}
			if cap(valueBuf) > maxBorrow {
				t.Errorf("valueBuf kept at %d bytes, want at most %d", cap(valueBuf), maxBorrow)
			}
			// Unarmed, an allocation is pinned as before.
			if p := hostAllocate(4); p == nil || len(pins) != 1 {
				t.Errorf("unarmed allocation: %v, %d pins; want pinned", p, len(pins))
			}
			disarmBorrow()
		})
	}
}
