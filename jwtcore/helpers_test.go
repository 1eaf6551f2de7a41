package jwtcore

// Test-only helpers shared by conformance_test.go, attack_test.go, fuzz_test.go, differential_test.go
// and bench_test.go. Everything here is prefixed "tv" (test vectors) so it never clashes with the
// implementation's own tests. Tokens and keys come from internal/jwtmint, written against the Go
// standard library only (it never imports jwtcore), so a bug in jwtcore's verification cannot be
// hidden by the same bug in the code that made the token.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// tvB64 is the only encoding a JWS segment may use: base64url without padding (RFC 7515 §2).
var tvB64 = jwtmint.B64

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

// tvKeyMaterial holds one private key per key type, generated once per test binary: the
// asymmetric ones are jwtmint's shared keys, rsaOther is a key of its own.
type tvKeyMaterial struct {
	hmac     []byte // 64 random bytes: long enough for HS512
	rsa      *rsa.PrivateKey
	rsaOther *rsa.PrivateKey // an unrelated RSA key (attacker, or a rotated-out key)
	ec256    *ecdsa.PrivateKey
	ec384    *ecdsa.PrivateKey
	ec521    *ecdsa.PrivateKey
	ed       ed25519.PrivateKey
}

var tvKeysOnce = sync.OnceValues(func() (*tvKeyMaterial, error) {
	k := &tvKeyMaterial{hmac: make([]byte, 64)}
	var errs [7]error
	_, errs[0] = rand.Read(k.hmac)
	k.rsa, errs[1] = tvMintKey[*rsa.PrivateKey]("RS256", jwtmint.SharedSigner)
	k.rsaOther, errs[2] = tvMintKey[*rsa.PrivateKey]("RS256", tvFreshSigner)
	k.ec256, errs[3] = tvMintKey[*ecdsa.PrivateKey]("ES256", jwtmint.SharedSigner)
	k.ec384, errs[4] = tvMintKey[*ecdsa.PrivateKey]("ES384", jwtmint.SharedSigner)
	k.ec521, errs[5] = tvMintKey[*ecdsa.PrivateKey]("ES512", jwtmint.SharedSigner)
	k.ed, errs[6] = tvMintKey[ed25519.PrivateKey]("EdDSA", jwtmint.SharedSigner)
	return k, errors.Join(errs[:]...)
})

// tvKeys returns the process-wide test keys (RSA generation is slow, so it is done once).
func tvKeys(tb testing.TB) *tvKeyMaterial {
	tb.Helper()
	k, err := tvKeysOnce()
	if err != nil {
		tb.Fatalf("generating test keys: %v", err)
	}
	return k
}

// tvMintKey gets a key for the JOSE algorithm alg from gen (jwtmint.SharedSigner or tvFreshSigner)
// as its concrete type.
func tvMintKey[K crypto.Signer](alg string, gen func(jwtmint.Alg) (crypto.Signer, error)) (K, error) {
	var zero K
	a, ok := jwtmint.LookupAlg(alg)
	if !ok {
		return zero, fmt.Errorf("jwtmint does not know %s", alg)
	}
	s, err := gen(a)
	if err != nil {
		return zero, err
	}
	k, ok := s.(K)
	if !ok {
		return zero, fmt.Errorf("%s key is a %T, want %T", alg, s, zero)
	}
	return k, nil
}

// tvFreshSigner generates a new key for a (RSA keys of 2048 bits), unrelated to every other key.
func tvFreshSigner(a jwtmint.Alg) (crypto.Signer, error) { return jwtmint.GenerateSigner(a, 2048) }

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
func (k *tvKeyMaterial) publicKey(alg string) any { return tvPublicOf(k.signingKey(alg)) }

// tvPublicOf returns the verification key of a private key, or the secret itself.
func tvPublicOf(key any) any {
	switch k := key.(type) {
	case []byte:
		return k
	case crypto.Signer:
		return k.Public()
	}
	panic(fmt.Sprintf("tvPublicOf %T", key))
}

// tvSignRaw builds a compact JWS from exact header and payload JSON text (so tests can craft
// duplicate members, odd whitespace, wrong types) and signs it as alg with key (a []byte secret or a
// private key) through jwtmint, which shares no code with jwtcore: a bug in jwtcore's verification
// cannot be hidden by the same bug in the code that made the token.
func tvSignRaw(tb testing.TB, alg string, key any, headerJSON, payloadJSON string) string {
	tb.Helper()
	k, err := jwtmint.NewKey(alg, key)
	if err == nil {
		var tok string
		if tok, err = k.Compact([]byte(headerJSON), []byte(payloadJSON)); err == nil {
			return tok
		}
	}
	tb.Fatalf("tvSignRaw(%s): %v", alg, err)
	return ""
}

// tvHeader returns a header JSON with alg, typ JWT and (when non-empty) kid.
func tvHeader(alg, kid string) string { return string(jwtmint.Header(alg, kid)) }

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

// tvJWK renders a public key (or HMAC secret) as a JWK object (jwtmint.JWK). kid and alg are optional.
func tvJWK(pub any, kid, alg string) map[string]any {
	m, err := tvJWKOf(pub, kid, alg)
	if err != nil {
		panic("tvJWK: " + err.Error())
	}
	return m
}

// tvJWKOf is jwtmint.JWK as a map[string]any, with kid and alg added when not empty.
func tvJWKOf(pub any, kid, alg string) (map[string]any, error) {
	required, err := jwtmint.JWK(pub)
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, len(required)+2)
	for k, v := range required {
		m[k] = v
	}
	if kid != "" {
		m["kid"] = kid
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m, nil
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
	out, err := jwtmint.PublicKeyPEM(pub)
	if err != nil {
		tb.Fatalf("PublicKeyPEM: %v", err)
	}
	return out
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
