package main

import (
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// parseSigningKey reads the --key file contents for algorithm a. PEM input may be PKCS#1
// ("RSA PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"); the first private key block
// is used. For HMAC algorithms data is the secret itself (encoding "raw", one trailing newline
// removed) or its base64/base64url text (encoding "base64").
func parseSigningKey(a jwtmint.Alg, data []byte, encoding string) (jwtmint.Key, error) {
	if a.Kind == jwtmint.KindHMAC {
		secret, err := decodeSecret(data, encoding)
		if err != nil {
			return jwtmint.Key{}, err
		}
		return jwtmint.Key{Alg: a, Secret: secret}, nil
	}
	if encoding != "raw" {
		return jwtmint.Key{}, fmt.Errorf("--key-encoding %s: only for HMAC secrets", encoding)
	}
	priv, err := jwtmint.ParsePrivateKeyPEM(data)
	if err != nil {
		return jwtmint.Key{}, fmt.Errorf("--key: %w", err)
	}
	if err := keyFitsAlg(a, priv); err != nil {
		return jwtmint.Key{}, err
	}
	return jwtmint.Key{Alg: a, Signer: priv}, nil
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

// keyFitsAlg refuses a key that cannot produce signatures for a (jwtmint.CheckKey), saying it in
// terms of the command's flags.
func keyFitsAlg(a jwtmint.Alg, k crypto.Signer) error {
	err := jwtmint.CheckKey(a, k)
	var ke *jwtmint.KeyError
	if !errors.As(err, &ke) {
		return err
	}
	switch {
	case ke.Bits != 0:
		return fmt.Errorf("--key: RSA key is %d bits; RFC 7518 §3.3 and tokengate need at least %d", ke.Bits, jwtmint.MinRSABits)
	case ke.Curve != "":
		return fmt.Errorf("--alg %s needs a %s key, --key is on %s", a.Name, a.Curve, ke.Curve)
	}
	return fmt.Errorf("--alg %s needs %s, --key holds %s", a.Name, a.Kind, ke.Have)
}
