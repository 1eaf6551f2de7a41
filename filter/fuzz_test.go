package filter

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/internal/jwtmint"
)

// The filter's parsers of untrusted bytes, fuzzed: the plugin JSON (operator input, but a crash
// would take every worker down), and the whole request decision (client input). `go test` runs the
// seeds; `./scripts/fuzz.sh` runs the fuzzer.

var fuzzSecret = []byte("0123456789abcdef0123456789abcdef") // 32 bytes: HS256's minimum

var fuzzConfig = `{
  "providers": {"p": {"issuer": "https://issuer.example", "audiences": ["api"],
    "hmac_secret_base64": "` + base64.StdEncoding.EncodeToString(fuzzSecret) + `",
    "token_from": [{"header": "Authorization", "prefix": "Bearer "}, {"query": "access_token"}, {"cookie": "at"}],
    "claim_to_headers": [{"claim": "sub", "header": "x-jwt-sub"}, {"claim": "scope", "header": "x-jwt-scope"}],
    "payload_header": "x-jwt-payload"}},
  "rules": [
    {"match": {"prefix": "/health"}, "allow": true},
    {"match": {"prefix": "/api", "methods": ["GET"]}, "require": {"provider": "p", "scopes": ["read"]}},
    {"match": {"prefix": "/api"}, "require": {"provider": "p", "scopes": ["write"], "claims": [{"path": "roles", "contains": "admin"}]}}
  ]
}`

