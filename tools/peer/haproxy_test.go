package peer

import (
	"fmt"
	"testing"
	"time"
)

// TestHAProxy_SeedConfig checks the reference peer alone: the rendered seed configuration
// accepts tokens minted by this package (RS256 with the PEM key, HS256 with the secret) and
// denies the basic failures, and it shows the HAProxy behaviours the Rules rely on.
func TestHAProxy_SeedConfig(t *testing.T) {
	p := startPeers(t, false)
	now := time.Now().Unix()
	rs := func(payload string) string { return Compact(`{"alg":"RS256","typ":"JWT"}`, payload, p.keys.SignRS256) }
	hs := func(payload string) string {
		return Compact(`{"alg":"HS256"}`, payload, func(in string) []byte { return SignHS256([]byte(p.keys.HMAC), in) })
	}
	claims := func(iss, aud string, exp int64, scope string) string {
		return fmt.Sprintf(`{"iss":%q,"aud":%s,"exp":%d,"scope":%q}`, iss, aud, exp, scope)
	}
	aud := fmt.Sprintf("%q", p.policy.Audience)
	rsOK := rs(claims(p.policy.RSIssuer, aud, now+3600, "read write"))
	tests := []struct {
		name   string
		method string
		path   string
		auth   string
		want   Decision
	}{
		{name: "RS256 valid", method: "GET", path: "/api/items", auth: "Bearer " + rsOK, want: Allow},
		{name: "HS256 valid", method: "POST", path: "/api/items", auth: "Bearer " + hs(claims(p.policy.HSIssuer, aud, now+3600, "write")), want: Allow},
		{name: "health without token", method: "GET", path: "/health", want: Allow},
		{name: "no token", method: "GET", path: "/api/items", want: Deny},
		{name: "expired", method: "GET", path: "/api/items", auth: "Bearer " + rs(claims(p.policy.RSIssuer, aud, now-3600, "read")), want: Deny},
		{name: "wrong issuer", method: "GET", path: "/api/items", auth: "Bearer " + rs(claims("https://evil/", aud, now+3600, "read")), want: Deny},
		{name: "HS256 token with the RS256 issuer", method: "GET", path: "/api/items", auth: "Bearer " + hs(claims(p.policy.RSIssuer, aud, now+3600, "read")), want: Deny},
		{name: "wrong audience", method: "GET", path: "/api/items", auth: "Bearer " + rs(claims(p.policy.RSIssuer, `"x"`, now+3600, "read")), want: Deny},
		{name: "bad signature", method: "GET", path: "/api/items", auth: "Bearer " + rsOK[:len(rsOK)-10] + "AAAAAAAAAA", want: Deny},
		{name: "read token on POST", method: "POST", path: "/api/items", auth: "Bearer " + rs(claims(p.policy.RSIssuer, aud, now+3600, "read")), want: Deny},
		{name: "unknown route", method: "GET", path: "/other", auth: "Bearer " + rsOK, want: Deny},
		// behaviours behind the Rules
		{name: "aud array is denied (haproxy-aud-array)", method: "GET", path: "/api/items",
			auth: "Bearer " + rs(claims(p.policy.RSIssuer, "["+aud+"]", now+3600, "read")), want: Deny},
		{name: "no exp is allowed (haproxy-exp-optional)", method: "GET", path: "/api/items",
			auth: "Bearer " + rs(fmt.Sprintf(`{"iss":%q,"aud":%s,"scope":"read"}`, p.policy.RSIssuer, aud)), want: Allow},
		{name: "scope substring is allowed (haproxy-scope-substring)", method: "GET", path: "/api/items",
			auth: "Bearer " + rs(claims(p.policy.RSIssuer, aud, now+3600, "readonly")), want: Allow},
		{name: "nbf is not read (haproxy-ignores-nbf)", method: "GET", path: "/api/items",
			auth: "Bearer " + rs(fmt.Sprintf(`{"iss":%q,"aud":%s,"exp":%d,"nbf":%d,"scope":"read"}`, p.policy.RSIssuer, aud, now+3600, now+3000)), want: Allow},
		{name: "raw path is matched (haproxy-path-not-normalized-bypass)", method: "GET", path: "/health/../api/items", want: Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Request{Name: tt.name, Method: tt.method, Target: tt.path}
			if tt.auth != "" {
				r.Headers = [][2]string{{"Authorization", tt.auth}}
			}
			got := p.send(t, p.hpAPI, r)
			if got.decision != tt.want {
				t.Errorf("haproxy: %s (%d %q), want %s", got.decision, got.status, got.body, tt.want)
			}
		})
	}
}
