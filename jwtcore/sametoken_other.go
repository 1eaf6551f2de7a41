//go:build !wasm

package jwtcore

// sameToken reports whether a == b (natively the runtime's comparison is already word-wise).
func sameToken(a, b string) bool { return a == b }

// tailWords returns the last 16 bytes of s (len(s) >= 16) as two little-endian words.
func tailWords(s string) (lo, hi uint64) {
	t := s[len(s)-16:]
	return le64(t[:8]), le64(t[8:])
}

func le64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}
