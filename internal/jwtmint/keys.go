package jwtmint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// MinRSABits is the smallest RSA modulus CheckKey and GenerateSigner accept (RFC 7518 §3.3).
const MinRSABits = 2048

// KeyError says why a key cannot sign for Alg. Exactly one of Have, Curve and Bits is set:
// Have when the key is of another type, Curve when an EC key is on another curve than Alg.Curve,
// Bits when an RSA modulus is shorter than MinRSABits.
type KeyError struct {
	Alg   Alg
	Have  string // what the key is, e.g. "an RSA private key"
	Curve string // the curve the EC key is on
	Bits  int    // the RSA modulus size
}

func (e *KeyError) Error() string {
	switch {
	case e.Bits != 0:
		return fmt.Sprintf("RSA key is %d bits; RFC 7518 §3.3 needs at least %d", e.Bits, MinRSABits)
	case e.Curve != "":
		return fmt.Sprintf("%s needs a %s key, the key is on %s", e.Alg.Name, e.Alg.Curve, e.Curve)
	}
	return fmt.Sprintf("%s needs %s, the key is %s", e.Alg.Name, e.Alg.Kind, e.Have)
}

// CheckKey refuses a private key that cannot produce signatures for a (RFC 7518 §3.3-3.5, RFC 8037),
// including an RSA key shorter than MinRSABits. The error is a *KeyError.
func CheckKey(a Alg, k crypto.Signer) error {
	if err := fits(a, k.Public()); err != nil {
		return err
	}
	if pub, ok := k.Public().(*rsa.PublicKey); ok && pub.N.BitLen() < MinRSABits {
		return &KeyError{Alg: a, Bits: pub.N.BitLen()}
	}
	return nil
}

// fits checks that pub's type (and curve) is the one a signs with; it does not judge strength.
func fits(a Alg, pub crypto.PublicKey) error {
	switch key := pub.(type) {
	case *rsa.PublicKey:
		if a.Kind != KindRSA && a.Kind != KindRSAPSS {
			return &KeyError{Alg: a, Have: "an RSA private key"}
		}
	case *ecdsa.PublicKey:
		if a.Kind != KindEC {
			return &KeyError{Alg: a, Have: "an EC private key"}
		}
		if got := key.Curve.Params().Name; got != a.Curve {
			return &KeyError{Alg: a, Curve: got}
		}
	case ed25519.PublicKey:
		if a.Kind != KindEd25519 {
			return &KeyError{Alg: a, Have: "an Ed25519 private key"}
		}
	default:
		return &KeyError{Alg: a, Have: fmt.Sprintf("a %T", pub)}
	}
	return nil
}

// ParsePrivateKeyPEM returns the first private key in PEM data: PKCS#1 ("RSA PRIVATE KEY"), SEC 1
// ("EC PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"). Other blocks before it (EC PARAMETERS, a
// certificate) are skipped; an encrypted key is refused.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	rest := data
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, errors.New("no PEM private key block (want RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)")
		}
		var (
			k   any
			err error
		)
		switch blk.Type {
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(blk.Bytes)
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("encrypted private keys are not supported; decrypt it with openssl pkey first")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s block: %w", blk.Type, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%s block holds a %T, not a signing key", blk.Type, k)
		}
		return s, nil
	}
}

// PublicKeyPEM renders a public key as a PEM "PUBLIC KEY" (SPKI) block.
func PublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// PrivateKeyPEM renders a private key as a PEM "PRIVATE KEY" (PKCS#8) block.
func PrivateKeyPEM(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
