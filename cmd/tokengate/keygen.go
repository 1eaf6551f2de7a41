package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// keyFile is one file keygen writes.
type keyFile struct {
	Name string
	Data []byte
	Mode os.FileMode
}

// keyFiles are the files keygen writes for m.
func keyFiles(m jwtmint.Material) []keyFile {
	if m.Key.Alg.Kind == jwtmint.KindHMAC {
		return []keyFile{{Name: "secret.b64", Data: m.SecretB64, Mode: 0o600}}
	}
	return []keyFile{
		{Name: "private.pem", Data: m.PrivatePEM, Mode: 0o600},
		{Name: "public.pem", Data: m.PublicPEM, Mode: 0o644},
		{Name: "jwks.json", Data: m.JWKS, Mode: 0o644},
	}
}

// writeKeyFiles writes m's files into dir, creating dir, and never overwrites an existing file.
func writeKeyFiles(dir string, m jwtmint.Material) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	var written []string
	for _, f := range keyFiles(m) {
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
	algName := fs.String("alg", "RS256", "JWS algorithm the key is for: "+jwtmint.AlgNames())
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
	if (a.Kind == jwtmint.KindRSA || a.Kind == jwtmint.KindRSAPSS) && *bits < jwtmint.MinRSABits {
		return fmt.Errorf("--bits %d: RSA keys must have at least %d bits", *bits, jwtmint.MinRSABits)
	}
	m, err := jwtmint.Generate(a, *bits, *kid)
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
	if a.Kind == jwtmint.KindHMAC {
		fmt.Fprintf(stdout, "mint a token: tokengate token --alg %s --key-encoding base64 --key %s ...\n", a.Name, written[0])
	} else {
		fmt.Fprintf(stdout, "kid %s\nmint a token: tokengate token --alg %s --kid %s --key %s ...\n", m.Kid, a.Name, m.Kid, written[0])
	}
	return nil
}
