package filter

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/jwtcore"
)

// provider0 returns the named provider object of a seed config for editing.
func providerOf0(cfg map[string]any, name string) map[string]any {
	return cfg["providers"].(map[string]any)[name].(map[string]any)
}

func Test_parseConfig_errors(t *testing.T) {
	k := fixtureKeys(t)
	tests := []struct {
		name string
		raw  string                   // used when set, instead of editing the seed config
		edit func(cfg map[string]any) // edits a fresh seed config
		want string                   // the whole error text
	}{
		{name: "not json", raw: `{"providers": `, want: "configuration is not valid JSON"},
		{name: "not an object", raw: `[1]`, want: "must be an object, not an array"},
		{name: "unknown top-level field", edit: func(c map[string]any) { c["rulez"] = []any{} },
			want: "rulez: unknown field"},
		{name: "duplicate field", raw: `{"www_authenticate_realm":"a","www_authenticate_realm":"b","providers":{}}`,
			want: "www_authenticate_realm: duplicate field"},
		{name: "unknown provider field", edit: func(c map[string]any) { providerOf0(c, "auth0")["audience"] = "x" },
			want: "providers.auth0.audience: unknown field"},
		{name: "unknown rule field", edit: func(c map[string]any) {
			c["rules"].([]any)[1].(map[string]any)["requires"] = map[string]any{}
		}, want: "rules[1].requires: unknown field"},
		{name: "unknown match field", edit: func(c map[string]any) {
			c["rules"].([]any)[0].(map[string]any)["match"].(map[string]any)["path"] = "/x"
		}, want: "rules[0].match.path: unknown field"},
		{name: "unknown provider in rule", edit: func(c map[string]any) {
			c["rules"].([]any)[1].(map[string]any)["require"].(map[string]any)["provider"] = "auth1"
		}, want: `rules[1].require.provider: unknown provider "auth1"`},
		{name: "unknown provider in any", edit: func(c map[string]any) {
			c["rules"].([]any)[3].(map[string]any)["require"].(map[string]any)["any"] = []string{"auth0", "okta"}
		}, want: `rules[3].require.any[1]: unknown provider "okta"`},
		{name: "zero key sources", edit: func(c map[string]any) { delete(providerOf0(c, "auth0"), "public_key_pem") },
			want: "providers.auth0: needs one key source: public_key_pem, local_jwks, hmac_secret, hmac_secret_base64, remote_jwks"},
		{name: "two key sources", edit: func(c map[string]any) { providerOf0(c, "auth0")["hmac_secret"] = string(k.hmacSecret) },
			want: "providers.auth0.hmac_secret: a provider has exactly one key source, and public_key_pem is already given"},
		{name: "not a PEM block", edit: func(c map[string]any) { providerOf0(c, "auth0")["public_key_pem"] = "MIIBIjANBg..." },
			want: "providers.auth0.public_key_pem: "},
		{name: "RSA key under 2048 bits in PEM", edit: func(c map[string]any) { providerOf0(c, "auth0")["public_key_pem"] = pkcs1PEM(k.weak) },
			want: "providers.auth0.public_key_pem: "},
		{name: "RSA key under 2048 bits in JWKS", edit: func(c map[string]any) {
			providerOf0(c, "fusionauth")["local_jwks"] = map[string]any{"keys": []any{rsaJWK(k.weak, "weak")}}
		}, want: "providers.fusionauth.local_jwks: "},
		{name: "algorithm the key cannot do", edit: func(c map[string]any) { providerOf0(c, "auth0")["algorithms"] = []string{"RS256", "ES256"} },
			want: "providers.auth0.algorithms[1]: no key of this provider can verify ES256"},
		{name: "hmac algorithm on an rsa key", edit: func(c map[string]any) { providerOf0(c, "auth0")["algorithms"] = []string{"HS256"} },
			want: "providers.auth0.algorithms[0]: no key of this provider can verify HS256"},
		{name: "unknown algorithm", edit: func(c map[string]any) { providerOf0(c, "auth0")["algorithms"] = []string{"RS999"} },
			want: `providers.auth0.algorithms[0]: unknown or forbidden algorithm "RS999"`},
		{name: "alg none", edit: func(c map[string]any) { providerOf0(c, "auth0")["algorithms"] = []string{"none"} },
			want: `providers.auth0.algorithms[0]: unknown or forbidden algorithm "none"`},
		{name: "bad claim header name", edit: func(c map[string]any) {
			providerOf0(c, "auth0")["claim_to_headers"] = []any{map[string]any{"claim": "sub", "header": "x jwt sub"}}
		}, want: `providers.auth0.claim_to_headers[0].header: "x jwt sub" is not a valid header name`},
		{name: "header name with colon", edit: func(c map[string]any) { providerOf0(c, "auth0")["payload_header"] = ":path" },
			want: `providers.auth0.payload_header: ":path" is not a valid header name`},
		{name: "bad token_from header name", edit: func(c map[string]any) {
			providerOf0(c, "auth0")["token_from"] = []any{map[string]any{"header": "Author\nization"}}
		}, want: `providers.auth0.token_from[0].header: "Author\nization" is not a valid header name`},
		{name: "reserved header", edit: func(c map[string]any) { providerOf0(c, "auth0")["payload_header"] = "Host" },
			want: `providers.auth0.payload_header: "host" cannot be set by the filter`},
		{name: "claim header is a token header", edit: func(c map[string]any) {
			providerOf0(c, "auth0")["claim_to_headers"] = []any{map[string]any{"claim": "sub", "header": "X-Internal-Token"}}
		}, want: `providers.auth0.claim_to_headers[0].header: "x-internal-token" is a token_from header of providers.internal (header x-internal-token)`},
		{name: "claim header twice", edit: func(c map[string]any) {
			providerOf0(c, "auth0")["claim_to_headers"] = []any{map[string]any{"claim": "sub", "header": "x-a"}, map[string]any{"claim": "azp", "header": "X-A"}}
		}, want: `providers.auth0.claim_to_headers[1].header: "x-a" is already set by providers.auth0.claim_to_headers[0]`},
		{name: "token_from with two kinds", edit: func(c map[string]any) {
			providerOf0(c, "auth0")["token_from"] = []any{map[string]any{"header": "a", "query": "b"}}
		}, want: "providers.auth0.token_from[0]: needs exactly one of header, query, cookie"},
		{name: "prefix on a query source", edit: func(c map[string]any) {
			providerOf0(c, "auth0")["token_from"] = []any{map[string]any{"query": "t", "prefix": "Bearer "}}
		}, want: "providers.auth0.token_from[0].prefix: only a header source has a prefix"},
		{name: "missing issuer", edit: func(c map[string]any) { delete(providerOf0(c, "internal"), "issuer") },
			want: "providers.internal.issuer: is required"},
		{name: "same issuer twice", edit: func(c map[string]any) { providerOf0(c, "internal")["issuer"] = auth0Issuer },
			want: "providers.internal.issuer: same issuer as providers.auth0 (a token is routed to its provider by iss)"},
		{name: "provider name with a dot", edit: func(c map[string]any) {
			c["providers"].(map[string]any)["a.b"] = providerOf0(c, "internal")
			delete(c["providers"].(map[string]any), "internal")
		}, want: "providers.a.b: provider names use only letters, digits, '-' and '_'"},
		{name: "hmac secret not base64", edit: func(c map[string]any) { providerOf0(c, "internal")["hmac_secret_base64"] = "not base64!" },
			want: "providers.internal.hmac_secret_base64: "},
		{name: "hmac secret too short", edit: func(c map[string]any) {
			providerOf0(c, "internal")["hmac_secret_base64"] = base64.StdEncoding.EncodeToString([]byte("short"))
		}, want: "providers.internal"},
		{name: "wrong type", edit: func(c map[string]any) { providerOf0(c, "auth0")["clock_skew_seconds"] = "60" },
			want: "providers.auth0.clock_skew_seconds: must be an integer, not a string"},
		{name: "out of range", edit: func(c map[string]any) { providerOf0(c, "auth0")["clock_skew_seconds"] = -1 },
			want: "providers.auth0.clock_skew_seconds: must be between 0 and 3600, not -1"},
		{name: "fractional", edit: func(c map[string]any) { c["cache"] = map[string]any{"max_entries": 1.5} },
			want: "cache.max_entries: must be an integer, not 1.5"},
		{name: "jwks of the wrong type", edit: func(c map[string]any) { providerOf0(c, "fusionauth")["local_jwks"] = 1 },
			want: "providers.fusionauth.local_jwks: must be a JWKS object or a string holding one, not a number"},
		{name: "rule with allow and require", edit: func(c map[string]any) {
			c["rules"].([]any)[1].(map[string]any)["allow"] = true
		}, want: "rules[1].require: a rule has either allow or require, not both"},
		{name: "rule with neither", edit: func(c map[string]any) { c["rules"] = []any{map[string]any{"match": map[string]any{"prefix": "/"}}} },
			want: "rules[0]: needs allow or require"},
		{name: "allow false", edit: func(c map[string]any) {
			c["rules"].([]any)[0].(map[string]any)["allow"] = false
		}, want: "rules[0].allow: must be true (a request that matches no rule is denied already)"},
		{name: "match without path", edit: func(c map[string]any) {
			c["rules"].([]any)[0].(map[string]any)["match"] = map[string]any{"methods": []string{"GET"}}
		}, want: "rules[0].match: needs prefix or exact"},
		{name: "prefix not normalized", edit: func(c map[string]any) {
			c["rules"].([]any)[0].(map[string]any)["match"] = map[string]any{"prefix": "/a/../health"}
		}, want: `rules[0].match.prefix: "/a/../health" is not a normalized path (requests are matched as "/health")`},
		{name: "prefix without slash", edit: func(c map[string]any) {
			c["rules"].([]any)[0].(map[string]any)["match"] = map[string]any{"prefix": "health"}
		}, want: `rules[0].match.prefix: "health": request target is not origin-form`},
		{name: "lower-case method", edit: func(c map[string]any) {
			c["rules"].([]any)[1].(map[string]any)["match"].(map[string]any)["methods"] = []string{"GET", "head"}
		}, want: `rules[1].match.methods[1]: "head" is not an upper-case method name`},
		{name: "scope with a space", edit: func(c map[string]any) {
			c["rules"].([]any)[1].(map[string]any)["require"].(map[string]any)["scopes"] = []string{"read write"}
		}, want: `rules[1].require.scopes[0]: "read write" is not a scope token`},
		{name: "claims rule without operator", edit: func(c map[string]any) {
			c["rules"].([]any)[3].(map[string]any)["require"].(map[string]any)["claims"] = []any{map[string]any{"path": "roles"}}
		}, want: "rules[3].require.claims[0]: needs one operator: equals, one_of, contains, prefix, exists"},
		{name: "claims rule with two operators", edit: func(c map[string]any) {
			c["rules"].([]any)[3].(map[string]any)["require"].(map[string]any)["claims"] = []any{
				map[string]any{"path": "roles", "contains": "admin", "equals": "x"}}
		}, want: "rules[3].require.claims[0].equals: a claims rule has one operator, and contains is already given"},
		{name: "claims rule unknown operator", edit: func(c map[string]any) {
			c["rules"].([]any)[3].(map[string]any)["require"].(map[string]any)["claims"] = []any{map[string]any{"path": "roles", "has": "admin"}}
		}, want: "rules[3].require.claims[0].has: unknown field"},
		{name: "no rules and no providers", raw: `{"providers": {}}`,
			want: "providers: at least one provider is needed when there are no rules"},
		{name: "realm with a quote", edit: func(c map[string]any) { c["www_authenticate_realm"] = `a"b` },
			want: `www_authenticate_realm: must be printable ASCII without '"' or '\'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.raw
			if raw == "" {
				c := seedConfig(t)
				tc.edit(c)
				raw = mustJSON(t, c)
			}
			cfg, err := parseConfig([]byte(raw))
			if err == nil {
				t.Fatalf("parseConfig: no error, want %q", tc.want)
			}
			if cfg != nil {
				t.Errorf("parseConfig returned a config with its error")
			}
			have := err.Error()
			t.Logf("error: %s", have)
			if strings.HasSuffix(tc.want, ": ") || tc.want == "providers.internal" {
				// jwtcore's own message follows the JSON path.
				if !strings.HasPrefix(have, tc.want) || len(have) <= len(tc.want)+2 {
					t.Errorf("error: have %q, want %q followed by jwtcore's reason", have, tc.want)
				}
				return
			}
			equal(t, "error", have, tc.want)
		})
	}
}

func Test_parseConfig_seed(t *testing.T) {
	cfg, err := parseConfig([]byte(mustJSON(t, seedConfig(t))))
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "providers", len(cfg.providers), 3)
	equal(t, "rules", len(cfg.rules), 7)
	equal(t, "realm", cfg.realm, "api")
	equal(t, "set headers", cfg.setHeaders,
		[]string{"x-jwt-sub", "x-jwt-scope", "x-jwt-payload", "x-jwt-roles", "x-jwt-email-verified", "x-jwt-svc"})
	equal(t, "admin rule sources", cfg.rules[3].sources, []tokenSource{
		defaultTokenSource, {kind: sourceQuery, name: "access_token"}, {kind: sourceCookie, name: "at"}})
	equal(t, "admin rule accepts header", len(cfg.rules[3].accepts[0]), 2)
	equal(t, "admin rule accepts query", len(cfg.rules[3].accepts[1]), 1)
	equal(t, "token_from default", cfg.providers[1].from, []tokenSource{defaultTokenSource})
}

func Test_parseConfig_variants(t *testing.T) {
	k := fixtureKeys(t)
	tests := []struct {
		name string
		cfg  map[string]any
	}{
		{name: "jwks as a string", cfg: map[string]any{"providers": map[string]any{"f": map[string]any{
			"issuer": "i", "local_jwks": mustJSON(t, map[string]any{"keys": []any{rsaJWK(k.fusionA, "a")}})}}}},
		{name: "spki pem", cfg: map[string]any{"providers": map[string]any{"f": map[string]any{
			"issuer": "i", "public_key_pem": spkiPEM(t, k.fusionA)}}}},
		{name: "two concatenated pem blocks", cfg: map[string]any{"providers": map[string]any{"f": map[string]any{
			"issuer": "i", "public_key_pem": pkcs1PEM(k.fusionA) + certificatePEM(t, k.fusionB)}}}},
		{name: "raw hmac secret", cfg: map[string]any{"providers": map[string]any{"f": map[string]any{
			"issuer": "i", "hmac_secret": string(k.hmacSecret)}}}},
		{name: "cache off", cfg: map[string]any{"cache": map[string]any{"max_entries": 0},
			"providers": map[string]any{"f": map[string]any{"issuer": "i", "hmac_secret": string(k.hmacSecret)}}}},
		{name: "only public rules, no providers", cfg: map[string]any{
			"rules": []any{map[string]any{"match": map[string]any{"prefix": "/"}, "allow": true}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseConfig([]byte(mustJSON(t, tc.cfg))); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Test_parseConfig_examples keeps the shipped example configuration valid.
func Test_parseConfig_examples(t *testing.T) {
	for _, p := range []string{"../examples/envoy/plugin.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseConfig(b); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func Test_parseAlgList(t *testing.T) {
	noES := func(a jwtcore.Alg) string {
		if strings.HasPrefix(a.String(), "ES") {
			return "no " + a.String()
		}
		return ""
	}
	tests := []struct {
		name string
		json string
		want []jwtcore.Alg
		err  string
	}{
		{name: "in order", json: `["PS256","RS256"]`, want: []jwtcore.Alg{jwtcore.PS256, jwtcore.RS256}},
		{name: "repeated name kept once", json: `["RS256","PS256","RS256"]`, want: []jwtcore.Alg{jwtcore.RS256, jwtcore.PS256}},
		{name: "empty", json: `[]`, err: "a: must not be empty"},
		{name: "not a list", json: `"RS256"`, err: "a: must be an array of strings, not a string"},
		{name: "unknown", json: `["RS256","XX1"]`, err: `a[1]: unknown or forbidden algorithm "XX1"`},
		{name: "refused", json: `["RS256","ES256"]`, err: "a[1]: no ES256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAlgList("a", gjson.Parse(tt.json), noES)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q", tt.err)
				}
				equal(t, "error", err.Error(), tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "algorithms", got, tt.want)
		})
	}
}
