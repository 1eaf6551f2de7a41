package jwtcore

// Test-only helpers shared by conformance_test.go, attack_test.go, fuzz_test.go, differential_test.go
// and bench_test.go. Everything here is prefixed "tv" (test vectors) so it never clashes with the
// implementation's own tests. The signer below is written against the Go standard library only, so a
// bug in jwtcore's verification cannot be hidden by the same bug in the code that made the token.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tvB64 is the only encoding a JWS segment may use: base64url without padding (RFC 7515 §2).
var tvB64 = base64.RawURLEncoding

// tvNow is the fixed clock of generated-token tests: 2023-11-14T22:13:20Z.
var tvNow = time.Unix(1_700_000_000, 0)

const (
	tvIssuer   = "https://issuer.example/"
	tvAudience = "api://tokengate"
	tvKid      = "test-key-1"
)

// tvAllAlgNames is every JOSE algorithm jwtcore must support, in the order of the issue text.
var tvAllAlgNames = []string{
	"HS256", "HS384", "HS512",
	"RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512",
	"EdDSA",
}

// tvKeyMaterial holds one private key per key type, generated once per test binary.
type tvKeyMaterial struct {
	hmac     []byte // 64 random bytes: long enough for HS512
	rsa      *rsa.PrivateKey
	rsaOther *rsa.PrivateKey // an unrelated RSA key (attacker, or a rotated-out key)
	ec256    *ecdsa.PrivateKey
	ec384    *ecdsa.PrivateKey
	ec521    *ecdsa.PrivateKey
	ed       ed25519.PrivateKey
}

var (
	tvKeysOnce sync.Once
	tvKeysVal  *tvKeyMaterial
	tvKeysErr  error
)

// tvKeys returns the process-wide test keys (RSA generation is slow, so it is done once).
func tvKeys(tb testing.TB) *tvKeyMaterial {
	tb.Helper()
	tvKeysOnce.Do(func() {
		k := &tvKeyMaterial{hmac: make([]byte, 64)}
		if _, err := rand.Read(k.hmac); err != nil {
			tvKeysErr = err
			return
		}
		var err error
		if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			tvKeysErr = err
			return
		}
		if k.rsaOther, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			tvKeysErr = err
			return
		}
		if k.ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			tvKeysErr = err
			return
		}
		if k.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			tvKeysErr = err
			return
		}
		if k.ec521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader); err != nil {
			tvKeysErr = err
			return
		}
		if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
			tvKeysErr = err
			return
		}
		tvKeysVal = k
	})
	if tvKeysErr != nil {
		tb.Fatalf("generating test keys: %v", tvKeysErr)
	}
	return tvKeysVal
}

// signingKey returns the private key (or HMAC secret) that signs alg.
func (k *tvKeyMaterial) signingKey(alg string) any {
	switch alg[:2] {
	case "HS":
		return k.hmac
	case "RS", "PS":
		return k.rsa
	case "Ed":
		return k.ed
	}
	switch alg {
	case "ES256":
		return k.ec256
	case "ES384":
		return k.ec384
	case "ES512":
		return k.ec521
	}
	panic("tvKeys: no key for " + alg)
}

// publicKey returns the verification key for alg (the secret itself for HS*).
func (k *tvKeyMaterial) publicKey(alg string) any {
	switch key := k.signingKey(alg).(type) {
	case []byte:
		return key
	case *rsa.PrivateKey:
		return &key.PublicKey
	case *ecdsa.PrivateKey:
		return &key.PublicKey
	case ed25519.PrivateKey:
		return key.Public()
	}
	panic("unreachable")
}

func tvHashFor(alg string) (crypto.Hash, func() hash.Hash) {
	switch alg[len(alg)-3:] {
	case "256":
		return crypto.SHA256, sha256.New
	case "384":
		return crypto.SHA384, sha512.New384
	case "512":
		return crypto.SHA512, sha512.New
	}
	panic("tvHashFor: " + alg)
}

// tvSignature computes the JWS signature of signingInput for alg with key, using only the standard
// library: HMAC, RSASSA-PKCS1-v1_5, RSASSA-PSS (salt = hash length, RFC 7518 §3.5), ECDSA as the
// fixed-width R||S concatenation (RFC 7518 §3.4), and Ed25519 (RFC 8037).
func tvSignature(alg string, key any, signingInput string) ([]byte, error) {
	if alg == "EdDSA" {
		priv, ok := key.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("EdDSA needs an ed25519.PrivateKey, got %T", key)
		}
		return ed25519.Sign(priv, []byte(signingInput)), nil
	}
	if len(alg) != 5 {
		return nil, fmt.Errorf("unknown alg %q", alg)
	}
	h, newHash := tvHashFor(alg)
	switch alg[:2] {
	case "HS":
		secret, ok := key.([]byte)
		if !ok {
			return nil, fmt.Errorf("%s needs a []byte secret, got %T", alg, key)
		}
		m := hmac.New(newHash, secret)
		m.Write([]byte(signingInput))
		return m.Sum(nil), nil
	}
	d := newHash()
	d.Write([]byte(signingInput))
	digest := d.Sum(nil)
	switch alg[:2] {
	case "RS":
		priv, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an *rsa.PrivateKey, got %T", alg, key)
		}
		return rsa.SignPKCS1v15(rand.Reader, priv, h, digest)
	case "PS":
		priv, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an *rsa.PrivateKey, got %T", alg, key)
		}
		return rsa.SignPSS(rand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES":
		priv, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an *ecdsa.PrivateKey, got %T", alg, key)
		}
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
		if err != nil {
			return nil, err
		}
		size := (priv.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("unknown alg %q", alg)
}