// FuzzParseConfig: any bytes either compile or fail with an error naming a position; never a panic.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(fuzzConfig))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"providers": {"a": {"issuer": "x", "hmac_secret": "0123456789abcdef0123456789abcdef"}}, "rules": []}`))
	f.Add([]byte(`{"providers": {"a": {"issuer": "x", "local_jwks": "{\"keys\":[]}"}}}`))
	f.Add([]byte(`{"rules": [{"match": {"exact": "/"}, "allow": true}], "cache": {"max_entries": -1}}`))
	f.Add([]byte(`{"providers": {"a": {"remote_jwks": {"cluster": "idp", "discovery": true}, "issuer": "https://i"}}}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if cfg == nil {
			t.Fatal("nil config without an error")
		}
	})
}

// FuzzDecide drives decide with arbitrary targets, methods, Authorization and Cookie headers
// against a fixed configuration. Invariants: no panic; a denial has a reply and a reason of the
// closed vocabulary; every decision removes every header the filter sets (no spoofing); an
// allowed request on a protected route carries no token upstream and has no CR/LF/NUL in the
// values it sets.
func FuzzDecide(f *testing.F) {
	cfg, err := parseConfig([]byte(fuzzConfig))
	if err != nil {
		f.Fatal(err)
	}
	key, err := jwtmint.NewKey("HS256", fuzzSecret)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	mint := func(claims string) string {
		tok, err := key.SignJWT("", []byte(claims))
		if err != nil {
			f.Fatal(err)
		}
		return tok
	}
	good := mint(`{"iss":"https://issuer.example","aud":"api","sub":"alice","scope":"read write","roles":["admin"],"exp":1800000600}`)
	f.Add("GET", "/api/items?x=1", "Bearer "+good, "")
	f.Add("POST", "/api/items", "Bearer "+good, "")
	f.Add("GET", "/api/items?access_token="+good, "", "")
	f.Add("GET", "/api/items", "", "at="+good+"; other=1")
	f.Add("GET", "/api/../health", "Bearer "+good+"x", "")
	f.Add("DELETE", "/api%2Fx", "bearer "+good, "at=x")
	f.Add("GET", "//api//items/./a/../b#frag", "Bearer a.b.c", "")
	f.Add("GET", "http://evil/api", "Basic Zm9vOmJhcg==", "")
	f.Add("GET", "/health", "Bearer "+strings.Repeat("A", 9000), "")
	// The configuration must let the good token through, or every invariant below holds trivially.
	if d := decide(cfg, &Request{Method: "GET", Target: "/api/items", Headers: [][2]string{
		{":method", "GET"}, {":path", "/api/items"}, {"authorization", "Bearer " + good}}}, now); !d.Allow {
		f.Fatalf("seed token denied: %s", d.Reason.code)
	}
	vocabulary := map[*reason]bool{}
	for _, r := range allReasons() {
		vocabulary[r] = true
	}
	f.Fuzz(func(t *testing.T, method, target, authorization, cookie string) {
		headers := [][2]string{{":method", method}, {":path", target}, {":authority", "api.example"},
			{"x-jwt-sub", "spoofed"}}
		if authorization != "" {
			headers = append(headers, [2]string{"authorization", authorization})
		}
		if cookie != "" {
			headers = append(headers, [2]string{"cookie", cookie})
		}
		d := decide(cfg, &Request{Method: method, Target: target, Headers: headers}, now)
		removes := map[string]bool{}
		for _, h := range d.Remove {
			removes[h] = true
		}
		for _, h := range cfg.setHeaders {
			if !removes[h] {
				t.Fatalf("decision does not remove %q (spoofable)", h)
			}
		}
		if d.Wait != nil {
			t.Fatal("a configuration without remote sources asked to wait")
		}
		if !d.Allow {
			if d.Reason == nil || !vocabulary[d.Reason] {
				t.Fatalf("denial without a reason of the vocabulary: %+v", d.Reason)
			}
			if d.Reply.status < 400 {
				t.Fatalf("denial with status %d", d.Reply.status)
			}
			return
		}
		for _, h := range d.Set {
			if strings.ContainsAny(h[1], "\r\n\x00") {
				t.Fatalf("header %q set to a value with CR/LF/NUL", h[0])
			}
			if h[0] == "authorization" && h[1] != "" && d.Provider != "" {
				t.Fatalf("verified token forwarded in %q", h[0])
			}
		}
	})
}

// FuzzOutboundResponses feeds arbitrary IdP answers to the two parsers of answers the filter
// asked for: introspection (RFC 7662) and the token endpoint (RFC 6749 §5.1). Invariants: no
// panic; an introspection answer accepted as active carries a JSON object; a token grant accepted
// has a non-empty access token without CR/LF/NUL (it is written into a request header).
func FuzzOutboundResponses(f *testing.F) {
	ins, err := parseIntrospections(gjson.Parse(`{"opaque": {"cluster": "idp", "uri": "https://idp.example/introspect",
		"client_id": "gw", "client_secret": "s", "issuer": "https://idp.example/", "audiences": ["api"]}}`),
		func(string) bool { return false })
	if err != nil {
		f.Fatal(err)
	}
	ups, err := parseUpstreamCreds(gjson.Parse(`[{"match": {"prefix": "/"}, "cluster": "idp",
		"token_uri": "https://idp.example/token", "client_id": "gw", "client_secret": "s"}]`))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	f.Add(200, []byte(`{"active": true, "scope": "read", "exp": 1800000600, "iss": "https://idp.example/", "aud": "api"}`))
	f.Add(200, []byte(`{"active": false}`))
	f.Add(200, []byte(`{"active": "true"}`))
	f.Add(200, []byte(`{"access_token": "abc", "token_type": "Bearer", "expires_in": 3600}`))
	f.Add(200, []byte(`{"access_token": "a\nb", "token_type": "bearer", "expires_in": 1e309}`))
	f.Add(400, []byte(`{"error": "invalid_client", "error_description": "secret s"}`))
	f.Add(200, []byte(`{"active": true, "active": false}`))
	f.Add(0, []byte(nil))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		ans, err := parseIntrospectionResponse(status, body, false)
		if err == nil && ans.active {
			if !gjson.ValidBytes(ans.doc) || !gjson.ParseBytes(ans.doc).IsObject() {
				t.Fatal("active answer is not a JSON object")
			}
			_, _, _ = ins[0].judge([32]byte{1}, ans, now)
		}
		grant, err := ups[0].parseTokenResponse(&shared.Response{Status: status, Body: body})
		if err == nil && (grant.accessToken == "" || hasControl(grant.accessToken)) {
			t.Fatal("accepted an empty access token or one with a control byte")
		}
	})
}
