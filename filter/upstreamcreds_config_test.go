package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

const fullCredEntry = `{
	"match": {"prefix": "/backend", "methods": ["GET", "POST"]},
	"cluster": "idp", "token_uri": "https://idp.example.com:8443/oauth2/token?tenant=a%20b",
	"client_id": "gateway", "client_secret": "s3cret", "auth_method": "client_secret_post",
	"scopes": ["inventory:read", "inventory:write"],
	"endpoint_params": {"audience": ["https://inventory.internal", "https://other"], "resource": ["r1"]},
	"header": "X-Upstream-Auth", "refresh_before_seconds": 30, "timeout_ms": 1500,
	"default_expires_in_seconds": 120
}`

func Test_parseUpstreamCreds_full(t *testing.T) {
	c := mustCred(t, fullCredEntry)
	equal(t, "index", c.index, 0)
	equal(t, "match", c.match, routeMatch{prefix: "/backend", methods: []string{"GET", "POST"}})
	equal(t, "cluster", c.cluster, "idp")
	equal(t, "authority", c.target.authority, "idp.example.com:8443")
	equal(t, "path", c.target.path, "/oauth2/token?tenant=a%20b")
	equal(t, "client id", c.clientID, "gateway")
	equal(t, "client secret", c.clientSecret, "s3cret")
	equal(t, "auth method", c.auth, clientAuthPost)
	equal(t, "scopes", c.scopes, []string{"inventory:read", "inventory:write"})
	equal(t, "params", c.params, [][2]string{
		{"audience", "https://inventory.internal"}, {"audience", "https://other"}, {"resource", "r1"}})
	equal(t, "header", c.header, "x-upstream-auth")
	equal(t, "refresh", c.refresh, 30*time.Second)
	equal(t, "timeout", c.timeout, 1500*time.Millisecond)
	equal(t, "default life", c.defaultLife, 120*time.Second)
	if !strings.HasPrefix(c.sharedKeyTag, upstreamSharedKeyPrefix) {
		t.Errorf("shared key %q lacks prefix %q", c.sharedKeyTag, upstreamSharedKeyPrefix)
	}
}

func Test_parseUpstreamCreds_defaults(t *testing.T) {
	c := mustCred(t, `{"match":{"exact":"/x"},"cluster":"idp","token_uri":"http://idp/token","client_id":"a","client_secret":"b"}`)
	equal(t, "auth method", c.auth, clientAuthBasic)
	equal(t, "header", c.header, "authorization")
	equal(t, "refresh", c.refresh, 60*time.Second)
	equal(t, "timeout", c.timeout, 3*time.Second)
	equal(t, "default life", c.defaultLife, 300*time.Second)
	equal(t, "scopes", len(c.scopes), 0)
	equal(t, "params", len(c.params), 0)
	equal(t, "path", c.target.path, "/token")
	equal(t, "authority", c.target.authority, "idp")
}

