package filter

import (
	"strings"
	"testing"
	"time"
)

// The scenario table of issue 4 "How it is shown to work". It runs three
// times, with the same expectations:
//   (a) natively against decide (scenarios_decide_test.go),
//   (b) natively through the SDK's proxytest host emulator (scenarios_proxytest_test.go),
//   (c) against the real dist/tokengate.wasm under testenv (scenarios_module_test.go).

// scenario is one request against one configuration at one instant.
type scenario struct {
	name    string
	config  string      // key of scenarioConfigs
	method  string      // :method; "" means GET
	target  string      // :path as sent
	headers [][2]string // other request headers
	raw     bool        // send headers as they are, without :method/:path/:authority
	now     time.Time   // zero: testNow

	// Expected outcome.
	status   int         // 0: forwarded upstream; else the local reply's status
	reason   string      // denial reason code (reply body "reason", details tokengate_denied{...})
	wwwAuth  string      // exact WWW-Authenticate of the reply, when set
	upstream [][2]string // headers the upstream receives, with these exact values (":path" included)
	gone     []string    // headers the upstream must not receive
}

// scenarioConfigs are the configurations scenarios refer to.
var scenarioConfigs = map[string]func(testing.TB) map[string]any{
	"seed":    seedConfig,
	"norules": noRulesConfig,
}

// sendHeaders returns the request headers of s as the host hands them over.
func (s *scenario) sendHeaders() [][2]string {
	if s.raw {
		return s.headers
	}
	method := s.method
	if method == "" {
		method = "GET"
	}
	h := [][2]string{{":method", method}, {":path", s.target}, {":authority", "api.mywebsite.com"}, {":scheme", "http"}}
	return append(h, s.headers...)
}

func (s *scenario) clock() time.Time {
	if s.now.IsZero() {
		return testNow
	}
	return s.now
}

