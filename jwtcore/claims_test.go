package jwtcore

import (
	"testing"
	"time"
)

// utClaimsOf verifies an HS256 token carrying c (plus exp) under policy p and returns its claims.
func utClaimsOf(t *testing.T, p Policy, c utClaims) *Claims {
	t.Helper()
	p.Algorithms = []Alg{HS256}
	v := utVerifier(t, utAllKeysJWKS(t), p)
	cl, err := v.Verify(utToken(t, HS256, "", c.with("exp", utNow.Unix()+600)), utNow)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestClaims_RequireScopes(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		claims   utClaims
		required []string
		want     *Reason
	}{
		{name: "scope string has it", claims: utClaims{"scope": "read write"}, required: []string{"read"}},
		{name: "scope string all", claims: utClaims{"scope": "read write admin"}, required: []string{"admin", "read"}},
		{name: "readonly does not grant read", claims: utClaims{"scope": "readonly"}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "read:myapp does not grant read", claims: utClaims{"scope": "read:myapp write"}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "read does not grant read:myapp", claims: utClaims{"scope": "read"}, required: []string{"read:myapp"}, want: ErrInsufficientScope},
		{name: "prefix of a word", claims: utClaims{"scope": "reader"}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "double spaces", claims: utClaims{"scope": "  write   read  "}, required: []string{"read"}},
		{name: "tab is not a separator", claims: utClaims{"scope": "write\tread"}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "one of two missing", claims: utClaims{"scope": "read"}, required: []string{"read", "write"}, want: ErrInsufficientScope},
		{name: "case sensitive", claims: utClaims{"scope": "READ"}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "no requirement", claims: utClaims{}, required: nil},
		{name: "no scope claim", claims: utClaims{}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "empty required scope", claims: utClaims{"scope": "read"}, required: []string{""}, want: ErrInsufficientScope},
		{name: "required with space", claims: utClaims{"scope": "a b"}, required: []string{"a b"}, want: ErrInsufficientScope},
		{name: "scope array is malformed", claims: utClaims{"scope": []string{"read"}}, required: []string{"read"}, want: ErrClaimMalformed},
		{name: "scope number", claims: utClaims{"scope": 1}, required: []string{"read"}, want: ErrClaimMalformed},
		{name: "scope wins over scp", claims: utClaims{"scope": "write", "scp": "read"}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "scp string", claims: utClaims{"scp": "write read"}, required: []string{"read"}},
		{name: "scp array", claims: utClaims{"scp": []string{"write", "read"}}, required: []string{"read", "write"}},
		{name: "scp array whole elements", claims: utClaims{"scp": []string{"readonly", "read:x"}}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "scp array element with space", claims: utClaims{"scp": []string{"read write"}}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "scp array with number", claims: utClaims{"scp": []any{"read", 1}}, required: []string{"read"}, want: ErrClaimMalformed},
		{name: "scp object", claims: utClaims{"scp": map[string]any{"read": true}}, required: []string{"read"}, want: ErrClaimMalformed},
		{name: "configured path array", path: "permissions", claims: utClaims{"permissions": []string{"read:users", "read"}, "scope": "none"}, required: []string{"read"}},
		{name: "configured path replaces scope", path: "permissions", claims: utClaims{"scope": "read"}, required: []string{"read"}, want: ErrInsufficientScope},
		{name: "configured nested path", path: "realm_access.roles", claims: utClaims{"realm_access": map[string]any{"roles": []string{"admin"}}}, required: []string{"admin"}},
		{name: "configured path string", path: "perms", claims: utClaims{"perms": "a b"}, required: []string{"b"}},
		{name: "configured path bool", path: "perms", claims: utClaims{"perms": true}, required: []string{"b"}, want: ErrClaimMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := utClaimsOf(t, Policy{ScopeClaim: tt.path}, tt.claims)
			err := c.RequireScopes(tt.required)
			if tt.want == nil && err != nil {
				t.Fatalf("unexpected %v", err)
			}
			if tt.want != nil {
				utWantReason(t, err, tt.want)
			}
		})
	}
}

