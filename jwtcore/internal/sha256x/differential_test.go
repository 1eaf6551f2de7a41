package sha256x

import (
	"crypto/hmac"
	"crypto/sha256"
	"math/rand"
	"testing"
)

// The differential tests compare with crypto/sha256 and crypto/hmac, independent
// implementations (natively they even run different code: SHA-NI/AVX2 assembly).

// TestSum256_Differential covers every length 0..300 (all padding cases around the 55/56/64
// byte boundaries, one to five blocks), random lengths up to 5000, and unaligned input.
func TestSum256_Differential(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	buf := make([]byte, 5001)
	r.Read(buf)
	check := func(name string, msg []byte) {
		t.Helper()
		if got, want := Sum256(msg), sha256.Sum256(msg); got != want {
			t.Fatalf("%s (len %d): Sum256 = %x, crypto/sha256 = %x", name, len(msg), got, want)
		}
	}
	for n := 0; n <= 300; n++ {
		check("every length", buf[:n])
		check("unaligned", buf[1:1+n])
	}
	for i := 0; i < 300; i++ {
		n := r.Intn(5001)
		check("random length", buf[len(buf)-n:])
	}
}

// TestHMAC_Differential covers every message length 0..300 with random keys of length 0..200
// (so keys shorter than, equal to and longer than a block), the boundary key lengths with
// every key length 0..200 once, and random message lengths up to 5000.
func TestHMAC_Differential(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	buf := make([]byte, 5000)
	r.Read(buf)
	check := func(name string, key, msg []byte) {
		t.Helper()
		got := NewHMAC(key).Sum(msg)
		ref := hmac.New(sha256.New, key)
		ref.Write(msg)
		if want := ref.Sum(nil); !hmac.Equal(got[:], want) {
			t.Fatalf("%s (key len %d, msg len %d): HMAC = %x, crypto/hmac = %x", name, len(key), len(msg), got, want)
		}
	}
	key := make([]byte, 200)
	for n := 0; n <= 300; n++ {
		k := key[:r.Intn(201)]
		r.Read(k)
		check("every message length", k, buf[:n])
	}
	for kl := 0; kl <= 200; kl++ {
		k := key[:kl]
		r.Read(k)
		check("every key length", k, buf[:r.Intn(300)])
	}
	for i := 0; i < 200; i++ {
		k := key[:r.Intn(201)]
		r.Read(k)
		check("random length", k, buf[:r.Intn(5001)])
	}
}