func Test_parseUpstreamCreds_errors(t *testing.T) {
	base := `"match":{"prefix":"/b"},"cluster":"idp","token_uri":"https://idp/t","client_id":"a","client_secret":"b"`
	tests := []struct {
		name string
		raw  string // the whole upstream_credentials value
		want string // the whole error text
	}{
		{name: "not an array", raw: `{}`, want: "upstream_credentials: must be an array, not an object"},
		{name: "entry not an object", raw: `[1]`, want: "upstream_credentials[0]: must be an object, not a number"},
		{name: "unknown field", raw: `[{` + base + `,"token_url":"x"}]`, want: "upstream_credentials[0].token_url: unknown field"},
		{name: "missing match", raw: `[{"cluster":"idp","token_uri":"https://idp/t","client_id":"a","client_secret":"b"}]`,
			want: "upstream_credentials[0].match: is required"},
		{name: "missing secret", raw: `[{"match":{"prefix":"/b"},"cluster":"idp","token_uri":"https://idp/t","client_id":"a"}]`,
			want: "upstream_credentials[0].client_secret: is required"},
		{name: "bad match", raw: `[{` + strings.Replace(base, `{"prefix":"/b"}`, `{"prefix":"/b/../c"}`, 1) + `}]`,
			want: `upstream_credentials[0].match.prefix: "/b/../c" is not a normalized path (requests are matched as "/c")`},
		{name: "empty cluster", raw: `[{` + strings.Replace(base, `"cluster":"idp"`, `"cluster":""`, 1) + `}]`,
			want: "upstream_credentials[0].cluster: must not be empty"},
		{name: "relative token_uri", raw: `[{` + strings.Replace(base, `https://idp/t`, `/t`, 1) + `}]`,
			want: "upstream_credentials[0].token_uri: must start with http:// or https://"},
		{name: "token_uri with user info", raw: `[{` + strings.Replace(base, `https://idp/t`, `https://u:p@idp/t`, 1) + `}]`,
			want: "upstream_credentials[0].token_uri: must not hold user info (use client_id and client_secret)"},
		{name: "token_uri with fragment", raw: `[{` + strings.Replace(base, `https://idp/t`, `https://idp/t#f`, 1) + `}]`,
			want: "upstream_credentials[0].token_uri: must not hold a fragment"},
		{name: "token_uri without host", raw: `[{` + strings.Replace(base, `https://idp/t`, `https:///t`, 1) + `}]`,
			want: "upstream_credentials[0].token_uri: has no host"},
		{name: "unknown auth method", raw: `[{` + base + `,"auth_method":"private_key_jwt"}]`,
			want: `upstream_credentials[0].auth_method: must be "client_secret_basic" or "client_secret_post", not "private_key_jwt"`},
		{name: "scope with space", raw: `[{` + base + `,"scopes":["a b"]}]`,
			want: `upstream_credentials[0].scopes[0]: "a b" is not a scope token (RFC 6749 §3.3)`},
		{name: "scopes not a list", raw: `[{` + base + `,"scopes":"a,b"}]`,
			want: "upstream_credentials[0].scopes: must be an array of strings, not a string"},
		{name: "param value not a list", raw: `[{` + base + `,"endpoint_params":{"audience":"x"}}]`,
			want: "upstream_credentials[0].endpoint_params.audience: must be an array of strings (every value is sent), not a string"},
		{name: "param empty list", raw: `[{` + base + `,"endpoint_params":{"audience":[]}}]`,
			want: "upstream_credentials[0].endpoint_params.audience: must not be empty (leave the parameter out instead)"},
		{name: "param value not a string", raw: `[{` + base + `,"endpoint_params":{"audience":[1]}}]`,
			want: "upstream_credentials[0].endpoint_params.audience[0]: must be a string, not a number"},
		{name: "secret in params", raw: `[{` + base + `,"endpoint_params":{"client_secret":["x"]}}]`,
			want: `upstream_credentials[0].endpoint_params.client_secret: is reserved: use "client_secret" (and "auth_method": "client_secret_post" to send it in the body)`},
		{name: "grant_type in params", raw: `[{` + base + `,"endpoint_params":{"grant_type":["password"]}}]`,
			want: "upstream_credentials[0].endpoint_params.grant_type: is reserved: the filter always sends grant_type=client_credentials"},
		{name: "bad header", raw: `[{` + base + `,"header":"x y"}]`,
			want: `upstream_credentials[0].header: "x y" is not a valid header name`},
		{name: "framing header", raw: `[{` + base + `,"header":"Host"}]`,
			want: `upstream_credentials[0].header: "host" cannot carry the upstream token`},
		{name: "pseudo header", raw: `[{` + base + `,"header":":path"}]`,
			want: `upstream_credentials[0].header: ":path" is not a valid header name`},
		{name: "negative refresh", raw: `[{` + base + `,"refresh_before_seconds":-1}]`,
			want: "upstream_credentials[0].refresh_before_seconds: must be between 0 and 86400, not -1"},
		{name: "zero timeout", raw: `[{` + base + `,"timeout_ms":0}]`,
			want: "upstream_credentials[0].timeout_ms: must be between 1 and 60000, not 0"},
		{name: "default life zero", raw: `[{` + base + `,"default_expires_in_seconds":0}]`,
			want: "upstream_credentials[0].default_expires_in_seconds: must be between 1 and 86400, not 0"},
		{name: "second entry reported", raw: `[{` + base + `},{` + base + `,"client_id":""}]`,
			want: "upstream_credentials[1].client_id: duplicate field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseUpstreamCreds(gjson.Parse(tt.raw))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			equal(t, "error", err.Error(), tt.want)
		})
	}
}