// tvSignRaw builds a compact JWS from exact header and payload JSON text (so tests can craft
// duplicate members, odd whitespace, wrong types) and signs it as alg with key.
func tvSignRaw(tb testing.TB, alg string, key any, headerJSON, payloadJSON string) string {
	tb.Helper()
	in := tvB64.EncodeToString([]byte(headerJSON)) + "." + tvB64.EncodeToString([]byte(payloadJSON))
	sig, err := tvSignature(alg, key, in)
	if err != nil {
		tb.Fatalf("tvSignRaw(%s): %v", alg, err)
	}
	return in + "." + tvB64.EncodeToString(sig)
}

// tvHeader returns a header JSON with alg and (when non-empty) kid.
func tvHeader(alg, kid string) string {
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return tvJSON(h)
}

// tvJSON marshals v (maps marshal with sorted keys, so output is deterministic).
func tvJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// tvClaims is a claim set; tvStdClaims returns one valid at tvNow for the default test policy.
type tvClaims map[string]any

func tvStdClaims() tvClaims {
	return tvClaims{
		"iss":   tvIssuer,
		"aud":   tvAudience,
		"sub":   "user-42",
		"iat":   tvNow.Add(-time.Minute).Unix(),
		"nbf":   tvNow.Add(-time.Minute).Unix(),
		"exp":   tvNow.Add(10 * time.Minute).Unix(),
		"scope": "read write",
	}
}

// with returns a copy of c with key set to v (or deleted when v is tvDelete).
func (c tvClaims) with(key string, v any) tvClaims {
	out := make(tvClaims, len(c)+1)
	for k, x := range c {
		out[k] = x
	}
	if v == tvDelete {
		delete(out, key)
	} else {
		out[key] = v
	}
	return out
}

// tvDelete, passed as a value to tvClaims.with, removes the claim.
var tvDelete = &struct{ name string }{"delete"}

// tvToken signs claims as alg with the process test key and kid tvKid.
func tvToken(tb testing.TB, alg string, c tvClaims) string {
	tb.Helper()
	return tvSignRaw(tb, alg, tvKeys(tb).signingKey(alg), tvHeader(alg, tvKid), tvJSON(c))
}

// ---- keys as jwtcore inputs ----

