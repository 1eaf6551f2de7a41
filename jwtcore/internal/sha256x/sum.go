package sha256x

import "encoding/binary"

// Sum256 returns the SHA-256 digest of msg. It does not allocate.
func Sum256(msg []byte) (out [Size]byte) {
	s := iv
	pad(&s, 0, msg)
	putState(&out, &s)
	return out
}

// pad hashes msg into s, which has already absorbed prefix bytes (a multiple of BlockSize), and
// then the padding of FIPS 180-4 §5.1.1. Whole blocks are read from msg in place; only the tail
// is copied.
func pad(s *[8]uint32, prefix uint64, msg []byte) {
	n := len(msg) &^ (BlockSize - 1)
	if n > 0 {
		blocks(s, msg[:n])
	}
	var buf [2 * BlockSize]byte
	r := copy(buf[:], msg[n:])
	buf[r] = 0x80
	end := BlockSize
	if r >= BlockSize-8 { // no room for the 64-bit length: one more block
		end = 2 * BlockSize
	}
	binary.BigEndian.PutUint64(buf[end-8:end], (prefix+uint64(len(msg)))<<3)
	blocks(s, buf[:end])
}

// putState writes the hash value s as the big-endian digest.
func putState(out *[Size]byte, s *[8]uint32) {
	for i, x := range s {
		binary.BigEndian.PutUint32(out[4*i:], x)
	}
}
