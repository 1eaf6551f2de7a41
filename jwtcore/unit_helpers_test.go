package jwtcore

// Test helpers for the unit tests of this package (prefix "ut"; the conformance helper's
// helpers use "tv"). Keys are generated once per test binary with crypto/rand.

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

var utNow = time.Unix(1_750_000_000, 0)

type utKeyMaterial struct {
	rsa, rsa2        *rsa.PrivateKey
	p256, p384, p521 *ecdsa.PrivateKey
	ed               ed25519.PrivateKey
	secret           []byte // 64 bytes: fits HS256/384/512
}

var (
	utKeysOnce sync.Once
	utKeysVal  *utKeyMaterial
	utKeysErr  error
)

func utKeys(tb testing.TB) *utKeyMaterial {
	tb.Helper()
	utKeysOnce.Do(func() {
		k := &utKeyMaterial{secret: make([]byte, 64)}
		var err error
		if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			utKeysErr = err
			return
		}
		if k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			utKeysErr = err
			return
		}
		for _, c := range []struct {
			dst   **ecdsa.PrivateKey
			curve elliptic.Curve
		}{{&k.p256, elliptic.P256()}, {&k.p384, elliptic.P384()}, {&k.p521, elliptic.P521()}} {
			if *c.dst, err = ecdsa.GenerateKey(c.curve, rand.Reader); err != nil {
				utKeysErr = err
				return
			}
		}
		if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
			utKeysErr = err
			return
		}
		if _, err = rand.Read(k.secret); err != nil {
			utKeysErr = err
			return
		}
		utKeysVal = k
	})
	if utKeysErr != nil {
		tb.Fatal(utKeysErr)
	}
	return utKeysVal
}

// signer returns the private key (or secret) for alg.
func (k *utKeyMaterial) signer(a Alg) any {
	switch a.kind() {
	case kindOct:
		return k.secret
	case kindRSA:
		return k.rsa
	case kindP256:
		return k.p256
	case kindP384:
		return k.p384
	case kindP521:
		return k.p521
	case kindEd25519:
		return k.ed
	}
	return nil
}

// public returns the public key (or secret) for alg.
func (k *utKeyMaterial) public(a Alg) any {
	switch p := k.signer(a).(type) {
	case []byte:
		return p
	case *rsa.PrivateKey:
		return &p.PublicKey
	case *ecdsa.PrivateKey:
		return &p.PublicKey
	case ed25519.PrivateKey:
		return p.Public()
	}
	return nil
}

var utB64 = base64.RawURLEncoding

// utSig signs input with priv under alg, independently of the code under test.
func utSig(tb testing.TB, a Alg, priv any, input string) []byte {
	tb.Helper()
	if a == EdDSA {
		return ed25519.Sign(priv.(ed25519.PrivateKey), []byte(input))
	}
	h := a.hash()
	if a.kind() == kindOct {
		m := hmac.New(h.New, priv.([]byte))
		m.Write([]byte(input))
		return m.Sum(nil)
	}
	d := h.New()
	d.Write([]byte(input))
	sum := d.Sum(nil)
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		var sig []byte
		var err error
		if a >= PS256 && a <= PS512 {
			sig, err = rsa.SignPSS(rand.Reader, p, h, sum, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, p, h, sum)
		}
		if err != nil {
			tb.Fatal(err)
		}
		return sig
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, p, sum)
		if err != nil {
			tb.Fatal(err)
		}
		size := (p.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out
	}
	tb.Fatalf("utSig: unsupported key %T", priv)
	return nil
}

// utRaw builds a token from literal header and payload JSON text.
func utRaw(tb testing.TB, a Alg, priv any, header, payload string) string {
	tb.Helper()
	in := utB64.EncodeToString([]byte(header)) + "." + utB64.EncodeToString([]byte(payload))
	return in + "." + utB64.EncodeToString(utSig(tb, a, priv, in))
}

type utClaims map[string]any

// utStd returns valid claims at utNow: iss, aud, sub, iat, nbf, exp (+10 min).
func utStd() utClaims {
	n := utNow.Unix()
	return utClaims{"iss": "https://issuer.example/", "aud": "api", "sub": "user-1",
		"iat": n - 10, "nbf": n - 10, "exp": n + 600}
}

