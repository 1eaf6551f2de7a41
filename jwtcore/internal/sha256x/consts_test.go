package sha256x

import (
	"math/big"
	"testing"
)

// firstPrimes returns the first n primes.
func firstPrimes(n int) []int64 {
	var ps []int64
	for c := int64(2); len(ps) < n; c++ {
		prime := true
		for _, p := range ps {
			if c%p == 0 {
				prime = false
				break
			}
		}
		if prime {
			ps = append(ps, c)
		}
	}
	return ps
}

// fracBits returns the first 32 bits of the fractional part of the k-th root of p, found by
// bisection on big.Int: the largest r with r^k <= p * 2^(32k), minus the integer part.
func fracBits(p int64, k uint) uint32 {
	target := new(big.Int).Lsh(big.NewInt(p), 32*k)
	lo, hi := big.NewInt(0), new(big.Int).Lsh(big.NewInt(p), 32) // root < p * 2^32 for p >= 2
	one := big.NewInt(1)
	for new(big.Int).Sub(hi, lo).Cmp(one) > 0 {
		mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
		if new(big.Int).Exp(mid, big.NewInt(int64(k)), nil).Cmp(target) <= 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return uint32(lo.Uint64()) // low 32 bits of floor(root * 2^32) = the fraction's first 32 bits
}

// TestConsts derives H(0) and K from their definitions in FIPS 180-4 §5.3.3 and §4.2.2.
func TestConsts(t *testing.T) {
	ps := firstPrimes(64)
	tests := []struct {
		name  string
		got   []uint32
		root  uint
		count int
	}{
		{name: "iv from square roots", got: iv[:], root: 2, count: 8},
		{name: "roundK from cube roots", got: roundK[:], root: 3, count: 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.got) != tc.count {
				t.Fatalf("len = %d, want %d", len(tc.got), tc.count)
			}
			for i, p := range ps[:tc.count] {
				if want := fracBits(p, tc.root); tc.got[i] != want {
					t.Errorf("[%d] (prime %d) = %#08x, want %#08x", i, p, tc.got[i], want)
				}
			}
		})
	}
}