func TestClaims_RequireScopes_DetailNamesScope(t *testing.T) {
	c := utClaimsOf(t, Policy{}, utClaims{"scope": "read"})
	err := c.RequireScopes([]string{"read", "write"})
	e, ok := err.(*Error)
	if !ok || e.Detail != "scope write" {
		t.Fatalf("err = %#v", err)
	}
}

func TestClaims_Scopes(t *testing.T) {
	c := utClaimsOf(t, Policy{}, utClaims{"scope": " a  b "})
	got, err := c.Scopes()
	if err != nil || len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("Scopes = %q, %v", got, err)
	}
	c = utClaimsOf(t, Policy{}, utClaims{"scp": []string{"x"}})
	if got, err := c.Scopes(); err != nil || len(got) != 1 || got[0] != "x" {
		t.Fatalf("Scopes = %q, %v", got, err)
	}
	c = utClaimsOf(t, Policy{}, utClaims{})
	if got, err := c.Scopes(); err != nil || got != nil {
		t.Fatalf("Scopes = %q, %v", got, err)
	}
}

func TestClaimRule_Check(t *testing.T) {
	c := utClaimsOf(t, Policy{}, utClaims{
		"tenant": "acme", "tier": "gold", "level": 3, "admin": true, "nothing": nil,
		"groups": []any{"dev", "ops", 7}, "amr": "pwd mfa", "email": "a@corp.example",
		"org": map[string]any{"id": "o1", "roles": []string{"owner"}},
	})
	tests := []struct {
		name string
		rule ClaimRule
		want *Reason
	}{
		{name: "equals string", rule: ClaimRule{Path: "tenant", Op: RuleEquals, Values: []string{"acme"}}},
		{name: "equals mismatch", rule: ClaimRule{Path: "tenant", Op: RuleEquals, Values: []string{"ACME"}}, want: ErrClaimRuleFailed},
		{name: "equals number text", rule: ClaimRule{Path: "level", Op: RuleEquals, Values: []string{"3"}}},
		{name: "equals bool text", rule: ClaimRule{Path: "admin", Op: RuleEquals, Values: []string{"true"}}},
		{name: "equals nested", rule: ClaimRule{Path: "org.id", Op: RuleEquals, Values: []string{"o1"}}},
		{name: "equals missing", rule: ClaimRule{Path: "nope", Op: RuleEquals, Values: []string{"x"}}, want: ErrClaimRuleFailed},
		{name: "equals on array", rule: ClaimRule{Path: "groups", Op: RuleEquals, Values: []string{"dev"}}, want: ErrClaimMalformed},
		{name: "equals on object", rule: ClaimRule{Path: "org", Op: RuleEquals, Values: []string{"o1"}}, want: ErrClaimMalformed},
		{name: "equals on null", rule: ClaimRule{Path: "nothing", Op: RuleEquals, Values: []string{"null"}}, want: ErrClaimMalformed},
		{name: "one_of hit", rule: ClaimRule{Path: "tier", Op: RuleOneOf, Values: []string{"silver", "gold"}}},
		{name: "one_of miss", rule: ClaimRule{Path: "tier", Op: RuleOneOf, Values: []string{"silver", "bronze"}}, want: ErrClaimRuleFailed},
		{name: "contains array element", rule: ClaimRule{Path: "groups", Op: RuleContains, Values: []string{"ops"}}},
		{name: "contains array number", rule: ClaimRule{Path: "groups", Op: RuleContains, Values: []string{"7"}}},
		{name: "contains array miss", rule: ClaimRule{Path: "groups", Op: RuleContains, Values: []string{"de"}}, want: ErrClaimRuleFailed},
		{name: "contains word", rule: ClaimRule{Path: "amr", Op: RuleContains, Values: []string{"mfa"}}},
		{name: "contains partial word", rule: ClaimRule{Path: "amr", Op: RuleContains, Values: []string{"mf"}}, want: ErrClaimRuleFailed},
		{name: "contains nested array", rule: ClaimRule{Path: "org.roles", Op: RuleContains, Values: []string{"owner"}}},
		{name: "contains on number", rule: ClaimRule{Path: "level", Op: RuleContains, Values: []string{"3"}}, want: ErrClaimMalformed},
		{name: "prefix hit", rule: ClaimRule{Path: "email", Op: RulePrefix, Values: []string{"a@"}}},
		{name: "prefix miss", rule: ClaimRule{Path: "email", Op: RulePrefix, Values: []string{"b@"}}, want: ErrClaimRuleFailed},
		{name: "prefix on number", rule: ClaimRule{Path: "level", Op: RulePrefix, Values: []string{"3"}}, want: ErrClaimMalformed},
		{name: "exists", rule: ClaimRule{Path: "tenant", Op: RuleExists}},
		{name: "exists null", rule: ClaimRule{Path: "nothing", Op: RuleExists}},
		{name: "exists missing", rule: ClaimRule{Path: "nope", Op: RuleExists}, want: ErrClaimRuleFailed},
		{name: "invalid op never passes", rule: ClaimRule{Path: "tenant", Values: []string{"acme"}}, want: ErrClaimRuleFailed},
		{name: "no value never passes", rule: ClaimRule{Path: "tenant", Op: RuleEquals}, want: ErrClaimRuleFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Check(c)
			if tt.want == nil && err != nil {
				t.Fatalf("unexpected %v", err)
			}
			if tt.want != nil {
				utWantReason(t, err, tt.want)
				if e := err.(*Error); e.Detail == "" || e.Detail[:len(tt.rule.Path)] != tt.rule.Path {
					t.Fatalf("detail %q does not name the path", e.Detail)
				}
			}
		})
	}
}

