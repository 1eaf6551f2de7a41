package jwtmint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Material is a key in the forms tokengate's configuration and CLI take.
type Material struct {
	Key        Key
	Kid        string
	PrivatePEM []byte // PKCS#8; empty for HMAC
	PublicPEM  []byte // SPKI; empty for HMAC
	JWKS       []byte // {"keys":[...]}; empty for HMAC
	SecretB64  []byte // base64url secret and a newline; HMAC only
}

// Generate makes a key for algorithm a: RSA of rsaBits, the curve the ES* algorithm names, Ed25519,
// or an HMAC secret as long as the hash output (RFC 7518 §3.2). kid "" means the RFC 7638 thumbprint
// (asymmetric keys) or no kid (HMAC).
func Generate(a Alg, rsaBits int, kid string) (Material, error) {
	if a.Kind == KindHMAC {
		secret := make([]byte, a.Hash.Size())
		if _, err := rand.Read(secret); err != nil {
			return Material{}, err
		}
		return Material{
			Key:       Key{Alg: a, Secret: secret},
			Kid:       kid,
			SecretB64: []byte(B64.EncodeToString(secret) + "\n"),
		}, nil
	}
	signer, err := GenerateSigner(a, rsaBits)
	if err != nil {
		return Material{}, err
	}
	return MaterialFor(a, signer, kid)
}

// GenerateSigner makes a private key for an asymmetric algorithm a (rsaBits is used by RS* and PS*
// only and must be at least MinRSABits).
func GenerateSigner(a Alg, rsaBits int) (crypto.Signer, error) {
	var (
		signer crypto.Signer
		err    error
	)
	switch a.Kind {
	case KindRSA, KindRSAPSS:
		if rsaBits < MinRSABits {
			return nil, fmt.Errorf("rsa key of %d bits: need at least %d", rsaBits, MinRSABits)
		}
		signer, err = rsa.GenerateKey(rand.Reader, rsaBits)
	case KindEC:
		curves := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}
		signer, err = ecdsa.GenerateKey(curves[a.Curve], rand.Reader)
	case KindEd25519:
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("%s: not an asymmetric algorithm", a.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", a.Name, err)
	}
	return signer, nil
}

// MaterialFor encodes signer, a key for a (CheckKey must accept it), as PKCS#8, SPKI and a JWKS.
// kid "" means the RFC 7638 thumbprint.
func MaterialFor(a Alg, signer crypto.Signer, kid string) (Material, error) {
	if err := CheckKey(a, signer); err != nil {
		return Material{}, err
	}
	priv, err := PrivateKeyPEM(signer)
	if err != nil {
		return Material{}, err
	}
	pub, err := PublicKeyPEM(signer.Public())
	if err != nil {
		return Material{}, err
	}
	jwk, err := JWK(signer.Public())
	if err != nil {
		return Material{}, err
	}
	if kid == "" {
		kid = Thumbprint(jwk)
	}
	jwks, err := JWKS(jwk, a.Name, kid)
	if err != nil {
		return Material{}, err
	}
	return Material{Key: Key{Alg: a, Signer: signer}, Kid: kid, PrivatePEM: priv, PublicPEM: pub, JWKS: jwks}, nil
}
