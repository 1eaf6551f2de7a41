package sha256x

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"
)

// FuzzSHA256 compares Sum256 with crypto/sha256 on arbitrary input.
func FuzzSHA256(f *testing.F) {
	for _, s := range []string{"", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", string(make([]byte, 55)), string(make([]byte, 64)), string(make([]byte, 119))} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if got, want := Sum256(msg), sha256.Sum256(msg); got != want {
			t.Fatalf("Sum256(%x) = %x, crypto/sha256 = %x", msg, got, want)
		}
	})
}

// FuzzHMAC compares HMAC with crypto/hmac over crypto/sha256 on arbitrary keys and messages.
func FuzzHMAC(f *testing.F) {
	f.Add([]byte("Jefe"), []byte("what do ya want for nothing?"))
	f.Add([]byte{}, []byte{})
	f.Add(make([]byte, 64), make([]byte, 56))
	f.Add(make([]byte, 131), make([]byte, 150))
	f.Fuzz(func(t *testing.T, key, msg []byte) {
		got := NewHMAC(key).Sum(msg)
		ref := hmac.New(sha256.New, key)
		ref.Write(msg)
		if want := ref.Sum(nil); !hmac.Equal(got[:], want) {
			t.Fatalf("HMAC(key %x, msg %x) = %x, crypto/hmac = %x", key, msg, got, want)
		}
	})
}
