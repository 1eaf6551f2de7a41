package jwtcore

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// utCachedVerifier returns an HS256 verifier (all test keys, no iss/aud checks) using c.
func utCachedVerifier(t *testing.T, ks *KeySet, c *Cache, name string) *Verifier {
	t.Helper()
	return utVerifier(t, ks, Policy{Algorithms: []Alg{HS256, RS256}, Leeway: DefaultLeeway, Cache: c, Name: name})
}

func utExpToken(t *testing.T, exp int64, extra ...any) string {
	t.Helper()
	return utToken(t, HS256, "", utClaims{"exp": exp}.with(extra...))
}

// sameRaw tells whether two claims share the payload bytes, i.e. one came from the cache.
func sameRaw(a, b *Claims) bool { return &a.Raw()[0] == &b.Raw()[0] }

func TestCache_HitAndZeroAllocs(t *testing.T) {
	c := NewCache(100, 1<<20, 0)
	v := utCachedVerifier(t, utAllKeysJWKS(t), c, "p")
	tok := utExpToken(t, utNow.Unix()+600)
	first, err := v.Verify(tok, utNow)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d", c.Len())
	}
	second, err := v.Verify(tok, utNow.Add(time.Second))
	if err != nil || second != first {
		t.Fatalf("second verify did not hit: %v", err)
	}
	got, ok := c.Get(tok, utNow)
	if !ok || got != first || got.VerifiedBy() != v {
		t.Fatal("Get did not hit")
	}
	if a := testing.AllocsPerRun(1000, func() { _, _ = v.Verify(tok, utNow) }); a != 0 {
		t.Fatalf("Verify hit allocs/op = %v", a)
	}
	if a := testing.AllocsPerRun(1000, func() { _, _ = c.Get(tok, utNow) }); a != 0 {
		t.Fatalf("Get hit allocs/op = %v", a)
	}
	if _, ok := c.Get(tok+"x", utNow); ok {
		t.Fatal("hit for a different token string")
	}
}

func TestCache_Validity(t *testing.T) {
	ks := utAllKeysJWKS(t)
	n := utNow.Unix()
	tests := []struct {
		name    string
		ttl     time.Duration
		claims  utClaims
		missing bool // AllowMissingExp
		at      time.Duration
		hit     bool
		cached  bool
	}{
		{name: "before exp", claims: utClaims{"exp": n + 100}, at: 99 * time.Second, hit: true, cached: true},
		{name: "at exp (leeway not extended)", claims: utClaims{"exp": n + 100}, at: 100 * time.Second, cached: true},
		{name: "after exp within leeway", claims: utClaims{"exp": n + 100}, at: 130 * time.Second, cached: true},
		{name: "ttl before end", ttl: 10 * time.Second, claims: utClaims{"exp": n + 100}, at: 9 * time.Second, hit: true, cached: true},
		{name: "ttl end", ttl: 10 * time.Second, claims: utClaims{"exp": n + 100}, at: 10 * time.Second, cached: true},
		{name: "exp earlier than ttl", ttl: time.Hour, claims: utClaims{"exp": n + 100}, at: 100 * time.Second, cached: true},
		{name: "no exp, no ttl: not cached", missing: true, claims: utClaims{"sub": "x"}, at: 0},
		{name: "no exp, ttl", missing: true, ttl: time.Minute, claims: utClaims{"sub": "x"}, at: 59 * time.Second, hit: true, cached: true},
		{name: "already past exp (in leeway): not cached", claims: utClaims{"exp": n - 10}, at: 0},
		{name: "clock went backwards", claims: utClaims{"exp": n + 100}, at: -time.Second, cached: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCache(10, 1<<20, tt.ttl)
			v := utVerifier(t, ks, Policy{Algorithms: []Alg{HS256}, Leeway: DefaultLeeway, AllowMissingExp: tt.missing, Cache: c})
			tok := utToken(t, HS256, "", tt.claims)
			if _, err := v.Verify(tok, utNow); err != nil {
				t.Fatal(err)
			}
			if got := c.Len() == 1; got != tt.cached {
				t.Fatalf("cached = %v want %v", got, tt.cached)
			}
			_, hit := c.Get(tok, utNow.Add(tt.at))
			if hit != tt.hit {
				t.Fatalf("hit = %v want %v", hit, tt.hit)
			}
		})
	}
}

