package jwtmint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
)

// JWK returns the required members (RFC 7517, RFC 7518 §6, RFC 8037 §2) of the JWK of pub: an
// *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey, or a []byte HMAC secret (kty "oct").
func JWK(pub crypto.PublicKey) (map[string]string, error) {
	switch k := pub.(type) {
	case []byte:
		return map[string]string{"kty": "oct", "k": B64.EncodeToString(k)}, nil
	case *rsa.PublicKey:
		return map[string]string{
			"kty": "RSA",
			"n":   B64.EncodeToString(k.N.Bytes()),
			"e":   B64.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
		}, nil
	case *ecdsa.PublicKey:
		ek, err := k.ECDH()
		if err != nil {
			return nil, fmt.Errorf("ec public key: %w", err)
		}
		pt := ek.Bytes() // 0x04 || X || Y, each coordinate full width
		size := (len(pt) - 1) / 2
		return map[string]string{
			"kty": "EC",
			"crv": k.Curve.Params().Name,
			"x":   B64.EncodeToString(pt[1 : 1+size]),
			"y":   B64.EncodeToString(pt[1+size:]),
		}, nil
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": B64.EncodeToString(k)}, nil
	}
	return nil, fmt.Errorf("no JWK form for %T", pub)
}

// Thumbprint is the RFC 7638 JWK thumbprint (SHA-256, base64url) of the required members: JSON with
// the members in lexicographic order and no whitespace, which is what encoding/json gives for a map.
func Thumbprint(required map[string]string) string {
	canon, _ := json.Marshal(required) // a map of strings always marshals
	sum := sha256.Sum256(canon)
	return B64.EncodeToString(sum[:])
}

// JWKS returns {"keys":[jwk]} with use "sig", alg and kid added, indented for people.
func JWKS(required map[string]string, algName, kid string) ([]byte, error) {
	jwk := make(map[string]string, len(required)+3)
	for k, v := range required {
		jwk[k] = v
	}
	jwk["use"], jwk["alg"], jwk["kid"] = "sig", algName, kid
	out, err := json.MarshalIndent(map[string]any{"keys": []any{jwk}}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
