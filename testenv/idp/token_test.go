package idp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestServer_Token_AuthMethods(t *testing.T) {
	s, ts := start(t)
	tests := []struct {
		name       string
		method     authMethod
		id, secret string
		form       url.Values
		wantStatus int
		wantError  string
		wantAuth   string
	}{
		{name: "client_secret_basic", method: authBasic, id: jwtClient.ID, secret: jwtClient.Secret,
			wantStatus: 200, wantAuth: "client_secret_basic"},
		{name: "client_secret_post", method: authPost, id: jwtClient.ID, secret: jwtClient.Secret,
			wantStatus: 200, wantAuth: "client_secret_post"},
		{name: "opaque client basic", method: authBasic, id: opaqueClient.ID, secret: opaqueClient.Secret,
			wantStatus: 200, wantAuth: "client_secret_basic"},
		{name: "wrong secret basic", method: authBasic, id: jwtClient.ID, secret: "nope",
			wantStatus: 401, wantError: "invalid_client", wantAuth: "client_secret_basic"},
		{name: "wrong secret post", method: authPost, id: jwtClient.ID, secret: "nope",
			wantStatus: 401, wantError: "invalid_client", wantAuth: "client_secret_post"},
		{name: "unknown client", method: authBasic, id: "who", secret: "x",
			wantStatus: 401, wantError: "invalid_client", wantAuth: "client_secret_basic"},
		{name: "no credentials", method: authNone,
			wantStatus: 400, wantError: "invalid_request"},
		{name: "unsupported grant", method: authBasic, id: jwtClient.ID, secret: jwtClient.Secret,
			form: url.Values{"grant_type": {"password"}}, wantStatus: 400, wantError: "invalid_request", wantAuth: "client_secret_basic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetHits()
			form := tc.form
			if form == nil {
				form = url.Values{"grant_type": {"client_credentials"}}
			}
			st, hdr, body := postForm(t, ts, PathToken, tc.method, tc.id, tc.secret, form)
			if st != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", st, tc.wantStatus, body)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			var tr tokenResponse
			if err := json.Unmarshal(body, &tr); err != nil {
				t.Fatalf("body not JSON: %v: %s", err, body)
			}
			if tr.Error != tc.wantError {
				t.Errorf("error = %q, want %q (body %s)", tr.Error, tc.wantError, body)
			}
			if tc.wantStatus == 200 && (tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "bearer")) {
				t.Errorf("token response %s: want an access_token of type bearer", body)
			}
			reqs := s.Requests(EndpointToken)
			if len(reqs) != 1 || s.Hits(EndpointToken) != 1 {
				t.Fatalf("requests = %+v, hits %d: want exactly one", reqs, s.Hits(EndpointToken))
			}
			if reqs[0].AuthMethod != tc.wantAuth || reqs[0].ClientID != tc.id || reqs[0].Status != tc.wantStatus {
				t.Errorf("logged %+v, want auth %q client %q status %d", reqs[0], tc.wantAuth, tc.id, tc.wantStatus)
			}
		})
	}
}

func TestServer_Token_JWTProfile(t *testing.T) {
	s, ts := start(t)
	s.SetTokenLifespan(90 * time.Second)
	for _, m := range []struct {
		name   string
		method authMethod
	}{{"basic", authBasic}, {"post", authPost}} {
		t.Run(m.name, func(t *testing.T) {
			tr := token(t, ts, m.method, jwtClient, url.Values{"scope": {"read inventory:read"}, "audience": {"api"}})
			if tr.ExpiresIn != 90 || tr.Scope != "read inventory:read" {
				t.Errorf("expires_in %d scope %q, want 90 and %q", tr.ExpiresIn, tr.Scope, "read inventory:read")
			}
			_, _, jwks := get(t, ts, PathJWKS)
			d := verifyRS256(t, tr.AccessToken, parseJWKS(t, jwks))
			if d.header["typ"] != "at+jwt" || d.header["kid"] != s.CurrentKeyID() {
				t.Errorf("header %v: want typ at+jwt and kid %s", d.header, s.CurrentKeyID())
			}
			c := d.claims
			aud, _ := c["aud"].([]any)
			if c["iss"] != ts.URL || c["sub"] != jwtClient.ID || c["client_id"] != jwtClient.ID ||
				c["scope"] != "read inventory:read" || len(aud) != 1 || aud[0] != "api" {
				t.Errorf("claims %v: want iss %s, sub = client_id = %s, scope, aud [api]", c, ts.URL, jwtClient.ID)
			}
			if jti, _ := c["jti"].(string); len(jti) < 16 {
				t.Errorf("jti = %v, want a random identifier", c["jti"])
			}
			iat, exp := num(t, c, "iat"), num(t, c, "exp")
			if exp-iat != 90 {
				t.Errorf("exp - iat = %d, want 90", exp-iat)
			}
			if d := time.Since(time.Unix(iat, 0)); d < -5*time.Second || d > time.Minute {
				t.Errorf("iat %d is not the current time", iat)
			}
			if _, ok := c["scp"]; ok {
				t.Errorf("claims carry scp %v: want only the space-delimited scope", c["scp"])
			}
		})
	}
}