func TestCache_FailuresNotCached(t *testing.T) {
	c := NewCache(10, 1<<20, 0)
	v := utCachedVerifier(t, utAllKeysJWKS(t), c, "p")
	good := utExpToken(t, utNow.Unix()+600)
	forged := utResign(t, good, func(s []byte) []byte { s[0] ^= 1; return s })
	for _, tok := range []string{forged, utExpToken(t, utNow.Unix()-3600), "a.b.c", ""} {
		if _, err := v.Verify(tok, utNow); err == nil {
			t.Fatal("bad token verified")
		}
		if _, err := v.Verify(tok, utNow); err == nil {
			t.Fatal("bad token verified on the second try")
		}
	}
	if c.Len() != 0 {
		t.Fatalf("Len = %d after failures", c.Len())
	}
}

func TestCache_EntryBoundLRU(t *testing.T) {
	c := NewCache(3, 1<<20, 0)
	v := utCachedVerifier(t, utAllKeysJWKS(t), c, "p")
	toks := make([]string, 5)
	for i := range toks {
		toks[i] = utExpToken(t, utNow.Unix()+600, "i", i)
	}
	for _, tok := range toks[:3] {
		if _, err := v.Verify(tok, utNow); err != nil {
			t.Fatal(err)
		}
	}
	c.Get(toks[0], utNow) // 0 becomes most recent; 1 is now the LRU entry
	if _, err := v.Verify(toks[3], utNow); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d", c.Len())
	}
	want := map[int]bool{0: true, 1: false, 2: true, 3: true}
	for i, w := range want {
		if _, ok := c.Get(toks[i], utNow); ok != w {
			t.Fatalf("token %d cached = %v want %v", i, ok, w)
		}
	}
	c.Purge()
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Fatalf("after Purge: Len %d Bytes %d", c.Len(), c.Bytes())
	}
	// Reuse of freed slots keeps working.
	for _, tok := range toks {
		if _, err := v.Verify(tok, utNow); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d", c.Len())
	}
}

func TestCache_ByteBound(t *testing.T) {
	tok1 := utExpToken(t, utNow.Unix()+600, "pad", "x")
	size := len(tok1) + len(`{"exp":0000000000,"pad":"x"}`) + cacheEntryOverhead
	c := NewCache(100, 2*size+10, 0)
	v := utCachedVerifier(t, utAllKeysJWKS(t), c, "p")
	for i := 0; i < 5; i++ {
		if _, err := v.Verify(utExpToken(t, utNow.Unix()+600, "pad", strconv.Itoa(i)), utNow); err != nil {
			t.Fatal(err)
		}
		if c.Bytes() > 2*size+10 {
			t.Fatalf("Bytes %d over the bound %d", c.Bytes(), 2*size+10)
		}
	}
	if c.Len() != 2 {
		t.Fatalf("Len = %d want 2", c.Len())
	}
	// A single entry larger than the whole budget is not cached (and evicts nothing).
	bigTok := utExpToken(t, utNow.Unix()+600, "pad", strings.Repeat("x", 3*size))
	if _, err := v.Verify(bigTok, utNow); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(bigTok, utNow); ok || c.Len() != 2 {
		t.Fatalf("oversized entry handling: Len %d", c.Len())
	}
}

func TestCache_DisabledBounds(t *testing.T) {
	for _, c := range []*Cache{NewCache(0, 1<<20, time.Minute), NewCache(10, 0, time.Minute), NewCache(-1, -1, -1)} {
		v := utCachedVerifier(t, utAllKeysJWKS(t), c, "p")
		if _, err := v.Verify(utExpToken(t, utNow.Unix()+600), utNow); err != nil {
			t.Fatal(err)
		}
		if c.Len() != 0 {
			t.Fatal("a zero-bound cache stored an entry")
		}
	}
}

