package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tokengate/tokengate/internal/jwtmint"
)

// signerFor returns the shared test key that fits a (jwtmint.SharedSigner).
func signerFor(t *testing.T, a jwtmint.Alg) crypto.Signer {
	t.Helper()
	k, err := jwtmint.SharedSigner(a)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signerForName is signerFor for the algorithm named alg.
func signerForName(t *testing.T, alg string) crypto.Signer {
	t.Helper()
	a, err := lookupAlg(alg)
	if err != nil {
		t.Fatal(err)
	}
	return signerFor(t, a)
}

// TestCmdToken_RoundTrip mints a token for every algorithm through the command line (PEM or secret
// file) and verifies it twice: with the standard library (verifyCompact) and with golang-jwt, an
// independent implementation.
func TestCmdToken_RoundTrip(t *testing.T) {
	now := time.Now()
	for _, a := range jwtmint.Algs() {
		t.Run(a.Name, func(t *testing.T) {
			var keyFile string
			var verifyKey any
			args := []string{"token", "--alg", a.Name, "--kid", "k1", "--iss", "https://issuer.example/",
				"--aud", "https://api.example", "--sub", "user-1", "--scope", "read write", "--exp", "10m",
				"--claim", "roles=[\"admin\",\"ops\"]", "--claim", "tenant=acme"}
			if a.Kind == jwtmint.KindHMAC {
				secret := []byte("a-shared-secret-of-at-least-32-bytes!!")
				keyFile = writeTemp(t, "secret", append(secret, '\n'))
				verifyKey = secret
			} else {
				m, err := jwtmint.MaterialFor(a, signerFor(t, a), "")
				if err != nil {
					t.Fatal(err)
				}
				keyFile = writeTemp(t, "key.pem", m.PrivatePEM)
				verifyKey = signerFor(t, a).Public()
			}
			code, stdout, stderr := runCLI(t, append(args, "--key", keyFile)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tok := strings.TrimSpace(stdout)
			hdr, claims := verifyCompact(t, tok, a.Name, verifyKey)
			if hdr["kid"] != "k1" || hdr["typ"] != "JWT" {
				t.Errorf("header = %v, want kid k1 and typ JWT", hdr)
			}
			for name, want := range map[string]any{"iss": "https://issuer.example/", "aud": "https://api.example",
				"sub": "user-1", "scope": "read write", "tenant": "acme"} {
				if claims[name] != want {
					t.Errorf("claim %s = %v, want %v", name, claims[name], want)
				}
			}
			if roles, _ := json.Marshal(claims["roles"]); string(roles) != `["admin","ops"]` {
				t.Errorf("claim roles = %s", roles)
			}
			exp, iat := claims["exp"].(float64), claims["iat"].(float64)
			if exp-iat != 600 || iat < float64(now.Unix()-5) || iat > float64(now.Unix()+5) {
				t.Errorf("iat = %v, exp = %v; want iat ~ now and exp = iat + 600", iat, exp)
			}

			parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return verifyKey, nil },
				jwt.WithValidMethods([]string{a.Name}), jwt.WithIssuer("https://issuer.example/"),
				jwt.WithAudience("https://api.example"), jwt.WithExpirationRequired())
			if err != nil || !parsed.Valid {
				t.Fatalf("golang-jwt rejects the token: %v", err)
			}
		})
	}
}

