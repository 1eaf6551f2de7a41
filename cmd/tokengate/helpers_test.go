package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// verifyCompact checks a compact JWS with jwtmint.VerifyCompact, written apart from the signer:
// unpadded base64url segments, the header's alg, and the signature with key (an HMAC secret []byte or
// a public key). It returns the decoded header and payload.
func verifyCompact(t *testing.T, token string, wantAlg string, key any) (hdr, payload map[string]any) {
	t.Helper()
	hdr, payload, err := jwtmint.VerifyCompact(token, wantAlg, key)
	if err != nil {
		t.Fatal(err)
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
