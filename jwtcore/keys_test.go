package jwtcore

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

func utCertPEM(t *testing.T, pub any, signer any) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "tokengate test"},
		NotBefore:    time.Unix(1_600_000_000, 0),
		NotAfter:     time.Unix(1_600_000_001, 0), // expired: jwtcore does not check validity
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestParsePEMKeys(t *testing.T) {
	k := utKeys(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)})
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(k.rsa)
	if err != nil {
		t.Fatal(err)
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p224DER, err := x509.MarshalPKIXPublicKey(&p224.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      []byte
		algs    []Alg  // KeySet.Algs on success
		errPart string // substring of the load error
	}{
		{name: "SPKI RSA", in: utPEM(t, &k.rsa.PublicKey), algs: []Alg{RS256, RS384, RS512, PS256, PS384, PS512}},
		{name: "SPKI P-256", in: utPEM(t, &k.p256.PublicKey), algs: []Alg{ES256}},
		{name: "SPKI P-384", in: utPEM(t, &k.p384.PublicKey), algs: []Alg{ES384}},
		{name: "SPKI P-521", in: utPEM(t, &k.p521.PublicKey), algs: []Alg{ES512}},
		{name: "SPKI Ed25519", in: utPEM(t, k.ed.Public()), algs: []Alg{EdDSA}},
		{name: "PKCS1 RSA", in: pkcs1, algs: []Alg{RS256, RS384, RS512, PS256, PS384, PS512}},
		{name: "certificate RSA", in: utCertPEM(t, &k.rsa.PublicKey, k.rsa), algs: []Alg{RS256, RS384, RS512, PS256, PS384, PS512}},
		{name: "certificate EC", in: utCertPEM(t, &k.p256.PublicKey, k.p256), algs: []Alg{ES256}},
		{name: "two blocks", in: append(utPEM(t, &k.p384.PublicKey), utPEM(t, k.ed.Public())...), algs: []Alg{ES384, EdDSA}},
		{name: "surrounding whitespace", in: []byte("\n\n  " + string(utPEM(t, k.ed.Public())) + "\n "), algs: []Alg{EdDSA}},
		{name: "RSA 1024", in: utPEM(t, &small.PublicKey), errPart: "key[0]: rsa modulus is 1024 bits, need >= 2048"},
		{name: "second block bad", in: append(utPEM(t, k.ed.Public()), utPEM(t, &small.PublicKey)...), errPart: "key[1]"},
		{name: "private key", in: priv, errPart: `key[0]: PEM block type "PRIVATE KEY" is not supported`},
		{name: "P-224", in: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p224DER}), errPart: "key[0]"},
		{name: "garbage DER", in: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}), errPart: "key[0]: PUBLIC KEY:"},
		{name: "text after block", in: append(utPEM(t, k.ed.Public()), "junk"...), errPart: "key[1]: not a PEM block"},
		{name: "empty", in: nil, errPart: "no PEM blocks"},
		{name: "not PEM", in: []byte("-----BEGIN nothing"), errPart: "key[0]: not a PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParsePEMKeys(tt.in)
			if !utWantKeySet(t, ks, err, tt.errPart, tt.algs) {
				return
			}
			if len(ks.KeyIDs()) != 0 {
				t.Fatal("PEM keys must not have kids")
			}
		})
	}
}

