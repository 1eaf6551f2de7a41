package peer

import (
	"testing"
	"time"
)

func TestAnalyze(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	enc := func(h, p string) string { return B64([]byte(h)) + "." + B64([]byte(p)) + ".c2ln" }
	bearer := func(tok string) [][2]string { return [][2]string{{"Authorization", "Bearer " + tok}} }
	tests := []struct {
		name   string
		req    Request
		check  func(Facts) bool
		expect bool
	}{
		{name: "duplicate top-level member", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256"}`, `{"iss":"a","iss":"b"}`))},
			check: func(f Facts) bool { return f.DuplicateMember }, expect: true},
		{name: "duplicate nested member", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256"}`, `{"a":{"x":1,"y":[{"z":1,"z":2}]}}`))},
			check: func(f Facts) bool { return f.DuplicateMember }, expect: true},
		{name: "same name at two levels is no duplicate", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256"}`, `{"iss":"a","x":{"iss":"b"},"y":[{"iss":1},{"iss":2}]}`))},
			check: func(f Facts) bool { return f.DuplicateMember }, expect: false},
		{name: "duplicate in header", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256","alg":"none"}`, `{}`))},
			check: func(f Facts) bool { return f.DuplicateMember }, expect: true},
		{name: "escaped duplicate", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256","\u0061lg":"none"}`, `{}`))},
			check: func(f Facts) bool { return f.DuplicateMember && f.JSONEscape }, expect: true},
		{name: "canonical base64", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256"}`, `{"a":1}`) + ".QQ")},
			check: func(f Facts) bool { return f.NonCanonicalBase64 }, expect: false},
		{name: "non-zero padding bits", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256"}`, `{"a":1}`) + ".QR")},
			check: func(f Facts) bool { return f.NonCanonicalBase64 }, expect: true},
		{name: "exp inside the skew", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{"exp":1799999980}`))},
			check: func(f Facts) bool { return f.ExpInLeeway && !f.ExpNotNumber }, expect: true},
		{name: "exp beyond the skew", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{"exp":1799999900}`))},
			check: func(f Facts) bool { return f.ExpInLeeway }, expect: false},
		{name: "exp in the future", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{"exp":1800000001}`))},
			check: func(f Facts) bool { return f.ExpInLeeway }, expect: false},
		{name: "exp string", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{"exp":"1800003600"}`))},
			check: func(f Facts) bool { return f.ExpNotNumber }, expect: true},
		{name: "exp missing", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{}`))},
			check: func(f Facts) bool { return f.ExpNotNumber }, expect: true},
		{name: "nbf and iat in the future", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{"nbf":1800000100,"iat":1800000100}`))},
			check: func(f Facts) bool { return f.NbfFuture && f.IatFuture }, expect: true},
		{name: "aud array", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{"aud": ["x"]}`))},
			check: func(f Facts) bool { return f.AudArray }, expect: true},
		{name: "crit", req: Request{Method: "GET", Headers: bearer(enc(`{"alg":"RS256","crit":["x"]}`, `{}`))},
			check: func(f Facts) bool { return f.Crit }, expect: true},
		{name: "readonly grants no read", req: Request{Method: "GET", Headers: bearer(enc(`{}`, `{"scope":"readonly"}`))},
			check: func(f Facts) bool { return f.ScopeSubstringOnly }, expect: true},
		{name: "read among words", req: Request{Method: "HEAD", Headers: bearer(enc(`{}`, `{"scope":"readonly read"}`))},
			check: func(f Facts) bool { return f.ScopeSubstringOnly }, expect: false},
		{name: "rewrite on POST", req: Request{Method: "POST", Headers: bearer(enc(`{}`, `{"scope":"rewrite"}`))},
			check: func(f Facts) bool { return f.ScopeSubstringOnly }, expect: true},
		{name: "dot segments", req: Request{Method: "GET", Target: "/health/../api"},
			check: func(f Facts) bool { return f.PathNotNormal }, expect: true},
		{name: "plain path", req: Request{Method: "GET", Target: "/api/items?x=/../"},
			check: func(f Facts) bool { return f.PathNotNormal }, expect: false},
		{name: "two spaces after the scheme", req: Request{Method: "GET", Headers: [][2]string{{"authorization", "Bearer  a.b.c"}}},
			check: func(f Facts) bool { return f.ExtraSpaceAfterScheme && f.Token == "a.b.c" }, expect: true},
		{name: "no credential", req: Request{Method: "GET", Headers: [][2]string{{"Authorization", "Bearer"}}},
			check: func(f Facts) bool { return f.Token == "" && !f.ExpNotNumber }, expect: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.check(Analyze(tt.req, now, ClockSkew*time.Second)); got != tt.expect {
				t.Errorf("got %v, want %v; facts %+v", got, tt.expect, Analyze(tt.req, now, ClockSkew*time.Second))
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		f         Facts
		tg, hp    Decision
		wantAgree bool
		wantRules []string
	}{
		{name: "agree allow", tg: Allow, hp: Allow, wantAgree: true},
		{name: "agree deny with a fact", f: Facts{NbfFuture: true}, tg: Deny, hp: Deny, wantAgree: true},
		{name: "explained", f: Facts{NbfFuture: true}, tg: Deny, hp: Allow, wantRules: []string{"haproxy-ignores-nbf"}},
		{name: "fact holds, wrong direction", f: Facts{NbfFuture: true}, tg: Allow, hp: Deny},
		{name: "no fact", tg: Allow, hp: Deny},
		{name: "two rules", f: Facts{DuplicateMember: true, Crit: true}, tg: Deny, hp: Allow,
			wantRules: []string{"tokengate-rejects-duplicate-members", "tokengate-rejects-crit"}},
		{name: "path rule picks the direction", f: Facts{PathNotNormal: true}, tg: Allow, hp: Deny,
			wantRules: []string{"tokengate-path-normalized-open"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agree, rules := Classify(tt.f, tt.tg, tt.hp)
			if agree != tt.wantAgree || len(rules) != len(tt.wantRules) {
				t.Fatalf("got %v %v, want %v %v", agree, rules, tt.wantAgree, tt.wantRules)
			}
			for i := range rules {
				if rules[i] != tt.wantRules[i] {
					t.Errorf("rule %d = %s, want %s", i, rules[i], tt.wantRules[i])
				}
			}
		})
	}
}

// TestCorpus_Size keeps the corpus above the brief's minimum and its names unique.
func TestCorpus_Size(t *testing.T) {
	k, err := NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	reqs := Corpus(k, Policy{RSIssuer: "https://i/", HSIssuer: "h", Audience: "a", PublicKeyPEM: k.PublicPEM(), HMACSecret: k.HMAC}, time.Now())
	if len(reqs) < 200 {
		t.Fatalf("%d requests, want >= 200", len(reqs))
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.Name] {
			t.Errorf("duplicate case name %q", r.Name)
		}
		seen[r.Name] = true
	}
}
