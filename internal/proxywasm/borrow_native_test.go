//go:build !wasip1 || tinygo

package proxywasm

import (
	"slices"
	"strings"
	"testing"
)

// The native borrowed read enforces the contract: the previous result's
// bytes are overwritten by the next call, so a string kept past it changes.
func Test_borrowedMap_refill(t *testing.T) {
	var m borrowedMap
	first := [][2]string{{":path", "/first"}, {"authorization", "Bearer aaaa"}}
	got := m.refill(first)
	if !slices.Equal(got, first) {
		t.Fatalf("refill = %q, want %q", got, first)
	}
	kept, keptCopy := got[1][1], strings.Clone(got[1][1])
	second := [][2]string{{":path", "/2"}, {"x", "y"}}
	if got := m.refill(second); !slices.Equal(got, second) {
		t.Fatalf("refill = %q, want %q", got, second)
	}
	if kept == keptCopy {
		t.Errorf("a string kept from the first result still reads %q: the contract is not enforced", kept)
	}
	if want := strings.Repeat("\xaa", len(keptCopy)); kept != want && !strings.Contains(kept, "\xaa") {
		t.Errorf("kept string = %q, want it poisoned with 0xAA", kept)
	}
}