// scenarios builds the table; tokens are minted here, at test time.
func scenarios(t testing.TB) []scenario {
	f := newTokens(t)
	k := fixtureKeys(t)
	read := f.auth0("read", nil)
	readWrite := f.auth0("read write", nil)
	write := f.auth0("write", nil)
	fusion := f.fusion(nil)
	fusionAdmin := f.fusion(claims{"roles": []string{"admin", "user"}})
	internal := f.internal(nil)
	expired := f.auth0("read", claims{"exp": testNow.Add(-61 * time.Second).Unix(), "iat": testNow.Add(-time.Hour).Unix()})

	return []scenario{
		// --- seed 001: Auth0, RS256, iss/aud/exp, read/write scopes by method ---
		{name: "auth0 GET with read is forwarded with claims", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(read)},
			upstream: [][2]string{{"x-jwt-sub", "client-1@clients"}, {"x-jwt-scope", "read"},
				{"x-jwt-payload", payloadOf(read)}, {":path", "/api/items"}},
			gone: []string{"authorization", "x-jwt-roles"}},
		{name: "auth0 HEAD with read", config: "seed", method: "HEAD", target: "/api/items", headers: [][2]string{bearer(read)},
			upstream: [][2]string{{"x-jwt-scope", "read"}}},
		{name: "auth0 GET with write only", config: "seed", target: "/api/items", headers: [][2]string{bearer(write)},
			status: 403, reason: "insufficient_scope",
			wwwAuth: `Bearer realm="api", error="insufficient_scope", error_description="token has insufficient scope [scope read]", scope="read"`},
		{name: "auth0 POST with read only", config: "seed", method: "POST", target: "/api/items", headers: [][2]string{bearer(read)},
			status: 403, reason: "insufficient_scope",
			wwwAuth: `Bearer realm="api", error="insufficient_scope", error_description="token has insufficient scope [scope write]", scope="write"`},
		{name: "lower-case post with read only meets the write rule", config: "seed", method: "post", target: "/api/items", headers: [][2]string{bearer(read)},
			status: 403, reason: "insufficient_scope",
			wwwAuth: `Bearer realm="api", error="insufficient_scope", error_description="token has insufficient scope [scope write]", scope="write"`},
		{name: "auth0 PUT with read write", config: "seed", method: "PUT", target: "/api/items/1", headers: [][2]string{bearer(readWrite)},
			upstream: [][2]string{{"x-jwt-scope", "read write"}}, gone: []string{"authorization"}},
		{name: "auth0 DELETE with write", config: "seed", method: "DELETE", target: "/api/items/1", headers: [][2]string{bearer(write)},
			upstream: [][2]string{{"x-jwt-sub", "client-1@clients"}}},
		{name: "auth0 PATCH with read only", config: "seed", method: "PATCH", target: "/api/items/1", headers: [][2]string{bearer(read)},
			status: 403, reason: "insufficient_scope"},
		{name: "no token", config: "seed", target: "/api/items",
			status: 401, reason: "token_missing", wwwAuth: `Bearer realm="api"`},
		{name: "basic credentials are no token", config: "seed", target: "/api/items",
			headers: [][2]string{{"authorization", "Basic dXNlcjpwYXNz"}},
			status:  401, reason: "token_missing", wwwAuth: `Bearer realm="api"`},
		{name: "bearer scheme is case-insensitive", config: "seed", target: "/api/items",
			headers: [][2]string{{"authorization", "bearer " + read}}, upstream: [][2]string{{"x-jwt-scope", "read"}}},
		{name: "bearer without token", config: "seed", target: "/api/items",
			headers: [][2]string{{"authorization", "Bearer"}}, status: 401, reason: "token_malformed"},
		{name: "garbage token", config: "seed", target: "/api/items",
			headers: [][2]string{bearer("abc")}, status: 401, reason: "token_malformed"},
		// An upstream splitting on any whitespace reads "Bearer<HTAB>token" as a bearer token:
		// it must verify like any other, never pass unverified as "another scheme".
		{name: "bearer and a tab: the token must verify (allow_missing)", config: "seed", target: "/maybe/x",
			headers: [][2]string{{"authorization", "Bearer\t" + expired}}, status: 401, reason: "token_expired"},
		{name: "bearer and a tab beside a good cookie: the token must verify", config: "seed", target: "/api/items",
			headers: [][2]string{{"cookie", "at=" + read}, {"authorization", "bEaReR\t\t" + expired}},
			status:  401, reason: "token_expired"},
		{name: "bearer and a tab with a good token", config: "seed", target: "/api/items",
			headers: [][2]string{{"authorization", "Bearer\t" + read}}, upstream: [][2]string{{"x-jwt-scope", "read"}},
			gone: []string{"authorization"}},
		{name: "bearer glued to a comma is a malformed credential", config: "seed", target: "/maybe/x",
			headers: [][2]string{{"authorization", "Bearer," + read}}, status: 401, reason: "token_malformed"},
		{name: "token too large", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"pad": strings.Repeat("a", 9000)}))},
			status:  401, reason: "token_too_large"},
		{name: "expired", config: "seed", target: "/api/items", headers: [][2]string{bearer(expired)},
			status: 401, reason: "token_expired",
			wwwAuth: `Bearer realm="api", error="invalid_token", error_description="token is expired [exp]"`},
		{name: "expired but within clock skew", config: "seed", target: "/api/items",
			headers:  [][2]string{bearer(f.auth0("read", claims{"exp": testNow.Add(-59 * time.Second).Unix(), "iat": testNow.Add(-time.Hour).Unix()}))},
			upstream: [][2]string{{"x-jwt-scope", "read"}}},
		{name: "valid token, clock moved past exp", config: "seed", target: "/api/items", headers: [][2]string{bearer(read)},
			now: testNow.Add(time.Hour + 61*time.Second), status: 401, reason: "token_expired"},
		{name: "not yet valid", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"nbf": testNow.Add(10 * time.Minute).Unix()}))},
			status:  401, reason: "token_not_yet_valid"},
		{name: "issued in the future", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"iat": testNow.Add(10 * time.Minute).Unix()}))},
			status:  401, reason: "token_issued_in_future"},
		{name: "lifetime too long", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"exp": testNow.Add(48 * time.Hour).Unix()}))},
			status:  401, reason: "token_lifetime_too_long"},
		{name: "exp missing", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"exp": nil}))},
			status:  401, reason: "claim_malformed"},
		{name: "exp not a number", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"exp": "tomorrow"}))},
			status:  401, reason: "claim_malformed"},
		{name: "wrong audience", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"aud": "https://other.example"}))},
			status:  401, reason: "audience_not_allowed"},
		{name: "unknown issuer", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(signRS256(t, k.attacker, "", merge(f.auth0Claims("read"), claims{"iss": "https://evil.example/"})))},
			status:  401, reason: "issuer_not_allowed"},
		{name: "auth0 claims signed by another key", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(signRS256(t, k.attacker, "", f.auth0Claims("read")))},
			status:  401, reason: "signature_invalid",
			wwwAuth: `Bearer realm="api", error="invalid_token", error_description="token signature is invalid"`},
		{name: "HS256 where only RS256 is allowed", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(signHS256(t, []byte("guessed-secret-guessed-secret-123"), f.auth0Claims("read")))},
			status:  401, reason: "alg_not_allowed"},
		{name: "alg none", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(unsigned(t, map[string]any{"alg": "none"}, f.auth0Claims("read")))},
			status:  401, reason: "alg_not_allowed"},
		{name: "fusionauth token on an auth0 route", config: "seed", target: "/api/items", headers: [][2]string{bearer(fusion)},
			status: 401, reason: "issuer_not_allowed"},

		// --- seed 002: FusionAuth, RS256, application id as audience, JWKS with two keys ---
		{name: "fusionauth first key", config: "seed", target: "/app/profile", headers: [][2]string{bearer(fusion)},
			upstream: [][2]string{{"x-jwt-sub", "3963000f-686d-4169-b628-9c9c4534b780"}, {"x-jwt-roles", ""},
				{"x-jwt-email-verified", "true"}},
			gone: []string{"authorization", "x-jwt-scope", "x-jwt-payload"}},
		{name: "fusionauth second key by kid", config: "seed", target: "/app/profile", headers: [][2]string{bearer(f.fusionB(nil))},
			upstream: [][2]string{{"x-jwt-sub", "3963000f-686d-4169-b628-9c9c4534b780"}}},
		{name: "fusionauth unknown kid", config: "seed", target: "/app/profile",
			headers: [][2]string{bearer(signRS256(t, k.fusionA, "fa-9", f.fusionClaims()))},
			status:  401, reason: "key_not_found"},
		{name: "fusionauth kid of the other key", config: "seed", target: "/app/profile",
			headers: [][2]string{bearer(signRS256(t, k.fusionB, "fa-1", f.fusionClaims()))},
			status:  401, reason: "signature_invalid"},
		{name: "fusionauth other application", config: "seed", target: "/app/profile",
			headers: [][2]string{bearer(f.fusion(claims{"aud": "00000000-0000-0000-0000-000000000000"}))},
			status:  401, reason: "audience_not_allowed"},
		{name: "fusionauth expired", config: "seed", target: "/app/profile", headers: [][2]string{bearer(fusion)},
			now: testNow.Add(2 * time.Hour), status: 401, reason: "token_expired"},

		// --- /admin: any of two providers, claims rule ---
		{name: "admin by fusionauth role", config: "seed", target: "/admin", headers: [][2]string{bearer(fusionAdmin)},
			upstream: [][2]string{{"x-jwt-roles", "admin,user"}}},
		{name: "admin by auth0 role", config: "seed", target: "/admin",
			headers:  [][2]string{bearer(f.auth0("read", claims{"roles": []string{"admin"}}))},
			upstream: [][2]string{{"x-jwt-sub", "client-1@clients"}}, gone: []string{"x-jwt-roles"}},
		{name: "admin without role", config: "seed", target: "/admin", headers: [][2]string{bearer(fusion)},
			status: 403, reason: "claim_rule_failed"},
		{name: "admin with an internal token", config: "seed", target: "/admin",
			headers: [][2]string{bearer(internal)}, status: 401, reason: "issuer_not_allowed"},

		// --- HS256 shared secret, custom header, forward_token ---
		{name: "internal hs256 forwards its token", config: "seed", target: "/billing/run",
			headers:  [][2]string{{"x-internal-token", internal}},
			upstream: [][2]string{{"x-internal-token", internal}, {"x-jwt-svc", "billing"}}},
		{name: "internal hs256 wrong secret", config: "seed", target: "/billing/run",
			headers: [][2]string{{"x-internal-token", signHS256(t, []byte("another-secret-another-secret-123"),
				claims{"iss": internalIssuer, "exp": testNow.Add(time.Minute).Unix()})}},
			status: 401, reason: "signature_invalid"},
		{name: "internal token in the wrong header", config: "seed", target: "/billing/run",
			headers: [][2]string{bearer(internal)}, status: 401, reason: "token_missing"},

		// --- query and cookie tokens ---
		{name: "query token is stripped", config: "seed", target: "/api/items?page=2&access_token=" + read + "&sort=asc",
			upstream: [][2]string{{":path", "/api/items?page=2&sort=asc"}, {"x-jwt-scope", "read"}}},
		{name: "query token alone", config: "seed", target: "/api/items?access_token=" + read,
			upstream: [][2]string{{":path", "/api/items"}}},
		{name: "cookie token is stripped", config: "seed", target: "/api/items",
			headers:  [][2]string{{"cookie", "theme=dark; at=" + read + "; lang=en"}},
			upstream: [][2]string{{"cookie", "theme=dark; lang=en"}, {"x-jwt-scope", "read"}}},
		{name: "cookie token alone", config: "seed", target: "/api/items",
			headers: [][2]string{{"cookie", "at=" + read}}, gone: []string{"cookie"},
			upstream: [][2]string{{"x-jwt-sub", "client-1@clients"}}},
		{name: "expired cookie token", config: "seed", target: "/api/items",
			headers: [][2]string{{"cookie", "at=" + expired}}, status: 401, reason: "token_expired"},
		{name: "query token hidden behind ';' for legacy parsers", config: "seed", target: "/api/items?x=1;access_token=EVIL",
			headers: [][2]string{bearer(read)}, status: 401, reason: "token_malformed"},
		{name: "cookie token hidden behind ',' for legacy parsers", config: "seed", target: "/api/items",
			headers: [][2]string{{"cookie", "at=" + read + "; x=1, at=EVIL"}}, status: 401, reason: "token_malformed"},

		// --- several tokens: all must verify ---
		{name: "header good, query expired", config: "seed", target: "/api/items?access_token=" + expired,
			headers: [][2]string{bearer(read)}, status: 401, reason: "token_expired"},
		{name: "header good, cookie forged", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(read), {"cookie", "at=" + signRS256(t, k.attacker, "", f.auth0Claims("read"))}},
			status:  401, reason: "signature_invalid"},
		{name: "header and cookie good, both stripped", config: "seed", target: "/api/items",
			headers:  [][2]string{bearer(read), {"cookie", "at=" + readWrite}},
			upstream: [][2]string{{"x-jwt-scope", "read"}}, gone: []string{"authorization", "cookie"}},
		{name: "second token lacks the scope", config: "seed", method: "POST", target: "/api/items",
			headers: [][2]string{bearer(readWrite), {"cookie", "at=" + read}}, status: 403, reason: "insufficient_scope"},
		{name: "a bad token wins over a missing scope", config: "seed", method: "POST", target: "/api/items",
			headers: [][2]string{bearer(read), {"cookie", "at=" + expired}}, status: 401, reason: "token_expired"},

		// --- spoofed claim headers are always removed ---
		{name: "spoofed claim headers replaced", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(read), {"x-jwt-sub", "admin"}, {"x-jwt-roles", "admin"},
				{"x-jwt-payload", "eyJzdWIiOiJhZG1pbiJ9"}, {"X-Jwt-Svc", "billing"}},
			upstream: [][2]string{{"x-jwt-sub", "client-1@clients"}, {"x-jwt-payload", payloadOf(read)}},
			gone:     []string{"x-jwt-roles", "x-jwt-svc", "x-jwt-email-verified"}},
		{name: "spoofed claim headers removed on a public route", config: "seed", target: "/health",
			headers: [][2]string{{"x-jwt-sub", "admin"}, {"x-jwt-scope", "write"}},
			gone:    []string{"x-jwt-sub", "x-jwt-scope"}},
		{name: "spoofed claim headers removed with allow_missing", config: "seed", target: "/maybe",
			headers: [][2]string{{"x-jwt-sub", "admin"}}, gone: []string{"x-jwt-sub"}},
		{name: "spoofed claim header sent twice: both removed", config: "seed", target: "/api/items",
			headers:  [][2]string{{"x-jwt-sub", "admin"}, bearer(read), {"X-JWT-SUB", "root"}},
			upstream: [][2]string{{"x-jwt-sub", "client-1@clients"}}},
		{name: "duplicate :path: the first is matched and normalized, the whole map is rewritten", config: "seed", raw: true,
			headers: [][2]string{{":method", "GET"}, {":path", "/api//items"}, {":authority", "api.mywebsite.com"},
				{":path", "/admin"}, bearer(read)},
			upstream: [][2]string{{":path", "/api/items"}, {"x-jwt-sub", "client-1@clients"}}},
		{name: "claim with a line break is refused", config: "seed", target: "/api/items",
			headers: [][2]string{bearer(f.auth0("read", claims{"sub": "a\r\nx-admin: yes"}))},
			status:  401, reason: "claim_malformed"},

		// --- rules, paths and their tricks ---
		{name: "public route", config: "seed", target: "/health", upstream: [][2]string{{":path", "/health"}}},
		{name: "public route below prefix", config: "seed", target: "/health/live"},
		{name: "allow_missing without token", config: "seed", target: "/maybe/x"},
		{name: "allow_missing with a bad token", config: "seed", target: "/maybe/x",
			headers: [][2]string{bearer(expired)}, status: 401, reason: "token_expired"},
		{name: "allow_missing with a good token", config: "seed", target: "/maybe/x",
			headers: [][2]string{bearer(read)}, upstream: [][2]string{{"x-jwt-scope", "read"}}},
		{name: "no rule matches", config: "seed", target: "/other", headers: [][2]string{bearer(read)},
			status: 403, reason: "no_rule_matched"},
		{name: "prefix is segment-aware", config: "seed", target: "/apix", headers: [][2]string{bearer(read)},
			status: 403, reason: "no_rule_matched"},
		{name: "method no rule lists", config: "seed", method: "OPTIONS", target: "/api/items",
			headers: [][2]string{bearer(readWrite)}, status: 403, reason: "no_rule_matched"},
		{name: "dot dot reaches admin rule", config: "seed", target: "/api/../admin", headers: [][2]string{bearer(read)},
			status: 403, reason: "claim_rule_failed"},
		{name: "encoded slash", config: "seed", target: "/api%2Fx", headers: [][2]string{bearer(read)},
			status: 400, reason: "path_invalid"},
		{name: "encoded dots", config: "seed", target: "/health/%2e%2e/admin",
			status: 400, reason: "path_invalid"},
		{name: "encoded backslash", config: "seed", target: "/health%5C..%5Cadmin",
			status: 400, reason: "path_invalid"},
		{name: "dot dot semicolon", config: "seed", target: "/health/..;/admin",
			status: 400, reason: "path_invalid"},
		{name: "dot dot encoded semicolon (Tomcat decodes, then strips)", config: "seed", target: "/health/..%3b/admin",
			status: 400, reason: "path_invalid"},
		{name: "control byte in the query (it would go back upstream in :path)", config: "seed", target: "/api/items?x=\x01&access_token=" + read,
			status: 400, reason: "path_invalid"},
		{name: "control byte in another cookie (the Cookie header would be rebuilt)", config: "seed", target: "/api/items",
			headers: [][2]string{{"cookie", "at=" + read + "; x=\x7f"}}, status: 401, reason: "token_malformed"},
		{name: "not origin form", config: "seed", target: "*", method: "OPTIONS",
			status: 400, reason: "path_invalid"},
		{name: "double slash normalized", config: "seed", target: "//api", headers: [][2]string{bearer(read)},
			upstream: [][2]string{{":path", "/api"}, {"x-jwt-scope", "read"}}},
		{name: "dot segments normalized", config: "seed", target: "/api/./items/../things/?q=1", headers: [][2]string{bearer(read)},
			upstream: [][2]string{{":path", "/api/things/?q=1"}}},
		{name: "unreserved escapes decoded", config: "seed", target: "/%61pi/%7Eme", headers: [][2]string{bearer(read)},
			upstream: [][2]string{{":path", "/api/~me"}}},
		{name: "fragment cannot hide a path", config: "seed", target: "/health#/../admin",
			upstream: [][2]string{{":path", "/health"}}},

		// --- no rules: any provider, everywhere ---
		{name: "no rules, fusionauth token", config: "norules", target: "/anything", headers: [][2]string{bearer(fusion)},
			upstream: [][2]string{{"x-jwt-sub", "3963000f-686d-4169-b628-9c9c4534b780"}}},
		{name: "no rules, auth0 token", config: "norules", target: "/x/y", headers: [][2]string{bearer(read)},
			upstream: [][2]string{{"x-jwt-scope", "read"}}},
		{name: "no rules, no token", config: "norules", target: "/anything",
			status: 401, reason: "token_missing", wwwAuth: `Bearer realm="api"`},
		{name: "no rules, internal token in the query is not its source", config: "norules", target: "/x?access_token=" + internal,
			status: 401, reason: "issuer_not_allowed"},
		{name: "no rules, internal token", config: "norules", target: "/x",
			headers: [][2]string{{"x-internal-token", internal}}, upstream: [][2]string{{"x-jwt-svc", "billing"}}},

		// --- the host breaks its contract ---
		{name: "no :path from the host", config: "seed", raw: true,
			headers: [][2]string{{":method", "GET"}, bearer(read)}, status: 500, reason: "internal_error"},
	}
}

