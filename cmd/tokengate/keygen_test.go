package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// TestCmdKeygen_Asymmetric runs keygen for one algorithm of each key type and checks that the three
// files describe one key: a token minted from private.pem verifies with public.pem and with the JWK
// in jwks.json, whose kid is its thumbprint.
func TestCmdKeygen_Asymmetric(t *testing.T) {
	for _, name := range []string{"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			code, stdout, stderr := runCLI(t, "keygen", "--alg", name, "--out", dir)
			if code != 0 {
				t.Fatalf("keygen: exit %d: %s", code, stderr)
			}
			for _, f := range []struct {
				name string
				mode os.FileMode
			}{{"private.pem", 0o600}, {"public.pem", 0o644}, {"jwks.json", 0o644}} {
				st, err := os.Stat(filepath.Join(dir, f.name))
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != f.mode {
					t.Errorf("%s mode = %v, want %v", f.name, st.Mode().Perm(), f.mode)
				}
				if !strings.Contains(stdout, filepath.Join(dir, f.name)) {
					t.Errorf("stdout does not name %s: %q", f.name, stdout)
				}
			}

			pubPEM, _ := os.ReadFile(filepath.Join(dir, "public.pem"))
			blk, _ := pem.Decode(pubPEM)
			if blk == nil || blk.Type != "PUBLIC KEY" {
				t.Fatalf("public.pem: want a PUBLIC KEY block")
			}
			pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			var set struct{ Keys []map[string]string }
			raw, _ := os.ReadFile(filepath.Join(dir, "jwks.json"))
			if err := json.Unmarshal(raw, &set); err != nil || len(set.Keys) != 1 {
				t.Fatalf("jwks.json: %v (%d keys)", err, len(set.Keys))
			}
			jwk := set.Keys[0]
			if jwk["alg"] != name || jwk["use"] != "sig" {
				t.Errorf("jwk alg/use = %s/%s, want %s/sig", jwk["alg"], jwk["use"], name)
			}
			required, err := jwtmint.JWK(pub)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range required {
				if jwk[k] != v {
					t.Errorf("jwks.json member %s = %q, public.pem gives %q", k, jwk[k], v)
				}
			}
			if jwk["kid"] != jwtmint.Thumbprint(required) {
				t.Errorf("kid = %s, want the thumbprint %s", jwk["kid"], jwtmint.Thumbprint(required))
			}

			code, tok, stderr := runCLI(t, "token", "--alg", name, "--key", filepath.Join(dir, "private.pem"), "--kid", jwk["kid"], "--sub", "s")
			if code != 0 {
				t.Fatalf("token: exit %d: %s", code, stderr)
			}
			hdr, _ := verifyCompact(t, strings.TrimSpace(tok), name, pub)
			if hdr["kid"] != jwk["kid"] {
				t.Errorf("token kid = %v, want %s", hdr["kid"], jwk["kid"])
			}
		})
	}
}

func TestCmdKeygen_HMAC(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "keygen", "--alg", "HS384", "--out", dir)
	if code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, stderr)
	}
	p := filepath.Join(dir, "secret.b64")
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("secret.b64 mode = %v, want 0600", st.Mode().Perm())
	}
	text, _ := os.ReadFile(p)
	secret, err := decodeSecret(text, "base64")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 48 {
		t.Errorf("HS384 secret is %d bytes, want 48 (the hash size)", len(secret))
	}
	code, tok, stderr := runCLI(t, "token", "--alg", "HS384", "--key-encoding", "base64", "--key", p)
	if code != 0 {
		t.Fatalf("token: exit %d: %s", code, stderr)
	}
	verifyCompact(t, strings.TrimSpace(tok), "HS384", secret)
}

func TestCmdKeygen_Errors(t *testing.T) {
	existing := t.TempDir()
	if code, _, stderr := runCLI(t, "keygen", "--alg", "ES256", "--out", existing); code != 0 {
		t.Fatalf("first keygen: %s", stderr)
	}
	before, _ := os.ReadFile(filepath.Join(existing, "private.pem"))
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "no --out", args: []string{"keygen"}, wantCode: 1, wantErr: "--out is required"},
		{name: "unknown alg", args: []string{"keygen", "--alg", "RS1", "--out", t.TempDir()}, wantCode: 1, wantErr: `--alg "RS1"`},
		{name: "small RSA", args: []string{"keygen", "--bits", "1024", "--out", t.TempDir()}, wantCode: 1, wantErr: "--bits 1024: RSA keys must have at least 2048 bits"},
		{name: "never overwrites", args: []string{"keygen", "--alg", "ES256", "--out", existing}, wantCode: 1, wantErr: "exists; keygen never overwrites a key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.wantCode, tc.wantErr)
			}
		})
	}
	after, _ := os.ReadFile(filepath.Join(existing, "private.pem"))
	if string(before) != string(after) {
		t.Error("private.pem changed after a refused keygen")
	}
}
