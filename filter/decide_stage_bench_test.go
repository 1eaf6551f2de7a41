package filter

import "testing"

// BenchmarkDecideStages measures the stages of decide on BenchmarkDecide's
// cache hit (GET /api/items with an RS256 Bearer token of the seed config),
// one at a time, to see where a hit spends its time inside wasm.
func BenchmarkDecideStages(b *testing.B) {
	f := newTokens(b)
	cfg, err := parseConfig([]byte(mustJSON(b, seedConfig(b))))
	if err != nil {
		b.Fatal(err)
	}
	req, err := newRequest(requestHeaders("/api/items", bearer(f.auth0("read", nil))))
	if err != nil {
		b.Fatal(err)
	}
	d := decide(cfg, req, testNow) // warms the cache and the memo
	if !d.Allow {
		b.Fatalf("denied: %s", d.Description)
	}
	rawPath, query := splitTarget(req.Target)
	path, _ := normalizePath(rawPath)
	ri := firstMatch(cfg.rules, req.Method, path)
	ru := &cfg.rules[ri]
	found := extractTokens(nil, ru.sources, req.Headers, query)
	if len(found) != 1 {
		b.Fatalf("found %d tokens", len(found))
	}
	claims, ok := cfg.cache.Get(found[0].token, testNow)
	if !ok {
		b.Fatal("cache miss")
	}
	owner := providerOf(ru.accepts[found[0].source], claims.VerifiedBy())

	b.Run("normalizePath", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := normalizePath(rawPath); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("firstMatch", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if firstMatch(cfg.rules, req.Method, path) != ri {
				b.Fatal("other rule")
			}
		}
	})
	b.Run("extractTokens", func(b *testing.B) {
		var buf [2]foundToken
		for i := 0; i < b.N; i++ {
			if len(extractTokens(buf[:0], ru.sources, req.Headers, query)) != 1 {
				b.Fatal("no token")
			}
		}
	})
	b.Run("cacheGet", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, ok := cfg.cache.Get(found[0].token, testNow); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("memo", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := cfg.memo.authorize(ri, ru, claims); err != nil {
				b.Fatal(err)
			}
			if _, bad := cfg.memo.get(owner, claims, found[0].token); bad != "" {
				b.Fatal(bad)
			}
		}
	})
	b.Run("strip", func(b *testing.B) {
		owners := []*provider{owner}
		for i := 0; i < b.N; i++ {
			d := Decision{Remove: cfg.setHeaders[:len(cfg.setHeaders):len(cfg.setHeaders)]}
			d.strip(ru, cfg.setHeaders, found, owners, req.Headers, query)
		}
	})
	b.Run("verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var d Decision
			if _, _, err := d.verify(cfg, ru, &found[0], testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("target", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, q := splitTarget(req.Target)
			if hasControl(q) {
				b.Fatal("control")
			}
		}
	})
	b.Run("tail", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d := Decision{RuleIndex: -1, Remove: cfg.setHeaders[:len(cfg.setHeaders):len(cfg.setHeaders)]}
			d.setPath(req.Target, path, query)
			d = d.withUpstream(cfg, req.Method, path, testNow)
			if d.RuleIndex != -1 {
				b.Fatal("changed")
			}
		}
	})
}
