package rsapub

import (
	"math/big"
	"math/rand"
	"testing"
)

// TestNewPublicKey_Rejects checks the key bounds: odd modulus of MinBits..MaxBits bits, odd
// exponent 3 <= e < 2^31.
func TestNewPublicKey_Rejects(t *testing.T) {
	odd := func(bits int) *big.Int {
		n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return n.Add(n, big.NewInt(1))
	}
	tests := []struct {
		name string
		n    *big.Int
		e    int
		ok   bool
	}{
		{name: "nil modulus", n: nil, e: 65537},
		{name: "zero modulus", n: new(big.Int), e: 65537},
		{name: "negative modulus", n: new(big.Int).Neg(odd(2048)), e: 65537},
		{name: "1024 bits", n: odd(1024), e: 65537},
		{name: "2047 bits", n: odd(2047), e: 65537},
		{name: "2048 bits", n: odd(2048), e: 65537, ok: true},
		{name: "8192 bits", n: odd(8192), e: 65537, ok: true},
		{name: "8193 bits", n: odd(8193), e: 65537},
		{name: "even modulus", n: new(big.Int).Lsh(big.NewInt(1), 2047), e: 65537},
		{name: "e=1", n: odd(2048), e: 1},
		{name: "e=2", n: odd(2048), e: 2},
		{name: "e=3", n: odd(2048), e: 3, ok: true},
		{name: "e=65536", n: odd(2048), e: 65536},
		{name: "e=2^31-1", n: odd(2048), e: 1<<31 - 1, ok: true},
		{name: "e=2^31+1", n: odd(2048), e: 1<<31 + 1},
		{name: "e=-3", n: odd(2048), e: -3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewPublicKey(tc.n, tc.e)
			if tc.ok != (err == nil) || (err == nil) != (k != nil) {
				t.Fatalf("NewPublicKey: key %v, err %v; want ok = %v", k != nil, err, tc.ok)
			}
		})
	}
}

// TestNewPublicKey_Constants checks the prepared constants against math/big: n·(-n0) ≡ 1 mod
// 2^32, R² mod n, and the limbs of n.
func TestNewPublicKey_Constants(t *testing.T) {
	for _, k := range loadKeys(t) {
		n := k.priv.N
		if got := fromLimbs(k.pub.n); got.Cmp(n) != 0 {
			t.Fatalf("%s: limbs of n = %x, want %x", k.name, got, n)
		}
		if k.pub.n[0]*k.pub.n0 != ^uint64(0) { // n·(-n⁻¹) ≡ -1
			t.Fatalf("%s: n0 = %#x is not -n⁻¹ mod 2^64", k.name, k.pub.n0)
		}
		if len(k.pub.n)%limbGroup != 0 {
			t.Fatalf("%s: %d limbs, not a multiple of %d", k.name, len(k.pub.n), limbGroup)
		}
		r := new(big.Int).Lsh(big.NewInt(1), uint(64*len(k.pub.n)))
		rr := new(big.Int).Mod(new(big.Int).Mul(r, r), n)
		if got := fromLimbs(k.pub.rr); got.Cmp(rr) != 0 {
			t.Fatalf("%s: rr = %x, want %x", k.name, got, rr)
		}
	}
}

// TestPublicKey_montMul compares montMul with x·y·R⁻¹ mod n computed by math/big (R = 2^(64·limbs)), for random
// x, y < n and the extremes 0, 1, n-1, and pow with s^e mod n.
func TestPublicKey_montMul(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for _, k := range loadKeys(t) {
		n := k.priv.N
		l := len(k.pub.n)
		rInv := new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), uint(64*l)), n)
		nm1 := new(big.Int).Sub(n, big.NewInt(1))
		vals := []*big.Int{big.NewInt(0), big.NewInt(1), nm1, new(big.Int).Rsh(n, 1)}
		for i := 0; i < 20; i++ {
			vals = append(vals, new(big.Int).Rand(r, n))
		}
		x, y, z := make([]uint64, l), make([]uint64, l), make([]uint64, l)
		for i, a := range vals {
			b := vals[(i*7+3)%len(vals)]
			toLimbs(x, a)
			toLimbs(y, b)
			k.pub.montMul(z, x, y)
			want := new(big.Int).Mul(a, b)
			want.Mul(want, rInv).Mod(want, n)
			if got := fromLimbs(z); got.Cmp(want) != 0 {
				t.Fatalf("%s: montMul(%x, %x) = %x, want %x", k.name, a, b, got, want)
			}
			s2, t2 := make([]uint64, l), make([]uint64, l)
			k.pub.pow(z, x, s2, t2)
			want = new(big.Int).Exp(a, big.NewInt(int64(k.priv.E)), n)
			if got := fromLimbs(z); got.Cmp(want) != 0 {
				t.Fatalf("%s: pow(%x) = %x, want %x", k.name, a, got, want)
			}
		}
	}
}

func toLimbs(z []uint64, x *big.Int) { limbsFromBytes(z, x.FillBytes(make([]byte, 8*len(z)))) }

func fromLimbs(x []uint64) *big.Int {
	v := new(big.Int)
	for i := len(x) - 1; i >= 0; i-- {
		v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(x[i]))
	}
	return v
}
