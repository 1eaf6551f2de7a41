package jwtcore

import (
	"crypto"
	"crypto/rsa"
	"strings"
	"testing"
)

// TestKey_VerifyPKCS1v15 checks that RSA keys are prepared for the build's PKCS#1 v1.5 path
// (internal/rsapub inside wasm, crypto/rsa natively) and compares verifySig with crypto/rsa on
// real RS256/384/512 tokens: the token's own signature, the same signature under another RS
// algorithm, and one bit flipped in each byte. Run it under wasm (wasmrun) for the comparison
// to cover internal/rsapub.
func TestKey_VerifyPKCS1v15(t *testing.T) {
	pub := &tvKeys(t).rsa.PublicKey
	ks := tvMustJWKS(t, tvJWKS(tvJWK(pub, tvKid, "")))
	k := ks.keys[0]
	if k.frsa.ready() != ownRSA {
		t.Fatalf("RSA key prepared for rsapub = %v, want %v in this build", k.frsa.ready(), ownRSA)
	}
	tests := []struct {
		name  string
		alg   Alg
		other Alg
	}{
		{name: "RS256", alg: RS256, other: RS384},
		{name: "RS384", alg: RS384, other: RS512},
		{name: "RS512", alg: RS512, other: RS256},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := tvToken(t, tc.name, tvStdClaims())
			dot := strings.LastIndexByte(token, '.')
			msg := []byte(token[:dot])
			sig, err := AppendDecodeBase64URL(nil, token[dot+1:])
			if err != nil {
				t.Fatal(err)
			}
			sc := new(scratch)
			check := func(what string, a Alg, want bool) {
				t.Helper()
				d := pooledDigest(sc, a.hash(), msg)
				std := rsa.VerifyPKCS1v15(pub, a.hash(), d, sig) == nil
				got := k.verifySig(sc, a, msg, sig)
				if got != std || got != want {
					t.Fatalf("%s: verifySig = %v, crypto/rsa = %v, want %v", what, got, std, want)
				}
			}
			check("own signature", tc.alg, true)
			check("signature under "+tc.other.String(), tc.other, false)
			for i := range sig {
				sig[i] ^= 1 << (i % 8)
				check("bit flipped", tc.alg, false)
				sig[i] ^= 1 << (i % 8)
			}
			if k.verifyPKCS1v15(crypto.SHA1, pooledDigest(sc, tc.alg.hash(), msg)[:20], sig) {
				t.Fatal("verifyPKCS1v15 accepts an unsupported hash")
			}
		})
	}
}
