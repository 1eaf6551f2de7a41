package sha256x

//go:generate go run gen.go

// The four functions of FIPS 180-4 §4.1.2. Go's wasm backend keeps every integer in a 64-bit
// local and turns a 32-bit rotation into wrap + i32.rotl + extend; copying x into the high half
// of a uint64 instead lets one 64-bit right shift stand for each rotation (ROTR^n(x) is the low
// 32 bits of (x<<32 | x) >> n), which is about a third cheaper per round under wazero.

// bsig0 is Σ0(x) = ROTR^2(x) ^ ROTR^13(x) ^ ROTR^22(x).
func bsig0(x uint32) uint32 {
	xx := uint64(x)<<32 | uint64(x)
	return uint32(xx>>2 ^ xx>>13 ^ xx>>22)
}

// bsig1 is Σ1(x) = ROTR^6(x) ^ ROTR^11(x) ^ ROTR^25(x).
func bsig1(x uint32) uint32 {
	xx := uint64(x)<<32 | uint64(x)
	return uint32(xx>>6 ^ xx>>11 ^ xx>>25)
}

// ssig0 is σ0(x) = ROTR^7(x) ^ ROTR^18(x) ^ SHR^3(x).
func ssig0(x uint32) uint32 {
	xx := uint64(x)<<32 | uint64(x)
	return uint32(xx>>7^xx>>18) ^ x>>3
}

// ssig1 is σ1(x) = ROTR^17(x) ^ ROTR^19(x) ^ SHR^10(x).
func ssig1(x uint32) uint32 {
	xx := uint64(x)<<32 | uint64(x)
	return uint32(xx>>17^xx>>19) ^ x>>10
}
