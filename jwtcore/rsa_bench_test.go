package jwtcore

// BenchmarkRSA measures the PKCS#1 v1.5 check of an RS256 verification in this build ("build":
// internal/rsapub inside wasm, crypto/rsa natively) beside crypto/rsa on the same key, digest
// and signature in the same run ("std"). Inside wasm (what counts):
//
//	GOOS=wasip1 GOARCH=wasm go test -c -o /tmp/jwtcore.test . && \
//	  wasmrun /tmp/jwtcore.test -test.run '^$' -test.bench BenchmarkRSA -test.count=3
//
// Natively both halves run crypto/rsa.

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"
)

func BenchmarkRSA(b *testing.B) {
	ks := tvMustJWKS(b, tvJWKS(tvJWK(&tvKeys(b).rsa.PublicKey, tvKid, "")))
	k := ks.keys[0]
	tok := tvToken(b, "RS256", tvStdClaims())
	dot := strings.LastIndexByte(tok, '.')
	sig, err := AppendDecodeBase64URL(nil, tok[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	d := sha256.Sum256([]byte(tok[:dot]))
	if !k.verifyPKCS1v15(crypto.SHA256, d[:], sig) {
		b.Fatal("the build's PKCS#1 v1.5 check rejects the benchmark token")
	}
	b.Run("RS256/build", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			k.verifyPKCS1v15(crypto.SHA256, d[:], sig)
		}
	})
	b.Run("RS256/std", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = rsa.VerifyPKCS1v15(k.rsa, crypto.SHA256, d[:], sig)
		}
	})
}