// A key-set change (a new Verifier for the same provider with different keys) must not serve
// entries verified with a removed key, but keeps serving those verified with kept keys.
func TestCache_KeySetChange(t *testing.T) {
	k := utKeys(t)
	both, err := ParseJWKS(utJWKS(t, utJWK(t, &k.rsa.PublicKey, "A", ""), utJWK(t, &k.rsa2.PublicKey, "B", "")))
	if err != nil {
		t.Fatal(err)
	}
	onlyB, err := ParseJWKS(utJWKS(t, utJWK(t, &k.rsa2.PublicKey, "B", "")))
	if err != nil {
		t.Fatal(err)
	}
	bAsNewKid, err := ParseJWKS(utJWKS(t, utJWK(t, &k.rsa2.PublicKey, "B2", "")))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(10, 1<<20, 0)
	p := Policy{Algorithms: []Alg{RS256}, Leeway: DefaultLeeway, Cache: c, Name: "idp"}
	v1 := utVerifier(t, both, p)
	tokA := utRaw(t, RS256, k.rsa, `{"alg":"RS256","kid":"A"}`, utJSON(t, utStd()))
	tokB := utRaw(t, RS256, k.rsa2, `{"alg":"RS256","kid":"B"}`, utJSON(t, utStd()))
	cA, err := v1.Verify(tokA, utNow)
	if err != nil {
		t.Fatal(err)
	}
	cB, err := v1.Verify(tokB, utNow)
	if err != nil {
		t.Fatal(err)
	}

	v2 := utVerifier(t, onlyB, p) // key A removed; v2 is now current for "idp"
	if _, ok := c.Get(tokA, utNow); ok {
		t.Fatal("Get served a token verified with a removed key")
	}
	if _, err := v2.Verify(tokA, utNow); err == nil {
		t.Fatal("v2 accepted a token signed with a removed key")
	}
	gB, ok := c.Get(tokB, utNow)
	if !ok || gB.VerifiedBy() != v2 || !sameRaw(gB, cB) || gB.KeyID() != "B" {
		t.Fatal("Get did not serve the kept-key entry as verified by the current verifier")
	}
	vB, err := v2.Verify(tokB, utNow)
	if err != nil || !sameRaw(vB, cB) || vB.VerifiedBy() != v2 {
		t.Fatalf("v2 did not reuse the kept-key entry: %v", err)
	}
	if a := testing.AllocsPerRun(100, func() { _, _ = v2.Verify(tokB, utNow) }); a != 0 {
		t.Fatalf("hit after adoption allocs/op = %v", a)
	}
	// The old verifier still trusts its own decisions.
	if again, err := v1.Verify(tokA, utNow); err != nil || !sameRaw(again, cA) {
		t.Fatalf("v1 lost its own entry: %v", err)
	}

	// Same material under another kid is a different key binding: no reuse.
	v3 := utVerifier(t, bAsNewKid, p)
	if _, ok := c.Get(tokB, utNow); ok {
		t.Fatal("Get served an entry whose key binding changed")
	}
	if got, err := v3.Verify(tokB, utNow); err == nil && sameRaw(got, cB) {
		t.Fatal("v3 reused an entry verified under another kid")
	}
}

// A policy change (same name and keys, different issuers) must not reuse decisions.
func TestCache_PolicyChange(t *testing.T) {
	ks := utAllKeysJWKS(t)
	c := NewCache(10, 1<<20, 0)
	p := Policy{Algorithms: []Alg{HS256}, Issuers: []string{"https://issuer.example/"}, Cache: c, Name: "idp"}
	v1 := utVerifier(t, ks, p)
	tok := utToken(t, HS256, "", utStd())
	if _, err := v1.Verify(tok, utNow); err != nil {
		t.Fatal(err)
	}
	p.Issuers = []string{"https://other.example/"}
	v2 := utVerifier(t, ks, p)
	if _, ok := c.Get(tok, utNow); ok {
		t.Fatal("Get served an entry verified under another policy")
	}
	_, err := v2.Verify(tok, utNow)
	utWantReason(t, err, ErrIssuerNotAllowed)
	// Another provider name sharing the cache does not see idp's entries either.
	p.Issuers, p.Name = []string{"https://issuer.example/"}, "other"
	v3 := utVerifier(t, ks, p)
	if got, err := v3.Verify(tok, utNow); err != nil || got.VerifiedBy() != v3 {
		t.Fatalf("v3: %v", err)
	}
}

