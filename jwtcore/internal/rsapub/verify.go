package rsapub

// Hash names the digest inside a PKCS#1 v1.5 signature.
type Hash uint8

// The digests VerifyPKCS1v15 knows the DigestInfo encoding of.
const (
	SHA256 Hash = iota + 1
	SHA384
	SHA512
)

// DER of DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING digest } up to the
// digest itself, for each hash (RFC 8017 §9.2, note 1).
var digestInfo = [...][]byte{
	SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// Size returns the digest length of h in bytes, or 0 for an unknown h.
func (h Hash) Size() int {
	switch h {
	case SHA256:
		return 32
	case SHA384:
		return 48
	case SHA512:
		return 64
	}
	return 0
}

// VerifyPKCS1v15 reports whether sig is a valid RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2)
// by k of the message whose h-digest is digest. It requires len(sig) == k.Size() and
// len(digest) == h.Size(), rejects a signature representative s >= n, computes m = s^e mod n
// (RSAVP1, §5.2.2) and compares all k bytes of m with the expected encoding
// 0x00 0x01 FF…FF 0x00 || DigestInfo(h) || digest (EMSA-PKCS1-v1_5, §9.2).
func (k *PublicKey) VerifyPKCS1v15(h Hash, digest, sig []byte) bool {
	if h.Size() == 0 || len(digest) != h.Size() || len(sig) != k.k {
		return false
	}
	var small [4 * 32]uint64 // a 2048-bit key's four numbers stay on the stack
	l := len(k.n)
	var buf []uint64
	if l <= 32 {
		buf = small[:4*l]
	} else {
		buf = make([]uint64, 4*l)
	}
	s, sR, a, b := buf[:l], buf[l:2*l], buf[2*l:3*l], buf[3*l:]
	limbsFromBytes(s, sig)
	if !less(s, k.n) {
		return false // RSAVP1 step 1: s must be in [0, n-1]
	}
	k.pow(b, s, sR, a)
	return matchesEncoding(b, k.k, digestInfo[h], digest)
}

// pow sets z = s^e mod n (s < n, fully reduced); sR and t are scratch of len(n) limbs.
// Left to right over the bits of e (public, so variable time is fine): the running value is
// kept in Montgomery form (a·R mod n), and because e is odd the last step, a multiplication by
// s, uses s itself rather than s·R, which returns the result out of Montgomery form for free.
func (k *PublicKey) pow(z, s, sR, t []uint64) {
	k.montMul(sR, s, k.rr) // s·R² ·R⁻¹ = s·R
	copy(t, sR)            // the top bit of e
	top := 31
	for k.e>>top == 0 {
		top--
	}
	a, b := t, z
	for bit := top - 1; bit >= 1; bit-- {
		k.montMul(b, a, a)
		a, b = b, a
		if k.e>>bit&1 != 0 {
			k.montMul(b, a, sR)
			a, b = b, a
		}
	}
	// bit 0 is 1: square, then multiply by plain s: s^(e-1)·R · s · R⁻¹ = s^e mod n.
	k.montMul(b, a, a)
	a, b = b, a
	k.montMul(b, a, s)
	if &b[0] != &z[0] {
		copy(z, b)
	}
}

// matchesEncoding reports whether the k-byte big-endian form of m equals
// 0x00 0x01 FF…FF 0x00 || prefix || digest. The expected byte at every position is fixed by
// k, prefix and digest alone: nothing of m is parsed or searched, every byte is compared.
func matchesEncoding(m []uint64, k int, prefix, digest []byte) bool {
	tLen := len(prefix) + len(digest)
	if k < tLen+11 { // RFC 8017 §9.2 step 3: at least 8 bytes of 0xFF padding
		return false
	}
	if 8*len(m) < k {
		return false
	}
	for i := k; i < 8*len(m); i++ { // limb bytes above the k-byte width must be zero
		if mByte(m, i) != 0 {
			return false
		}
	}
	// Positions counted from the least significant byte: digest, prefix, 0x00, FF…FF, 0x01, 0x00.
	var diff byte
	pos := 0
	for i := len(digest) - 1; i >= 0; i-- {
		diff |= mByte(m, pos) ^ digest[i]
		pos++
	}
	for i := len(prefix) - 1; i >= 0; i-- {
		diff |= mByte(m, pos) ^ prefix[i]
		pos++
	}
	diff |= mByte(m, pos)
	pos++
	for ; pos < k-2; pos++ {
		diff |= mByte(m, pos) ^ 0xff
	}
	diff |= mByte(m, k-2) ^ 0x01
	diff |= mByte(m, k-1)
	return diff == 0
}

// mByte returns byte i (0 = least significant) of the limbs m.
func mByte(m []uint64, i int) byte { return byte(m[i/8] >> (8 * (i % 8))) }
