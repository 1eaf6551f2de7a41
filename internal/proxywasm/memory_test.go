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
