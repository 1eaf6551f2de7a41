package jwtcore

// BenchmarkHash measures the signature-stage hashing of a jwtcore verification beside the pooled
// crypto/hmac and crypto/sha256 states in the same run ("pooled"), and an RS256 verifySig beside
// the bare RSA verify of the same digest. Inside wasm (what counts):
//
//	GOOS=wasip1 GOARCH=wasm go test -c -o /tmp/jwtcore.test . && \
//	  wasmrun /tmp/jwtcore.test -test.run '^$' -test.bench BenchmarkHash -test.count=3
//
// Natively both halves run the same crypto code.

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"
)

func BenchmarkHash(b *testing.B) {
	ks, err := NewHMACKeySet(tvKeys(b).hmac)
	if err != nil {
		b.Fatal(err)
	}
	k := ks.keys[0]
	hs := tvToken(b, "HS256", tvStdClaims())
	hsMsg := []byte(hs[:strings.LastIndexByte(hs, '.')])
	sc := new(scratch)
	b.Run("HS256-MAC/build", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			k.mac(sc, 0, hsMsg)
		}
	})
	b.Run("HS256-MAC/pooled", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			k.pooledMAC(sc, 0, hsMsg)
		}
	})
	msg600 := make([]byte, 600)
	b.Run("SHA256-600B/build", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			digest(sc, crypto.SHA256, msg600)
		}
	})
	b.Run("SHA256-600B/pooled", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			pooledDigest(sc, crypto.SHA256, msg600)
		}
	})

	rks := tvMustJWKS(b, tvJWKS(tvJWK(&tvKeys(b).rsa.PublicKey, tvKid, "")))
	rk := rks.keys[0]
	rs := tvToken(b, "RS256", tvStdClaims())
	dot := strings.LastIndexByte(rs, '.')
	rsMsg := []byte(rs[:dot])
	rsSig, err := AppendDecodeBase64URL(nil, rs[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	if !rk.verifySig(sc, RS256, rsMsg, rsSig) {
		b.Fatal("verifySig rejects the RS256 benchmark token")
	}
	b.Run("RS256-verifySig/build", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rk.verifySig(sc, RS256, rsMsg, rsSig)
		}
	})
	d := sha256.Sum256(rsMsg)
	b.Run("RS256-verifySig/bareRSA", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = rsa.VerifyPKCS1v15(rk.rsa, crypto.SHA256, d[:], rsSig)
		}
	})
}
