package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/jwtmint"
	"github.com/tokengate/tokengate/jwtcore"
)

// TestCmdToken_VerifiesWithJwtcore closes the loop with the verifier the filter uses: keygen writes a
// key for every algorithm, token mints with it, and jwtcore verifies the token against the key
// loaded both ways the filter's configuration offers (public_key_pem and local_jwks, or the HMAC
// secret), including iss, aud, exp and scopes.
func TestCmdToken_VerifiesWithJwtcore(t *testing.T) {
	now := time.Now()
	for _, a := range jwtmint.Algs() {
		t.Run(a.Name, func(t *testing.T) {
			dir := t.TempDir()
			m, err := jwtmint.Generate(a, 2048, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := writeKeyFiles(dir, m); err != nil {
				t.Fatal(err)
			}
			args := []string{"token", "--alg", a.Name, "--iss", "https://issuer.example/", "--aud", "https://api.example",
				"--sub", "user-1", "--scope", "read write", "--exp", "5m"}
			var keySets []*jwtcore.KeySet
			if a.Kind == jwtmint.KindHMAC {
				args = append(args, "--key", filepath.Join(dir, "secret.b64"), "--key-encoding", "base64")
				ks, err := jwtcore.NewHMACKeySet(m.Key.Secret)
				if err != nil {
					t.Fatal(err)
				}
				keySets = append(keySets, ks)
			} else {
				args = append(args, "--key", filepath.Join(dir, "private.pem"), "--kid", m.Kid)
				fromPEM, err := jwtcore.ParsePEMKeys(m.PublicPEM)
				if err != nil {
					t.Fatalf("ParsePEMKeys(public.pem): %v", err)
				}
				fromJWKS, err := jwtcore.ParseJWKS(m.JWKS)
				if err != nil {
					t.Fatalf("ParseJWKS(jwks.json): %v", err)
				}
				keySets = append(keySets, fromPEM, fromJWKS)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("token: exit %d: %s", code, stderr)
			}
			tok := strings.TrimSpace(stdout)
			jalg, ok := jwtcore.ParseAlg(a.Name)
			if !ok {
				t.Fatalf("jwtcore does not know %s", a.Name)
			}
			for i, ks := range keySets {
				v, err := jwtcore.NewVerifier(ks, jwtcore.Policy{
					Algorithms: []jwtcore.Alg{jalg},
					Issuers:    []string{"https://issuer.example/"},
					Audiences:  []string{"https://api.example"},
					Leeway:     jwtcore.DefaultLeeway,
				})
				if err != nil {
					t.Fatalf("key set %d: NewVerifier: %v", i, err)
				}
				claims, err := v.Verify(tok, now)
				if err != nil {
					t.Fatalf("key set %d: Verify: %v", i, err)
				}
				if err := claims.RequireScopes([]string{"read", "write"}); err != nil {
					t.Errorf("key set %d: RequireScopes: %v", i, err)
				}
				if got := claims.Get("sub").String(); got != "user-1" {
					t.Errorf("key set %d: sub = %q", i, got)
				}
				if _, err := v.Verify(tok, now.Add(10*time.Minute)); !errors.Is(err, jwtcore.ErrTokenExpired) {
					t.Errorf("key set %d: 10 minutes later: %v, want token_expired", i, err)
				}
			}
		})
	}
}
