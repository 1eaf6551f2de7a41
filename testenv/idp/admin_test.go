package idp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestServer_AdminHandler(t *testing.T) {
	s, ts := start(t)
	admin := httptest.NewServer(s.AdminHandler())
	t.Cleanup(admin.Close)
	call := func(t *testing.T, method, path string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, admin.URL+path, nil)
		res, err := admin.Client().Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, body)
		}
		return res.StatusCode, m
	}
	tok := token(t, ts, authBasic, opaqueClient, nil).AccessToken
	oldKid := s.CurrentKeyID()

	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		check      func(t *testing.T, m map[string]any)
	}{
		{name: "rotate", method: "POST", path: "/admin/rotate?keep_old=true", wantStatus: 200, check: func(t *testing.T, m map[string]any) {
			if m["kid"] != s.CurrentKeyID() || s.CurrentKeyID() == oldKid || len(s.KeyIDs()) != 2 {
				t.Errorf("kid %v, current %s, published %v", m["kid"], s.CurrentKeyID(), s.KeyIDs())
			}
		}},
		{name: "keys", method: "GET", path: "/admin/keys", wantStatus: 200, check: func(t *testing.T, m map[string]any) {
			if p, _ := m["published"].([]any); m["current"] != s.CurrentKeyID() || len(p) != 2 {
				t.Errorf("keys %v", m)
			}
		}},
		{name: "fail status", method: "POST", path: "/admin/fail?status=500&endpoint=jwks", wantStatus: 200, check: func(t *testing.T, _ map[string]any) {
			if st, _, _ := get(t, ts, PathJWKS); st != 500 {
				t.Errorf("jwks status %d, want 500", st)
			}
			if st, _, _ := get(t, ts, PathDiscovery); st != 200 {
				t.Errorf("discovery status %d, want 200", st)
			}
		}},
		{name: "down 503", method: "POST", path: "/admin/down?mode=503&endpoint=discovery", wantStatus: 200, check: func(t *testing.T, _ map[string]any) {
			if st, _, _ := get(t, ts, PathDiscovery); st != 503 {
				t.Errorf("discovery status %d, want 503", st)
			}
		}},
		{name: "malformed", method: "POST", path: "/admin/malformed?on=true&endpoint=introspect", wantStatus: 200, check: func(t *testing.T, _ map[string]any) {
			_, _, body := postForm(t, ts, PathIntrospect, authBasic, gatewayClient.ID, gatewayClient.Secret, url.Values{"token": {tok}})
			if string(body) != MalformedBody {
				t.Errorf("introspect body %q", body)
			}
		}},
		{name: "reset", method: "POST", path: "/admin/reset", wantStatus: 200, check: func(t *testing.T, _ map[string]any) {
			if st, _, _ := get(t, ts, PathJWKS); st != 200 {
				t.Errorf("jwks status %d after reset", st)
			}
		}},
		{name: "delay", method: "POST", path: "/admin/delay?duration=1ms", wantStatus: 200},
		{name: "lifespan", method: "POST", path: "/admin/lifespan?duration=45s", wantStatus: 200, check: func(t *testing.T, _ map[string]any) {
			if s.TokenLifespan() != 45*time.Second {
				t.Errorf("lifespan %s", s.TokenLifespan())
			}
		}},
		{name: "clock offset", method: "POST", path: "/admin/clock?offset=-24h", wantStatus: 200, check: func(t *testing.T, _ map[string]any) {
			if d := time.Since(s.now()); d < 23*time.Hour || d > 25*time.Hour {
				t.Errorf("server clock %s, want a day behind", s.now())
			}
		}},
		{name: "revoke", method: "POST", path: "/admin/revoke?token=" + url.QueryEscape(tok), wantStatus: 200, check: func(t *testing.T, m map[string]any) {
			if m["revoked"] != true || introspect(t, ts, tok)["active"] != false {
				t.Errorf("revoke %v", m)
			}
		}},
		{name: "hits", method: "GET", path: "/admin/hits", wantStatus: 200, check: func(t *testing.T, m map[string]any) {
			if m["jwks"] != float64(s.Hits(EndpointJWKS)) || m["jwks"] == float64(0) {
				t.Errorf("hits %v, server says jwks %d", m, s.Hits(EndpointJWKS))
			}
		}},
		{name: "reset-hits", method: "POST", path: "/admin/reset-hits", wantStatus: 200, check: func(t *testing.T, _ map[string]any) {
			if s.Hits(EndpointJWKS) != 0 {
				t.Error("hits not reset")
			}
		}},
		{name: "bad endpoint", method: "POST", path: "/admin/down?mode=close&endpoint=nope", wantStatus: 400},
		{name: "bad mode", method: "POST", path: "/admin/down?mode=sideways", wantStatus: 400},
		{name: "bad status", method: "POST", path: "/admin/fail?status=5000", wantStatus: 400},
		{name: "bad duration", method: "POST", path: "/admin/delay?duration=soon", wantStatus: 400},
		{name: "GET of a control", method: "GET", path: "/admin/rotate", wantStatus: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, m := call(t, tc.method, tc.path)
			if st != tc.wantStatus {
				t.Fatalf("status %d, want %d (%v)", st, tc.wantStatus, m)
			}
			if st != 200 {
				if e, _ := m["error"].(string); !strings.HasPrefix(e, "admin") {
					t.Errorf("error %v: want a message naming the admin parameter", m)
				}
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}
