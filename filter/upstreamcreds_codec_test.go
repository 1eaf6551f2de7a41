package filter

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// seenRequest is what the fake token endpoint parsed out of a token request.
type seenRequest struct {
	method, host, path, contentType string
	form                            url.Values // the body (PostForm), every value
	basicID, basicSecret            string     // decoded as RFC 6749 §2.3.1 says; "" without Basic
	hasBasic                        bool
}

// recordingEndpoint answers every token request with status and body and
// records what it parsed.
func recordingEndpoint(t *testing.T, status int, body string, seen *seenRequest) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("endpoint: parse form: %v", err)
		}
		*seen = seenRequest{method: r.Method, host: r.Host, path: r.URL.RequestURI(),
			contentType: r.Header.Get("content-type"), form: r.PostForm}
		if id, secret, ok := r.BasicAuth(); ok {
			seen.hasBasic = true
			var err error
			if seen.basicID, err = url.QueryUnescape(id); err != nil {
				t.Errorf("endpoint: basic id not form-urlencoded: %v", err)
			}
			if seen.basicSecret, err = url.QueryUnescape(secret); err != nil {
				t.Errorf("endpoint: basic secret not form-urlencoded: %v", err)
			}
		}
		jsonHandler(status, body).ServeHTTP(w, r)
	})
}

