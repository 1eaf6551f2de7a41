package jwtmint

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"testing"
)

// TestSharedSigner checks that each algorithm gets a fitting key and that algorithms of one family
// share it.
func TestSharedSigner(t *testing.T) {
	for _, a := range Algs() {
		t.Run(a.Name, func(t *testing.T) {
			k, err := SharedSigner(a)
			if a.Kind == KindHMAC {
				if err == nil {
					t.Fatalf("SharedSigner(%s) = %T, want an error", a.Name, k)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckKey(a, k); err != nil {
				t.Fatalf("CheckKey: %v", err)
			}
		})
	}
	rs, ps := testSigner(t, "RS256"), testSigner(t, "PS512")
	if !rs.(*rsa.PrivateKey).Equal(ps) {
		t.Error("RS256 and PS512 got different shared keys")
	}
	if e1, e2 := testSigner(t, "ES256"), testSigner(t, "ES256"); !e1.(*ecdsa.PrivateKey).Equal(e2) {
		t.Error("ES256 got a new key on the second call")
	}
	if e1, e2 := testSigner(t, "ES256"), testSigner(t, "ES384"); e1.(*ecdsa.PrivateKey).Equal(e2) {
		t.Error("ES256 and ES384 share a key")
	}
	if _, ok := testSigner(t, "EdDSA").(ed25519.PrivateKey); !ok {
		t.Error("EdDSA key is not an ed25519.PrivateKey")
	}
}
