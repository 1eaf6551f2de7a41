package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// verifyCompact checks a compact JWS with the standard library only, written independently of
// jws.go: it splits the token, checks the header's alg, and verifies the signature with key (an HMAC
// secret []byte or a public key). It returns the decoded header and payload.
func verifyCompact(t *testing.T, token string, wantAlg string, key any) (hdr, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	dec := func(i int) []byte {
		if strings.ContainsAny(parts[i], "=+/") {
			t.Fatalf("part %d is not unpadded base64url: %q", i, parts[i])
		}
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		return b
	}
	if err := json.Unmarshal(dec(0), &hdr); err != nil {
		t.Fatalf("header: %v", err)
	}
	if err := json.Unmarshal(dec(1), &payload); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if hdr["alg"] != wantAlg {
		t.Fatalf("header alg = %v, want %s", hdr["alg"], wantAlg)
	}
	input := []byte(parts[0] + "." + parts[1])
	sig := dec(2)
	hashes := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	h := hashes[wantAlg[len(wantAlg)-3:]]
	digest := func() []byte { d := h.New(); d.Write(input); return d.Sum(nil) }
	ok := false
	switch {
	case strings.HasPrefix(wantAlg, "HS"):
		m := hmac.New(h.New, key.([]byte))
		m.Write(input)
		ok = hmac.Equal(m.Sum(nil), sig)
	case strings.HasPrefix(wantAlg, "RS"):
		ok = rsa.VerifyPKCS1v15(key.(*rsa.PublicKey), h, digest(), sig) == nil
	case strings.HasPrefix(wantAlg, "PS"):
		ok = rsa.VerifyPSS(key.(*rsa.PublicKey), h, digest(), sig, &rsa.PSSOptions{SaltLength: h.Size()}) == nil
	case strings.HasPrefix(wantAlg, "ES"):
		pub := key.(*ecdsa.PublicKey)
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			t.Fatalf("%s signature is %d bytes, want %d (R||S)", wantAlg, len(sig), 2*size)
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		ok = ecdsa.Verify(pub, digest(), r, s)
	case wantAlg == "EdDSA":
		ok = ed25519.Verify(key.(ed25519.PublicKey), input, sig)
	default:
		t.Fatalf("verifyCompact: no verifier for %s", wantAlg)
	}
	if !ok {
		t.Fatalf("%s signature does not verify", wantAlg)
	}
	return hdr, payload
}

// runCLI runs tokengate with args and returns the exit status, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runMain(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (the gateway logs from its handlers).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
