package rsapub

import (
	"crypto/rsa"
	"math/big"
	"math/rand"
	"runtime"
	"testing"
)

// The differential tests compare VerifyPKCS1v15 with crypto/rsa, an independent implementation
// (natively with assembly, inside wasm its generic Go), on the same key, digest and signature.

// check fails the test when the two verdicts differ and returns the verdict.
func check(t *testing.T, what string, k testKey, hi int, digest, sig []byte) bool {
	t.Helper()
	got := k.pub.VerifyPKCS1v15(hashes[hi].h, digest, sig)
	want := stdVerify(&k.priv.PublicKey, hashes[hi].ch, digest, sig)
	if got != want {
		t.Fatalf("%s: key %s, %v: VerifyPKCS1v15 = %v, crypto/rsa = %v (digest %x, sig %x)", what, k.name, hashes[hi].ch, got, want, digest, sig)
	}
	return got
}

// TestVerifyPKCS1v15_Valid signs random digests with every key and hash and checks that both
// accept them, and that both reject the signature under another digest or another hash's
// DigestInfo (same digest bytes where the lengths allow it).
func TestVerifyPKCS1v15_Valid(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	perKey := 12
	if runtime.GOARCH == "wasm" {
		perKey = 4 // signing with a 4096-bit private key is slow without assembly
	}
	for _, k := range loadKeys(t) {
		for hi, hh := range hashes {
			t.Run(k.name+"/"+hh.ch.String(), func(t *testing.T) {
				for i := 0; i < perKey; i++ {
					d := make([]byte, hh.ch.Size())
					r.Read(d)
					sig, err := rsa.SignPKCS1v15(nil, k.priv, hh.ch, d)
					if err != nil {
						t.Fatal(err)
					}
					if !check(t, "valid signature", k, hi, d, sig) {
						t.Fatalf("key %s rejects its own %v signature", k.name, hh.ch)
					}
					other := append([]byte(nil), d...)
					other[r.Intn(len(other))] ^= 1 << r.Intn(8)
					if check(t, "signature over another digest", k, hi, other, sig) {
						t.Fatal("accepted under another digest")
					}
					for hj := range hashes {
						if hj == hi {
							continue
						}
						d2 := make([]byte, hashes[hj].ch.Size())
						copy(d2, d) // the same leading digest bytes, another DigestInfo
						if check(t, "another hash's DigestInfo", k, hj, d2, sig) {
							t.Fatalf("accepted as %v", hashes[hj].ch)
						}
					}
				}
			})
		}
	}
}

// TestVerifyPKCS1v15_BitFlips flips every single bit of a valid signature (one per key, SHA-256).
func TestVerifyPKCS1v15_BitFlips(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for _, k := range loadKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			d := make([]byte, 32)
			r.Read(d)
			sig, err := rsa.SignPKCS1v15(nil, k.priv, hashes[0].ch, d)
			if err != nil {
				t.Fatal(err)
			}
			for bit := 0; bit < 8*len(sig); bit++ {
				sig[bit/8] ^= 1 << (bit % 8)
				if check(t, "bit flip", k, 0, d, sig) {
					t.Fatalf("accepted with bit %d flipped", bit)
				}
				sig[bit/8] ^= 1 << (bit % 8)
			}
			if !check(t, "restored", k, 0, d, sig) {
				t.Fatal("rejects the restored signature")
			}
		})
	}
}