func TestParseSigningKey_Errors(t *testing.T) {
	p384, err := jwtmint.PrivateKeyPEM(signerForName(t, "ES384"))
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM, err := jwtmint.PrivateKeyPEM(signerForName(t, "RS256"))
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})
	pubOnly := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}})

	tests := []struct {
		name     string
		alg      string
		data     []byte
		encoding string
		wantErr  string
	}{
		{name: "RSA key for ES256", alg: "ES256", data: rsaPEM, encoding: "raw", wantErr: "--alg ES256 needs an EC private key, --key holds an RSA private key"},
		{name: "EC key for RS256", alg: "RS256", data: p384, encoding: "raw", wantErr: "--alg RS256 needs an RSA private key, --key holds an EC private key"},
		{name: "P-384 key for ES256", alg: "ES256", data: p384, encoding: "raw", wantErr: "--alg ES256 needs a P-256 key, --key is on P-384"},
		{name: "RSA 1024 bits", alg: "RS256", data: smallPEM, encoding: "raw", wantErr: "RSA key is 1024 bits"},
		{name: "not PEM", alg: "RS256", data: []byte("hello"), encoding: "raw", wantErr: "no PEM private key block"},
		{name: "public key only", alg: "RS256", data: pubOnly, encoding: "raw", wantErr: "no PEM private key block"},
		{name: "encrypted", alg: "RS256", data: pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), encoding: "raw", wantErr: "encrypted private keys are not supported"},
		{name: "corrupt PKCS#8", alg: "RS256", data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), encoding: "raw", wantErr: "PRIVATE KEY block"},
		{name: "base64 encoding for a PEM key", alg: "RS256", data: rsaPEM, encoding: "base64", wantErr: "only for HMAC secrets"},
		{name: "empty HMAC secret", alg: "HS256", data: []byte("\n"), encoding: "raw", wantErr: "secret is empty"},
		{name: "HMAC secret not base64", alg: "HS256", data: []byte("not*base64"), encoding: "base64", wantErr: "not base64"},
		{name: "unknown encoding", alg: "HS256", data: []byte("x"), encoding: "hex", wantErr: `--key-encoding "hex"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := lookupAlg(tc.alg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = parseSigningKey(a, tc.data, tc.encoding)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestDecodeSecret(t *testing.T) {
	tests := []struct {
		name, data, encoding, want string
	}{
		{name: "raw keeps inner spaces, drops one newline", data: " a b \n", encoding: "raw", want: " a b "},
		{name: "raw drops CRLF", data: "abc\r\n", encoding: "raw", want: "abc"},
		{name: "base64 padded", data: "aGVsbG8/Pz8=\n", encoding: "base64", want: "hello???"},
		{name: "base64url unpadded", data: "aGVsbG8_Pz8", encoding: "base64", want: "hello???"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeSecret([]byte(tc.data), tc.encoding)
			if err != nil || string(got) != tc.want {
				t.Fatalf("decodeSecret = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestBuildClaims(t *testing.T) {
	now := time.Unix(1700000000, 0)
	tests := []struct {
		name    string
		opts    tokenOptions
		want    string
		wantErr string
	}{
		{name: "defaults: iat and exp only", opts: tokenOptions{Exp: time.Hour}, want: `{"exp":1700003600,"iat":1700000000}`},
		{name: "expired", opts: tokenOptions{Exp: -time.Minute}, want: `{"exp":1699999940,"iat":1700000000}`},
		{name: "no exp, nbf in the future", opts: tokenOptions{NoExp: true, NotBefore: time.Minute}, want: `{"iat":1700000000,"nbf":1700000060}`},
		{name: "one audience is a string", opts: tokenOptions{Exp: time.Hour, Audiences: []string{"a"}}, want: `{"aud":"a","exp":1700003600,"iat":1700000000}`},
		{name: "two audiences are an array", opts: tokenOptions{Exp: time.Hour, Audiences: []string{"a", "b"}}, want: `{"aud":["a","b"],"exp":1700003600,"iat":1700000000}`},
		{name: "scope whitespace collapsed", opts: tokenOptions{NoExp: true, Scope: "  read   write "}, want: `{"iat":1700000000,"scope":"read write"}`},
		{name: "claim values", opts: tokenOptions{NoExp: true, Claims: []string{"n=3", "b=true", `s="q"`, "t=plain text", "o={\"a\": 1}", "e="}},
			want: `{"b":true,"e":"","iat":1700000000,"n":3,"o":{"a":1},"s":"q","t":"plain text"}`},
		{name: "claim without =", opts: tokenOptions{Claims: []string{"roles"}}, wantErr: `--claim "roles": want NAME=VALUE`},
		{name: "claim with empty name", opts: tokenOptions{Claims: []string{"=x"}}, wantErr: "want NAME=VALUE"},
		{name: "reserved claim", opts: tokenOptions{Claims: []string{"exp=1"}}, wantErr: "--claim exp: set it with --exp/--no-exp"},
		{name: "duplicate claim", opts: tokenOptions{Claims: []string{"a=1", "a=2"}}, wantErr: "--claim a: given twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildClaims(tc.opts, now)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("buildClaims = %s, %v\nwant %s", got, err, tc.want)
			}
		})
	}
}

// TestCmdToken_FlagErrors checks that every misuse ends with a clear message and the right status:
// 2 for what the flag package rejects (usage printed), 1 for invalid values.
func TestCmdToken_FlagErrors(t *testing.T) {
	key := writeTemp(t, "secret", []byte("s3cret-s3cret-s3cret-s3cret-s3cr"))
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "no command", args: nil, wantCode: 2, wantErr: "usage: tokengate COMMAND"},
		{name: "unknown command", args: []string{"mint"}, wantCode: 2, wantErr: `unknown command "mint"`},
		{name: "missing --key", args: []string{"token", "--alg", "HS256"}, wantCode: 1, wantErr: "tokengate token: --key is required"},
		{name: "missing --alg", args: []string{"token", "--key", key}, wantCode: 1, wantErr: "tokengate token: --alg is required"},
		{name: "alg none", args: []string{"token", "--key", key, "--alg", "none"}, wantCode: 1, wantErr: `--alg "none": want one of HS256`},
		{name: "alg in lower case", args: []string{"token", "--key", key, "--alg", "hs256"}, wantCode: 1, wantErr: `--alg "hs256"`},
		{name: "bad duration", args: []string{"token", "--key", key, "--alg", "HS256", "--exp", "1x"}, wantCode: 2, wantErr: `invalid value "1x" for flag -exp`},
		{name: "unknown flag", args: []string{"token", "--kye", key}, wantCode: 2, wantErr: "flag provided but not defined: -kye"},
		{name: "positional argument", args: []string{"token", "--key", key, "--alg", "HS256", "extra"}, wantCode: 1, wantErr: `unexpected argument "extra"`},
		{name: "missing key file", args: []string{"token", "--key", key + ".missing", "--alg", "HS256"}, wantCode: 1, wantErr: "--key: open"},
		{name: "bad claim", args: []string{"token", "--key", key, "--alg", "HS256", "--claim", "x"}, wantCode: 1, wantErr: `--claim "x": want NAME=VALUE`},
		{name: "help", args: []string{"token", "-h"}, wantCode: 0, wantErr: "usage: tokengate token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit status = %d, want %d (stderr: %s)", code, tc.wantCode, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing on failure", stdout)
			}
			if !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr = %q\nwant it to contain %q", stderr, tc.wantErr)
			}
		})
	}
}
