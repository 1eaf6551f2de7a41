package jwtmint

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"
)

// TestThumbprint_RFC7638 checks the canonical form and hash against the example of RFC 7638 §3.1.
func TestThumbprint_RFC7638(t *testing.T) {
	jwk := map[string]string{
		"kty": "RSA",
		"e":   "AQAB",
		"n":   "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
	}
	if got, want := Thumbprint(jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("Thumbprint = %s, want %s", got, want)
	}
}

// TestGenerate checks that the forms of one generated key agree: the SPKI PEM is the signer's public
// key, the JWKS holds its JWK with use, alg and the thumbprint as kid, and HMAC secrets are as long
// as the hash.
func TestGenerate(t *testing.T) {
	for _, name := range []string{"HS384", "ES256", "EdDSA"} {
		t.Run(name, func(t *testing.T) {
			a := mustAlg(t, name)
			m, err := Generate(a, 2048, "")
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind == KindHMAC {
				secret, err := B64.DecodeString(string(m.SecretB64[:len(m.SecretB64)-1]))
				if err != nil || len(secret) != a.Hash.Size() || string(secret) != string(m.Key.Secret) || m.Kid != "" {
					t.Fatalf("secret %q (%v): want %d bytes, base64url, equal to Key.Secret, no kid", m.SecretB64, err, a.Hash.Size())
				}
				return
			}
			blk, _ := pem.Decode(m.PublicPEM)
			if blk == nil || blk.Type != "PUBLIC KEY" {
				t.Fatal("PublicPEM: want a PUBLIC KEY block")
			}
			pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			jwk, err := JWK(pub)
			if err != nil {
				t.Fatal(err)
			}
			var set struct{ Keys []map[string]string }
			if err := json.Unmarshal(m.JWKS, &set); err != nil || len(set.Keys) != 1 {
				t.Fatalf("JWKS: %v (%d keys)", err, len(set.Keys))
			}
			got := set.Keys[0]
			for k, v := range jwk {
				if got[k] != v {
					t.Errorf("JWKS member %s = %q, PublicPEM gives %q", k, got[k], v)
				}
			}
			if got["use"] != "sig" || got["alg"] != name || got["kid"] != Thumbprint(jwk) || m.Kid != got["kid"] {
				t.Errorf("JWKS use/alg/kid = %s/%s/%s, Kid %s; want sig/%s/%s", got["use"], got["alg"], got["kid"], m.Kid, name, Thumbprint(jwk))
			}
			signer, err := ParsePrivateKeyPEM(m.PrivatePEM)
			if err != nil || CheckKey(a, signer) != nil {
				t.Fatalf("PrivatePEM: %v", err)
			}
		})
	}
	if _, err := Generate(mustAlg(t, "RS256"), 1024, ""); err == nil {
		t.Error("Generate(RS256, 1024 bits) succeeded, want an error")
	}
}

func TestJWK_Secret(t *testing.T) {
	got, err := JWK([]byte("hi"))
	if err != nil || len(got) != 2 || got["kty"] != "oct" || got["k"] != "aGk" {
		t.Fatalf("JWK(secret) = %v, %v; want kty oct, k aGk", got, err)
	}
}
