package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

var b64 = base64.RawURLEncoding // RFC 7515 §2: base64url without padding

// signCompact returns the JWS Compact Serialization (RFC 7515 §7.1) of payload, with a protected
// header holding alg, typ "JWT" and, when kid is not empty, kid.
func signCompact(k signingKey, kid string, payload []byte) (string, error) {
	hdr := map[string]string{"alg": k.Alg.Name, "typ": "JWT"}
	if kid != "" {
		hdr["kid"] = kid
	}
	hdrJSON, err := json.Marshal(hdr)
	if err != nil {
		return "", err
	}
	signingInput := b64.EncodeToString(hdrJSON) + "." + b64.EncodeToString(payload)
	sig, err := sign(k, []byte(signingInput))
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", k.Alg.Name, err)
	}
	return signingInput + "." + b64.EncodeToString(sig), nil
}

// sign computes the JWS Signature over the signing input (RFC 7518 §3.2-3.5, RFC 8037 §3.1).
func sign(k signingKey, input []byte) ([]byte, error) {
	a := k.Alg
	if a.Kind == kindHMAC {
		m := hmac.New(a.Hash.New, k.Secret)
		m.Write(input)
		return m.Sum(nil), nil
	}
	if a.Kind == kindEd25519 {
		return k.Signer.Sign(rand.Reader, input, crypto.Hash(0))
	}
	h := a.Hash.New()
	h.Write(input)
	digest := h.Sum(nil)
	switch a.Kind {
	case kindRSA:
		return k.Signer.Sign(rand.Reader, digest, a.Hash) // PKCS #1 v1.5
	case kindRSAPSS:
		// RFC 7518 §3.5: salt length equals the hash length.
		return k.Signer.Sign(rand.Reader, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.Hash})
	case kindEC:
		// RFC 7518 §3.4: R and S as fixed-width big-endian integers, concatenated (not ASN.1).
		r, s, err := ecdsa.Sign(rand.Reader, k.Signer.(*ecdsa.PrivateKey), digest)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 2*a.Size)
		r.FillBytes(out[:a.Size])
		s.FillBytes(out[a.Size:])
		return out, nil
	}
	return nil, fmt.Errorf("no signer for %s", a.Name)
}
