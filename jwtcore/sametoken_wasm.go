//go:build wasm

package jwtcore

import "unsafe"

// sameToken reports whether a == b. Inside wasm the runtime compares strings one byte at a time
// (about 1 ns per byte under wazero); eight bytes at a time makes a cache hit on a ~800-byte
// RS256 token ~0.7 µs cheaper. Unaligned 8-byte loads are valid in wasm.
func sameToken(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	pa, pb := unsafe.Pointer(unsafe.StringData(a)), unsafe.Pointer(unsafe.StringData(b))
	i := 0
	for ; i+8 <= len(a); i += 8 {
		if *(*uint64)(unsafe.Add(pa, i)) != *(*uint64)(unsafe.Add(pb, i)) {
			return false
		}
	}
	for ; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
