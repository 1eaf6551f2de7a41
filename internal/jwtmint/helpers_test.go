package jwtmint

import (
	"crypto"
	"testing"
)

// testKey returns the key that fits a: SharedSigner's, or a fixed secret for HS*.
func testKey(t *testing.T, a Alg) any {
	t.Helper()
	if a.Kind == KindHMAC {
		return []byte("a-shared-secret-of-at-least-64-bytes-for-hs512-a-shared-secret!!")
	}
	return testSigner(t, a.Name)
}

// testSigner is SharedSigner for the algorithm named alg.
func testSigner(t *testing.T, alg string) crypto.Signer {
	t.Helper()
	k, err := SharedSigner(mustAlg(t, alg))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// verifyKey is what VerifyCompact needs for key: the secret itself or the public key.
func verifyKey(key any) any {
	if s, ok := key.(crypto.Signer); ok {
		return s.Public()
	}
	return key
}

func mustAlg(t *testing.T, name string) Alg {
	t.Helper()
	a, ok := LookupAlg(name)
	if !ok {
		t.Fatalf("LookupAlg(%q) = false", name)
	}
	return a
}
