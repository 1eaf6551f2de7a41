package rsapub

import (
	"errors"
	"math/big"
	"strconv"
)

// Bounds on the keys NewPublicKey accepts. jwtcore enforces the same ones at key load.
const (
	MinBits = 2048
	MaxBits = 8192
)

// PublicKey is an RSA public key prepared for repeated verification. It is immutable and
// safe for concurrent use.
type PublicKey struct {
	n  []uint64 // the modulus: 64-bit limbs, least significant first, zero-padded to a multiple of 8 limbs
	rr []uint64 // R² mod n, R = 2^(64·len(n)), same layout
	n0 uint64   // -n⁻¹ mod 2^64
	e  uint32   // the public exponent: odd, 3 <= e < 2^31
	k  int      // the modulus length in bytes (= signature length)
}

// NewPublicKey validates (n, e) and computes the Montgomery constants. n must be odd with
// MinBits..MaxBits bits and e odd with 3 <= e < 2^31; the limits are crypto/rsa's own for e
// and jwtcore's for n.
func NewPublicKey(n *big.Int, e int) (*PublicKey, error) {
	if n == nil || n.Sign() <= 0 {
		return nil, errors.New("rsapub: modulus is missing or not positive")
	}
	bits := n.BitLen()
	if bits < MinBits || bits > MaxBits {
		return nil, errors.New("rsapub: modulus is " + strconv.Itoa(bits) + " bits, need " + strconv.Itoa(MinBits) + ".." + strconv.Itoa(MaxBits))
	}
	if n.Bit(0) == 0 {
		return nil, errors.New("rsapub: modulus is even")
	}
	if e < 3 || e&1 == 0 || int64(e) > 1<<31-1 {
		return nil, errors.New("rsapub: public exponent " + strconv.Itoa(e) + " is invalid (need odd, 3 <= e < 2^31)")
	}
	k := (bits + 7) / 8
	limbs := (bits + 64*limbGroup - 1) / (64 * limbGroup) * limbGroup // a multiple of 8 (mont.go)
	buf := make([]byte, limbs*8)
	pk := &PublicKey{n: make([]uint64, limbs), rr: make([]uint64, limbs), e: uint32(e), k: k}
	limbsFromBytes(pk.n, n.FillBytes(buf))
	// R² mod n with R = 2^(64·limbs): computed once here, with math/big (load time only).
	rr := new(big.Int).Lsh(big.NewInt(1), uint(128*limbs))
	rr.Mod(rr, n)
	limbsFromBytes(pk.rr, rr.FillBytes(buf))
	pk.n0 = negInv64(pk.n[0])
	return pk, nil
}

// Size returns the modulus length in bytes, which is the length of every valid signature.
func (k *PublicKey) Size() int { return k.k }

// negInv64 returns -x⁻¹ mod 2^64 for odd x. Newton's iteration y ← y·(2 - x·y) doubles the
// number of correct low bits; y = x is right to 3 bits (x·x ≡ 1 mod 8 for odd x).
func negInv64(x uint64) uint64 {
	y := x
	for i := 0; i < 5; i++ { // 3 → 6 → 12 → 24 → 48 → 96 bits
		y *= 2 - x*y
	}
	return -y
}

// limbsFromBytes sets z to the big-endian integer b (len(b) <= 8·len(z)), 64 bits per limb.
func limbsFromBytes(z []uint64, b []byte) {
	for i := range z {
		z[i] = 0
	}
	for i, j := len(b)-1, 0; i >= 0; i, j = i-1, j+1 {
		z[j/8] |= uint64(b[i]) << (8 * (j % 8))
	}
}
