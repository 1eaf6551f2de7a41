package idp

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServer_Discovery(t *testing.T) {
	tests := []struct {
		name     string
		issuer   string // "" = the test server's URL
		prefix   string // path the endpoints are served under
		wantBase string // "" = the test server's URL
	}{
		{name: "test server URL"},
		{name: "configured issuer", issuer: "https://idp.example.com", wantBase: "https://idp.example.com"},
		{name: "trailing slash", issuer: "https://idp.example.com/", wantBase: "https://idp.example.com"},
		{name: "issuer with a path", issuer: "https://idp.example.com/realms/demo", prefix: "/realms/demo",
			wantBase: "https://idp.example.com/realms/demo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.issuer != "" {
				opts = append(opts, WithIssuer(tc.issuer))
			}
			s, ts := start(t, opts...)
			base, issuer := tc.wantBase, tc.issuer
			if base == "" {
				base, issuer = ts.URL, ts.URL
			}
			st, hdr, body := get(t, ts, tc.prefix+PathDiscovery)
			if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d content type %q", st, hdr.Get("Content-Type"))
			}
			var d map[string]any
			if err := json.Unmarshal(body, &d); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"issuer": issuer, "jwks_uri": base + PathJWKS, "token_endpoint": base + PathToken,
				"introspection_endpoint": base + PathIntrospect, "revocation_endpoint": base + PathRevoke}
			for k, v := range want {
				if d[k] != v {
					t.Errorf("%s = %v, want %s", k, d[k], v)
				}
			}
			if g, _ := d["grant_types_supported"].([]any); len(g) != 1 || g[0] != "client_credentials" {
				t.Errorf("grant_types_supported %v", d["grant_types_supported"])
			}
			for _, k := range []string{"token_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported"} {
				if m, _ := d[k].([]any); len(m) != 2 || m[0] != "client_secret_basic" || m[1] != "client_secret_post" {
					t.Errorf("%s = %v", k, d[k])
				}
			}
			// Every advertised endpoint is served at the advertised path.
			if st, _, _ := get(t, ts, tc.prefix+PathJWKS); st != 200 {
				t.Errorf("jwks at %s: status %d", tc.prefix+PathJWKS, st)
			}
			st, _, body = postForm(t, ts, tc.prefix+PathToken, authBasic, jwtClient.ID, jwtClient.Secret,
				map[string][]string{"grant_type": {"client_credentials"}})
			var tr tokenResponse
			if err := json.Unmarshal(body, &tr); err != nil || st != 200 {
				t.Fatalf("token at %s: status %d body %s", tc.prefix+PathToken, st, body)
			}
			if c := decodePayload(t, tr.AccessToken); c["iss"] != issuer {
				t.Errorf("token iss %v, want the discovery issuer %s", c["iss"], issuer)
			}
			if tc.prefix != "" {
				if st, _, _ := get(t, ts, PathJWKS); st != http.StatusNotFound {
					t.Errorf("jwks outside the issuer path: status %d, want 404", st)
				}
			}
			if s.Discovery().Issuer != issuer {
				t.Errorf("Discovery().Issuer %s", s.Discovery().Issuer)
			}
		})
	}
}

func TestServer_SetIssuer(t *testing.T) {
	s := New(WithSigningKey(sharedKey(t)))
	for _, bad := range []string{"", "idp.example.com", "ftp://x", "https://", "https://x/?q=1", "https://x/#f"} {
		if err := s.SetIssuer(bad); err == nil {
			t.Errorf("SetIssuer(%q): want an error", bad)
		}
	}
	if err := s.SetIssuer("http://127.0.0.1:9"); err != nil || s.Issuer() != "http://127.0.0.1:9" {
		t.Errorf("SetIssuer: %v, issuer %s", err, s.Issuer())
	}
}

func TestServer_JWKS_CacheControl(t *testing.T) {
	s, ts := start(t)
	if _, hdr, _ := get(t, ts, PathJWKS); hdr.Get("Cache-Control") != "" {
		t.Errorf("Cache-Control %q by default, want none", hdr.Get("Cache-Control"))
	}
	s.SetJWKSMaxAge(300 * time.Second)
	if _, hdr, _ := get(t, ts, PathJWKS); hdr.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("Cache-Control %q, want public, max-age=300", hdr.Get("Cache-Control"))
	}
}

func TestServer_Clock(t *testing.T) {
	tests := []struct {
		name  string
		start time.Time
	}{
		{name: "far past (fosite's wall-clock checks would call it expired)", start: time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)},
		{name: "far future (fosite's wall-clock checks would call it not yet issued)", start: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: tc.start}
			s, ts := start(t, WithClock(clock.Now), WithTokenLifespan(30*time.Second))
			for _, c := range []Client{jwtClient, opaqueClient} {
				tr := token(t, ts, authBasic, c, nil)
				if tr.ExpiresIn != 30 {
					t.Errorf("%s: expires_in %d, want 30", c.ID, tr.ExpiresIn)
				}
				m := introspect(t, ts, tr.AccessToken)
				if m["active"] != true || num(t, m, "iat") != tc.start.Unix() || num(t, m, "exp") != tc.start.Unix()+30 {
					t.Errorf("%s: introspection %v, want active with iat %d exp +30", c.ID, m, tc.start.Unix())
				}
				if !c.Opaque {
					if p := decodePayload(t, tr.AccessToken); num(t, p, "iat") != tc.start.Unix() || num(t, p, "exp") != tc.start.Unix()+30 {
						t.Errorf("jwt iat/exp %v/%v, want the server clock", p["iat"], p["exp"])
					}
				}
			}
			clock.Advance(30 * time.Second)
			tr := token(t, ts, authBasic, jwtClient, nil) // issued at the new time
			if m := introspect(t, ts, tr.AccessToken); m["active"] != true {
				t.Errorf("fresh token after advancing: %v", m)
			}
			s.SetClock(nil) // back to the wall clock: a 2001 token is expired, a 2040 one still valid
			m := introspect(t, ts, tr.AccessToken)
			if want := tc.start.After(time.Now()); m["active"] != want {
				t.Errorf("after SetClock(nil): %v, want active = %v", m, want)
			}
		})
	}
}
