package filter

import (
	"testing"

	"github.com/tidwall/gjson"
)

func Test_formatClaim(t *testing.T) {
	payload := `{"sub":"user-1","n":1.50,"i":42,"t":true,"f":false,"nil":null,` +
		`"scopes":["read", "write"],"mixed":["a", 1],"empty":[],"obj":{ "a" : [1, 2], "b":"x y" },` +
		`"esc":"a\"b","uni":"caf\u00e9"}`
	tests := []struct {
		name, path, want string
		ok               bool
	}{
		{name: "string", path: "sub", want: "user-1", ok: true},
		{name: "number as written", path: "n", want: "1.50", ok: true},
		{name: "integer", path: "i", want: "42", ok: true},
		{name: "true", path: "t", want: "true", ok: true},
		{name: "false", path: "f", want: "false", ok: true},
		{name: "null sets nothing", path: "nil", ok: false},
		{name: "absent sets nothing", path: "nope", ok: false},
		{name: "array of strings joined", path: "scopes", want: "read,write", ok: true},
		{name: "mixed array compact json", path: "mixed", want: `["a",1]`, ok: true},
		{name: "empty array", path: "empty", want: "", ok: true},
		{name: "object compact json", path: "obj", want: `{"a":[1,2],"b":"x y"}`, ok: true},
		{name: "escaped string decoded", path: "esc", want: `a"b`, ok: true},
		{name: "unicode string decoded", path: "uni", want: "café", ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			have, ok := formatClaim(gjson.Get(payload, tc.path))
			equal(t, "ok", ok, tc.ok)
			equal(t, "value", have, tc.want)
		})
	}
}

func Test_validHeaderValue(t *testing.T) {
	tests := []struct {
		name string
		v    string
		want bool
	}{
		{name: "plain", v: "read write", want: true},
		{name: "tab", v: "a\tb", want: true},
		{name: "utf8", v: "café", want: true},
		{name: "empty", v: "", want: true},
		{name: "cr", v: "a\rb", want: false},
		{name: "lf", v: "a\nx-admin: 1", want: false},
		{name: "nul", v: "a\x00", want: false},
		{name: "other control", v: "a\x1b", want: false},
		{name: "del", v: "a\x7f", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			equal(t, "valid", validHeaderValue(tc.v), tc.want)
		})
	}
}

func Test_payloadHeaderValue(t *testing.T) {
	equal(t, "b64url", payloadHeaderValue([]byte(`{"a":"?>"}`)), "eyJhIjoiPz4ifQ")
}

// Test_provider_render: the payload header taken from the token's payload
// segment is what encoding the verified payload gives, for every seed token;
// a segment of the wrong size (not the token's) is not used.
func Test_provider_render(t *testing.T) {
	f := newTokens(t)
	cfg, err := parseConfig([]byte(mustJSON(t, seedConfig(t))))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		provider string
		token    string
	}{
		{name: "auth0 read", provider: auth0Issuer, token: f.auth0("read", nil)},
		{name: "auth0 read write", provider: auth0Issuer, token: f.auth0("read write", claims{"sub": "ü/\u2028?>"})},
		{name: "internal", provider: internalIssuer, token: f.internal(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := cfg.byIssuer[tc.provider]
			c, err := p.verifier.Verify(tc.token, testNow)
			if err != nil {
				t.Fatal(err)
			}
			want := p.render(c, "")
			equal(t, "from the segment", p.render(c, tc.token), want)
			equal(t, "wrong segment", p.render(c, "eyJ9.eyJ9.e30"), want)
			if p.payloadHeader != "" {
				equal(t, "segment", want.set[len(want.set)-1][1], payloadOf(tc.token))
			}
		})
	}
}
