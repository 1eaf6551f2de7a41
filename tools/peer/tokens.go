package peer

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
)

// Keys are the signing material of one run: an RSA-2048 key pair and an HMAC secret, both
// generated at test time and never written anywhere but the run's temporary directory.
type Keys struct {
	RSA *rsa.PrivateKey
	// HMAC is the shared secret as text (64 hex digits = 32 bytes of entropy as 64 bytes of key):
	// HAProxy's jwt_verify takes the secret as a configuration string and tokengate's
	// hmac_secret takes the same string, so both use exactly these bytes as the key.
	HMAC string
}

// NewKeys generates fresh keys.
func NewKeys() (*Keys, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("keys: rsa: %w", err)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("keys: hmac: %w", err)
	}
	return &Keys{RSA: k, HMAC: hex.EncodeToString(b[:])}, nil
}

// PublicPEM is the RSA public key as a PEM "PUBLIC KEY" (SPKI) block, the form the HAProxy blog
// derives with `openssl x509 -pubkey -noout` and that jwt_verify loads.
func (k *Keys) PublicPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(&k.RSA.PublicKey)
	if err != nil {
		panic("peer: marshal rsa public key: " + err.Error()) // cannot happen for a valid key
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// B64 is unpadded base64url (RFC 7515 §2).
func B64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// JSON marshals v (maps have sorted keys, so the output is deterministic).
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("peer: json: " + err.Error()) // only plain values are marshalled
	}
	return string(b)
}

// SignRS256 is RSASSA-PKCS1-v1_5 with SHA-256 over the signing input.
func (k *Keys) SignRS256(input string) []byte {
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, k.RSA, crypto.SHA256, h[:])
	if err != nil {
		panic("peer: rs256: " + err.Error())
	}
	return sig
}

// SignHS256 is HMAC-SHA-256 over the signing input with secret.
func SignHS256(secret []byte, input string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return m.Sum(nil)
}

// Compact builds header.payload.signature from raw JSON texts; sign gets the signing input.
func Compact(headerJSON, payloadJSON string, sign func(input string) []byte) string {
	input := B64([]byte(headerJSON)) + "." + B64([]byte(payloadJSON))
	var sig []byte
	if sign != nil {
		sig = sign(input)
	}
	return input + "." + B64(sig)
}
