package rsapub

// BenchmarkVerifyPKCS1v15 compares VerifyPKCS1v15 ("own") with crypto/rsa ("std") on the same
// key, digest and signature in one run. Inside wasm (what counts):
//
//	GOOS=wasip1 GOARCH=wasm go test -c -o /tmp/rsapub.test . && \
//	  wasmrun /tmp/rsapub.test -test.run '^$' -test.bench BenchmarkVerifyPKCS1v15 -test.count=3

import (
	"crypto/rsa"
	"testing"
)

func BenchmarkVerifyPKCS1v15(b *testing.B) {
	for _, k := range loadKeys(b) {
		d := fuzzDigest[:32]
		sig, err := rsa.SignPKCS1v15(nil, k.priv, hashes[0].ch, d)
		if err != nil {
			b.Fatal(err)
		}
		if !k.pub.VerifyPKCS1v15(SHA256, d, sig) {
			b.Fatal("own verify rejects the benchmark signature")
		}
		b.Run(k.name+"/own", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				k.pub.VerifyPKCS1v15(SHA256, d, sig)
			}
		})
		b.Run(k.name+"/std", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rsa.VerifyPKCS1v15(&k.priv.PublicKey, hashes[0].ch, d, sig)
			}
		})
	}
}
