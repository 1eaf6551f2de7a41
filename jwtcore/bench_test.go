package jwtcore

// Side-by-side benchmarks: jwtcore and golang-jwt v5 doing the same work in the same run — parse,
// verify the signature, and validate iss, aud and exp (plus nbf/iat, which both check) with the
// same keys and tokens. Compare ns/op and allocs/op of BenchmarkVerify/X and BenchmarkGolangJWT/X:
//
//	go test ./jwtcore -run '^$' -bench 'Verify|GolangJWT' -benchmem
//
// Targets (issue 2): jwtcore no slower than golang-jwt, at most 1/4 of its allocations, and a
// cache hit under 300 ns with 0 allocations.

import (
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v5"
)

// tvBenchFixture is one algorithm's token and the two equivalently configured verifiers.
type tvBenchFixture struct {
	token  string
	core   *Verifier
	ref    *jwt.Parser
	refKey any
}

func tvNewBenchFixture(b *testing.B, alg string) *tvBenchFixture {
	b.Helper()
	k := tvKeys(b)
	claims := tvStdClaims()
	token := tvSignRaw(b, alg, k.signingKey(alg), tvHeader(alg, tvKid), tvJSON(claims))
	ks := tvMustJWKS(b, tvJWKS(tvJWK(k.publicKey(alg), tvKid, "")))
	p := Policy{
		Algorithms: tvAlgs(b, alg),
		Issuers:    []string{tvIssuer},
		Audiences:  []string{tvAudience},
		Leeway:     DefaultLeeway,
	}
	f := &tvBenchFixture{
		token: token,
		core:  tvMustVerifier(b, ks, p),
		ref: jwt.NewParser(
			jwt.WithValidMethods([]string{alg}),
			jwt.WithIssuer(tvIssuer),
			jwt.WithAudience(tvAudience),
			jwt.WithLeeway(DefaultLeeway),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(func() time.Time { return tvNow }),
		),
		refKey: k.publicKey(alg),
	}
	// Both must accept the token, or the comparison is meaningless.
	if _, err := f.core.Verify(token, tvNow); err != nil {
		b.Fatalf("jwtcore rejects the benchmark token: %v", err)
	}
	if _, err := f.ref.Parse(token, f.keyfunc); err != nil {
		b.Fatalf("golang-jwt rejects the benchmark token: %v", err)
	}
	return f
}

func (f *tvBenchFixture) keyfunc(*jwt.Token) (any, error) { return f.refKey, nil }

var tvBenchAlgs = []string{"HS256", "RS256", "ES256"}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range tvBenchAlgs {
		b.Run(alg, func(b *testing.B) {
			f := tvNewBenchFixture(b, alg)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c, err := f.core.Verify(f.token, tvNow)
				if err != nil || c == nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("CacheHit", func(b *testing.B) {
		v, cache, token := tvCachedRS256(b, NewCache(1024, 1<<20, time.Hour), "bench")
		if cache.Len() != 1 {
			b.Fatalf("cache.Len() = %d after a successful Verify, want 1", cache.Len())
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c, err := v.Verify(token, tvNow)
			if err != nil || c == nil {
				b.Fatal(err)
			}
		}
	})
}

// tvCachedRS256 is an RS256 verifier of the test key using cache under policy name, and a valid
// token it has verified once (so the next Verify is a cache hit).
func tvCachedRS256(tb testing.TB, cache *Cache, name string) (*Verifier, *Cache, string) {
	tb.Helper()
	p := tvPolicy()
	p.Algorithms = tvAlgs(tb, "RS256")
	p.Cache = cache
	p.Name = name
	v := tvMustVerifier(tb, tvMustJWKS(tb, tvJWKS(tvJWK(&tvKeys(tb).rsa.PublicKey, tvKid, ""))), p)
	token := tvToken(tb, "RS256", tvStdClaims())
	if _, err := v.Verify(token, tvNow); err != nil {
		tb.Fatal(err)
	}
	return v, cache, token
}

func BenchmarkGolangJWT(b *testing.B) {
	for _, alg := range tvBenchAlgs {
		b.Run(alg, func(b *testing.B) {
			f := tvNewBenchFixture(b, alg)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tok, err := f.ref.Parse(f.token, f.keyfunc)
				if err != nil || !tok.Valid {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBench_CacheHitAllocs pins the allocation half of the cache-hit target as a unit test
// (allocation counts are deterministic; timings are only reported by the benchmark).
func TestBench_CacheHitAllocs(t *testing.T) {
	v, cache, token := tvCachedRS256(t, NewCache(16, 1<<16, time.Hour), "allocs")
	if allocs := testing.AllocsPerRun(100, func() { _, _ = v.Verify(token, tvNow) }); allocs != 0 {
		t.Errorf("cache hit allocates %.1f times per Verify, want 0", allocs)
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = cache.Get(token, tvNow) }); allocs != 0 {
		t.Errorf("Cache.Get hit allocates %.1f times, want 0", allocs)
	}
	// Past exp the entry is not served (and Verify reports expiry after leeway).
	exp := time.Unix(tvStdClaims()["exp"].(int64), 0)
	if _, ok := cache.Get(token, exp); ok {
		t.Errorf("cache served the token at exp")
	}
}
