package sha256x

import "encoding/binary"

// Sum256 returns the SHA-256 digest of msg. It does not allocate.
func Sum256(msg []byte) [Size]byte {
	s := iv
	return finish(&s, 0, msg)
}

// finish hashes msg into s, which has already absorbed prefix bytes (a multiple of BlockSize),
// appends the padding of FIPS 180-4 §5.1.1 and returns the digest. Whole blocks are read from msg
// in place; only the tail is copied.
func finish(s *[8]uint32, prefix uint64, msg []byte) [Size]byte {
	n := len(msg) &^ (BlockSize - 1)
	blocks(s, msg[:n])
	var buf [2 * BlockSize]byte
	r := copy(buf[:], msg[n:])
	buf[r] = 0x80
	end := BlockSize
	if r >= BlockSize-8 { // no room for the 64-bit length: one more block
		end = 2 * BlockSize
	}
	binary.BigEndian.PutUint64(buf[end-8:end], (prefix+uint64(len(msg)))<<3)
	blocks(s, buf[:end])
	var out [Size]byte
	for i, x := range s {
		binary.BigEndian.PutUint32(out[4*i:], x)
	}
	return out
}