func TestCache_Concurrent(t *testing.T) {
	c := NewCache(8, 1<<20, time.Minute)
	v := utCachedVerifier(t, utAllKeysJWKS(t), c, "p")
	toks := make([]string, 16)
	for i := range toks {
		toks[i] = utExpToken(t, utNow.Unix()+600, "i", i)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 400; i++ {
				tok := toks[(i*7+g)%len(toks)]
				cl, err := v.Verify(tok, utNow)
				if err != nil || cl == nil {
					t.Errorf("verify: %v", err)
					return
				}
				c.Get(tok, utNow)
			}
		}(g)
	}
	wg.Wait()
	if c.Len() > 8 {
		t.Fatalf("Len %d over bound", c.Len())
	}
}

// TestCache_SameTail: the cache is indexed by a token's last bytes (its signature), but serves
// only the exact token: a forged token reusing a cached token's signature misses (and fails
// verification), and of two cached tokens sharing the tail the later one replaces the earlier.
func TestCache_SameTail(t *testing.T) {
	c := NewCache(100, 1<<20, 0)
	v := utCachedVerifier(t, utAllKeysJWKS(t), c, "p")
	tok := utExpToken(t, utNow.Unix()+600, "sub", "alice")
	first, err := v.Verify(tok, utNow)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	evil := utB64.EncodeToString([]byte(`{"exp":` + strconv.FormatInt(utNow.Unix()+600, 10) + `,"sub":"admin"}`))
	forgedTok := parts[0] + "." + evil + "." + parts[2]
	if cacheKey(forgedTok) != cacheKey(tok) {
		t.Fatal("the forged token does not share the cache index")
	}
	if _, ok := c.Get(forgedTok, utNow); ok {
		t.Fatal("Get served a forged token sharing a cached token's signature")
	}
	if _, err := v.Verify(forgedTok, utNow); err == nil {
		t.Fatal("Verify accepted a forged token sharing a cached token's signature")
	}
	if got, ok := c.Get(tok, utNow); !ok || got != first {
		t.Fatal("the genuine token is no longer served")
	}

	// Two successes sharing the tail (not producible with real signatures: inserted directly).
	other, err := v.Verify(utExpToken(t, utNow.Unix()+600, "sub", "bob"), utNow)
	if err != nil {
		t.Fatal(err)
	}
	twin := "x" + tok[1:]
	before, bytes := c.Len(), c.Bytes()
	c.insert(twin, other, utNow.UnixNano())
	if c.Len() != before {
		t.Fatalf("Len = %d after a same-tail insert, want %d", c.Len(), before)
	}
	if _, ok := c.Get(tok, utNow); ok {
		t.Fatal("the replaced token is still served")
	}
	if got, ok := c.Get(twin, utNow); !ok || got != other {
		t.Fatal("the newer same-tail token is not served")
	}
	if want := bytes - len(first.Raw()) + len(other.Raw()); c.Bytes() != want {
		t.Fatalf("Bytes = %d, want %d", c.Bytes(), want)
	}
	c.Purge()
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Fatalf("after Purge: Len %d, Bytes %d", c.Len(), c.Bytes())
	}
}

// TestSameToken compares sameToken with == on strings differing in one byte at every position
// (the wasm build compares 32 then 8 bytes at a time; run under GOOS=wasip1 to exercise it).
func TestSameToken(t *testing.T) {
	for n := 0; n <= 100; n++ {
		a := strings.Repeat("k", n)
		if !sameToken(a, strings.Clone(a)) {
			t.Fatalf("len %d: equal strings differ", n)
		}
		if n > 0 && sameToken(a, a[:n-1]) {
			t.Fatalf("len %d: a prefix is equal", n)
		}
		for i := 0; i < n; i++ {
			b := []byte(a)
			b[i] = 'K'
			if sameToken(a, string(b)) {
				t.Fatalf("len %d: a difference at %d is not seen", n, i)
			}
		}
	}
}
