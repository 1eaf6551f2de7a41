package jwtcore

// Test helpers for the unit tests of this package (prefix "ut"; the conformance helper's
// helpers use "tv"). Keys are the conformance helper's (tvKeys), tokens are signed by tvSignRaw.

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var utNow = time.Unix(1_750_000_000, 0)

// utKeyMaterial names the conformance helper's keys (tvKeys) the way the unit tests use them.
type utKeyMaterial struct {
	rsa, rsa2        *rsa.PrivateKey
	p256, p384, p521 *ecdsa.PrivateKey
	ed               ed25519.PrivateKey
	secret           []byte // 64 bytes: fits HS256/384/512
	tv               *tvKeyMaterial
}

func utKeys(tb testing.TB) *utKeyMaterial {
	tb.Helper()
	k := tvKeys(tb)
	return &utKeyMaterial{rsa: k.rsa, rsa2: k.rsaOther, p256: k.ec256, p384: k.ec384, p521: k.ec521,
		ed: k.ed, secret: k.hmac, tv: k}
}

// signer returns the private key (or secret) for alg.
func (k *utKeyMaterial) signer(a Alg) any { return k.tv.signingKey(a.String()) }

// public returns the public key (or secret) for alg.
func (k *utKeyMaterial) public(a Alg) any { return k.tv.publicKey(a.String()) }

var utB64 = tvB64

// utRaw builds a token from literal header and payload JSON text (tvSignRaw).
func utRaw(tb testing.TB, a Alg, priv any, header, payload string) string {
	tb.Helper()
	return tvSignRaw(tb, a.String(), priv, header, payload)
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
	return utRaw(tb, a, utKeys(tb).signer(a), tvHeader(a.String(), kid), utJSON(tb, c))
}

// utPolicy is the policy most tests use.
func utPolicy(algs ...Alg) Policy {
	return Policy{Algorithms: algs, Issuers: []string{"https://issuer.example/"}, Audiences: []string{"api"}, Leeway: DefaultLeeway}
}

// utJWK returns the JWK (public) for a key as a map (tvJWKOf), failing the test on an unknown key.
func utJWK(tb testing.TB, pub any, kid, alg string) map[string]any {
	tb.Helper()
	m, err := tvJWKOf(pub, kid, alg)
	if err != nil {
		tb.Fatalf("utJWK: %v", err)
	}
	return m
}

func utJWKS(tb testing.TB, keys ...map[string]any) []byte {
	tb.Helper()
	return []byte(utJSON(tb, map[string]any{"keys": keys}))
}

func utPEM(tb testing.TB, pub any) []byte {
	tb.Helper()
	return tvPEM(tb, pub)
}

// utVerifier builds a verifier or fails the test.
func utVerifier(tb testing.TB, ks *KeySet, p Policy) *Verifier {
	tb.Helper()
	return tvMustVerifier(tb, ks, p)
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

// utWantReason fails unless err wraps exactly want (nil: no error), as tvWantReason checks it,
// and is a *Error.
func utWantReason(tb testing.TB, err error, want *Reason) {
	tb.Helper()
	tvWantReason(tb, err, want)
	var e *Error
	if want != nil && !errors.As(err, &e) {
		tb.Fatalf("err %T is not *Error", err)
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
