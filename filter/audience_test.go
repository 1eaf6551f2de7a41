package filter

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// Test_decide_audienceMatch: "audience_match": "all" needs every configured audience in the
// token's aud; the default ("any") needs one. An unknown mode fails the plugin start, naming the field.
func Test_decide_audienceMatch(t *testing.T) {
	secret := []byte("audience-test-secret-0123456789abcdef")
	key, err := jwtmint.NewKey("HS256", secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	config := func(mode string) string {
		m := ""
		if mode != "" {
			m = `"audience_match": "` + mode + `", `
		}
		return `{"providers": {"p": {"issuer": "https://i.example", "audiences": ["api", "billing"], ` + m +
			`"hmac_secret_base64": "` + base64.StdEncoding.EncodeToString(secret) + `"}},
		  "rules": [{"match": {"prefix": "/"}, "require": {"provider": "p"}}]}`
	}
	token := func(aud string) string {
		tok, err := key.SignJWT("", []byte(`{"iss":"https://i.example","aud":`+aud+`,"exp":1800000600}`))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name     string
		mode     string
		aud      string
		wantCode string // "" = allowed
	}{
		{name: "any (default): one of two", mode: "", aud: `"api"`},
		{name: "any (explicit): one of two", mode: "any", aud: `["other","billing"]`},
		{name: "any: none", mode: "any", aud: `["other"]`, wantCode: "audience_not_allowed"},
		{name: "all: both", mode: "all", aud: `["billing","api","other"]`},
		{name: "all: only one", mode: "all", aud: `["api"]`, wantCode: "audience_not_allowed"},
		{name: "all: string with one", mode: "all", aud: `"api"`, wantCode: "audience_not_allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(config(tc.mode)))
			if err != nil {
				t.Fatal(err)
			}
			tok := token(tc.aud)
			d := decide(cfg, &Request{Method: "GET", Target: "/x", Headers: [][2]string{
				{":method", "GET"}, {":path", "/x"}, {"authorization", "Bearer " + tok}}}, now)
			switch {
			case tc.wantCode == "" && !d.Allow:
				t.Fatalf("denied with %s, want allowed", d.Reason.code)
			case tc.wantCode != "" && d.Allow:
				t.Fatalf("allowed, want %s", tc.wantCode)
			case tc.wantCode != "" && d.Reason.code != tc.wantCode:
				t.Fatalf("denied with %s, want %s", d.Reason.code, tc.wantCode)
			}
		})
	}
	t.Run("unknown mode", func(t *testing.T) {
		_, err := parseConfig([]byte(config("most")))
		if err == nil || err.Error() != `providers.p.audience_match: must be "any" or "all", not "most"` {
			t.Fatalf("err = %v", err)
		}
	})
}
