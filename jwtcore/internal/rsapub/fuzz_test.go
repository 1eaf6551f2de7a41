package rsapub

import (
	"crypto/rsa"
	"testing"
)

// FuzzVerifyPKCS1v15 compares VerifyPKCS1v15 with crypto/rsa. The low bit of mode picks what
// the fuzzer controls: the signature bytes themselves (any length), or (on the 2048-bit keys)
// the encoded message the signature decrypts to: the expected encoding XORed with data from
// offset off, so the encoding check sees near-misses of every kind rather than random blocks.
// mode also picks the hash the encoding was built for and the hash verified with.
func FuzzVerifyPKCS1v15(f *testing.F) {
	ks := loadKeys(f)
	valid, err := rsa.SignPKCS1v15(nil, ks[0].priv, hashes[0].ch, fuzzDigest[:32])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), uint8(0), uint16(0), valid)
	f.Add(uint8(0), uint8(1), uint16(0), valid)
	f.Add(uint8(0), uint8(0), uint16(0), []byte{})
	f.Add(uint8(1), uint8(0), uint16(0), []byte{})
	f.Add(uint8(1), uint8(1), uint16(1), []byte{1})
	f.Add(uint8(1), uint8(0), uint16(2), []byte{0xff})
	f.Add(uint8(1), uint8(1), uint16(204), []byte{0xff})
	f.Add(uint8(3), uint8(0), uint16(0), []byte{})
	f.Add(uint8(9), uint8(1), uint16(230), []byte{0x01, 0x02})
	f.Fuzz(func(t *testing.T, mode, key uint8, off uint16, data []byte) {
		verifyH := int(mode>>1) % len(hashes)
		var k testKey
		var sig []byte
		if mode&1 == 0 {
			k = ks[int(key)%len(ks)]
			sig = data
		} else {
			k = ks[int(key)%2] // 2048 bits: a private exponentiation per input stays cheap
			encH := int(mode>>3) % len(hashes)
			size := k.pub.Size()
			em := encodeEM(size, digestInfo[hashes[encH].h], fuzzDigest[:hashes[encH].ch.Size()])
			for i, b := range data {
				em[(int(off)+i)%size] ^= b
			}
			sig = signRaw(k.priv, em)
		}
		d := fuzzDigest[:hashes[verifyH].ch.Size()]
		got := k.pub.VerifyPKCS1v15(hashes[verifyH].h, d, sig)
		want := stdVerify(&k.priv.PublicKey, hashes[verifyH].ch, d, sig)
		if got != want {
			t.Fatalf("key %s, %v: VerifyPKCS1v15 = %v, crypto/rsa = %v (sig %x)", k.name, hashes[verifyH].ch, got, want, sig)
		}
	})
}

// fuzzDigest is the digest every fuzz input is verified against (a prefix of it for SHA-256/384).
var fuzzDigest = [64]byte{
	0x3a, 0x7f, 0x11, 0xc2, 0x5e, 0x90, 0x08, 0xd4, 0x6b, 0x21, 0xee, 0x47, 0x93, 0x0c, 0xb8, 0x55,
	0x17, 0xfa, 0x62, 0x3d, 0x84, 0xc9, 0x2e, 0x71, 0xa0, 0x5b, 0xde, 0x36, 0x48, 0x9f, 0x03, 0xcc,
	0x61, 0x2a, 0xf4, 0x9d, 0x10, 0x87, 0x5c, 0xe3, 0x3b, 0xb6, 0x0f, 0x72, 0xd9, 0x44, 0xa5, 0x18,
	0x8e, 0x53, 0xc7, 0x29, 0x6d, 0xf0, 0x34, 0x9a, 0x07, 0xbd, 0x42, 0xe8, 0x15, 0x7c, 0xa1, 0x66,
}
