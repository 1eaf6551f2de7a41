package jwtcore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"sync"
)

// RSASSA-PSS per RFC 7518 §3.5: MGF1 with the same hash, salt length equal to the hash length.
var pssOpts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}

var digestPools = [3]sync.Pool{
	{New: func() any { return sha256.New() }},
	{New: func() any { return sha512.New384() }},
	{New: func() any { return sha512.New() }},
}

func hashIndex(h crypto.Hash) int {
	switch h {
	case crypto.SHA256:
		return 0
	case crypto.SHA384:
		return 1
	}
	return 2
}

// pooledDigest hashes msg into sc.sum with a pooled hash state.
func pooledDigest(sc *scratch, h crypto.Hash, msg []byte) []byte {
	p := &digestPools[hashIndex(h)]
	d := p.Get().(hash.Hash)
	d.Reset()
	d.Write(msg)
	sc.sum = d.Sum(sc.sum[:0])
	p.Put(d)
	return sc.sum
}

// pooledMAC computes the HMAC of msg under k with the pre-keyed state of macs[i] (non-nil)
// into sc.sum.
func (k *key) pooledMAC(sc *scratch, i int, msg []byte) []byte {
	p := k.macs[i]
	m := p.Get().(hash.Hash)
	m.Reset()
	m.Write(msg)
	sc.sum = m.Sum(sc.sum[:0])
	p.Put(m)
	return sc.sum
}

// verifySig checks sig over msg with k under alg a. The caller has already established
// k.fits(a); the switch on a.kind() keeps the binding explicit here too.
func (k *key) verifySig(sc *scratch, a Alg, msg, sig []byte) bool {
	if !k.fits(a) {
		return false
	}
	switch a.kind() {
	case kindOct:
		i := hashIndex(a.hash())
		if k.macs[i] == nil { // the secret is too short for this hash
			return false
		}
		return hmac.Equal(k.mac(sc, i, msg), sig) // constant time
	case kindRSA:
		d := digest(sc, a.hash(), msg)
		if a >= PS256 && a <= PS512 {
			return rsa.VerifyPSS(k.rsa, a.hash(), d, sig, pssOpts) == nil
		}
		return k.verifyPKCS1v15(a.hash(), d, sig) // rsa_wasm.go / rsa_other.go
	case kindP256, kindP384, kindP521:
		size := (k.ec.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size { // RFC 7518 §3.4: exactly R||S, each the curve's byte length
			return false
		}
		d := digest(sc, a.hash(), msg)
		sc.der = ecdsaDER(sc.der[:0], sig[:size], sig[size:])
		return ecdsa.VerifyASN1(k.ec, d, sc.der)
	case kindEd25519:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed, msg, sig)
	}
	return false
}

// ecdsaDER encodes (r, s) as the ASN.1 SEQUENCE of two INTEGERs that crypto/ecdsa verifies.
func ecdsaDER(dst, r, s []byte) []byte {
	r, s = trimZeros(r), trimZeros(s)
	rl, sl := intLen(r), intLen(s)
	body := 2 + rl + 2 + sl // each INTEGER content is < 128 bytes for P-521
	dst = append(dst, 0x30)
	if body >= 0x80 {
		dst = append(dst, 0x81)
	}
	dst = append(dst, byte(body))
	dst = appendInt(dst, r, rl)
	return appendInt(dst, s, sl)
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func intLen(b []byte) int {
	if len(b) == 0 || b[0]&0x80 != 0 {
		return len(b) + 1
	}
	return len(b)
}

func appendInt(dst, b []byte, n int) []byte {
	dst = append(dst, 0x02, byte(n))
	if n > len(b) {
		dst = append(dst, 0)
	}
	return append(dst, b...)
}
