package sha256x

// Benchmarks of this package beside crypto/sha256 and crypto/hmac in the same run. What counts
// is the wasm figure:
//
//	GOOS=wasip1 GOARCH=wasm go test -c -o /tmp/sha256x.test . && \
//	  wasmrun /tmp/sha256x.test -test.run '^$' -test.bench . -test.benchmem -test.count=3
//
// "stdlib" uses crypto/hmac the way jwtcore did before this package: one keyed hash.Hash,
// Reset + Write + Sum per MAC (Reset restores the pre-keyed state).

import (
	"crypto/hmac"
	"crypto/sha256"
	"strconv"
	"testing"
)

var benchSink [Size]byte

func BenchmarkBlock(b *testing.B) {
	for _, n := range []int{1, 10} {
		buf := make([]byte, n*BlockSize)
		b.Run(strconv.Itoa(n)+"blocks/sha256x", func(b *testing.B) {
			s := iv
			b.SetBytes(int64(len(buf)))
			for i := 0; i < b.N; i++ {
				blocks(&s, buf)
			}
			benchSink[0] = byte(s[0])
		})
		b.Run(strconv.Itoa(n)+"blocks/stdlib", func(b *testing.B) {
			h := sha256.New()
			b.SetBytes(int64(len(buf)))
			for i := 0; i < b.N; i++ {
				h.Write(buf) // whole blocks: the block function and Write's bookkeeping
			}
		})
	}
}

func BenchmarkSum256(b *testing.B) {
	for _, n := range []int{150, 600} {
		msg := make([]byte, n)
		b.Run(strconv.Itoa(n)+"B/sha256x", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				benchSink = Sum256(msg)
			}
		})
		b.Run(strconv.Itoa(n)+"B/stdlib", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				benchSink = sha256.Sum256(msg)
			}
		})
	}
}

func BenchmarkHMAC(b *testing.B) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	for _, n := range []int{150, 600} {
		msg := make([]byte, n)
		b.Run(strconv.Itoa(n)+"B/sha256x", func(b *testing.B) {
			m := NewHMAC(key)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				benchSink = m.Sum(msg)
			}
		})
		b.Run(strconv.Itoa(n)+"B/stdlib", func(b *testing.B) {
			m := hmac.New(sha256.New, key)
			var out []byte
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m.Reset()
				m.Write(msg)
				out = m.Sum(out[:0])
			}
		})
	}
}
