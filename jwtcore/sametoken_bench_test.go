package jwtcore

import (
	"strings"
	"testing"
)

// BenchmarkSameToken compares two equal 800-byte strings (an RS256 token's size), the
// comparison a verified-token cache hit makes; run it inside wasm (make bench-wasm).
func BenchmarkSameToken(b *testing.B) {
	a := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 800/21+1)[:800]
	c := strings.Clone(a)
	for i := 0; i < b.N; i++ {
		if !sameToken(a, c) {
			b.Fatal("differ")
		}
	}
}
