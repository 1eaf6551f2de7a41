package sha256x

import (
	"bytes"
	"testing"
)

// TestHMAC_RFC4231 checks all seven HMAC-SHA-256 test cases of RFC 4231 §4.2-4.8. Case 5
// specifies only the first 128 bits of the output (truncation); the others the full 256.
func TestHMAC_RFC4231(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		data []byte
		want string
	}{
		{name: "case 1", key: bytes.Repeat([]byte{0x0b}, 20), data: []byte("Hi There"),
			want: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{name: "case 2 short key", key: []byte("Jefe"), data: []byte("what do ya want for nothing?"),
			want: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{name: "case 3 combined length 50", key: bytes.Repeat([]byte{0xaa}, 20), data: bytes.Repeat([]byte{0xdd}, 50),
			want: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
		{name: "case 4", key: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25},
			data: bytes.Repeat([]byte{0xcd}, 50),
			want: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
		{name: "case 5 truncation to 128 bits", key: bytes.Repeat([]byte{0x0c}, 20), data: []byte("Test With Truncation"),
			want: "a3b6167473100ee06e0c796c2955552b"},
		{name: "case 6 key longer than block", key: bytes.Repeat([]byte{0xaa}, 131),
			data: []byte("Test Using Larger Than Block-Size Key - Hash Key First"),
			want: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{name: "case 7 long key and long data", key: bytes.Repeat([]byte{0xaa}, 131),
			data: []byte("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
			want: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.want)
			got := NewHMAC(tc.key).Sum(tc.data)
			if !bytes.Equal(got[:len(want)], want) {
				t.Errorf("HMAC = %x, want prefix %x", got, want)
			}
		})
	}
}

// TestHMAC_Reuse checks that one prepared HMAC gives the same MAC every time and that Sum
// leaves its prepared state untouched (it copies the chaining states).
func TestHMAC_Reuse(t *testing.T) {
	m := NewHMAC([]byte("Jefe"))
	before := *m
	first := m.Sum([]byte("what do ya want for nothing?"))
	_ = m.Sum(bytes.Repeat([]byte("x"), 1000))
	second := m.Sum([]byte("what do ya want for nothing?"))
	if first != second {
		t.Errorf("Sum changed between calls: %x then %x", first, second)
	}
	if *m != before {
		t.Errorf("Sum modified the prepared states")
	}
}

// TestHMAC_Allocs pins that a MAC allocates nothing (it runs on every HS256 miss).
func TestHMAC_Allocs(t *testing.T) {
	m := NewHMAC(bytes.Repeat([]byte{7}, 32))
	msg := make([]byte, 150)
	if n := testing.AllocsPerRun(100, func() { _ = m.Sum(msg) }); n != 0 {
		t.Errorf("HMAC.Sum allocates %.1f times, want 0", n)
	}
}
