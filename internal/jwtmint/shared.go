package jwtmint

import (
	"crypto"
	"fmt"
	"sync"
)

var shared struct {
	mu   sync.Mutex
	keys map[string]crypto.Signer // by family: "RSA", "P-256", "P-384", "P-521", "Ed25519"
}

// SharedSigner returns a private key that signs for the asymmetric algorithm a, generated on first
// use and then the same for the life of the process: one RSA-2048 key for RS* and PS*, one key per
// curve for ES*, one Ed25519 key. It is for tests, where generating RSA keys again and again is
// slow; a test that needs a second, unrelated key calls GenerateSigner.
func SharedSigner(a Alg) (crypto.Signer, error) {
	family := map[Kind]string{KindRSA: "RSA", KindRSAPSS: "RSA", KindEC: a.Curve, KindEd25519: "Ed25519"}[a.Kind]
	if family == "" {
		return nil, fmt.Errorf("%s: not an asymmetric algorithm", a.Name)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if k, ok := shared.keys[family]; ok {
		return k, nil
	}
	k, err := GenerateSigner(a, MinRSABits)
	if err != nil {
		return nil, err
	}
	if shared.keys == nil {
		shared.keys = map[string]crypto.Signer{}
	}
	shared.keys[family] = k
	return k, nil
}
