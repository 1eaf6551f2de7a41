package idp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestServer_Introspect_Tokens(t *testing.T) {
	clock := &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, ts := start(t, WithClock(clock.Now))
	jwtTok := token(t, ts, authBasic, jwtClient, url.Values{"scope": {"read"}, "audience": {"api"}}).AccessToken
	opaqueTok := token(t, ts, authPost, opaqueClient, nil).AccessToken
	revokedTok := token(t, ts, authBasic, opaqueClient, nil).AccessToken
	if !s.Revoke(revokedTok) {
		t.Fatal("Revoke: token not known")
	}
	parts := strings.Split(jwtTok, ".")
	forged := parts[0] + "." + b64([]byte(`{"sub":"admin","scope":"read write"}`)) + "." + parts[2]
	iat := clock.Now().Unix()

	tests := []struct {
		name       string
		token      string
		wantActive bool
		wantClient string
	}{
		{name: "jwt", token: jwtTok, wantActive: true, wantClient: jwtClient.ID},
		{name: "opaque", token: opaqueTok, wantActive: true, wantClient: opaqueClient.ID},
		{name: "revoked", token: revokedTok},
		{name: "unknown opaque", token: "ory_at_AAAA.BBBB"},
		{name: "garbage", token: "not-a-token"},
		{name: "jwt with swapped payload", token: forged},
		{name: "opaque with bad hmac", token: opaqueTok[:strings.Index(opaqueTok, ".")] + ".AAAA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := introspect(t, ts, tc.token)
			if m["active"] != tc.wantActive {
				t.Fatalf("active = %v, want %v (%v)", m["active"], tc.wantActive, m)
			}
			if !tc.wantActive {
				if len(m) != 1 {
					t.Errorf("inactive answer %v: want only active:false (RFC 7662 §2.2)", m)
				}
				return
			}
			aud, _ := m["aud"].([]any)
			if m["client_id"] != tc.wantClient || m["sub"] != tc.wantClient || m["scope"] != "read" ||
				m["iss"] != ts.URL || m["token_type"] != "Bearer" || len(aud) != 1 || aud[0] != "api" {
				t.Errorf("claims %v: want client_id = sub = %s, scope read, iss %s, token_type Bearer, aud [api]", m, tc.wantClient, ts.URL)
			}
			if num(t, m, "iat") != iat || num(t, m, "exp") != iat+int64(DefaultTokenLifespan/time.Second) {
				t.Errorf("iat %v exp %v, want %d and +1h (the server clock)", m["iat"], m["exp"], iat)
			}
		})
	}

	t.Run("jwt claims match introspection", func(t *testing.T) {
		m, c := introspect(t, ts, jwtTok), decodePayload(t, jwtTok)
		for _, name := range []string{"jti", "iat", "exp", "iss", "sub", "client_id", "scope"} {
			if m[name] != c[name] {
				t.Errorf("%s: introspection %v, token %v", name, m[name], c[name])
			}
		}
	})

	t.Run("expiry follows the server clock", func(t *testing.T) {
		clock.Advance(DefaultTokenLifespan - time.Second)
		if m := introspect(t, ts, jwtTok); m["active"] != true {
			t.Fatalf("one second before exp: %v, want active", m)
		}
		clock.Advance(time.Second)
		for _, tok := range []string{jwtTok, opaqueTok} {
			if m := introspect(t, ts, tok); m["active"] != false {
				t.Errorf("at exp: %v, want inactive", m)
			}
		}
	})
}

func TestServer_Introspect_ClientAuth(t *testing.T) {
	s, ts := start(t)
	tok := token(t, ts, authBasic, jwtClient, nil).AccessToken
	tests := []struct {
		name       string
		method     authMethod
		id, secret string
		wantStatus int
		wantError  string
	}{
		{name: "client_secret_basic", method: authBasic, id: gatewayClient.ID, secret: gatewayClient.Secret, wantStatus: 200},
		{name: "client_secret_post", method: authPost, id: gatewayClient.ID, secret: gatewayClient.Secret, wantStatus: 200},
		{name: "wrong secret basic", method: authBasic, id: gatewayClient.ID, secret: "x", wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong secret post", method: authPost, id: gatewayClient.ID, secret: "x", wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", method: authBasic, id: "nobody", secret: "x", wantStatus: 401, wantError: "invalid_client"},
		{name: "no credentials", method: authNone, wantStatus: 401, wantError: "invalid_client"},
		{name: "client not allowed to introspect", method: authBasic, id: jwtClient.ID, secret: jwtClient.Secret,
			wantStatus: 403, wantError: "request_forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetHits()
			st, _, body := postForm(t, ts, PathIntrospect, tc.method, tc.id, tc.secret,
				url.Values{"token": {tok}, "token_type_hint": {"access_token"}})
			if st != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", st, tc.wantStatus, body)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			if tc.wantError != "" {
				if m["error"] != tc.wantError || m["active"] != nil {
					t.Errorf("body %s: want error %s and no active member", body, tc.wantError)
				}
			} else if m["active"] != true {
				t.Errorf("body %s: want active", body)
			}
			if r := s.Requests(EndpointIntrospect); len(r) != 1 || r[0].ClientID != tc.id {
				t.Errorf("requests %+v: want one from %q", r, tc.id)
			}
		})
	}

	t.Run("GET is rejected", func(t *testing.T) {
		st, _, body := get(t, ts, PathIntrospect)
		if st != http.StatusBadRequest || !strings.Contains(string(body), "invalid_request") {
			t.Errorf("status %d body %s, want 400 invalid_request", st, body)
		}
	})
}

func TestServer_Revoke(t *testing.T) {
	s, ts := start(t)
	tests := []struct {
		name   string
		client Client
		revoke func(t *testing.T, tok string)
	}{
		{name: "Revoke jwt", client: jwtClient, revoke: func(t *testing.T, tok string) {
			if !s.Revoke(tok) {
				t.Fatal("Revoke: unknown token")
			}
		}},
		{name: "Revoke opaque", client: opaqueClient, revoke: func(t *testing.T, tok string) {
			if !s.Revoke(tok) {
				t.Fatal("Revoke: unknown token")
			}
		}},
		{name: "RFC 7009 endpoint", client: opaqueClient, revoke: func(t *testing.T, tok string) {
			st, _, body := postForm(t, ts, PathRevoke, authPost, opaqueClient.ID, opaqueClient.Secret, url.Values{"token": {tok}})
			if st != http.StatusOK {
				t.Fatalf("revoke: status %d body %s", st, body)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := token(t, ts, authBasic, tc.client, nil).AccessToken
			other := token(t, ts, authBasic, tc.client, nil).AccessToken
			if m := introspect(t, ts, tok); m["active"] != true {
				t.Fatalf("before revocation: %v", m)
			}
			tc.revoke(t, tok)
			if m := introspect(t, ts, tok); m["active"] != false {
				t.Errorf("after revocation: %v, want inactive", m)
			}
			if m := introspect(t, ts, other); m["active"] != true {
				t.Errorf("another token of the client: %v, want still active", m)
			}
		})
	}
	if s.Revoke("ory_at_unknown.token") {
		t.Error("Revoke of an unknown token reported true")
	}
}
