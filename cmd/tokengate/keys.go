package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// signingKey is a private key (or HMAC secret) checked against the algorithm it will sign with.
type signingKey struct {
	Alg    alg
	Secret []byte        // HMAC
	Signer crypto.Signer // RSA, EC, Ed25519
}

// parseSigningKey reads the --key file contents for algorithm a. PEM input may be PKCS#1
// ("RSA PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"); the first private key block
// is used. For HMAC algorithms data is the secret itself (encoding "raw", one trailing newline
// removed) or its base64/base64url text (encoding "base64").
func parseSigningKey(a alg, data []byte, encoding string) (signingKey, error) {
	if a.Kind == kindHMAC {
		secret, err := decodeSecret(data, encoding)
		if err != nil {
			return signingKey{}, err
		}
		return signingKey{Alg: a, Secret: secret}, nil
	}
	if encoding != "raw" {
		return signingKey{}, fmt.Errorf("--key-encoding %s: only for HMAC secrets", encoding)
	}
	priv, err := parsePrivateKeyPEM(data)
	if err != nil {
		return signingKey{}, err
	}
	if err := keyFitsAlg(a, priv); err != nil {
		return signingKey{}, err
	}
	return signingKey{Alg: a, Signer: priv}, nil
}

func decodeSecret(data []byte, encoding string) ([]byte, error) {
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	var secret []byte
	switch encoding {
	case "raw":
		secret = []byte(s)
	case "base64":
		s = strings.TrimSpace(s)
		var err error
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if secret, err = enc.DecodeString(s); err == nil {
				break
			}
		}
		if err != nil {
			return nil, errors.New("--key: not base64 or base64url text")
		}
	default:
		return nil, fmt.Errorf("--key-encoding %q: want raw or base64", encoding)
	}
	if len(secret) == 0 {
		return nil, errors.New("--key: the HMAC secret is empty")
	}
	return secret, nil
}

// parsePrivateKeyPEM returns the first private key in a PEM file.
func parsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	rest := data
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, errors.New("--key: no PEM private key block (want RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)")
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
			return nil, errors.New("--key: encrypted private keys are not supported; decrypt it with openssl pkey first")
		default:
			continue // e.g. EC PARAMETERS before the key, or a certificate
		}
		if err != nil {
			return nil, fmt.Errorf("--key: %s block: %w", blk.Type, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("--key: %s block holds a %T, not a signing key", blk.Type, k)
		}
		return s, nil
	}
}

// keyFitsAlg refuses a key that cannot produce signatures for a (RFC 7518 §3.3-3.5, RFC 8037).
func keyFitsAlg(a alg, k crypto.Signer) error {
	mismatch := func(have string) error {
		return fmt.Errorf("--alg %s needs %s, --key holds %s", a.Name, a.Kind, have)
	}
	switch key := k.(type) {
	case *rsa.PrivateKey:
		if a.Kind != kindRSA && a.Kind != kindRSAPSS {
			return mismatch("an RSA private key")
		}
		if bits := key.N.BitLen(); bits < 2048 {
			return fmt.Errorf("--key: RSA key is %d bits; RFC 7518 §3.3 and tokengate need at least 2048", bits)
		}
	case *ecdsa.PrivateKey:
		if a.Kind != kindEC {
			return mismatch("an EC private key")
		}
		if got := key.Curve.Params().Name; got != a.Curve {
			return fmt.Errorf("--alg %s needs a %s key, --key is on %s", a.Name, a.Curve, got)
		}
	case ed25519.PrivateKey:
		if a.Kind != kindEd25519 {
			return mismatch("an Ed25519 private key")
		}
	default:
		return mismatch(fmt.Sprintf("a %T", k))
	}
	return nil
}
