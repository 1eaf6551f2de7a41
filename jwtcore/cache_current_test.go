package jwtcore

import (
	"strings"
	"testing"
)

// TestCache_GetAfterVerifierChanges: Cache.Get remembers, per entry, that its Verifier was the
// current one of its Name (so a hit skips the registry); every change of the registry or of the
// entry's Verifier must be seen by the next Get.
func TestCache_GetAfterVerifierChanges(t *testing.T) {
	k := utKeys(t)
	ks, err := ParseJWKS(utJWKS(t, utJWK(t, &k.rsa.PublicKey, "A", "")))
	if err != nil {
		t.Fatal(err)
	}
	other, err := ParseJWKS(utJWKS(t, utJWK(t, &k.rsa2.PublicKey, "B", "")))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(10, 1<<20, 0)
	p := Policy{Algorithms: []Alg{RS256}, Leeway: DefaultLeeway, Cache: c, Name: "idp"}
	v1 := utVerifier(t, ks, p)
	tok := utRaw(t, RS256, k.rsa, `{"alg":"RS256","kid":"A"}`, utJSON(t, utStd()))
	if _, err := v1.Verify(tok, utNow); err != nil {
		t.Fatal(err)
	}
	var v2 *Verifier
	steps := []struct {
		name string
		do   func()
		want func() *Verifier // nil result: Get must miss
	}{
		{name: "verified by the current verifier", do: func() {}, want: func() *Verifier { return v1 }},
		{name: "a new verifier with the same keys is adopted", do: func() { v2 = utVerifier(t, ks, p) },
			want: func() *Verifier { return v2 }},
		{name: "an old verifier's own hit does not change what Get serves", do: func() {
			if got, err := v1.Verify(tok, utNow); err != nil || got.VerifiedBy() != v1 {
				t.Fatalf("v1 lost the entry: %v", err)
			}
		}, want: func() *Verifier { return v2 }},
		{name: "a new verifier without the key", do: func() { utVerifier(t, other, p) },
			want: func() *Verifier { return nil }},
		{name: "the key comes back", do: func() { v2 = utVerifier(t, ks, p) },
			want: func() *Verifier { return v2 }},
	}
	for _, s := range steps {
		s.do()
		want := s.want()
		for i := 0; i < 2; i++ { // the second Get takes the remembered path
			got, ok := c.Get(tok, utNow)
			switch {
			case want == nil && ok:
				t.Fatalf("%s: Get served an entry the current verifier does not trust", s.name)
			case want != nil && (!ok || got.VerifiedBy() != want):
				t.Fatalf("%s: Get hit %v, not verified by the current verifier", s.name, ok)
			}
		}
	}
}

// TestCacheKey: the index is a function of the last cacheKeyLen bytes only, short tokens included.
func TestCacheKey(t *testing.T) {
	long := strings.Repeat("a", 40) + "0123456789abcdef"
	if cacheKey(long) != cacheKey("zz"+long[2:]) {
		t.Fatal("bytes before the tail changed the index")
	}
	if cacheKey(long) == cacheKey(long[:len(long)-1]+"g") {
		t.Fatal("the last byte does not change the index")
	}
	seen := map[uint64]string{}
	for n := 0; n <= cacheKeyLen; n++ {
		for _, s := range []string{strings.Repeat("x", n), strings.Repeat("y", n)} {
			k := cacheKey(s)
			if prev, dup := seen[k]; dup && prev != s {
				t.Fatalf("cacheKey(%q) == cacheKey(%q)", s, prev)
			}
			seen[k] = s
		}
	}
}
