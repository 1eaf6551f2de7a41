package jwtmint

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// B64 is the only encoding a JWS segment may use: base64url without padding (RFC 7515 §2).
var B64 = base64.RawURLEncoding

// Key is an HMAC secret or a private key, with the algorithm it signs for.
type Key struct {
	Alg    Alg
	Secret []byte        // HMAC
	Signer crypto.Signer // RSA, EC, Ed25519
}

// NewKey pairs the algorithm named algName with key: a []byte secret for HS*, a crypto.Signer
// (*rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, or any signer with such a public key)
// otherwise. It refuses a key of the wrong type or curve, but not a weak one (see CheckKey).
func NewKey(algName string, key any) (Key, error) {
	a, ok := LookupAlg(algName)
	if !ok {
		return Key{}, fmt.Errorf("alg %q: want one of %s", algName, AlgNames())
	}
	switch k := key.(type) {
	case []byte:
		if a.Kind != KindHMAC {
			return Key{}, &KeyError{Alg: a, Have: "an HMAC secret"}
		}
		return Key{Alg: a, Secret: k}, nil
	case crypto.Signer:
		if err := fits(a, k.Public()); err != nil {
			return Key{}, err
		}
		return Key{Alg: a, Signer: k}, nil
	}
	return Key{}, &KeyError{Alg: a, Have: fmt.Sprintf("a %T", key)}
}

// Header returns the protected header JSON {"alg":alg,"kid":kid,"typ":"JWT"} (kid left out when
// empty), members sorted.
func Header(alg, kid string) []byte {
	h := map[string]string{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	out, _ := json.Marshal(h) // a map of strings always marshals
	return out
}

// SignJWT returns the JWS Compact Serialization (RFC 7515 §7.1) of claims under Header(k.Alg.Name, kid).
func (k Key) SignJWT(kid string, claims []byte) (string, error) {
	return k.Compact(Header(k.Alg.Name, kid), claims)
}

// Compact signs exact header and payload bytes (so tests can craft odd JSON) and returns
// base64url(header).base64url(payload).base64url(signature).
func (k Key) Compact(header, payload []byte) (string, error) {
	input := B64.EncodeToString(header) + "." + B64.EncodeToString(payload)
	sig, err := k.Sign([]byte(input))
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", k.Alg.Name, err)
	}
	return input + "." + B64.EncodeToString(sig), nil
}

// Sign computes the JWS Signature over the signing input (RFC 7518 §3.2-3.5, RFC 8037 §3.1):
// HMAC; RSASSA-PKCS1-v1_5; RSASSA-PSS with the salt as long as the hash (§3.5); ECDSA as the
// fixed-width R||S concatenation, not ASN.1 (§3.4); Ed25519 over the input itself.
func (k Key) Sign(input []byte) ([]byte, error) {
	a := k.Alg
	if a.Kind == KindHMAC {
		m := hmac.New(a.Hash.New, k.Secret)
		m.Write(input)
		return m.Sum(nil), nil
	}
	if k.Signer == nil {
		return nil, errors.New("no private key")
	}
	if err := fits(a, k.Signer.Public()); err != nil {
		return nil, err
	}
	if a.Kind == KindEd25519 {
		return k.Signer.Sign(rand.Reader, input, crypto.Hash(0))
	}
	h := a.Hash.New()
	h.Write(input)
	digest := h.Sum(nil)
	switch a.Kind {
	case KindRSA:
		return k.Signer.Sign(rand.Reader, digest, a.Hash)
	case KindRSAPSS:
		return k.Signer.Sign(rand.Reader, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.Hash})
	case KindEC:
		der, err := k.Signer.Sign(rand.Reader, digest, a.Hash) // ASN.1 SEQUENCE { r, s }
		if err != nil {
			return nil, err
		}
		var rs struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("ecdsa signature is not one ASN.1 sequence: %v", err)
		}
		out := make([]byte, 2*a.Size)
		rs.R.FillBytes(out[:a.Size]) // r, s < the curve order, so they fit (fits checked the curve)
		rs.S.FillBytes(out[a.Size:])
		return out, nil
	}
	return nil, fmt.Errorf("no signer for %s", a.Name)
}
