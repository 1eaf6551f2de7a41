package filter

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The fixture reproduces the seed set-ups:
//   - seed 001 (HAProxy + Auth0): RS256 with the tenant's certificate, issuer
//     https://myaccount.auth0.com/, audience https://api.mywebsite.com, exp
//     checked, "read" for GET/HEAD and "write" for POST/PUT/PATCH/DELETE;
//   - seed 002 (HAProxy + FusionAuth): RS256, issuer https://local.fusionauth.io,
//     the application id as audience, keys given as a JWKS (two keys, by kid);
//
// plus an HS256 "internal" provider with a shared secret.

const (
	auth0Issuer    = "https://myaccount.auth0.com/"
	auth0Audience  = "https://api.mywebsite.com"
	fusionIssuer   = "https://local.fusionauth.io"
	fusionAppID    = "63b73f76-7400-487d-b122-5705b848da80"
	internalIssuer = "billing-service"
)

// testNow is the clock of every scenario unless it says otherwise.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// seedConfig is the example configuration, extended with a FusionAuth
// route (/app), an internal route (/billing) and an allow_missing route (/maybe).
func seedConfig(t testing.TB) map[string]any {
	k := fixtureKeys(t)
	return map[string]any{
		"providers": map[string]any{
			"auth0": map[string]any{
				"issuer":         auth0Issuer,
				"audiences":      []string{auth0Audience},
				"algorithms":     []string{"RS256"},
				"public_key_pem": certificatePEM(t, k.auth0),
				"token_from": []any{
					map[string]any{"header": "Authorization", "prefix": "Bearer "},
					map[string]any{"query": "access_token"},
					map[string]any{"cookie": "at"},
				},
				"clock_skew_seconds":   60,
				"require_expiration":   true,
				"max_lifetime_seconds": 86400,
				"scope_claim":          "scope",
				"forward_token":        false,
				"claim_to_headers": []any{
					map[string]any{"claim": "sub", "header": "x-jwt-sub"},
					map[string]any{"claim": "scope", "header": "x-jwt-scope"},
				},
				"payload_header": "x-jwt-payload",
			},
			"fusionauth": map[string]any{
				"issuer":     fusionIssuer,
				"audiences":  []string{fusionAppID},
				"local_jwks": map[string]any{"keys": []any{rsaJWK(k.fusionA, "fa-1"), rsaJWK(k.fusionB, "fa-2")}},
				"claim_to_headers": []any{
					map[string]any{"claim": "sub", "header": "x-jwt-sub"},
					map[string]any{"claim": "roles", "header": "x-jwt-roles"},
					map[string]any{"claim": "email_verified", "header": "x-jwt-email-verified"},
				},
			},
			"internal": map[string]any{
				"issuer":             internalIssuer,
				"hmac_secret_base64": base64.StdEncoding.EncodeToString(k.hmacSecret),
				"token_from":         []any{map[string]any{"header": "X-Internal-Token"}},
				"forward_token":      true,
				"claim_to_headers":   []any{map[string]any{"claim": "svc", "header": "x-jwt-svc"}},
			},
		},
		"rules": []any{
			map[string]any{"match": map[string]any{"prefix": "/health"}, "allow": true},
			map[string]any{"match": map[string]any{"prefix": "/api", "methods": []string{"GET", "HEAD"}},
				"require": map[string]any{"provider": "auth0", "scopes": []string{"read"}}},
			map[string]any{"match": map[string]any{"prefix": "/api", "methods": []string{"POST", "PUT", "PATCH", "DELETE"}},
				"require": map[string]any{"provider": "auth0", "scopes": []string{"write"}}},
			map[string]any{"match": map[string]any{"exact": "/admin"},
				"require": map[string]any{"any": []string{"auth0", "fusionauth"},
					"claims": []any{map[string]any{"path": "roles", "contains": "admin"}}}},
			map[string]any{"match": map[string]any{"prefix": "/app"}, "require": map[string]any{"provider": "fusionauth"}},
			map[string]any{"match": map[string]any{"prefix": "/billing"}, "require": map[string]any{"provider": "internal"}},
			map[string]any{"match": map[string]any{"prefix": "/maybe"},
				"require": map[string]any{"provider": "auth0", "allow_missing": true}},
		},
		"www_authenticate_realm": "api",
		"cache":                  map[string]any{"max_entries": 4096},
	}
}

// noRulesConfig has providers and no rules: every request needs a valid token
// from any provider.
func noRulesConfig(t testing.TB) map[string]any {
	cfg := seedConfig(t)
	delete(cfg, "rules")
	return cfg
}

// tokenFactory mints the fixture's tokens relative to a clock.
type tokenFactory struct {
	t   testing.TB
	k   *testKeys
	now time.Time
}

func newTokens(t testing.TB) *tokenFactory {
	return &tokenFactory{t: t, k: fixtureKeys(t), now: testNow}
}

// auth0Claims are the claims Auth0 puts in a client-credentials token.
func (f *tokenFactory) auth0Claims(scope string) claims {
	return claims{
		"iss": auth0Issuer, "sub": "client-1@clients", "aud": auth0Audience,
		"iat": f.now.Add(-time.Minute).Unix(), "exp": f.now.Add(time.Hour).Unix(),
		"azp": "client-1", "scope": scope, "gty": "client-credentials",
	}
}

// auth0 signs auth0Claims(scope) modified by edit (a nil value deletes a claim).
func (f *tokenFactory) auth0(scope string, edit claims) string {
	return signRS256(f.t, f.k.auth0, "", merge(f.auth0Claims(scope), edit))
}

// fusionClaims are those of the FusionAuth login API token of seed 002.
func (f *tokenFactory) fusionClaims() claims {
	return claims{
		"aud": fusionAppID, "iss": fusionIssuer, "sub": "3963000f-686d-4169-b628-9c9c4534b780",
		"iat": f.now.Add(-time.Minute).Unix(), "exp": f.now.Add(time.Hour).Unix(),
		"jti": "d97db2ef", "authenticationType": "PASSWORD", "email": "bob@example.com",
		"email_verified": true, "applicationId": fusionAppID, "roles": []string{},
	}
}

// fusion signs with key fa-1 (kid "fa-1").
func (f *tokenFactory) fusion(edit claims) string {
	return signRS256(f.t, f.k.fusionA, "fa-1", merge(f.fusionClaims(), edit))
}

// fusionB signs with the second JWKS key (kid "fa-2").
func (f *tokenFactory) fusionB(edit claims) string {
	return signRS256(f.t, f.k.fusionB, "fa-2", merge(f.fusionClaims(), edit))
}

func (f *tokenFactory) internal(edit claims) string {
	c := claims{"iss": internalIssuer, "svc": "billing", "iat": f.now.Unix(), "exp": f.now.Add(5 * time.Minute).Unix()}
	return signHS256(f.t, f.k.hmacSecret, merge(c, edit))
}

func merge(base, edit claims) claims {
	out := claims{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range edit {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

func bearer(tok string) [2]string { return [2]string{"authorization", "Bearer " + tok} }

// payloadOf returns the base64url payload segment of a token.
func payloadOf(tok string) string { return strings.Split(tok, ".")[1] }
