//go:build !wasm || tokengate_stdrsa

package jwtcore

import (
	"crypto"
	"crypto/rsa"
)

// Natively crypto/rsa has assembly for its Montgomery multiplication: it verifies every RSA
// algorithm (rsa_wasm.go has the wasm path).

// fastRSA is empty natively.
type fastRSA struct{}

const ownRSA = false

func (*fastRSA) prepare(*rsa.PublicKey) error { return nil }

func (*fastRSA) ready() bool { return false }

// verifyPKCS1v15 checks an RSASSA-PKCS1-v1_5 signature over digest d with hash h.
func (k *key) verifyPKCS1v15(h crypto.Hash, d, sig []byte) bool {
	return rsa.VerifyPKCS1v15(k.rsa, h, d, sig) == nil
}