// TestVerifyPKCS1v15_Edges covers the signature representatives at and around the bounds of
// RSAVP1 (0, 1, n-1, n, n+1, 2^(8k)-1), wrong lengths and digest lengths, and unknown hashes.
func TestVerifyPKCS1v15_Edges(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, k := range loadKeys(t) {
		n := k.priv.N
		size := k.pub.Size()
		if size != (n.BitLen()+7)/8 {
			t.Fatalf("key %s: Size = %d, want %d", k.name, size, (n.BitLen()+7)/8)
		}
		d := make([]byte, 32)
		r.Read(d)
		valid, err := rsa.SignPKCS1v15(nil, k.priv, hashes[0].ch, d)
		if err != nil {
			t.Fatal(err)
		}
		fixed := func(x *big.Int) []byte { return x.FillBytes(make([]byte, size)) }
		one := big.NewInt(1)
		allOnes := make([]byte, size)
		for i := range allOnes {
			allOnes[i] = 0xff
		}
		tests := []struct {
			name string
			sig  []byte
			want bool
		}{
			{name: "s=0", sig: make([]byte, size)},
			{name: "s=1", sig: fixed(one)},
			{name: "s=n-1", sig: fixed(new(big.Int).Sub(n, one))},
			{name: "s=n", sig: fixed(n)},
			{name: "s=n+1", sig: fixed(new(big.Int).Add(n, one))},
			{name: "s=valid+n", sig: func() []byte {
				v := new(big.Int).Add(new(big.Int).SetBytes(valid), n)
				if v.BitLen() > 8*size {
					return allOnes
				}
				return fixed(v)
			}()},
			{name: "s=2^(8k)-1", sig: allOnes},
			{name: "length k-1", sig: valid[1:]},
			{name: "length k+1 (leading zero)", sig: append([]byte{0}, valid...)},
			{name: "length k+1 (trailing zero)", sig: append(append([]byte(nil), valid...), 0)},
			{name: "empty", sig: nil},
			{name: "valid", sig: valid, want: true},
		}
		for _, tc := range tests {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				if got := check(t, tc.name, k, 0, d, tc.sig); got != tc.want {
					t.Fatalf("verdict %v, want %v", got, tc.want)
				}
			})
		}
		t.Run(k.name+"/digest length", func(t *testing.T) {
			for _, dl := range []int{0, 31, 33, 48, 64} {
				dd := make([]byte, dl)
				copy(dd, d)
				if k.pub.VerifyPKCS1v15(SHA256, dd, valid) {
					t.Fatalf("accepted a %d-byte SHA-256 digest", dl)
				}
			}
		})
		t.Run(k.name+"/unknown hash", func(t *testing.T) {
			for _, h := range []Hash{0, SHA512 + 1, 255} {
				if k.pub.VerifyPKCS1v15(h, d, valid) {
					t.Fatalf("accepted hash %d", h)
				}
			}
		})
	}
}

// TestVerifyPKCS1v15_NearEncodings decrypts to encodings that differ from the expected one in
// exactly one respect (the forgery shapes PKCS#1 v1.5 parsers have fallen for) by building
// s = EM^d mod n for a chosen EM, and checks both implementations reject each of them.
func TestVerifyPKCS1v15_NearEncodings(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for _, k := range loadKeys(t)[:2] { // 2048 bits, e = 65537 and e = 3
		size := k.pub.Size()
		d := make([]byte, 32)
		r.Read(d)
		good := encodeEM(size, digestInfo[SHA256], d)
		tests := []struct {
			name string
			em   func() []byte
			want bool
		}{
			{name: "the expected encoding", em: func() []byte { return good }, want: true},
			{name: "first byte 01", em: func() []byte { e := clone(good); e[0] = 1; return e }},
			{name: "block type 02", em: func() []byte { e := clone(good); e[1] = 2; return e }},
			{name: "block type 00", em: func() []byte { e := clone(good); e[1] = 0; return e }},
			{name: "padding byte FE", em: func() []byte { e := clone(good); e[2+r.Intn(size-3-51)] = 0xfe; return e }},
			{name: "separator 01", em: func() []byte { e := clone(good); e[size-52] = 1; return e }},
			{name: "short padding, garbage after digest", em: func() []byte {
				e := encodeEM(size-20, digestInfo[SHA256], d)
				return append(e, make([]byte, 20)...)
			}},
			{name: "separator moved left", em: func() []byte {
				e := clone(good)
				e[10] = 0 // an early 00: a parser searching for it would take garbage as DigestInfo
				return e
			}},
			{name: "DigestInfo NULL missing", em: func() []byte {
				p := []byte{0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20}
				return encodeEM(size, p, d)
			}},
			{name: "DigestInfo SHA-384 OID with 32-byte digest", em: func() []byte {
				p := clone(digestInfo[SHA384])
				p[1], p[len(p)-1] = 0x31, 0x20
				return encodeEM(size, p, d)
			}},
			{name: "digest bit flipped", em: func() []byte { e := clone(good); e[size-1] ^= 0x80; return e }},
			{name: "prefix bit flipped", em: func() []byte { e := clone(good); e[size-40] ^= 0x01; return e }},
		}
		for _, tc := range tests {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				sig := signRaw(k.priv, tc.em())
				if got := check(t, tc.name, k, 0, d, sig); got != tc.want {
					t.Fatalf("verdict %v, want %v", got, tc.want)
				}
			})
		}
	}
}

// encodeEM returns 0x00 0x01 FF…FF 0x00 || prefix || digest of k bytes (test reference).
func encodeEM(k int, prefix, digest []byte) []byte {
	em := make([]byte, k)
	em[1] = 1
	ps := k - 3 - len(prefix) - len(digest)
	for i := 0; i < ps; i++ {
		em[2+i] = 0xff
	}
	copy(em[3+ps:], prefix)
	copy(em[3+ps+len(prefix):], digest)
	return em
}

// signRaw returns (em mod n)^d mod n as k bytes: a signature that decrypts to em.
func signRaw(priv *rsa.PrivateKey, em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	m.Mod(m, priv.N)
	s := new(big.Int).Exp(m, priv.D, priv.N)
	return s.FillBytes(make([]byte, (priv.N.BitLen()+7)/8))
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