func (c utClaims) with(kv ...any) utClaims {
	out := utClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func utJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// utToken signs claims with the generated key for alg; kid "" means no kid header.
func utToken(tb testing.TB, a Alg, kid string, c utClaims) string {
	tb.Helper()
	h := map[string]any{"alg": a.String(), "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return utRaw(tb, a, utKeys(tb).signer(a), utJSON(tb, h), utJSON(tb, c))
}

// utPolicy is the policy most tests use.
func utPolicy(algs ...Alg) Policy {
	return Policy{Algorithms: algs, Issuers: []string{"https://issuer.example/"}, Audiences: []string{"api"}, Leeway: DefaultLeeway}
}

// utJWK returns the JWK (public) for a key as a map.
func utJWK(tb testing.TB, pub any, kid, alg string) map[string]any {
	tb.Helper()
	m := map[string]any{}
	switch p := pub.(type) {
	case []byte:
		m["kty"], m["k"] = "oct", utB64.EncodeToString(p)
	case *rsa.PublicKey:
		m["kty"], m["n"], m["e"] = "RSA", utB64.EncodeToString(p.N.Bytes()), utB64.EncodeToString(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (p.Curve.Params().BitSize + 7) / 8
		x, y := make([]byte, size), make([]byte, size)
		p.X.FillBytes(x)
		p.Y.FillBytes(y)
		m["kty"], m["crv"], m["x"], m["y"] = "EC", p.Curve.Params().Name, utB64.EncodeToString(x), utB64.EncodeToString(y)
	case ed25519.PublicKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", utB64.EncodeToString(p)
	default:
		tb.Fatalf("utJWK: %T", pub)
	}
	if kid != "" {
		m["kid"] = kid
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

func utJWKS(tb testing.TB, keys ...map[string]any) []byte {
	tb.Helper()
	return []byte(utJSON(tb, map[string]any{"keys": keys}))
}

func utPEM(tb testing.TB, pub any) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// utVerifier builds a verifier or fails the test.
func utVerifier(tb testing.TB, ks *KeySet, p Policy) *Verifier {
	tb.Helper()
	v, err := NewVerifier(ks, p)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// utAllKeysJWKS is a JWKS with one key per algorithm kind, kids "oct", "rsa", "p256", "p384",
// "p521", "ed".
func utAllKeysJWKS(tb testing.TB) *KeySet {
	tb.Helper()
	k := utKeys(tb)
	ks, err := ParseJWKS(utJWKS(tb,
		utJWK(tb, k.secret, "oct", ""), utJWK(tb, &k.rsa.PublicKey, "rsa", ""),
		utJWK(tb, &k.p256.PublicKey, "p256", ""), utJWK(tb, &k.p384.PublicKey, "p384", ""),
		utJWK(tb, &k.p521.PublicKey, "p521", ""), utJWK(tb, k.ed.Public(), "ed", "")))
	if err != nil {
		tb.Fatal(err)
	}
	return ks
}

var utKidFor = map[keyKind]string{kindOct: "oct", kindRSA: "rsa", kindP256: "p256", kindP384: "p384", kindP521: "p521", kindEd25519: "ed"}

// utWantReason fails unless err wraps exactly want (nil: no error).
func utWantReason(tb testing.TB, err error, want *Reason) {
	tb.Helper()
	if want == nil {
		if err != nil {
			tb.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, want) {
		tb.Fatalf("err = %v, want reason %s", err, want.Code())
	}
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("err %T is not *Error", err)
	}
	for _, r := range Reasons() {
		if r != want && errors.Is(err, r) {
			tb.Fatalf("err %v also matches %s", err, r.Code())
		}
	}
}

func b64std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// utResign replaces a token's signature by f(signature).
func utResign(tb testing.TB, token string, f func([]byte) []byte) string {
	tb.Helper()
	i := strings.LastIndexByte(token, '.')
	sig, err := utB64.DecodeString(token[i+1:])
	if err != nil {
		tb.Fatal(err)
	}
	return token[:i+1] + utB64.EncodeToString(f(sig))
}
