package jwtcore

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"
)

func TestAppendDecodeBase64URL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []byte // nil with ok=false means error
		ok   bool
	}{
		{name: "empty", in: "", want: []byte{}, ok: true},
		{name: "one byte", in: "AA", want: []byte{0}, ok: true},
		{name: "two bytes", in: "AAE", want: []byte{0, 1}, ok: true},
		{name: "three bytes", in: "AAEC", want: []byte{0, 1, 2}, ok: true},
		{name: "url alphabet", in: "-_-_", want: []byte{0xfb, 0xff, 0xbf}, ok: true},
		{name: "json header", in: "eyJhbGciOiJIUzI1NiJ9", want: []byte(`{"alg":"HS256"}`), ok: true},
		{name: "length 1 mod 4", in: "AAAAA"},
		{name: "single char", in: "A"},
		{name: "padding", in: "AA=="},
		{name: "single pad", in: "AAE="},
		{name: "std plus", in: "+/+/"},
		{name: "std slash", in: "AA/A"},
		{name: "space", in: "AA A"},
		{name: "newline", in: "AAAA\nAAAA"},
		{name: "tab", in: "\tAAA"},
		{name: "trailing CR", in: "AAE\r"},
		{name: "non-ascii", in: "AAé"},
		{name: "NUL", in: "AA\x00A"},
		{name: "dot", in: "AA.A"},
		{name: "non-canonical 2 chars", in: "AB"},  // 'B' leaves a non-zero low bit
		{name: "non-canonical 3 chars", in: "AAF"}, // 'F' leaves non-zero low bits
		{name: "canonical 2 chars high", in: "_w", want: []byte{0xff}, ok: true},
		{name: "non-canonical _x", in: "_x"},
		{name: "canonical 3 chars high", in: "__8", want: []byte{0xff, 0xff}, ok: true},
		{name: "non-canonical __9", in: "__9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendDecodeBase64URL(nil, tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("decoded %q to %x, want error", tt.in, got)
				}
				if !errors.Is(err, ErrTokenMalformed) {
					t.Fatalf("err = %v, want token_malformed", err)
				}
				if len(got) != 0 {
					t.Fatalf("dst grew on error: %x", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("got %x, want %x", got, tt.want)
			}
		})
	}
}

func TestAppendDecodeBase64URL_MatchesStdlibOnRandomInput(t *testing.T) {
	buf := make([]byte, 0, 64)
	for n := 0; n < 200; n++ {
		src := make([]byte, n%67)
		if _, err := rand.Read(src); err != nil {
			t.Fatal(err)
		}
		enc := base64.RawURLEncoding.EncodeToString(src)
		got, err := AppendDecodeBase64URL(buf[:0], enc)
		if err != nil {
			t.Fatalf("len %d: %v", len(src), err)
		}
		if !bytes.Equal(got, src) {
			t.Fatalf("len %d: got %x want %x", len(src), got, src)
		}
	}
}

func TestAppendDecodeBase64URL_AppendsAndReuses(t *testing.T) {
	dst := append(make([]byte, 0, 32), 'x')
	got, err := AppendDecodeBase64URL(dst, "AAEC")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte{'x', 0, 1, 2}) {
		t.Fatalf("got %x", got)
	}
	if &got[0] != &dst[0] {
		t.Fatal("did not reuse the caller's buffer")
	}
	allocs := testing.AllocsPerRun(100, func() {
		got, _ = AppendDecodeBase64URL(dst[:0], "eyJhbGciOiJIUzI1NiJ9")
	})
	if allocs != 0 {
		t.Fatalf("allocs/op = %v, want 0 with a large enough buffer", allocs)
	}
}

func TestBase64URLDecodedLen(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want int
		ok   bool
	}{
		{name: "zero", n: 0, want: 0, ok: true},
		{name: "one", n: 1},
		{name: "two", n: 2, want: 1, ok: true},
		{name: "three", n: 3, want: 2, ok: true},
		{name: "four", n: 4, want: 3, ok: true},
		{name: "five", n: 5},
		{name: "negative", n: -4},
		{name: "86", n: 86, want: 64, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Base64URLDecodedLen(tt.n)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Base64URLDecodedLen(%d) = %d,%v want %d,%v", tt.n, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// Every byte value at every position of inputs of 2 to 13 characters (whole groups, the last
// group and the 2- and 3-character tails) is accepted or rejected as the standard library's
// strict decoder does, with the same bytes (except CR and LF, which it skips and jwtcore rejects).
func TestAppendDecodeBase64URL_EveryByteEveryPosition(t *testing.T) {
	strict := base64.RawURLEncoding.Strict()
	base := []byte("QUJDREVGR0hJSktM") // "ABCDEFGHIJKL"
	for n := 2; n <= 13; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				in := append([]byte{}, base[:n]...)
				in[pos] = byte(c)
				want, werr := strict.DecodeString(string(in))
				if c == '\r' || c == '\n' {
					want, werr = nil, errors.New("newline")
				}
				got, err := AppendDecodeBase64URL(nil, string(in))
				if (err == nil) != (werr == nil) || (err == nil && !bytes.Equal(got, want)) {
					t.Fatalf("%q: got %x,%v want %x,%v", in, got, err, want, werr)
				}
			}
		}
	}
}

// Decoding writes only the bytes it appends: a byte just past them in the caller's buffer is
// left alone, whatever the length.
func TestAppendDecodeBase64URL_WritesOnlyAppended(t *testing.T) {
	for n := 0; n < 40; n++ {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(0xa5 ^ i)
		}
		enc := base64.RawURLEncoding.EncodeToString(src)
		buf := make([]byte, 3+n+8)
		for i := range buf {
			buf[i] = 0xee
		}
		got, err := AppendDecodeBase64URL(buf[:3], enc)
		if err != nil || !bytes.Equal(got[3:], src) {
			t.Fatalf("len %d: got %x,%v", n, got, err)
		}
		for i := 3 + n; i < len(buf); i++ {
			if buf[i] != 0xee {
				t.Fatalf("len %d: byte %d past the output was overwritten", n, i-3-n)
			}
		}
	}
}
