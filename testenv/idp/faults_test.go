package idp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestServer_Faults(t *testing.T) {
	s, ts := start(t)
	tests := []struct {
		name   string
		inject func()
		// wantErr: the client sees a transport error instead of a response.
		wantErr    bool
		wantStatus int
		check      func(t *testing.T, hdr http.Header, body []byte)
	}{
		{name: "up", inject: func() {}, wantStatus: 200, check: func(t *testing.T, _ http.Header, body []byte) {
			parseJWKS(t, body)
		}},
		{name: "down closes the connection", inject: func() { s.SetDown(true, EndpointJWKS) }, wantErr: true},
		{name: "down 503", inject: func() { s.SetDownMode(Down503, EndpointJWKS) }, wantStatus: 503,
			check: func(t *testing.T, hdr http.Header, _ []byte) {
				if hdr.Get("Retry-After") == "" {
					t.Error("503 without Retry-After")
				}
			}},
		{name: "fail status", inject: func() { s.SetFailStatus(500, EndpointJWKS) }, wantStatus: 500,
			check: func(t *testing.T, _ http.Header, body []byte) {
				var m map[string]string
				if json.Unmarshal(body, &m) != nil || m["error"] != "server_error" {
					t.Errorf("body %s: want a server_error JSON", body)
				}
			}},
		{name: "malformed", inject: func() { s.SetMalformed(true, EndpointJWKS) }, wantStatus: 200,
			check: func(t *testing.T, hdr http.Header, body []byte) {
				if json.Valid(body) || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
					t.Errorf("body %q (%s): want non-JSON labelled as JSON", body, hdr.Get("Content-Type"))
				}
			}},
		{name: "override", inject: func() {
			s.SetOverride(&Override{ContentType: "application/json", Body: []byte(`{"keys":[{"kty":"RSA","kid":"k","n":"AA","e":"AQAB"}]}`)}, EndpointJWKS)
		}, wantStatus: 200, check: func(t *testing.T, _ http.Header, body []byte) {
			if !strings.Contains(string(body), `"kid":"k"`) {
				t.Errorf("body %s: want the override", body)
			}
		}},
		{name: "delay then answer", inject: func() { s.SetDelay(20*time.Millisecond, EndpointJWKS) }, wantStatus: 200},
		{name: "all endpoints when none named", inject: func() { s.SetFailStatus(502) }, wantStatus: 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset()
			s.ResetHits()
			tc.inject()
			// A fresh connection per request: net/http retries an idempotent request once when a
			// reused connection is closed, which would count two hits.
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			res, err := client.Get(ts.URL + PathJWKS)
			if s.Hits(EndpointJWKS) != 1 {
				t.Errorf("hits = %d, want 1 (faulted requests count)", s.Hits(EndpointJWKS))
			}
			if tc.wantErr {
				if err == nil {
					res.Body.Close()
					t.Fatalf("got status %d, want a connection error", res.StatusCode)
				}
				if r := s.Requests(EndpointJWKS); len(r) != 1 || r[0].Status != 0 {
					t.Errorf("logged %+v, want status 0 for a closed connection", r)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", res.StatusCode, tc.wantStatus, body)
			}
			if tc.check != nil {
				tc.check(t, res.Header, body)
			}
		})
	}

	t.Run("faults are per endpoint", func(t *testing.T) {
		s.Reset()
		s.SetDown(true, EndpointJWKS, EndpointDiscovery)
		if tr := token(t, ts, authBasic, jwtClient, nil); tr.AccessToken == "" {
			t.Fatal("token endpoint should still serve")
		}
		if _, err := ts.Client().Get(ts.URL + PathDiscovery); err == nil {
			t.Error("discovery: want a connection error")
		}
		s.SetDown(false)
		if st, _, _ := get(t, ts, PathDiscovery); st != 200 {
			t.Errorf("after SetDown(false): status %d", st)
		}
	})

	t.Run("delay longer than the client waits", func(t *testing.T) {
		s.Reset()
		s.SetDelay(10*time.Second, EndpointToken)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		form := url.Values{"grant_type": {"client_credentials"}}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+PathToken, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(jwtClient.ID, jwtClient.Secret)
		if res, err := ts.Client().Do(req); err == nil {
			res.Body.Close()
			t.Fatalf("got status %d, want the client's deadline", res.StatusCode)
		}
	})
}

func TestServer_Hits(t *testing.T) {
	s, ts := start(t)
	for i := 0; i < 3; i++ {
		get(t, ts, PathJWKS)
	}
	token(t, ts, authPost, jwtClient, nil)
	introspect(t, ts, "x")
	get(t, ts, "/nope")
	want := map[Endpoint]int{EndpointJWKS: 3, EndpointToken: 1, EndpointIntrospect: 1, EndpointDiscovery: 0, EndpointRevoke: 0}
	for e, n := range want {
		if got := s.Hits(e); got != n {
			t.Errorf("Hits(%s) = %d, want %d", e, got, n)
		}
	}
	if r := s.Requests(); len(r) != 5 {
		t.Errorf("Requests() has %d entries, want 5", len(r))
	}
	s.ResetHits()
	if s.Hits(EndpointJWKS) != 0 || len(s.Requests()) != 0 {
		t.Error("ResetHits left counts")
	}
}

func TestServer_RoundTrip(t *testing.T) {
	s, err := NewServer(WithSigningKey(sharedKey(t)), WithClient(jwtClient))
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: s}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {jwtClient.ID}, "client_secret": {jwtClient.Secret}}
	res, err := c.PostForm(s.URL(EndpointToken), form)
	if err != nil {
		t.Fatalf("in-process token request: %v", err)
	}
	var tr tokenResponse
	err = json.NewDecoder(res.Body).Decode(&tr)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || tr.AccessToken == "" {
		t.Fatalf("status %d err %v token %q", res.StatusCode, err, tr.AccessToken)
	}
	if d := decodePayload(t, tr.AccessToken); d["iss"] != DefaultIssuer {
		t.Errorf("iss %v, want %s", d["iss"], DefaultIssuer)
	}

	s.SetDown(true, EndpointJWKS)
	if _, err := c.Get(s.URL(EndpointJWKS)); !errors.Is(err, ErrConnectionClosed) {
		t.Errorf("down: err %v, want ErrConnectionClosed", err)
	}
	s.SetDown(false)
	s.SetDelay(10*time.Second, EndpointJWKS)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL(EndpointJWKS), nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delay beyond the deadline: err %v, want the context deadline", err)
	}
	if s.Hits(EndpointJWKS) != 2 {
		t.Errorf("hits %d, want 2", s.Hits(EndpointJWKS))
	}
}

func TestServer_ServeHTTP_Methods(t *testing.T) {
	_, ts := start(t)
	for _, p := range []string{PathJWKS, PathDiscovery} {
		res, err := ts.Client().Post(ts.URL+p, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") == "" {
			t.Errorf("POST %s: status %d Allow %q, want 405 with Allow", p, res.StatusCode, res.Header.Get("Allow"))
		}
	}
	if st, _, _ := get(t, ts, "/oauth2/authorize"); st != http.StatusNotFound {
		t.Errorf("unknown path: status %d, want 404", st)
	}
}