func TestParseRuleOp(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want RuleOp
		ok   bool
	}{
		{name: "equals", in: "equals", want: RuleEquals, ok: true},
		{name: "one_of", in: "one_of", want: RuleOneOf, ok: true},
		{name: "contains", in: "contains", want: RuleContains, ok: true},
		{name: "prefix", in: "prefix", want: RulePrefix, ok: true},
		{name: "exists", in: "exists", want: RuleExists, ok: true},
		{name: "unknown", in: "regex"},
		{name: "case", in: "Equals"},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRuleOp(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("ParseRuleOp(%q) = %v,%v", tt.in, got, ok)
			}
			if ok && got.String() != tt.in {
				t.Fatalf("String() = %q", got.String())
			}
		})
	}
}

func TestClaimRule_Validate(t *testing.T) {
	tests := []struct {
		name string
		rule ClaimRule
		ok   bool
	}{
		{name: "ok", rule: ClaimRule{Path: "a", Op: RuleEquals, Values: []string{"x"}}, ok: true},
		{name: "exists needs no value", rule: ClaimRule{Path: "a", Op: RuleExists}, ok: true},
		{name: "empty path", rule: ClaimRule{Op: RuleExists}},
		{name: "zero op", rule: ClaimRule{Path: "a"}},
		{name: "no values", rule: ClaimRule{Path: "a", Op: RuleOneOf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.rule.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}

func TestClaims_Accessors(t *testing.T) {
	c := utClaimsOf(t, Policy{Name: "p1"}, utClaims{"iss": "https://i/", "sub": "s", "n": 5})
	if c.Issuer() != "https://i/" || c.Subject() != "s" || c.Get("n").Int() != 5 {
		t.Fatalf("accessors: %q %q %v", c.Issuer(), c.Subject(), c.Get("n"))
	}
	if !c.Expiry().Equal(utNow.Add(600 * time.Second)) {
		t.Fatalf("Expiry = %v", c.Expiry())
	}
	if c.VerifiedBy().Name() != "p1" || c.KeyID() != "oct" {
		t.Fatalf("VerifiedBy=%q KeyID=%q", c.VerifiedBy().Name(), c.KeyID())
	}
	if string(c.Raw()) != c.str {
		t.Fatal("Raw and the gjson view differ")
	}
	v := utVerifier(t, utAllKeysJWKS(t), Policy{Algorithms: []Alg{HS256}, AllowMissingExp: true})
	c2, err := v.Verify(utToken(t, HS256, "", utClaims{"sub": "x"}), utNow)
	if err != nil {
		t.Fatal(err)
	}
	if !c2.Expiry().IsZero() {
		t.Fatal("Expiry without exp is not zero")
	}
}
