package sha256x

import "encoding/binary"

// HMAC is HMAC-SHA-256 (RFC 2104, FIPS 198-1) under one key, prepared by NewHMAC: it holds the
// chaining states after hashing the key XOR ipad and the key XOR opad blocks, so Sum hashes
// only the message and one outer block. The states are as secret as the key. An HMAC is
// immutable after NewHMAC and safe for concurrent use.
type HMAC struct {
	inner, outer [8]uint32
}

// NewHMAC prepares key. Keys longer than BlockSize are hashed first (RFC 2104 §2); any length,
// including zero, is accepted: minimum key lengths are the caller's policy.
func NewHMAC(key []byte) *HMAC {
	var k [BlockSize]byte
	if len(key) > BlockSize {
		d := Sum256(key)
		copy(k[:], d[:])
		clear(d[:])
	} else {
		copy(k[:], key)
	}
	m := new(HMAC)
	var pad [BlockSize]byte
	for i, b := range k {
		pad[i] = b ^ 0x36
	}
	m.inner = iv
	blocks(&m.inner, pad[:])
	for i, b := range k {
		pad[i] = b ^ 0x5c
	}
	m.outer = iv
	blocks(&m.outer, pad[:])
	clear(k[:])
	clear(pad[:])
	return m
}

// Sum returns HMAC-SHA-256(key, msg). It does not allocate.
func (m *HMAC) Sum(msg []byte) (out [Size]byte) {
	s := m.inner
	pad(&s, BlockSize, msg)
	// The outer hash input after the opad block is the inner digest: one padded block whose
	// length field is (64 + 32) * 8 = 768 bits.
	var blk [BlockSize]byte
	putState((*[Size]byte)(blk[:Size]), &s)
	blk[Size] = 0x80
	binary.BigEndian.PutUint16(blk[BlockSize-2:], (BlockSize+Size)*8)
	s = m.outer
	blocks(&s, blk[:])
	putState(&out, &s)
	return out
}
