package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// introspectionJSON is the example provider, as the tests' seed.
const introspectionJSON = `{
  "opaque": {
    "cluster": "idp", "uri": "https://idp.example.com/oauth2/introspect",
    "client_id": "gateway", "client_secret": "s3cr3t:+/ x", "auth_method": "client_secret_basic",
    "token_type_hint": "access_token", "timeout_ms": 2000,
    "cache_seconds": 60, "negative_cache_seconds": 5,
    "issuer": "https://idp.example.com/", "audiences": ["api"], "scope_claim": "scope",
    "token_from": [{"header": "Authorization", "prefix": "Bearer "}, {"query": "token"}, {"cookie": "session"}],
    "claim_to_headers": [{"claim": "sub", "header": "x-auth-sub"}]
  }
}`

func mustIntrospection(t *testing.T, doc string) *introspection {
	t.Helper()
	ins, err := parseIntrospections(gjson.Parse(doc), func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 {
		t.Fatalf("%d providers, want 1", len(ins))
	}
	return ins[0]
}

func Test_parseIntrospection(t *testing.T) {
	in := mustIntrospection(t, introspectionJSON)
	equal(t, "cluster", in.cluster, "idp")
	equal(t, "authority", in.target.authority, "idp.example.com")
	equal(t, "path", in.target.path, "/oauth2/introspect")
	equal(t, "client_id", in.clientID, "gateway")
	equal(t, "auth", in.auth, clientAuthBasic)
	equal(t, "hint", in.tokenTypeHint, "access_token")
	equal(t, "timeout", in.timeout, 2*time.Second)
	equal(t, "cache", in.cacheTTL, time.Minute)
	equal(t, "negative", in.negativeTTL, 5*time.Second)
	equal(t, "entries", in.cacheEntries, defaultIntrospectionEntries)
	p := in.provider
	equal(t, "name", p.name, "opaque")
	equal(t, "issuer", p.issuer, "https://idp.example.com/")
	equal(t, "sources", len(p.from), 3)
	equal(t, "claim headers", p.claimHeaders, []claimHeader{{claim: "sub", header: "x-auth-sub"}})
	if !p.verifier.Trusted() || p.verifier.Name() != "opaque" {
		t.Errorf("verifier: trusted %v name %q", p.verifier.Trusted(), p.verifier.Name())
	}

	min := mustIntrospection(t, `{"o":{"cluster":"c","uri":"http://idp:8080","client_id":"i","client_secret":"s"}}`)
	equal(t, "default auth", min.auth, clientAuthBasic)
	equal(t, "default path", min.target.path, "/")
	equal(t, "default authority", min.target.authority, "idp:8080")
	equal(t, "default hint", min.tokenTypeHint, "access_token")
	equal(t, "default timeout", min.timeout, 2*time.Second)
	equal(t, "default sources", min.provider.from, []tokenSource{defaultTokenSource})
	if min.provider.issuer != "" {
		t.Errorf("issuer %q, want none", min.provider.issuer)
	}
	if min.fingerprint == in.fingerprint {
		t.Error("different endpoints share a fingerprint")
	}
}

func Test_parseIntrospection_errors(t *testing.T) {
	base := `"cluster":"c","uri":"https://idp/i","client_id":"gw","client_secret":"TOPSECRET"`
	tests := []struct {
		name  string
		doc   string // the provider object's members after base ("" = base only)
		raw   string // the whole "introspection" value, when set
		taken string // a JWT provider name
		want  string
	}{
		{name: "not an object", raw: `[]`, want: "introspection: must be an object, not an array"},
		{name: "bad name", raw: `{"a b":{` + base + `}}`, want: `introspection.a b: provider names use only letters, digits, '-' and '_'`},
		{name: "name of a jwt provider", raw: `{"auth0":{` + base + `}}`, taken: "auth0",
			want: "introspection.auth0: providers.auth0 has the same name (rules name providers of both kinds)"},
		{name: "unknown field", doc: `,"secret":"x"`, want: "introspection.o.secret: unknown field"},
		{name: "no cluster", raw: `{"o":{"uri":"https://i/","client_id":"a","client_secret":"b"}}`, want: "introspection.o.cluster: is required"},
		{name: "no secret", raw: `{"o":{"cluster":"c","uri":"https://i/","client_id":"a"}}`, want: "introspection.o.client_secret: is required"},
		{name: "empty secret", raw: `{"o":{"cluster":"c","uri":"https://i/","client_id":"a","client_secret":""}}`, want: "introspection.o.client_secret: must not be empty"},
		{name: "long secret", raw: `{"o":{"cluster":"c","uri":"https://i/","client_id":"a","client_secret":"` + strings.Repeat("S", 1025) + `"}}`,
			want: "introspection.o.client_secret: is longer than 1024 bytes"},
		{name: "uri scheme", raw: `{"o":{"cluster":"c","uri":"ftp://i/","client_id":"a","client_secret":"b"}}`,
			want: "introspection.o.uri: must start with http:// or https://"},
		{name: "uri no host", raw: `{"o":{"cluster":"c","uri":"https:///x","client_id":"a","client_secret":"b"}}`,
			want: "introspection.o.uri: has no host"},
		{name: "uri fragment", raw: `{"o":{"cluster":"c","uri":"https://i/x#f","client_id":"a","client_secret":"b"}}`,
			want: "introspection.o.uri: must not hold a fragment"},
		{name: "uri userinfo", raw: `{"o":{"cluster":"c","uri":"https://u:p@i/x","client_id":"a","client_secret":"b"}}`,
			want: "introspection.o.uri: must not hold user info (use client_id and client_secret)"},
		{name: "auth method", doc: `,"auth_method":"private_key_jwt"`,
			want: `introspection.o.auth_method: must be "client_secret_basic" or "client_secret_post", not "private_key_jwt"`},
		{name: "timeout zero", doc: `,"timeout_ms":0`, want: "introspection.o.timeout_ms: must be between 1 and 60000, not 0"},
		{name: "cache negative", doc: `,"cache_seconds":-1`, want: "introspection.o.cache_seconds: must be between 0 and 86400, not -1"},
		{name: "negative cache too long", doc: `,"negative_cache_seconds":3601`, want: "introspection.o.negative_cache_seconds: must be between 0 and 3600, not 3601"},
		{name: "entries zero", doc: `,"cache_max_entries":0`, want: "introspection.o.cache_max_entries: must be between 1 and 65536, not 0"},
		{name: "hint not string", doc: `,"token_type_hint":1`, want: "introspection.o.token_type_hint: must be a string, not a number"},
		{name: "issuer empty", doc: `,"issuer":""`, want: "introspection.o.issuer: must not be empty"},
		{name: "reserved claim header", doc: `,"claim_to_headers":[{"claim":"sub","header":"authorization"}]`,
			want: `introspection.o.claim_to_headers[0].header: "authorization" cannot be set by the filter`},
		{name: "bad token_from", doc: `,"token_from":[]`, want: "introspection.o.token_from: must not be empty"},
		{name: "max token bytes", doc: `,"max_token_bytes":10`, want: "introspection.o.max_token_bytes: must be between 256 and 65536, not 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			if raw == "" {
				raw = `{"o":{` + base + tt.doc + `}}`
			}
			_, err := parseIntrospections(gjson.Parse(raw), func(n string) bool { return n == tt.taken })
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			equal(t, "error", err.Error(), tt.want)
			if strings.Contains(err.Error(), "TOPSECRET") || strings.Contains(err.Error(), "SSSS") {
				t.Errorf("error %q shows the client secret", err)
			}
		})
	}
}
