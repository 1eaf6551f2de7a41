package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// keyMaterial is a freshly generated key in the forms tokengate's configuration and CLI take.
type keyMaterial struct {
	Key        signingKey
	Kid        string
	PrivatePEM []byte // PKCS#8; empty for HMAC
	PublicPEM  []byte // SPKI; empty for HMAC
	JWKS       []byte // {"keys":[...]}; empty for HMAC
	SecretB64  []byte // base64url secret; HMAC only
}

// generateKey makes a key for algorithm a: RSA of rsaBits, the curve the ES* algorithm names,
// Ed25519, or an HMAC secret as long as the hash output (RFC 7518 §3.2). kid "" means the RFC 7638
// thumbprint (asymmetric keys) or no kid (HMAC).
func generateKey(a alg, rsaBits int, kid string) (keyMaterial, error) {
	if a.Kind == kindHMAC {
		secret := make([]byte, a.Hash.Size())
		if _, err := rand.Read(secret); err != nil {
			return keyMaterial{}, err
		}
		return keyMaterial{
			Key:       signingKey{Alg: a, Secret: secret},
			Kid:       kid,
			SecretB64: []byte(b64.EncodeToString(secret) + "\n"),
		}, nil
	}
	signer, err := generateSigner(a, rsaBits)
	if err != nil {
		return keyMaterial{}, err
	}
	return materialFor(a, signer, kid)
}

// generateSigner makes a private key for an asymmetric algorithm a.
func generateSigner(a alg, rsaBits int) (crypto.Signer, error) {
	var (
		signer crypto.Signer
		err    error
	)
	switch a.Kind {
	case kindRSA, kindRSAPSS:
		if rsaBits < 2048 {
			return nil, fmt.Errorf("--bits %d: RSA keys must have at least 2048 bits", rsaBits)
		}
		signer, err = rsa.GenerateKey(rand.Reader, rsaBits)
	case kindEC:
		curves := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}
		signer, err = ecdsa.GenerateKey(curves[a.Curve], rand.Reader)
	case kindEd25519:
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("%s: not an asymmetric algorithm", a.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", a.Name, err)
	}
	return signer, nil
}

// materialFor encodes signer, a key for a, as PKCS#8, SPKI and a JWKS. kid "" means the RFC 7638
// thumbprint.
func materialFor(a alg, signer crypto.Signer, kid string) (keyMaterial, error) {
	if err := keyFitsAlg(a, signer); err != nil {
		return keyMaterial{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return keyMaterial{}, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(signer.Public())
	if err != nil {
		return keyMaterial{}, err
	}
	jwk, err := publicJWK(signer.Public())
	if err != nil {
		return keyMaterial{}, err
	}
	if kid == "" {
		kid = thumbprint(jwk)
	}
	jwks, err := jwksJSON(jwk, a.Name, kid)
	if err != nil {
		return keyMaterial{}, err
	}
	return keyMaterial{
		Key:        signingKey{Alg: a, Signer: signer},
		Kid:        kid,
		PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		PublicPEM:  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}),
		JWKS:       jwks,
	}, nil
}

// keyFile is one file keygen writes.
type keyFile struct {
	Name string
	Data []byte
	Mode os.FileMode
}

func (m keyMaterial) files() []keyFile {
	if m.Key.Alg.Kind == kindHMAC {
		return []keyFile{{Name: "secret.b64", Data: m.SecretB64, Mode: 0o600}}
	}
	return []keyFile{
		{Name: "private.pem", Data: m.PrivatePEM, Mode: 0o600},
		{Name: "public.pem", Data: m.PublicPEM, Mode: 0o644},
		{Name: "jwks.json", Data: m.JWKS, Mode: 0o644},
	}
}

// writeKeyFiles writes m's files into dir, creating dir, and never overwrites an existing file.
func writeKeyFiles(dir string, m keyMaterial) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	var written []string
	for _, f := range m.files() {
		p := filepath.Join(dir, f.Name)
		fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.Mode)
		if errors.Is(err, os.ErrExist) {
			return written, fmt.Errorf("--out: %s exists; keygen never overwrites a key", p)
		}
		if err != nil {
			return written, fmt.Errorf("--out: %w", err)
		}
		_, err = fh.Write(f.Data)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, fmt.Errorf("write %s: %w", p, err)
		}
		written = append(written, p)
	}
	return written, nil
}

const keygenDescription = `Writes a new key for testing tokengate into DIR (created if needed; existing files are never
overwritten):
  RS*, PS*, ES*, EdDSA: private.pem (PKCS#8, mode 0600), public.pem (SPKI, for public_key_pem) and
                        jwks.json (for local_jwks; kid = RFC 7638 thumbprint unless --kid)
  HS*:                  secret.b64 (mode 0600): a random secret as long as the hash, base64url, for
                        hmac_secret_base64 and "tokengate token --key-encoding base64"`

func cmdKeygen(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keygen", "--out DIR [--alg ALG] [flags]", keygenDescription, stderr)
	algName := fs.String("alg", "RS256", "JWS algorithm the key is for: "+algNames())
	out := fs.String("out", "", "directory to write the key files into (required)")
	kid := fs.String("kid", "", "key id for jwks.json (default: the RFC 7638 thumbprint)")
	bits := fs.Int("bits", 2048, "RSA modulus size")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	a, err := lookupAlg(*algName)
	if err != nil {
		return err
	}
	m, err := generateKey(a, *bits, *kid)
	if err != nil {
		return err
	}
	written, err := writeKeyFiles(*out, m)
	if err != nil {
		return err
	}
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	if a.Kind == kindHMAC {
		fmt.Fprintf(stdout, "mint a token: tokengate token --alg %s --key-encoding base64 --key %s ...\n", a.Name, written[0])
	} else {
		fmt.Fprintf(stdout, "kid %s\nmint a token: tokengate token --alg %s --kid %s --key %s ...\n", m.Kid, a.Name, m.Kid, written[0])
	}
	return nil
}
