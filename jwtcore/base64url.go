package jwtcore

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
	out := dst[start : start+n]
	si, di := 0, 0
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
