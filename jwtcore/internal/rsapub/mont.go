package rsapub

// Montgomery arithmetic modulo n on 64-bit limbs. Go's wasm backend has 64-bit multiplication
// (i64.mul) but no 64×64→128-bit product, so mul64 builds the high half from four 32×32-bit
// products, with the halves of the row's multiplier split once per row; carries are
// comparisons turned into 0/1 without branches (b2u). Measured inside wasm (RATIONALE.md in
// jwtcore), this beats 32-bit limbs, which need no emulation but four times the steps: a step
// costs loads, a store and carry handling whatever the limb size. montMul (mont_gen.go, from
// gen.go) handles 8 limbs per inner-loop iteration: in Go's wasm code every loop iteration goes
// through the function's block dispatch (a br_table) and reloads spilled loop values, which
// costs about as much as a limb. So the limb count is a multiple of 8 (the modulus gets zero
// limbs on top: R = 2^(64·limbs) stays > n, and odd n keeps it invertible).

const mask32 = 1<<32 - 1

// limbGroup is the unrolling width of montMul; every limb count is a multiple of it.
const limbGroup = 8

// mul64 returns the 128-bit product x·y as (hi, lo); y0 and y1 are the low and high 32 bits
// of y. Every partial sum stays below 2^64: t < 2^64 - 2^32 + 2^32, w1 < 2^33 + 2^64 - 2^33.
func mul64(x, y, y0, y1 uint64) (hi, lo uint64) {
	x0, x1 := x&mask32, x>>32
	w0 := x0 * y0
	t := x1*y0 + w0>>32
	w1 := t&mask32 + x0*y1
	return x1*y1 + t>>32 + w1>>32, x * y
}

// b2u is 1 for true and 0 for false; the compiler makes it a comparison result, no branch.
func b2u(b bool) uint64 {
	var c uint64
	if b {
		c = 1
	}
	return c
}

// less reports whether x < y (same length).
func less(x, y []uint64) bool {
	for i := len(x) - 1; i >= 0; i-- {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

// sub sets z -= y modulo 2^(64·len(z)) (same length).
func sub(z, y []uint64) {
	var borrow uint64
	y = y[:len(z)]
	for i := range z {
		d := z[i] - y[i]
		b1 := b2u(d > z[i])
		z[i] = d - borrow
		borrow = b1 | b2u(z[i] > d)
	}
}