// upstreamView applies a decision's header operations to the request headers,
// as the plugin glue does through the host.
func upstreamView(in [][2]string, d Decision) [][2]string {
	out := make([][2]string, 0, len(in)+len(d.Set))
	for _, h := range in {
		if !containsString(d.Remove, strings.ToLower(h[0])) {
			out = append(out, [2]string{strings.ToLower(h[0]), h[1]})
		}
	}
	for _, s := range d.Set {
		replaced := false
		for i := range out {
			if out[i][0] == s[0] {
				out[i][1], replaced = s[1], true
				break
			}
		}
		if !replaced {
			out = append(out, s)
		}
	}
	return out
}

// outcome is what a scenario leg observed.
type outcome struct {
	forwarded bool
	status    int
	headers   [][2]string // the local reply's headers
	body      string
	details   string      // response-code details of the local reply
	noDetails bool        // the leg cannot see details (natively the SDK drops them)
	upstream  [][2]string // request headers after the filter (when forwarded)
}

// check compares an outcome with the scenario's expectations.
func (s *scenario) check(t *testing.T, o outcome) {
	t.Helper()
	if s.status == 0 {
		if !o.forwarded {
			t.Fatalf("want forwarded upstream, have local reply %d %s", o.status, o.body)
		}
		for _, want := range s.upstream {
			v, ok := headerValue(o.upstream, want[0])
			if !ok {
				t.Errorf("upstream header %s: missing, want %q", want[0], want[1])
			} else if v != want[1] {
				t.Errorf("upstream header %s: have %q, want %q", want[0], v, want[1])
			}
		}
		for _, name := range s.gone {
			if v, ok := headerValue(o.upstream, name); ok {
				t.Errorf("upstream header %s: want absent, have %q", name, v)
			}
		}
		return
	}
	if o.forwarded {
		t.Fatalf("want local reply %d %s, have forwarded upstream", s.status, s.reason)
	}
	equal(t, "status", o.status, s.status)
	if !strings.Contains(o.body, `"reason":"`+s.reason+`"`) {
		t.Errorf("body: have %s, want reason %q", o.body, s.reason)
	}
	if !o.noDetails {
		equal(t, "details", o.details, "tokengate_denied{"+s.reason+"}")
	}
	ct, _ := headerValue(o.headers, "content-type")
	equal(t, "content-type", ct, "application/json")
	wa, hasWA := headerValue(o.headers, "www-authenticate")
	switch {
	case s.wwwAuth != "":
		equal(t, "www-authenticate", wa, s.wwwAuth)
	case s.status == 401 || (s.status == 403 && s.reason != "no_rule_matched"):
		if !strings.HasPrefix(wa, `Bearer realm="api"`) {
			t.Errorf("www-authenticate: have %q, want a Bearer challenge", wa)
		}
	default:
		if hasWA {
			t.Errorf("www-authenticate: have %q, want none for %s", wa, s.reason)
		}
	}
}

func headerValue(h [][2]string, name string) (string, bool) {
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			return kv[1], true
		}
	}
	return "", false
}
