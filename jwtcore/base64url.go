package jwtcore

import "encoding/binary"

// Strict base64url (RFC 4648 §5) without padding, as JWS compact serialization requires
// (RFC 7515 §2). Rejected: '=', characters outside [A-Za-z0-9_-] (including '+', '/' and all
// whitespace), a length ≡ 1 (mod 4), and non-canonical encodings whose unused trailing bits are
// not zero. Decoding appends to a caller buffer, so callers can reuse memory across tokens.

const b64Invalid = 0xff

var b64Dec = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Invalid
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// b64Word[k][c] is the contribution of character c at position k of a 4-character group to the
// group's 3 output bytes, placed as a little-endian word (byte 0 = first output byte), or
// b64Bad when c is not in the alphabet. OR-ing the four contributions decodes the group and
// collects every invalid character in one test, and the word is stored with one write.
const b64Bad = 1 << 31

var b64Word = func() (t [4][256]uint32) {
	for c := range 256 {
		v := uint32(b64Dec[c])
		if v == b64Invalid {
			t[0][c], t[1][c], t[2][c], t[3][c] = b64Bad, b64Bad, b64Bad, b64Bad
			continue
		}
		t[0][c] = v << 2                // high 6 bits of byte 0
		t[1][c] = v>>4 | (v&0x0f)<<12   // low 2 bits of byte 0, high 4 of byte 1
		t[2][c] = (v>>2)<<8 | (v&3)<<22 // low 4 bits of byte 1, high 2 of byte 2
		t[3][c] = v << 16               // low 6 bits of byte 2
	}
	return t
}()

var errBase64URL = newErr(ErrTokenMalformed, "base64url")

// Base64URLDecodedLen returns the decoded length of an n-character unpadded base64url string,
// and false when no valid encoding has that length (n ≡ 1 mod 4).
func Base64URLDecodedLen(n int) (int, bool) {
	if n < 0 || n%4 == 1 {
		return 0, false
	}
	return n/4*3 + (n%4*3)/4, true
}

// AppendDecodeBase64URL decodes src (strict unpadded base64url) and appends the bytes to dst.
// On error it returns dst unchanged and an *Error with reason ErrTokenMalformed.
// It allocates only when dst lacks capacity.
func AppendDecodeBase64URL(dst []byte, src string) ([]byte, error) {
	out, ok := appendB64(dst, src)
	if !ok {
		return dst, errBase64URL
	}
	return out, nil
}

func appendB64(dst []byte, src string) ([]byte, bool) {
	n, ok := Base64URLDecodedLen(len(src))
	if !ok {
		return dst, false
	}
	start := len(dst)
	if cap(dst)-start < n {
		grown := make([]byte, start, start+n)
		copy(grown, dst)
		dst = grown
	}
	// Whole groups, while the output has room for a wide store: 8 characters -> one 8-byte
	// little-endian store of which 6 bytes count, then 4 -> 4 of which 3 count (the surplus is
	// overwritten by the next group). The group that ends the output is stored bytewise, so
	// nothing past the appended bytes is ever written. Advancing the slices instead of indexing
	// them keeps bounds checks out of the loops (in wasm that halves the time).
	out := dst[start : start+n]
	s := src
	for len(s) >= 8 && len(out) >= 8 {
		w0 := b64Word[0][s[0]] | b64Word[1][s[1]] | b64Word[2][s[2]] | b64Word[3][s[3]]
		w1 := b64Word[0][s[4]] | b64Word[1][s[5]] | b64Word[2][s[6]] | b64Word[3][s[7]]
		if (w0|w1)&b64Bad != 0 {
			return dst[:start], false
		}
		binary.LittleEndian.PutUint64(out, uint64(w0)|uint64(w1)<<24)
		s, out = s[8:], out[6:]
	}
	for len(s) >= 4 && len(out) >= 4 {
		w := b64Word[0][s[0]] | b64Word[1][s[1]] | b64Word[2][s[2]] | b64Word[3][s[3]]
		if w&b64Bad != 0 {
			return dst[:start], false
		}
		binary.LittleEndian.PutUint32(out, w)
		s, out = s[4:], out[3:]
	}
	si, di := len(src)-len(s), n-len(out)
	out = dst[start : start+n]
	for ; si+4 <= len(src); si, di = si+4, di+3 {
		a, b, c, d := b64Dec[src[si]], b64Dec[src[si+1]], b64Dec[src[si+2]], b64Dec[src[si+3]]
		if (a|b|c|d)&0xc0 != 0 { // b64Invalid has the top bits set
			return dst[:start], false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		out[di], out[di+1], out[di+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	switch len(src) - si {
	case 2:
		a, b := b64Dec[src[si]], b64Dec[src[si+1]]
		if (a|b)&0xc0 != 0 || b&0x0f != 0 {
			return dst[:start], false
		}
		out[di] = a<<2 | b>>4
	case 3:
		a, b, c := b64Dec[src[si]], b64Dec[src[si+1]], b64Dec[src[si+2]]
		if (a|b|c)&0xc0 != 0 || c&0x03 != 0 {
			return dst[:start], false
		}
		out[di] = a<<2 | b>>4
		out[di+1] = b<<4 | c>>2
	}
	return dst[:start+n], true
}
