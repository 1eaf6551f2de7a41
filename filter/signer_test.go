package filter

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"sync"
	"testing"
	"time"
)

// A test-only JWT signer built on the standard library, so that every key and
// token of the filter tests is made at test time (nothing committed).

var b64 = base64.RawURLEncoding

// testKeys are generated once per test binary.
type testKeys struct {
	auth0      *rsa.PrivateKey // the Auth0 tenant of seed 001 (certificate PEM)
	fusionA    *rsa.PrivateKey // FusionAuth, kid "fa-1" (seed 002, JWKS)
	fusionB    *rsa.PrivateKey // FusionAuth, kid "fa-2" (second key in the JWKS)
	attacker   *rsa.PrivateKey // a key nobody trusts
	weak       *rsa.PrivateKey // 1024 bits: must be refused by the configuration
	hmacSecret []byte          // the "internal" provider
}

var (
	keysOnce sync.Once
	keys     testKeys
)

func fixtureKeys(t testing.TB) *testKeys {
	t.Helper()
	keysOnce.Do(func() {
		gen := func(bits int) *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				panic(err)
			}
			return k
		}
		keys = testKeys{
			auth0: gen(2048), fusionA: gen(2048), fusionB: gen(2048), attacker: gen(2048), weak: gen(1024),
			hmacSecret: []byte("0123456789abcdef0123456789abcdef-internal"),
		}
	})
	return &keys
}

// certificatePEM is a self-signed X.509 certificate for k, as Auth0 hands out.
func certificatePEM(t testing.TB, k *rsa.PrivateKey) string {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "myaccount.auth0.com"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// spkiPEM is a "PUBLIC KEY" block, as FusionAuth's Key Master shows.
func spkiPEM(t testing.TB, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// pkcs1PEM is an "RSA PUBLIC KEY" block.
func pkcs1PEM(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)}))
}

// rsaJWK is the public JWK of k.
func rsaJWK(k *rsa.PrivateKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64.EncodeToString(k.N.Bytes()),
		"e": b64.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
}

// claims of a test token; nil values are left out.
type claims map[string]any

// signRS256 makes an RS256 token; kid "" leaves kid out.
func signRS256(t testing.TB, k *rsa.PrivateKey, kid string, c claims) string {
	t.Helper()
	h := map[string]any{"alg": "RS256", "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	in := signingInput(t, h, c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + b64.EncodeToString(sig)
}

// signHS256 makes an HS256 token.
func signHS256(t testing.TB, secret []byte, c claims) string {
	t.Helper()
	in := signingInput(t, map[string]any{"alg": "HS256", "typ": "JWT"}, c)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + b64.EncodeToString(m.Sum(nil))
}

// unsigned makes a token with the given header and no valid signature.
func unsigned(t testing.TB, header map[string]any, c claims) string {
	t.Helper()
	return signingInput(t, header, c) + "." + b64.EncodeToString([]byte("not a signature"))
}

func signingInput(t testing.TB, header map[string]any, c claims) string {
	t.Helper()
	hj, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	cj, err := json.Marshal(map[string]any(c))
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(hj) + "." + b64.EncodeToString(cj)
}

// mustJSON renders v as JSON for configurations.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
