package jwtcore

import (
	"reflect"
	"strings"
	"testing"
)

// TestVerifier_VerifyPeeked checks that Peek then VerifyPeeked decides every token exactly as
// UnsafeIssuerWithoutVerification then Verify do: same issuer, same error (reason and
// detail), same claims.
func TestVerifier_VerifyPeeked(t *testing.T) {
	k := utKeys(t)
	good := utToken(t, HS256, "oct", utStd())
	hdr := tvHeader("HS256", "oct")
	std := utJSON(t, utStd())
	tests := []struct {
		name  string
		token string
	}{
		{name: "valid HS256", token: good},
		{name: "valid RS256", token: utToken(t, RS256, "rsa", utStd())},
		{name: "valid ES256", token: utToken(t, ES256, "p256", utStd())},
		{name: "expired", token: utToken(t, HS256, "oct", utStd().with("exp", utNow.Unix()-3600))},
		{name: "wrong issuer", token: utToken(t, HS256, "oct", utStd().with("iss", "https://other/"))},
		{name: "no iss", token: utToken(t, HS256, "oct", utStd().with("iss", nil))},
		{name: "wrong audience", token: utToken(t, HS256, "oct", utStd().with("aud", "other"))},
		{name: "bad signature", token: good[:len(good)-2] + "AA"},
		{name: "unknown kid", token: utToken(t, HS256, "nope", utStd())},
		{name: "alg none", token: utRaw(t, HS256, k.secret, `{"alg":"none"}`, std)},
		{name: "header not JSON", token: utRaw(t, HS256, k.secret, `{"alg":`, std)},
		{name: "header bad base64", token: "e!" + good[2:]},
		{name: "header duplicate alg", token: utRaw(t, HS256, k.secret, `{"alg":"HS256","alg":"RS256"}`, std)},
		{name: "crit header", token: utRaw(t, HS256, k.secret, `{"alg":"HS256","crit":["x"],"x":1}`, std)},
		{name: "empty signature", token: good[:strings.LastIndexByte(good, '.')+1]},
		{name: "signature bad base64", token: good + "!"},
		{name: "payload not JSON", token: utRaw(t, HS256, k.secret, hdr, `{"iss":`)},
		{name: "payload duplicate", token: utRaw(t, HS256, k.secret, hdr, `{"iss":"a","iss":"b"}`)},
		{name: "iss number", token: utToken(t, HS256, "oct", utStd().with("iss", 5))},
		{name: "two segments", token: "a.b"},
		{name: "empty", token: ""},
		{name: "larger than the verifier's bound", token: utToken(t, HS256, "oct", utStd().with("pad", strings.Repeat("x", 9000)))},
	}
	v := utVerifier(t, utAllKeysJWKS(t), utPolicy(HS256, RS256, ES256))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, perr := UnsafeIssuerWithoutVerification(tt.token, 1<<16)
			p, err := Peek(tt.token, 1<<16)
			if !reflect.DeepEqual(err, perr) {
				t.Fatalf("Peek error %v, UnsafeIssuerWithoutVerification error %v", err, perr)
			}
			if err != nil {
				if p.sc != nil {
					t.Fatalf("Peek kept working memory with error %v", err)
				}
				return
			}
			if p.UnsafeIssuer() != iss {
				t.Fatalf("UnsafeIssuer() = %q, want %q", p.UnsafeIssuer(), iss)
			}
			wantC, wantErr := v.Verify(tt.token, utNow)
			c, err := v.VerifyPeeked(&p, utNow)
			if !reflect.DeepEqual(err, wantErr) {
				t.Fatalf("VerifyPeeked error %v, Verify error %v", err, wantErr)
			}
			if (c == nil) != (wantC == nil) || c != nil && (string(c.Raw()) != string(wantC.Raw()) || c.Issuer() != wantC.Issuer()) {
				t.Fatalf("VerifyPeeked claims %v, Verify claims %v", c, wantC)
			}
			// p was released: a second use fails closed.
			if c, err := v.VerifyPeeked(&p, utNow); err == nil || c != nil {
				t.Fatalf("second VerifyPeeked = %v, %v; want an error", c, err)
			}
			p.Release() // harmless
		})
	}
}

// TestVerifier_VerifyPeeked_cache: a success through VerifyPeeked fills the cache as Verify
// does, and a cached token is answered from it.
func TestVerifier_VerifyPeeked_cache(t *testing.T) {
	cache := NewCache(16, 1<<20, 0)
	p := utPolicy(HS256)
	p.Cache = cache
	v := utVerifier(t, utAllKeysJWKS(t), p)
	tok := utToken(t, HS256, "oct", utStd())
	pk, err := Peek(tok, 0)
	if err != nil {
		t.Fatal(err)
	}
	c1, err := v.VerifyPeeked(&pk, utNow)
	if err != nil || cache.Len() != 1 {
		t.Fatalf("VerifyPeeked: %v, cache.Len() = %d, want 1", err, cache.Len())
	}
	pk, err = Peek(tok, 0)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := v.VerifyPeeked(&pk, utNow)
	if err != nil || c2 != c1 {
		t.Fatalf("second VerifyPeeked = %p, %v; want the cached claims %p", c2, err, c1)
	}
}