func Test_upstreamCred_tokenRequest(t *testing.T) {
	const ok = `{"access_token":"tok","token_type":"Bearer","expires_in":60}`
	tests := []struct {
		name       string
		entry      string
		wantForm   url.Values
		wantBasic  bool
		wantID     string
		wantSecret string
	}{
		{
			name: "client_secret_basic with scopes and every endpoint param value",
			entry: `{"match":{"prefix":"/"},"cluster":"idp","token_uri":"https://idp.example.com/oauth2/token",
				"client_id":"gate:way é","client_secret":"p@ss:w rd+/&=%","scopes":["inventory:read","inventory:write"],
				"endpoint_params":{"audience":["https://inventory.internal","https://b"],"resource":["x y"]}}`,
			wantForm: url.Values{"grant_type": {"client_credentials"}, "scope": {"inventory:read inventory:write"},
				"audience": {"https://inventory.internal", "https://b"}, "resource": {"x y"}},
			wantBasic: true, wantID: "gate:way é", wantSecret: "p@ss:w rd+/&=%",
		},
		{
			name: "client_secret_post (Auth0) without scopes",
			entry: `{"match":{"prefix":"/"},"cluster":"idp","token_uri":"https://idp.example.com/oauth2/token",
				"client_id":"gate:way","client_secret":"p@ss w&rd","auth_method":"client_secret_post",
				"endpoint_params":{"audience":["https://inventory.internal"]}}`,
			wantForm: url.Values{"grant_type": {"client_credentials"}, "audience": {"https://inventory.internal"},
				"client_id": {"gate:way"}, "client_secret": {"p@ss w&rd"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCred(t, tt.entry)
			call := c.tokenRequest()
			equal(t, "cluster", call.Cluster, "idp")
			equal(t, "timeout", call.Timeout, 3*time.Second)
			var seen seenRequest
			resp := roundTrip(t, recordingEndpoint(t, 200, ok, &seen), call)
			equal(t, "status", resp.Status, 200)
			equal(t, "method", seen.method, "POST")
			equal(t, "host", seen.host, "idp.example.com")
			equal(t, "path", seen.path, "/oauth2/token")
			equal(t, "content-type", seen.contentType, "application/x-www-form-urlencoded")
			equal(t, "form", seen.form, tt.wantForm)
			equal(t, "basic", seen.hasBasic, tt.wantBasic)
			equal(t, "basic id", seen.basicID, tt.wantID)
			equal(t, "basic secret", seen.basicSecret, tt.wantSecret)
		})
	}
}

func Test_upstreamCred_parseTokenResponse(t *testing.T) {
	c := mustCred(t, `{"match":{"prefix":"/"},"cluster":"idp","token_uri":"https://idp/t","client_id":"a","client_secret":"b",
		"default_expires_in_seconds":90}`)
	tests := []struct {
		name      string
		resp      *shared.Response
		wantToken string
		wantLife  time.Duration
		defaulted bool
		wantErr   string // whole error text; "" for success
		rejected  bool
	}{
		{name: "RFC 6749 5.1 example", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600}`)},
			wantErr: `token endpoint: malformed token response: token_type "example" is not Bearer`},
		{name: "bearer", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"a.b.c","token_type":"Bearer","expires_in":3600,"scope":"x"}`)},
			wantToken: "a.b.c", wantLife: time.Hour},
		{name: "bearer lower case, expires_in as string", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"t","token_type":"bearer","expires_in":"120"}`)},
			wantToken: "t", wantLife: 2 * time.Minute},
		{name: "no expires_in uses the default", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"t","token_type":"Bearer"}`)},
			wantToken: "t", wantLife: 90 * time.Second, defaulted: true},
		{name: "null expires_in uses the default", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"t","token_type":"Bearer","expires_in":null}`)},
			wantToken: "t", wantLife: 90 * time.Second, defaulted: true},
		{name: "fractional expires_in", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"t","token_type":"Bearer","expires_in":1.5}`)},
			wantToken: "t", wantLife: 1500 * time.Millisecond},
		{name: "huge expires_in is cut", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"t","token_type":"Bearer","expires_in":1e30}`)},
			wantToken: "t", wantLife: maxTokenLifetime},
		{name: "zero expires_in", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"t","token_type":"Bearer","expires_in":0}`)},
			wantErr: "token endpoint: malformed token response: expires_in is not a positive number of seconds"},
		{name: "negative expires_in string", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"t","token_type":"Bearer","expires_in":"-5"}`)},
			wantErr: "token endpoint: malformed token response: expires_in is not a positive number of seconds"},
		{name: "missing access_token", resp: &shared.Response{Status: 200, Body: []byte(`{"token_type":"Bearer"}`)},
			wantErr: "token endpoint: malformed token response: access_token missing or not a string"},
		{name: "empty access_token", resp: &shared.Response{Status: 200, Body: []byte(`{"access_token":"","token_type":"Bearer"}`)},
			wantErr: "token endpoint: malformed token response: access_token missing or not a string"},
		{name: "access_token with a space", resp: &shared.Response{Status: 200, Body: []byte(`{"access_token":"a b","token_type":"Bearer"}`)},
			wantErr: "token endpoint: malformed token response: access_token holds a character not allowed in a header"},
		{name: "access_token with CRLF", resp: &shared.Response{Status: 200, Body: []byte(`{"access_token":"a\r\nx: y","token_type":"Bearer"}`)},
			wantErr: "token endpoint: malformed token response: access_token holds a character not allowed in a header"},
		{name: "access_token too long", resp: &shared.Response{Status: 200, Body: []byte(
			`{"access_token":"` + strings.Repeat("a", maxUpstreamTokenBytes+1) + `","token_type":"Bearer"}`)},
			wantErr: "token endpoint: malformed token response: access_token longer than 16384 bytes"},
		{name: "missing token_type", resp: &shared.Response{Status: 200, Body: []byte(`{"access_token":"t"}`)},
			wantErr: "token endpoint: malformed token response: token_type missing or not a string"},
		{name: "not json", resp: &shared.Response{Status: 200, Body: []byte(`<html>`)},
			wantErr: "token endpoint: malformed token response: not JSON"},
		{name: "json array", resp: &shared.Response{Status: 200, Body: []byte(`[]`)},
			wantErr: "token endpoint: malformed token response: not a JSON object"},
		{name: "401 invalid_client", resp: &shared.Response{Status: 401, Body: []byte(
			`{"error":"invalid_client","error_description":"Client authentication failed"}`)},
			wantErr: "token endpoint: answered HTTP 401 (error=invalid_client)", rejected: true},
		{name: "400 with a malformed error code", resp: &shared.Response{Status: 400, Body: []byte(`{"error":"bad\"code"}`)},
			wantErr: "token endpoint: answered HTTP 400", rejected: true},
		{name: "500", resp: &shared.Response{Status: 500, Body: []byte(`{"error":"server_error"}`)},
			wantErr: "token endpoint: answered HTTP 500"},
		{name: "host timeout", resp: &shared.Response{Status: 504, Body: []byte("upstream request timeout")},
			wantErr: "token endpoint: answered HTTP 504"},
		{name: "redirect", resp: &shared.Response{Status: 302},
			wantErr: "token endpoint: answered HTTP 302"},
		{name: "no response", resp: &shared.Response{}, wantErr: "token endpoint: no response (connection failed or reset)"},
		{name: "nil response", resp: nil, wantErr: "token endpoint: no response (connection failed or reset)"},
		{name: "too large", resp: &shared.Response{Status: 200, TooLarge: true},
			wantErr: "token endpoint: response body too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := c.parseTokenResponse(tt.resp)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error, want %q", tt.wantErr)
				}
				equal(t, "error", err.Error(), tt.wantErr)
				te, ok := err.(*tokenEndpointError)
				if !ok {
					t.Fatalf("error is %T, want *tokenEndpointError", err)
				}
				equal(t, "rejected", te.rejected(), tt.rejected)
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			equal(t, "token", g.accessToken, tt.wantToken)
			equal(t, "life", g.life, tt.wantLife)
			equal(t, "defaulted", g.defaulted, tt.defaulted)
		})
	}
}

func Test_upstreamCred_schedule(t *testing.T) {
	tests := []struct {
		name          string
		refresh       time.Duration
		life          time.Duration
		fresh, usable time.Duration
	}{
		{name: "an hour, refresh 60 s before", refresh: time.Minute, life: time.Hour, fresh: 59 * time.Minute, usable: time.Hour - 2*time.Second},
		{name: "refresh 0", refresh: 0, life: time.Minute, fresh: 58 * time.Second, usable: 58 * time.Second},
		{name: "refresh longer than the life", refresh: time.Minute, life: 30 * time.Second, fresh: 15 * time.Second, usable: 28 * time.Second},
		{name: "refresh equal to the life", refresh: time.Minute, life: time.Minute, fresh: 30 * time.Second, usable: 58 * time.Second},
		{name: "very short life", refresh: time.Minute, life: 4 * time.Second, fresh: 2 * time.Second, usable: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &upstreamCred{refresh: tt.refresh}
			fresh, usable := c.schedule(tt.life)
			equal(t, "fresh", fresh, tt.fresh)
			equal(t, "usable", usable, tt.usable)
		})
	}
}

func Test_upstreamTokenFetcher_Next(t *testing.T) {
	c := mustCred(t, `{"match":{"prefix":"/"},"cluster":"idp","token_uri":"https://idp/t","client_id":"a","client_secret":"b",
		"refresh_before_seconds":60}`)
	now := time.Unix(1_700_000_000, 0)
	f := &upstreamTokenFetcher{cred: c}
	call, err := f.First()
	if err != nil {
		t.Fatal(err)
	}
	resp := roundTrip(t, jsonHandler(200, `{"access_token":"eyJ.x.y","token_type":"Bearer","expires_in":600}`), call)
	step, err := f.Next(resp, now)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if step.Next != nil {
		t.Fatalf("Next asks for another call")
	}
	equal(t, "fresh", step.FreshFor, 540*time.Second)
	equal(t, "usable", step.UsableFor, 598*time.Second)
	equal(t, "value", string(step.Value), "eyJ.x.y")

	resp = roundTrip(t, jsonHandler(401, `{"error":"invalid_client"}`), call)
	_, err = f.Next(resp, now)
	if err == nil {
		t.Fatal("Next accepted a 401")
	}
	equal(t, "error", err.Error(), "token endpoint: answered HTTP 401 (error=invalid_client)")
}

func Test_upstreamTokenOf(t *testing.T) {
	tests := []struct {
		name   string
		v      shared.Value
		want   string
		wantOK bool
	}{
		{name: "token", v: shared.Value{Version: 3, Payload: []byte("a.b-c_d~")}, want: "a.b-c_d~", wantOK: true},
		{name: "no version", v: shared.Value{Payload: []byte("a")}},
		{name: "empty", v: shared.Value{Version: 1}},
		{name: "space", v: shared.Value{Version: 1, Payload: []byte("a b")}},
		{name: "newline", v: shared.Value{Version: 1, Payload: []byte("a\nb")}},
		{name: "too long", v: shared.Value{Version: 1, Payload: []byte(strings.Repeat("a", maxUpstreamTokenBytes+1))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, ok := upstreamTokenOf(tt.v)
			equal(t, "ok", ok, tt.wantOK)
			equal(t, "token", tok, tt.want)
		})
	}
}

func Test_tokenEndpointError_neverHoldsSecrets(t *testing.T) {
	const secret, token = "sekrit-value", "tok-value-xyz"
	c := mustCred(t, `{"match":{"prefix":"/"},"cluster":"idp","token_uri":"https://idp/t","client_id":"a","client_secret":"`+secret+`"}`)
	bodies := []struct {
		status int
		body   string
	}{
		{200, `{"access_token":"` + token + `","token_type":"mac"}`},
		{200, `{"access_token":"` + token + `","token_type":"Bearer","expires_in":"soon"}`},
		{200, `{"access_token":"` + token + ` x","token_type":"Bearer"}`},
		{401, `{"error":"invalid_client","error_description":"secret ` + secret + ` is wrong"}`},
		{400, `{"error":"` + secret + ` ` + token + `"}`},
	}
	for _, b := range bodies {
		_, err := c.parseTokenResponse(&shared.Response{Status: b.status, Body: []byte(b.body)})
		if err == nil {
			t.Fatalf("%d %s: no error", b.status, b.body)
		}
		if s := err.Error(); strings.Contains(s, secret) || strings.Contains(s, token) {
			t.Errorf("error %q holds a secret or token", s)
		}
	}
}
