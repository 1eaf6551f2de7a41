package jwtcore

import (
	"errors"
	"testing"
)

func TestParseAlg(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Alg
		ok   bool
	}{
		{name: "HS256", in: "HS256", want: HS256, ok: true},
		{name: "RS256", in: "RS256", want: RS256, ok: true},
		{name: "PS512", in: "PS512", want: PS512, ok: true},
		{name: "ES512", in: "ES512", want: ES512, ok: true},
		{name: "EdDSA", in: "EdDSA", want: EdDSA, ok: true},
		{name: "none", in: "none"},
		{name: "None", in: "None"},
		{name: "NONE", in: "NONE"},
		{name: "lower hs256", in: "hs256"},
		{name: "eddsa lower", in: "eddsa"},
		{name: "Ed25519 is a curve, not an alg", in: "Ed25519"},
		{name: "trailing space", in: "HS256 "},
		{name: "empty", in: ""},
		{name: "RSA-OAEP (JWE)", in: "RSA-OAEP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAlg(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("ParseAlg(%q) = %v,%v want %v,%v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestAlg_String(t *testing.T) {
	for _, a := range AllAlgs() {
		back, ok := ParseAlg(a.String())
		if !ok || back != a {
			t.Errorf("round trip of %v failed", a)
		}
	}
	if got := Alg(0).String(); got != "Alg(0)" {
		t.Errorf("Alg(0).String() = %q", got)
	}
	if len(AllAlgs()) != 13 {
		t.Errorf("AllAlgs has %d entries, want 13", len(AllAlgs()))
	}
}

func TestAlg_kind(t *testing.T) {
	tests := []struct {
		name string
		alg  Alg
		want keyKind
	}{
		{name: "HS384", alg: HS384, want: kindOct},
		{name: "RS512", alg: RS512, want: kindRSA},
		{name: "PS256", alg: PS256, want: kindRSA},
		{name: "ES256", alg: ES256, want: kindP256},
		{name: "ES384", alg: ES384, want: kindP384},
		{name: "ES512", alg: ES512, want: kindP521},
		{name: "EdDSA", alg: EdDSA, want: kindEd25519},
		{name: "invalid", alg: Alg(99), want: kindNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.alg.kind(); got != tt.want {
				t.Fatalf("kind = %v want %v", got, tt.want)
			}
		})
	}
}

func TestReasons(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Reasons() {
		if seen[r.Code()] {
			t.Errorf("duplicate code %q", r.Code())
		}
		seen[r.Code()] = true
		for _, c := range r.Code() {
			if !(c >= 'a' && c <= 'z' || c == '_') {
				t.Errorf("code %q is not snake_case", r.Code())
			}
		}
		if r.Message() == "" || r.Error() != "jwt: "+r.Message() {
			t.Errorf("bad message for %q: %q", r.Code(), r.Error())
		}
	}
	for _, code := range []string{"token_missing", "token_malformed", "token_too_large", "alg_not_allowed",
		"key_not_found", "signature_invalid", "issuer_not_allowed", "audience_not_allowed", "token_expired",
		"token_not_yet_valid", "token_issued_in_future", "token_lifetime_too_long", "claim_malformed",
		"insufficient_scope", "claim_rule_failed"} {
		if !seen[code] {
			t.Errorf("vocabulary lacks %q", code)
		}
	}
	r := Reasons()
	r[0] = nil
	if Reasons()[0] == nil {
		t.Error("Reasons returns the internal slice")
	}
}

func TestError_Error(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{name: "with detail", err: &Error{Reason: ErrTokenExpired, Detail: "exp"}, want: "jwt: token is expired [exp]"},
		{name: "no detail", err: &Error{Reason: ErrTokenMissing}, want: "jwt: token is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
			if !errors.Is(tt.err, tt.err.Reason) {
				t.Fatal("errors.Is does not see the reason")
			}
			if ReasonOf(tt.err) != tt.err.Reason {
				t.Fatal("ReasonOf mismatch")
			}
		})
	}
	if ReasonOf(errors.New("other")) != nil {
		t.Fatal("ReasonOf(foreign error) != nil")
	}
	if errors.Is(errExpired, ErrTokenNotYetValid) {
		t.Fatal("an error matches a reason it does not wrap")
	}
}
