package sha256x

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// TestSum256_Vectors checks the SHA-256 examples NIST publishes for FIPS 180-4 (one-block,
// two-block and long messages) plus the empty message and the block-boundary padding cases.
func TestSum256_Vectors(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want string
	}{
		{name: "empty", msg: nil,
			want: "e3b0c442 98fc1c14 9afbf4c8 996fb924 27ae41e4 649b934c a495991b 7852b855"},
		{name: "abc one block", msg: []byte("abc"),
			want: "ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad"},
		{name: "448-bit two blocks", msg: []byte("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
			want: "248d6a61 d20638b8 e5c02693 0c3e6039 a33ce459 64ff2167 f6ecedd4 19db06c1"},
		{name: "896-bit", msg: []byte("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
			want: "cf5b16a7 78af8380 036ce59e 7b049237 0b249b11 e8f07a51 afac4503 7afee9d1"},
		{name: "one million a", msg: bytes.Repeat([]byte("a"), 1000000),
			want: "cdc76e5c 9914fb92 81a1c7e2 84d73e67 f1809a48 a497200e 046d39cc c7112cd0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sum256(tc.msg)
			if want := unhex(t, tc.want); !bytes.Equal(got[:], want) {
				t.Errorf("Sum256 = %x, want %x", got, want)
			}
		})
	}
}

// TestSum256_Allocs pins that a digest allocates nothing (it runs on every RS/PS/ES256 miss).
func TestSum256_Allocs(t *testing.T) {
	msg := make([]byte, 600)
	if n := testing.AllocsPerRun(100, func() { _ = Sum256(msg) }); n != 0 {
		t.Errorf("Sum256 allocates %.1f times, want 0", n)
	}
}