func Test_parseUpstreamCreds_secretNeverInErrors(t *testing.T) {
	const secret = "do-not-print-me"
	raws := []string{
		`[{"match":{"prefix":"/b"},"cluster":"idp","token_uri":"https://idp/t","client_id":"a","client_secret":"` + secret + `","auth_method":"x"}]`,
		`[{"match":{"prefix":"/b"},"cluster":"idp","token_uri":"https://idp/t","client_id":"a","client_secret":"` + secret + `","header":"host"}]`,
	}
	for _, raw := range raws {
		_, err := parseUpstreamCreds(gjson.Parse(raw))
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("error %v: want an error without the secret", err)
		}
	}
}

func Test_upstreamSharedKey(t *testing.T) {
	base := mustCred(t, fullCredEntry)
	tests := []struct {
		name string
		edit func(string) string
		same bool
	}{
		{name: "same entry", edit: func(s string) string { return s }, same: true},
		{name: "rotated secret names the same client", edit: func(s string) string { return strings.Replace(s, "s3cret", "n3w", 1) }, same: true},
		{name: "other match, same token", edit: func(s string) string { return strings.Replace(s, `"/backend"`, `"/other"`, 1) }, same: true},
		{name: "other client", edit: func(s string) string { return strings.Replace(s, `"gateway"`, `"gw2"`, 1) }},
		{name: "other scope", edit: func(s string) string { return strings.Replace(s, `"inventory:write"`, `"x"`, 1) }},
		{name: "other audience", edit: func(s string) string { return strings.Replace(s, `"https://other"`, `"https://x"`, 1) }},
		{name: "other cluster", edit: func(s string) string { return strings.Replace(s, `"idp"`, `"idp2"`, 1) }},
		{name: "other method", edit: func(s string) string { return strings.Replace(s, `client_secret_post`, `client_secret_basic`, 1) }},
		{name: "other header, same token", edit: func(s string) string { return strings.Replace(s, `"X-Upstream-Auth"`, `"X-Other"`, 1) }, same: true},
		{name: "other refresh", edit: func(s string) string {
			return strings.Replace(s, `"refresh_before_seconds": 30`, `"refresh_before_seconds": 31`, 1)
		}},
		{name: "other timeout", edit: func(s string) string { return strings.Replace(s, `"timeout_ms": 1500`, `"timeout_ms": 1501`, 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCred(t, tt.edit(fullCredEntry))
			equal(t, "same key", c.sharedKeyTag == base.sharedKeyTag, tt.same)
			if strings.Contains(c.sharedKeyTag, "s3cret") || strings.Contains(c.sharedKeyTag, "n3w") {
				t.Errorf("key %q holds the secret", c.sharedKeyTag)
			}
		})
	}
}

func Test_firstUpstreamCred(t *testing.T) {
	list, err := parseUpstreamCreds(gjson.Parse(`[
		{"match":{"prefix":"/a","methods":["POST"]},"cluster":"c","token_uri":"http://i/t","client_id":"post-a","client_secret":"s"},
		{"match":{"prefix":"/a"},"cluster":"c","token_uri":"http://i/t","client_id":"any-a","client_secret":"s"},
		{"match":{"prefix":"/"},"cluster":"c","token_uri":"http://i/t","client_id":"all","client_secret":"s"}]`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, want string
	}{
		{name: "method-specific first", method: "POST", path: "/a/x", want: "post-a"},
		{name: "first match wins", method: "GET", path: "/a", want: "any-a"},
		{name: "segment aware", method: "GET", path: "/ab", want: "all"},
		{name: "catch-all", method: "GET", path: "/", want: "all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := firstUpstreamCred(list, tt.method, tt.path)
			if c == nil {
				t.Fatal("no entry")
			}
			equal(t, "client", c.clientID, tt.want)
		})
	}
	if c := firstUpstreamCred(list[:2], "GET", "/b"); c != nil {
		t.Errorf("no entry matches GET /b, got %q", c.clientID)
	}
}