// utWantKeySet checks the result of parsing keys: with errPart set, that parsing failed with an
// error containing it (and it returns false: nothing more to check); else that it succeeded with
// exactly the algorithms algs.
func utWantKeySet(t *testing.T, ks *KeySet, err error, errPart string, algs []Alg) bool {
	t.Helper()
	if errPart != "" {
		if err == nil || !strings.Contains(err.Error(), errPart) {
			t.Fatalf("err = %v, want it to contain %q", err, errPart)
		}
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := ks.Algs(); !equalAlgs(got, algs) {
		t.Fatalf("Algs = %v want %v", got, algs)
	}
	return true
}

func equalAlgs(a, b []Alg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A certificate key verifies tokens signed with the certificate's private key.
func TestParsePEMKeys_CertificateVerifies(t *testing.T) {
	k := utKeys(t)
	ks, err := ParsePEMKeys(utCertPEM(t, &k.rsa.PublicKey, k.rsa))
	if err != nil {
		t.Fatal(err)
	}
	v := utVerifier(t, ks, utPolicy(RS256))
	_, err = v.Verify(utToken(t, RS256, "auth0-kid", utStd()), utNow)
	utWantReason(t, err, nil)
}

func TestParseJWKS(t *testing.T) {
	k := utKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaJWK := utJWK(t, &k.rsa.PublicKey, "r1", "RS256")
	with := func(m map[string]any, kv ...any) map[string]any { return utClaims(m).with(kv...) }
	p256 := utJWK(t, &k.p256.PublicKey, "e1", "")
	tests := []struct {
		name     string
		in       string
		algs     []Alg
		nSkipped int
		errPart  string
	}{
		{name: "RSA with alg", in: string(utJWKS(t, rsaJWK)), algs: []Alg{RS256}},
		{name: "RSA without alg", in: string(utJWKS(t, with(rsaJWK, "alg", nil))), algs: []Alg{RS256, RS384, RS512, PS256, PS384, PS512}},
		{name: "EC P-256", in: string(utJWKS(t, p256)), algs: []Alg{ES256}},
		{name: "EC P-384", in: string(utJWKS(t, utJWK(t, &k.p384.PublicKey, "", "ES384"))), algs: []Alg{ES384}},
		{name: "EC P-521", in: string(utJWKS(t, utJWK(t, &k.p521.PublicKey, "", ""))), algs: []Alg{ES512}},
		{name: "OKP Ed25519", in: string(utJWKS(t, utJWK(t, k.ed.Public(), "", "EdDSA"))), algs: []Alg{EdDSA}},
		{name: "oct 64 bytes", in: string(utJWKS(t, utJWK(t, k.secret, "h", ""))), algs: []Alg{HS256, HS384, HS512}},
		{name: "oct 32 bytes", in: string(utJWKS(t, utJWK(t, k.secret[:32], "h", ""))), algs: []Alg{HS256}},
		{name: "single JWK object", in: utJSON(t, p256), algs: []Alg{ES256}},
		{name: "unknown members ignored", in: string(utJWKS(t, with(p256, "x5t", "abc", "ext", true, "nested", map[string]any{"a": 1}))), algs: []Alg{ES256}},
		{name: "use sig kept", in: string(utJWKS(t, with(p256, "use", "sig"))), algs: []Alg{ES256}},
		{name: "use enc skipped", in: string(utJWKS(t, with(rsaJWK, "use", "enc", "alg", "RSA-OAEP"), p256)), algs: []Alg{ES256}, nSkipped: 1},
		{name: "key_ops without verify skipped", in: string(utJWKS(t, with(rsaJWK, "key_ops", []string{"encrypt"}), p256)), algs: []Alg{ES256}, nSkipped: 1},
		{name: "unsupported alg skipped", in: string(utJWKS(t, with(rsaJWK, "alg", "RS1"), p256)), algs: []Alg{ES256}, nSkipped: 1},
		{name: "unknown kty skipped", in: string(utJWKS(t, map[string]any{"kty": "AKP", "kid": "pq"}, p256)), algs: []Alg{ES256}, nSkipped: 1},
		{name: "X25519 skipped", in: string(utJWKS(t, map[string]any{"kty": "OKP", "crv": "X25519", "x": utB64.EncodeToString(make([]byte, 32))}, p256)), algs: []Alg{ES256}, nSkipped: 1},
		{name: "only skipped keys", in: string(utJWKS(t, with(rsaJWK, "use", "enc"))), errPart: "no usable keys"},
		{name: "empty keys", in: `{"keys":[]}`, errPart: "no usable keys"},
		{name: "RSA 1024", in: string(utJWKS(t, p256, utJWK(t, &small.PublicKey, "abc", ""))), errPart: `key[1] (kid "abc"): rsa modulus is 1024 bits, need >= 2048`},
		{name: "RSA e missing", in: string(utJWKS(t, with(rsaJWK, "e", nil))), errPart: `key[0] (kid "r1"): e is missing`},
		{name: "RSA e even", in: string(utJWKS(t, with(rsaJWK, "e", "AQAA"))), errPart: "exponent"},
		{name: "RSA n padded", in: string(utJWKS(t, with(rsaJWK, "n", rsaJWK["n"].(string)+"=="))), errPart: "n is not valid unpadded base64url"},
		{name: "alg of other kind", in: string(utJWKS(t, with(rsaJWK, "alg", "ES256"))), errPart: `key[0] (kid "r1"): alg ES256 does not fit kty RSA`},
		{name: "EC alg of other curve", in: string(utJWKS(t, with(p256, "alg", "ES384"))), errPart: "does not fit"},
		{name: "EC point off curve", in: string(utJWKS(t, with(p256, "y", p256["x"]))), errPart: `key[0] (kid "e1"): EC point is not on curve P-256`},
		{name: "EC short coordinate", in: string(utJWKS(t, with(p256, "x", "AAAA"))), errPart: "coordinates must be 32 bytes"},
		{name: "EC unknown curve skipped", in: string(utJWKS(t, with(p256, "crv", "secp256k1"), rsaJWK)), algs: []Alg{RS256}, nSkipped: 1},
		{name: "Ed25519 short", in: string(utJWKS(t, map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"})), errPart: "32 bytes"},
		{name: "oct too short", in: string(utJWKS(t, utJWK(t, k.secret[:16], "s", ""))), errPart: `key[0] (kid "s"): hmac secret is 16 bytes, need >= 32`},
		{name: "oct HS512 needs 64", in: string(utJWKS(t, utJWK(t, k.secret[:32], "s", "HS512"))), errPart: "HS512 needs >= 64"},
		{name: "kid not string", in: string(utJWKS(t, with(p256, "kid", 5))), errPart: "key[0]: kid is not a string"},
		{name: "kty missing", in: `{"keys":[{"kid":"a"}]}`, errPart: `key[0] (kid "a"): kty is missing`},
		{name: "entry not object", in: `{"keys":[1]}`, errPart: "key[0]: not a JSON object"},
		{name: "keys not array", in: `{"keys":{}}`, errPart: "not an array"},
		{name: "no keys", in: `{"x":1}`, errPart: "no \"keys\""},
		{name: "invalid JSON", in: `{"keys":[`, errPart: "invalid JSON"},
		{name: "duplicate member", in: `{"keys":[{"kty":"oct","kty":"RSA"}]}`, errPart: "duplicate"},
		{name: "too deep", in: `{"keys":[],"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, errPart: "deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseJWKS([]byte(tt.in))
			if !utWantKeySet(t, ks, err, tt.errPart, tt.algs) {
				return
			}
			if len(ks.Skipped()) != tt.nSkipped {
				t.Fatalf("Skipped = %q, want %d", ks.Skipped(), tt.nSkipped)
			}
		})
	}
}

func TestParseJWKS_ErrorsNeverContainKeyMaterial(t *testing.T) {
	k := utKeys(t)
	secret := utB64.EncodeToString(k.secret[:16])
	_, err := ParseJWKS(utJWKS(t, map[string]any{"kty": "oct", "k": secret}))
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewHMACKeySet(t *testing.T) {
	tests := []struct {
		name string
		n    int
		algs []Alg
		ok   bool
	}{
		{name: "empty", n: 0},
		{name: "31 bytes", n: 31},
		{name: "32 bytes", n: 32, algs: []Alg{HS256}, ok: true},
		{name: "48 bytes", n: 48, algs: []Alg{HS256, HS384}, ok: true},
		{name: "64 bytes", n: 64, algs: []Alg{HS256, HS384, HS512}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := NewHMACKeySet(make([]byte, tt.n))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if tt.ok && !equalAlgs(ks.Algs(), tt.algs) {
				t.Fatalf("Algs = %v", ks.Algs())
			}
		})
	}
	// The secret is copied: later changes by the caller have no effect.
	s := make([]byte, 32)
	ks, err := NewHMACKeySet(s)
	if err != nil {
		t.Fatal(err)
	}
	s[0] = 1
	if ks.keys[0].secret[0] != 0 {
		t.Fatal("secret not copied")
	}
}

func TestDecodeSecret(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{name: "std padded", in: "aGk/Pz8+", want: "hi???>", ok: true},
		{name: "url", in: "aGk_Pz8-", want: "hi???>", ok: true},
		{name: "std unpadded", in: "aGk", want: "hi", ok: true},
		{name: "std padded short", in: "aGk=", want: "hi", ok: true},
		{name: "url padded", in: "_-8=", want: "\xff\xef", ok: true},
		{name: "mixed alphabets", in: "a+b_"},
		{name: "whitespace", in: "aGk/ Pz8+"},
		{name: "newline", in: "aGk/\nPz8+"},
		{name: "bad padding count", in: "aGk==="},
		{name: "padding on wrong length", in: "aG=="},
		{name: "non-canonical", in: "aGl"},
		{name: "empty", in: ""},
		{name: "only padding", in: "=="},
		{name: "bad char", in: "aGk*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSecret(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if tt.ok && string(got) != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
		})
	}
}

func TestKey_fits(t *testing.T) {
	ks := utAllKeysJWKS(t)
	for _, k := range ks.keys {
		for _, a := range AllAlgs() {
			want := a.kind() == k.kind
			if got := k.fits(a); got != want {
				t.Errorf("%s fits %v = %v, want %v", k.label(), a, got, want)
			}
		}
	}
}
