package jwtcore

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// Callers may hand jwtcore a token whose memory they reuse afterwards (the filter reads request
// headers into a buffer it reuses for the next request): Verify, Peek and VerifyPeeked must keep
// no reference to it — what they keep (the cache key, the header memo, the claims) is their own
// copy. Each case verifies a token held in a byte buffer, overwrites the buffer, and checks that
// the claims, the cache and the header memo still answer for the original token.
func TestVerify_KeepsNoReferenceToTheToken(t *testing.T) {
	for _, alg := range []string{"HS256", "RS256", "ES256"} {
		for _, path := range []string{"Verify", "Peek+VerifyPeeked"} {
			t.Run(alg+"/"+path, func(t *testing.T) {
				p := tvPolicy()
				p.Cache = NewCache(16, 1<<16, time.Hour)
				v := tvMustVerifier(t, tvMustJWKS(t, tvAllKeysJWKS(t)), p)
				original := tvToken(t, alg, tvStdClaims().with("sub", "keep-me"))
				buf := []byte(original)
				borrowed := unsafe.String(unsafe.SliceData(buf), len(buf))

				var c *Claims
				var err error
				if path == "Verify" {
					c, err = v.Verify(borrowed, tvNow)
				} else {
					pk, perr := Peek(borrowed, 0)
					if perr != nil {
						t.Fatal(perr)
					}
					if string(pk.UnsafeIssuerBytes()) != tvIssuer || pk.UnsafeIssuer() != tvIssuer {
						t.Fatalf("issuer = %q / %q", pk.UnsafeIssuerBytes(), pk.UnsafeIssuer())
					}
					c, err = v.VerifyPeeked(&pk, tvNow)
				}
				if err != nil {
					t.Fatal(err)
				}
				raw := bytes.Clone(c.Raw())
				for i := range buf { // the caller reuses its buffer
					buf[i] = 'x'
				}
				if !bytes.Equal(c.Raw(), raw) || c.Subject() != "keep-me" {
					t.Fatalf("claims changed with the caller's buffer: %s", c.Raw())
				}
				hit, ok := p.Cache.Get(strings.Clone(original), tvNow)
				if !ok || hit != c {
					t.Fatalf("cache lookup of the original token after the buffer changed: %v, %v", hit, ok)
				}
				if _, ok := p.Cache.Get(borrowed, tvNow); ok {
					t.Fatal("the overwritten buffer still finds the cache entry: the cache kept the caller's memory")
				}
				// The header memo: a second token with the same header, not cached, still verifies.
				p.Cache.Purge()
				other := tvToken(t, alg, tvStdClaims().with("sub", "other"))
				if c2, err := v.Verify(other, tvNow); err != nil || c2.Subject() != "other" {
					t.Fatalf("a token with the same header after the buffer changed: %v", err)
				}
			})
		}
	}
}

// The header memo remembers what a header segment parsed to, keyed by the segment. Had it kept
// the caller's memory as that key, a later request written into the same buffer would make the
// entry of one header answer for another: here an HS384 header (same length) would be taken as
// the HS256 one remembered, and its valid token rejected.
func TestVerify_HeaderMemoKeepsItsOwnKey(t *testing.T) {
	k := tvKeys(t)
	v := tvDefaultVerifier(t)
	payload := tvJSON(tvStdClaims())
	first := tvSignRaw(t, "HS256", k.signingKey("HS256"), `{"alg":"HS256","typ":"JWT"}`, payload)
	second := tvSignRaw(t, "HS384", k.signingKey("HS384"), `{"alg":"HS384","typ":"JWT"}`, payload)
	if strings.IndexByte(first, '.') != strings.IndexByte(second, '.') {
		t.Fatal("the two header segments must have the same length")
	}
	buf := []byte(first)
	if _, err := v.Verify(unsafe.String(unsafe.SliceData(buf), len(buf)), tvNow); err != nil {
		t.Fatal(err)
	}
	copy(buf, second) // the next request lands in the same buffer
	if _, err := v.Verify(second, tvNow); err != nil {
		t.Fatalf("the HS384 token after the buffer was reused: %v", err)
	}
}
