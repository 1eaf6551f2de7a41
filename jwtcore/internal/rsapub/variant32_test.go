package rsapub

import (
	"math/big"
	"testing"
)

// mont32 is the alternative montMul was measured against (kept so BenchmarkMontMul can
// re-measure the choice): 32-bit limbs in uint64 words, where a limb product plus two limbs of
// carry fits 64 bits exactly ((2^32-1)² + 2·(2^32-1) = 2^64-1), so no 128-bit emulation is
// needed, but there are four times as many steps. Same finely integrated operand scanning,
// 8 limbs per loop iteration.
type mont32 struct {
	n  []uint64
	n0 uint64 // -n⁻¹ mod 2^32
}

func newMont32(n *big.Int) *mont32 {
	l := (n.BitLen() + 255) / 256 * 8
	m := &mont32{n: make([]uint64, l)}
	b := n.FillBytes(make([]byte, 4*l))
	for j := 0; j < len(b); j++ {
		m.n[j/4] |= uint64(b[len(b)-1-j]) << (8 * (j % 4))
	}
	m.n0 = negInv64(m.n[0]) & mask32
	return m
}

// fios32 is one step of a mont32 row: the running carries c1 (product) and c2 (reduction)
// absorb z[j] + x[j]·y[i] and m·n[j]; it returns the new carries and the limb z[j-1].
func fios32(c1, c2, zj, xj, yi, nj, m uint64) (uint64, uint64, uint64) {
	c1 += zj + xj*yi
	c2 += (c1 & mask32) + m*nj
	return c1 >> 32, c2 >> 32, c2 & mask32
}

// mul sets z = x·y·R⁻¹ mod n for x, y < n (R = 2^(32·len(n))), with the result fully
// reduced (z < n). z must not alias x or y; all three have len(n) limbs, a multiple of 8. It
// interleaves the product and the reduction row by row (finely integrated operand scanning):
// row i adds x·y[i] and m·n, where m makes the lowest limb zero, then drops that limb. With
// x, y < n the running value stays below 2n, so one limb (top, 0 or 1) above the len(n) limbs
// is enough.
func (k *mont32) mul(z, x, y []uint64) {
	n := k.n
	l := len(n)
	if l%limbGroup != 0 || l == 0 {
		panic("rsapub: limb count is not a positive multiple of 8")
	}
	z, x, y = z[:l], x[:l], y[:l]
	for i := range z {
		z[i] = 0
	}
	n0 := k.n0
	var top uint64
	for i := 0; i < l; i++ {
		yi := y[i]
		x8, n8, z8 := (*[8]uint64)(x[:8]), (*[8]uint64)(n[:8]), (*[8]uint64)(z[:8])
		c1 := z8[0] + x8[0]*yi // t0 + x0·yi
		m := (c1 * n0) & mask32
		c2 := ((c1 & mask32) + m*n8[0]) >> 32 // the low limb is zero by the choice of m
		c1 >>= 32
		c1, c2, z8[0] = fios32(c1, c2, z8[1], x8[1], yi, n8[1], m)
		c1, c2, z8[1] = fios32(c1, c2, z8[2], x8[2], yi, n8[2], m)
		c1, c2, z8[2] = fios32(c1, c2, z8[3], x8[3], yi, n8[3], m)
		c1, c2, z8[3] = fios32(c1, c2, z8[4], x8[4], yi, n8[4], m)
		c1, c2, z8[4] = fios32(c1, c2, z8[5], x8[5], yi, n8[5], m)
		c1, c2, z8[5] = fios32(c1, c2, z8[6], x8[6], yi, n8[6], m)
		c1, c2, z8[6] = fios32(c1, c2, z8[7], x8[7], yi, n8[7], m)
		for j := 8; j < l; j += 8 {
			w := (*[9]uint64)(z[j-1 : j+8]) // reads z[j..j+7], writes z[j-1..j+6]
			x8, n8 = (*[8]uint64)(x[j:j+8]), (*[8]uint64)(n[j:j+8])
			c1, c2, w[0] = fios32(c1, c2, w[1], x8[0], yi, n8[0], m)
			c1, c2, w[1] = fios32(c1, c2, w[2], x8[1], yi, n8[1], m)
			c1, c2, w[2] = fios32(c1, c2, w[3], x8[2], yi, n8[2], m)
			c1, c2, w[3] = fios32(c1, c2, w[4], x8[3], yi, n8[3], m)
			c1, c2, w[4] = fios32(c1, c2, w[5], x8[4], yi, n8[4], m)
			c1, c2, w[5] = fios32(c1, c2, w[6], x8[5], yi, n8[5], m)
			c1, c2, w[6] = fios32(c1, c2, w[7], x8[6], yi, n8[6], m)
			c1, c2, w[7] = fios32(c1, c2, w[8], x8[7], yi, n8[7], m)
		}
		c1 += top + c2
		z[l-1] = c1 & mask32
		top = c1 >> 32
	}
	if top != 0 || !less(z, n) {
		var borrow uint64
		for i := range z {
			d := z[i] - n[i] - borrow
			z[i] = d & mask32
			borrow = d >> 63
		}
	}
}

// TestMont32 checks the alternative against math/big, so its figures are of a correct one.
func TestMont32(t *testing.T) {
	for _, k := range loadKeys(t) {
		m := newMont32(k.priv.N)
		l := len(m.n)
		a := new(big.Int).Sub(k.priv.N, big.NewInt(12345))
		b := new(big.Int).Rsh(k.priv.N, 3)
		x, y, z := to32(a, l), to32(b, l), make([]uint64, l)
		m.mul(z, x, y)
		rInv := new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), uint(32*l)), k.priv.N)
		want := new(big.Int).Mul(a, b)
		want.Mul(want, rInv).Mod(want, k.priv.N)
		got := new(big.Int)
		for i := l - 1; i >= 0; i-- {
			got.Lsh(got, 32).Or(got, big.NewInt(int64(z[i])))
		}
		if got.Cmp(want) != 0 {
			t.Fatalf("%s: mont32 = %x, want %x", k.name, got, want)
		}
	}
}

func to32(v *big.Int, l int) []uint64 {
	z := make([]uint64, l)
	b := v.FillBytes(make([]byte, 4*l))
	for j := 0; j < len(b); j++ {
		z[j/4] |= uint64(b[len(b)-1-j]) << (8 * (j % 4))
	}
	return z
}

// BenchmarkMontMul compares one Montgomery multiplication modulo the 2048-bit key with 64-bit
// limbs (montMul, what VerifyPKCS1v15 uses) and with 32-bit limbs (mont32).
func BenchmarkMontMul(b *testing.B) {
	k := loadKeys(b)[0]
	a, c := new(big.Int).Sub(k.priv.N, big.NewInt(7)), new(big.Int).Rsh(k.priv.N, 1)
	l := len(k.pub.n)
	x, y, z := make([]uint64, l), make([]uint64, l), make([]uint64, l)
	toLimbs(x, a)
	toLimbs(y, c)
	b.Run("64bit", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			k.pub.montMul(z, x, y)
		}
	})
	m := newMont32(k.priv.N)
	x, y, z = to32(a, len(m.n)), to32(c, len(m.n)), make([]uint64, len(m.n))
	b.Run("32bit", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.mul(z, x, y)
		}
	})
}
