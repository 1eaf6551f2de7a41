package jwtcore

import (
	"strings"
	"testing"
	"time"
)

func utTrusted(t *testing.T, p Policy) *Verifier {
	t.Helper()
	v, err := NewTrustedClaimsVerifier(p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// utDistinct returns n different audience names.
func utDistinct(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "aud-" + strings.Repeat("x", i)
	}
	return out
}

func TestNewTrustedClaimsVerifier(t *testing.T) {
	tests := []struct {
		name    string
		p       Policy
		wantErr string
	}{
		{name: "plain", p: Policy{Name: "opaque", Issuers: []string{"i"}, Audiences: []string{"a", "a"}, Leeway: DefaultLeeway}},
		{name: "algorithms", p: Policy{Algorithms: []Alg{RS256}}, wantErr: "algorithms given"},
		{name: "cache", p: Policy{Cache: NewCache(1, 1024, 0)}, wantErr: "cache"},
		{name: "negative leeway", p: Policy{Leeway: -1}, wantErr: "negative"},
		{name: "too many audiences", p: Policy{Audiences: utDistinct(65)}, wantErr: "64 audiences"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewTrustedClaimsVerifier(tt.p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Trusted() || v.Name() != tt.p.Name || v.Keys().Len() != 0 {
				t.Errorf("Trusted %v Name %q keys %d", v.Trusted(), v.Name(), v.Keys().Len())
			}
		})
	}
}

func TestVerifier_ClaimsFromTrustedJSON(t *testing.T) {
	n := utNow.Unix()
	std := utStd()
	tests := []struct {
		name   string
		policy Policy // Issuers/Audiences/Leeway of utPolicy unless changed here
		doc    string // "" means utJSON(std)
		claims utClaims
		at     time.Duration // offset from utNow
		want   *Reason
	}{
		{name: "valid", claims: std},
		{name: "no time claims", claims: std.with("exp", nil, "nbf", nil, "iat", nil)},
		{name: "exp required", policy: Policy{AllowMissingExp: false}, claims: std.with("exp", nil), want: ErrClaimMalformed},
		{name: "expired", claims: std.with("exp", n-61), want: ErrTokenExpired},
		{name: "expired within leeway", claims: std.with("exp", n-59)},
		{name: "at exp plus leeway", claims: std.with("exp", n), at: DefaultLeeway, want: ErrTokenExpired},
		{name: "not yet valid", claims: std.with("nbf", n+61), want: ErrTokenNotYetValid},
		{name: "issued in future", claims: std.with("iat", n+61), want: ErrTokenIssuedInFuture},
		{name: "exp a string", claims: std.with("exp", "soon"), want: ErrClaimMalformed},
		{name: "wrong issuer", claims: std.with("iss", "https://evil.example/"), want: ErrIssuerNotAllowed},
		{name: "missing issuer", claims: std.with("iss", nil), want: ErrIssuerNotAllowed},
		{name: "issuer not a string", claims: std.with("iss", 7), want: ErrClaimMalformed},
		{name: "wrong audience", claims: std.with("aud", []string{"other"}), want: ErrAudienceNotAllowed},
		{name: "audience array", claims: std.with("aud", []string{"other", "api"})},
		{name: "audience not checked", policy: Policy{Audiences: []string{}}, claims: std.with("aud", nil)},
		{name: "lifetime too long", policy: Policy{MaxLifetime: time.Minute}, claims: std, want: ErrTokenLifetimeTooLong},
		{name: "not json", doc: `{"active":true,`, want: ErrTokenMalformed},
		{name: "not an object", doc: `[1]`, want: ErrTokenMalformed},
		{name: "duplicate member", doc: `{"iss":"https://issuer.example/","aud":"api","iss":"x"}`, want: ErrTokenMalformed},
		{name: "nested duplicate", doc: `{"iss":"https://issuer.example/","aud":"api","x":{"a":1,"a":2}}`, want: ErrTokenMalformed},
		{name: "invalid utf-8", doc: "{\"iss\":\"https://issuer.example/\",\"aud\":\"api\",\"x\":\"\xff\"}", want: ErrTokenMalformed},
		{name: "too deep", doc: `{"iss":"https://issuer.example/","aud":"api","x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, want: ErrTokenMalformed},
		{name: "too large", doc: `{"iss":"https://issuer.example/","aud":"api","x":"` + strings.Repeat("a", MaxTrustedClaimsBytes) + `"}`, want: ErrTokenTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{Issuers: []string{"https://issuer.example/"}, Audiences: []string{"api"},
				Leeway: DefaultLeeway, AllowMissingExp: true, Name: "opaque"}
			if tt.name == "exp required" {
				p.AllowMissingExp = false
			}
			if tt.policy.Audiences != nil {
				p.Audiences = tt.policy.Audiences
			}
			p.MaxLifetime = tt.policy.MaxLifetime
			v := utTrusted(t, p)
			doc := tt.doc
			if doc == "" {
				doc = utJSON(t, tt.claims)
			}
			c, err := v.ClaimsFromTrustedJSON([]byte(doc), utNow.Add(tt.at))
			utWantReason(t, err, tt.want)
			if tt.want != nil {
				return
			}
			if c.VerifiedBy() != v || c.KeyID() != "" || string(c.Raw()) != doc {
				t.Errorf("claims: verifier %p (want %p), kid %q, raw %s", c.VerifiedBy(), v, c.KeyID(), c.Raw())
			}
			if exp, ok := tt.claims["exp"]; ok {
				if c.Expiry().Unix() != exp.(int64) {
					t.Errorf("Expiry %v, want %v", c.Expiry().Unix(), exp)
				}
			} else if !c.Expiry().IsZero() {
				t.Errorf("Expiry %v, want zero", c.Expiry())
			}
		})
	}
}

// The claims view of trusted claims supports the same scope, rule and Get operations as a JWT's.
func TestVerifier_ClaimsFromTrustedJSON_view(t *testing.T) {
	v := utTrusted(t, Policy{ScopeClaim: "permissions", AllowMissingExp: true})
	doc := []byte(`{"sub":"u1","permissions":["read","write"],"scope":"none","org":{"id":"42"}}`)
	c, err := v.ClaimsFromTrustedJSON(doc, utNow)
	if err != nil {
		t.Fatal(err)
	}
	doc[2] = 'X' // the claims keep their own copy
	if c.Subject() != "u1" || c.Get("org.id").Str != "42" {
		t.Errorf("Subject %q org.id %q", c.Subject(), c.Get("org.id").Str)
	}
	utWantReason(t, c.RequireScopes([]string{"write", "read"}), nil)
	utWantReason(t, c.RequireScopes([]string{"none"}), ErrInsufficientScope)
	utWantReason(t, ClaimRule{Path: "org.id", Op: RuleEquals, Values: []string{"42"}}.Check(c), nil)
	utWantReason(t, ClaimRule{Path: "org.id", Op: RuleEquals, Values: []string{"43"}}.Check(c), ErrClaimRuleFailed)
}

// A trusted-claims verifier never accepts a JWS, and a keyed verifier never accepts trusted claims.
func TestVerifier_ClaimsFromTrustedJSON_separation(t *testing.T) {
	trusted := utTrusted(t, Policy{AllowMissingExp: true})
	tok := utToken(t, HS256, "", utStd())
	_, err := trusted.Verify(tok, utNow)
	utWantReason(t, err, ErrAlgNotAllowed)

	keyed := utVerifier(t, utAllKeysJWKS(t), utPolicy(HS256))
	_, err = keyed.ClaimsFromTrustedJSON([]byte(utJSON(t, utStd())), utNow)
	utWantReason(t, err, ErrKeyNotFound)
	if keyed.Trusted() {
		t.Error("keyed verifier reports Trusted")
	}
}
