//go:build wasm && !tokengate_stdrsa

package jwtcore

import (
	"crypto"
	"crypto/rsa"

	"github.com/tokengate/tokengate/jwtcore/internal/rsapub"
)

// Inside wasm crypto/rsa has no assembly, emulates every 64×64→128-bit product and converts
// the public key (R² mod n) on every call; internal/rsapub prepares the key once at load and
// verifies an RS256 signature about twice as fast (RATIONALE.md, "Own RSA verification inside
// wasm"). So the wasm build verifies RS256/384/512 with it; PS256/384/512 stay on crypto/rsa.
// Building with -tags tokengate_stdrsa selects crypto/rsa instead (to measure the difference).

// fastRSA is the key prepared for rsapub: public, like the key itself.
type fastRSA struct{ pub *rsapub.PublicKey }

// ownRSA reports that this build verifies RS256/384/512 with rsapub (the tests check the wiring).
const ownRSA = true

// prepare converts an RSA key that prepare has already validated (the bounds are the same).
func (f *fastRSA) prepare(p *rsa.PublicKey) error {
	pub, err := rsapub.NewPublicKey(p.N, p.E)
	if err != nil {
		return err
	}
	f.pub = pub
	return nil
}

// ready reports whether verifyPKCS1v15 uses rsapub for this key.
func (f *fastRSA) ready() bool { return f.pub != nil }

// verifyPKCS1v15 checks an RSASSA-PKCS1-v1_5 signature over digest d with hash h.
func (k *key) verifyPKCS1v15(h crypto.Hash, d, sig []byte) bool {
	if k.frsa.pub == nil { // not prepared (prepare always does it for RSA keys)
		return rsa.VerifyPKCS1v15(k.rsa, h, d, sig) == nil
	}
	var rh rsapub.Hash
	switch h {
	case crypto.SHA256:
		rh = rsapub.SHA256
	case crypto.SHA384:
		rh = rsapub.SHA384
	case crypto.SHA512:
		rh = rsapub.SHA512
	default:
		return false
	}
	return k.frsa.pub.VerifyPKCS1v15(rh, d, sig)
}