func TestServer_Token_ScopeAudience(t *testing.T) {
	_, ts := start(t)
	tests := []struct {
		name      string
		form      url.Values
		wantScope string
		wantAud   []string
		wantError string
	}{
		{name: "nothing requested grants all", form: url.Values{},
			wantScope: "read write inventory:read", wantAud: []string{"api", "https://inventory.internal"}},
		{name: "subset", form: url.Values{"scope": {"write"}, "audience": {"https://inventory.internal"}},
			wantScope: "write", wantAud: []string{"https://inventory.internal"}},
		{name: "repeated audience", form: url.Values{"audience": {"api", "https://inventory.internal"}},
			wantScope: "read write inventory:read", wantAud: []string{"api", "https://inventory.internal"}},
		{name: "space-delimited audience", form: url.Values{"audience": {"api https://inventory.internal"}},
			wantScope: "read write inventory:read", wantAud: []string{"api", "https://inventory.internal"}},
		{name: "scope not allowed", form: url.Values{"scope": {"read admin"}}, wantError: "invalid_scope"},
		{name: "scope prefix is not the scope", form: url.Values{"scope": {"inventory"}}, wantError: "invalid_scope"},
		{name: "audience not allowed", form: url.Values{"audience": {"https://evil.example"}}, wantError: "invalid_request"},
		{name: "audience prefix is not the audience", form: url.Values{"audience": {"https://inventory.internal/x"}}, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := tc.form
			form.Set("grant_type", "client_credentials")
			st, _, body := postForm(t, ts, PathToken, authBasic, jwtClient.ID, jwtClient.Secret, form)
			var tr tokenResponse
			if err := json.Unmarshal(body, &tr); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			if tc.wantError != "" {
				if st != http.StatusBadRequest || tr.Error != tc.wantError || tr.AccessToken != "" {
					t.Fatalf("status %d body %s, want 400 %s and no token", st, body, tc.wantError)
				}
				return
			}
			if st != 200 || tr.Scope != tc.wantScope {
				t.Fatalf("status %d scope %q, want 200 %q (body %s)", st, tr.Scope, tc.wantScope, body)
			}
			d := decodePayload(t, tr.AccessToken)
			if d["scope"] != tc.wantScope {
				t.Errorf("scope claim %v, want %q", d["scope"], tc.wantScope)
			}
			aud, _ := d["aud"].([]any)
			if len(aud) != len(tc.wantAud) {
				t.Fatalf("aud %v, want %v", d["aud"], tc.wantAud)
			}
			for i := range aud {
				if aud[i] != tc.wantAud[i] {
					t.Errorf("aud %v, want %v", d["aud"], tc.wantAud)
				}
			}
		})
	}
}

func decodePayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %d segments", len(parts))
	}
	var m map[string]any
	if err := json.Unmarshal(b64decode(t, parts[1]), &m); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return m
}

func TestServer_Token_Opaque(t *testing.T) {
	_, ts := start(t)
	tr := token(t, ts, authPost, opaqueClient, nil)
	if strings.Count(tr.AccessToken, ".") != 1 || !strings.HasPrefix(tr.AccessToken, opaquePrefix) {
		t.Fatalf("opaque token %q: want fosite's ory_at_<key>.<sig>", tr.AccessToken)
	}
	if tr.Scope != "read" || tr.ExpiresIn != int64(DefaultTokenLifespan/time.Second) {
		t.Errorf("scope %q expires_in %d, want read and %d", tr.Scope, tr.ExpiresIn, int64(DefaultTokenLifespan/time.Second))
	}
}
