package jwtmint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestParsePrivateKeyPEM_Formats reads every PEM form a key may come in, checks it against the
// algorithm, signs with it and verifies the token with the public half.
func TestParsePrivateKeyPEM_Formats(t *testing.T) {
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	pkcs8 := func(k crypto.Signer) []byte {
		out, err := PrivateKeyPEM(k)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	sec1, err := x509.MarshalECPrivateKey(testSigner(t, "ES256").(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	demoKey, err := os.ReadFile("../../examples/envoy/demo-rs256.key")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		alg  string
		data []byte
	}{
		{name: "RSA PKCS#1", alg: "RS256", data: pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testSigner(t, "RS256").(*rsa.PrivateKey)))},
		{name: "RSA PKCS#8", alg: "PS384", data: pkcs8(testSigner(t, "RS256"))},
		{name: "EC SEC 1 after EC PARAMETERS", alg: "ES256", data: append(pemOf("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}), pemOf("EC PRIVATE KEY", sec1)...)},
		{name: "EC PKCS#8", alg: "ES512", data: pkcs8(testSigner(t, "ES512"))},
		{name: "Ed25519 PKCS#8", alg: "EdDSA", data: pkcs8(testSigner(t, "EdDSA"))},
		{name: "committed demo key (openssl genpkey)", alg: "RS256", data: demoKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signer, err := ParsePrivateKeyPEM(tc.data)
			if err != nil {
				t.Fatalf("ParsePrivateKeyPEM: %v", err)
			}
			if err := CheckKey(mustAlg(t, tc.alg), signer); err != nil {
				t.Fatalf("CheckKey: %v", err)
			}
			k, err := NewKey(tc.alg, signer)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := k.SignJWT("", []byte(`{"sub":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := VerifyCompact(tok, tc.alg, signer.Public()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParsePrivateKeyPEM_Errors(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "not PEM", data: []byte("hello"), wantErr: "no PEM private key block"},
		{name: "public key only", data: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), wantErr: "no PEM private key block"},
		{name: "encrypted", data: pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), wantErr: "encrypted private keys are not supported"},
		{name: "corrupt PKCS#8", data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), wantErr: "PRIVATE KEY block: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePrivateKeyPEM(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestCheckKey(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		alg     string
		key     crypto.Signer
		want    KeyError // zero: accepted
		wantMsg string
	}{
		{name: "RSA for PS512", alg: "PS512", key: testSigner(t, "RS256")},
		{name: "P-521 for ES512", alg: "ES512", key: testSigner(t, "ES512")},
		{name: "RSA 1024 bits", alg: "RS256", key: small, want: KeyError{Bits: 1024}, wantMsg: "RSA key is 1024 bits; RFC 7518 §3.3 needs at least 2048"},
		{name: "EC key for RS256", alg: "RS256", key: testSigner(t, "ES384"), want: KeyError{Have: "an EC private key"}, wantMsg: "RS256 needs an RSA private key, the key is an EC private key"},
		{name: "P-384 key for ES256", alg: "ES256", key: testSigner(t, "ES384"), want: KeyError{Curve: "P-384"}, wantMsg: "ES256 needs a P-256 key, the key is on P-384"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustAlg(t, tc.alg)
			err := CheckKey(a, tc.key)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("CheckKey: %v", err)
				}
				return
			}
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("CheckKey = %v, want a *KeyError", err)
			}
			tc.want.Alg = a
			if *ke != tc.want || err.Error() != tc.wantMsg {
				t.Fatalf("CheckKey = %+v (%q), want %+v (%q)", *ke, err, tc.want, tc.wantMsg)
			}
		})
	}
}