// tvJWK renders a public key (or HMAC secret) as a JWK object. kid and alg are optional.
func tvJWK(pub any, kid, alg string) map[string]any {
	m := map[string]any{}
	switch k := pub.(type) {
	case []byte:
		m["kty"] = "oct"
		m["k"] = tvB64.EncodeToString(k)
	case *rsa.PublicKey:
		m["kty"] = "RSA"
		m["n"] = tvB64.EncodeToString(k.N.Bytes())
		m["e"] = tvB64.EncodeToString(big.NewInt(int64(k.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		x, y := make([]byte, size), make([]byte, size)
		k.X.FillBytes(x)
		k.Y.FillBytes(y)
		m["kty"] = "EC"
		m["crv"] = k.Curve.Params().Name
		m["x"] = tvB64.EncodeToString(x)
		m["y"] = tvB64.EncodeToString(y)
	case ed25519.PublicKey:
		m["kty"] = "OKP"
		m["crv"] = "Ed25519"
		m["x"] = tvB64.EncodeToString(k)
	default:
		panic(fmt.Sprintf("tvJWK: unsupported %T", pub))
	}
	if kid != "" {
		m["kid"] = kid
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

// tvJWKS wraps JWK objects into a JWK Set document.
func tvJWKS(keys ...map[string]any) []byte {
	return []byte(tvJSON(map[string]any{"keys": keys}))
}

// tvAllKeysJWKS is a JWKS holding every test public key with kid tvKid (and the HMAC secret).
func tvAllKeysJWKS(tb testing.TB) []byte {
	k := tvKeys(tb)
	return tvJWKS(
		tvJWK(k.hmac, tvKid, ""),
		tvJWK(&k.rsa.PublicKey, tvKid, ""),
		tvJWK(&k.ec256.PublicKey, tvKid, ""),
		tvJWK(&k.ec384.PublicKey, tvKid, ""),
		tvJWK(&k.ec521.PublicKey, tvKid, ""),
		tvJWK(k.ed.Public(), tvKid, ""),
	)
}

// tvPEM renders a public key as a PEM "PUBLIC KEY" (SPKI) block.
func tvPEM(tb testing.TB, pub any) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatalf("MarshalPKIXPublicKey: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ---- jwtcore construction ----

// tvPolicy is the default policy of generated-token tests: every algorithm, one issuer, one
// audience, exp required, the default leeway.
func tvPolicy() Policy {
	return Policy{
		Algorithms: tvAlgs(nil, tvAllAlgNames...),
		Issuers:    []string{tvIssuer},
		Audiences:  []string{tvAudience},
		Leeway:     DefaultLeeway,
	}
}

// tvAlgs parses JOSE names into []Alg, failing the test (when tb != nil) on an unknown name.
func tvAlgs(tb testing.TB, names ...string) []Alg {
	out := make([]Alg, 0, len(names))
	for _, n := range names {
		a, ok := ParseAlg(n)
		if !ok {
			if tb != nil {
				tb.Fatalf("ParseAlg(%q) = false", n)
			}
			panic("ParseAlg(" + n + ") = false")
		}
		out = append(out, a)
	}
	return out
}

// tvMustJWKS loads a JWKS or fails the test.
func tvMustJWKS(tb testing.TB, doc []byte) *KeySet {
	tb.Helper()
	ks, err := ParseJWKS(doc)
	if err != nil {
		tb.Fatalf("ParseJWKS: %v", err)
	}
	return ks
}

// tvMustVerifier builds a verifier or fails the test.
func tvMustVerifier(tb testing.TB, ks *KeySet, p Policy) *Verifier {
	tb.Helper()
	v, err := NewVerifier(ks, p)
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// tvDefaultVerifier verifies every algorithm with every test key under tvPolicy.
func tvDefaultVerifier(tb testing.TB) *Verifier {
	tb.Helper()
	return tvMustVerifier(tb, tvMustJWKS(tb, tvAllKeysJWKS(tb)), tvPolicy())
}

// tvWantReason asserts that err is a jwtcore failure with exactly the reason want (nil = success).
// It checks errors.Is, ReasonOf and that no other reason of the vocabulary matches as well.
func tvWantReason(tb testing.TB, err error, want *Reason) {
	tb.Helper()
	if want == nil {
		if err != nil {
			tb.Fatalf("want success, got %v", err)
		}
		return
	}
	if err == nil {
		tb.Fatalf("want %s, got success", want.Code())
	}
	if !errors.Is(err, want) {
		tb.Fatalf("want %s, got %v (reason %v)", want.Code(), err, tvCode(err))
	}
	if got := ReasonOf(err); got != want {
		tb.Fatalf("ReasonOf = %v, want %s", tvCode(err), want.Code())
	}
	for _, r := range Reasons() {
		if r != want && errors.Is(err, r) {
			tb.Fatalf("error %v matches %s as well as %s", err, r.Code(), want.Code())
		}
	}
}

// tvCode returns the reason code of err, or a description when err is not from jwtcore.
func tvCode(err error) string {
	if err == nil {
		return "ok"
	}
	if r := ReasonOf(err); r != nil {
		return r.Code()
	}
	return "foreign error: " + err.Error()
}

// ---- RFC vectors ----

// tvVector is one file of testdata/rfc (see testdata/rfc/README.md).
type tvVector struct {
	File            string          `json:"-"`
	Provenance      string          `json:"provenance"`
	Alg             string          `json:"alg"`
	PayloadIsClaims bool            `json:"payload_is_claims"`
	Iss             string          `json:"iss"`
	Exp             int64           `json:"exp"`
	JWKS            json.RawMessage `json:"jwks"`
	Token           string          `json:"token"`
}

func tvLoadVectors(tb testing.TB) []tvVector {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "rfc", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no RFC vectors in testdata/rfc (err %v)", err)
	}
	var out []tvVector
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var v tvVector
		if err := json.Unmarshal(b, &v); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		if v.Provenance == "" || v.Alg == "" || v.Token == "" || len(v.JWKS) == 0 {
			tb.Fatalf("%s: incomplete vector", f)
		}
		v.File = filepath.Base(f)
		out = append(out, v)
	}
	return out
}

// tvSplit splits a compact JWS into its three segments (test-side, no validation).
func tvSplit(tb testing.TB, token string) (h, p, s string) {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("tvSplit: %d segments", len(parts))
	}
	return parts[0], parts[1], parts[2]
}

// tvGenEd generates a fresh Ed25519 key pair.
func tvGenEd() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

// tvGenEC generates a fresh ECDSA key on curve.
func tvGenEC(curve elliptic.Curve) (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(curve, rand.Reader)
}
