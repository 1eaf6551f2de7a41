package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/jwtcore"
)

// testRemote returns a remoteKeys for a provider with the given remote_jwks JSON.
func testRemote(t *testing.T, issuer, js string) *remoteKeys {
	t.Helper()
	rj, err := parseRemoteJWKS("remote_jwks", "p", issuer, gjson.Parse(js))
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{name: "p", issuer: issuer}
	rk := &remoteKeys{src: rj, p: p, policy: jwtcore.Policy{Name: "p", Issuers: []string{issuer}, Leeway: time.Minute}}
	p.remote = rk
	return rk
}

func jwksJSON(t *testing.T, jwks ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": jwks})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func Test_jwksFetcher_keys(t *testing.T) {
	k := fixtureKeys(t)
	good := jwksJSON(t, rsaJWK(k.fusionA, "a1"))
	weak := jwksJSON(t, rsaJWK(k.weak, "w"))
	tests := []struct {
		name      string
		resp      *shared.Response
		wantErr   string
		wantFresh time.Duration
	}{
		{name: "ok", resp: &shared.Response{Status: 200, Body: good}, wantFresh: 600 * time.Second},
		{name: "shorter max-age honoured", resp: &shared.Response{Status: 200, Body: good,
			Headers: [][2]string{{"cache-control", "public, max-age=60"}}}, wantFresh: time.Minute},
		{name: "longer max-age ignored", resp: &shared.Response{Status: 200, Body: good,
			Headers: [][2]string{{"Cache-Control", "max-age=86400"}}}, wantFresh: 600 * time.Second},
		{name: "no-cache floored", resp: &shared.Response{Status: 200, Body: good,
			Headers: [][2]string{{"cache-control", "no-cache"}}}, wantFresh: minJWKSMaxAge},
		{name: "no response", resp: &shared.Response{Status: 0}, wantErr: "jwks: no response (connection failed or reset)"},
		{name: "500", resp: &shared.Response{Status: 500, Body: []byte("oops")}, wantErr: "jwks: status 500"},
		{name: "timeout 504", resp: &shared.Response{Status: 504, Body: []byte("upstream request timeout")}, wantErr: "jwks: status 504"},
		{name: "redirect", resp: &shared.Response{Status: 302}, wantErr: "jwks: status 302"},
		{name: "too large", resp: &shared.Response{Status: 200, TooLarge: true}, wantErr: "jwks: body larger than"},
		{name: "empty", resp: &shared.Response{Status: 200}, wantErr: "jwks: empty body"},
		{name: "not JSON", resp: &shared.Response{Status: 200, Body: []byte("<html>")}, wantErr: "jwks: jwks: not a JSON object"},
		{name: "no keys array", resp: &shared.Response{Status: 200, Body: []byte(`{"foo":1}`)}, wantErr: `jwks: jwks: no "keys" array`},
		{name: "key fails to load", resp: &shared.Response{Status: 200, Body: weak}, wantErr: "1024 bits"},
		{name: "only a symmetric key", resp: &shared.Response{Status: 200,
			Body: []byte(`{"keys":[{"kty":"oct","kid":"s","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}`)},
			wantErr: "no key for an allowed algorithm"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rk := testRemote(t, "https://idp/", `{"cluster":"idp","uri":"https://idp/jwks","max_stale_seconds":100}`)
			f := newJWKSFetcher(rk.src, func(b []byte) (*jwtcore.Verifier, error) { return rk.build(b, false) })
			call, err := f.First()
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "path", call.Headers[1], [2]string{":path", "/jwks"})
			equal(t, "authority", call.Headers[2], [2]string{":authority", "idp"})
			equal(t, "cluster", call.Cluster, "idp")
			equal(t, "timeout", call.Timeout, 3*time.Second)
			step, err := f.Next(tc.resp, testNow)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "fresh", step.FreshFor, tc.wantFresh)
			equal(t, "usable", step.UsableFor, tc.wantFresh+100*time.Second)
			equal(t, "value", string(step.Value), string(tc.resp.Body))
		})
	}
}

func Test_jwksFetcher_discovery(t *testing.T) {
	k := fixtureKeys(t)
	good := jwksJSON(t, rsaJWK(k.fusionA, "a1"))
	const iss = "https://idp.example.com"
	doc := func(issuer, jwksURI string) *shared.Response {
		return &shared.Response{Status: 200, Body: []byte(`{"issuer":"` + issuer + `","jwks_uri":"` + jwksURI + `"}`)}
	}
	tests := []struct {
		name    string
		resp    *shared.Response
		wantErr string
	}{
		{name: "ok", resp: doc(iss, "https://idp.example.com/keys")},
		{name: "issuer mismatch", resp: doc("https://evil.example.com", "https://idp.example.com/keys"),
			wantErr: `discovery: issuer "https://evil.example.com" is not the configured "https://idp.example.com"`},
		{name: "issuer trailing slash differs", resp: doc(iss+"/", "https://idp.example.com/keys"), wantErr: "is not the configured"},
		{name: "jwks_uri on another host", resp: doc(iss, "https://keys.example.net/jwks"),
			wantErr: `jwks_uri "https://keys.example.net/jwks" is not served by the issuer's https://idp.example.com (remote_jwks.cluster "idp" serves that origin only)`},
		{name: "jwks_uri other scheme", resp: doc(iss, "http://idp.example.com/keys"), wantErr: "is not served by the issuer's"},
		{name: "no jwks_uri", resp: &shared.Response{Status: 200, Body: []byte(`{"issuer":"` + iss + `"}`)}, wantErr: "discovery: no jwks_uri string"},
		{name: "no issuer", resp: &shared.Response{Status: 200, Body: []byte(`{"jwks_uri":"https://idp.example.com/k"}`)}, wantErr: "discovery: no issuer string"},
		{name: "array", resp: &shared.Response{Status: 200, Body: []byte(`[1]`)}, wantErr: "discovery: body is not a JSON object"},
		{name: "404", resp: &shared.Response{Status: 404, Body: []byte("nope")}, wantErr: "discovery: status 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rk := testRemote(t, iss, `{"cluster":"idp","discovery":true}`)
			f := newJWKSFetcher(rk.src, func(b []byte) (*jwtcore.Verifier, error) { return rk.build(b, false) })
			first, _ := f.First()
			equal(t, "discovery path", first.Headers[1][1], "/.well-known/openid-configuration")
			step, err := f.Next(tc.resp, testNow)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || step.Next == nil {
				t.Fatalf("step %+v err %v", step, err)
			}
			equal(t, "jwks path", step.Next.Headers[1][1], "/keys")
			// A JWKS failure forgets jwks_uri: the next attempt rediscovers.
			if _, err := f.Next(&shared.Response{Status: 500}, testNow); err == nil {
				t.Fatal("500 accepted")
			}
			again, _ := f.First()
			equal(t, "rediscover", again.Headers[1][1], "/.well-known/openid-configuration")
			f.Next(tc.resp, testNow)
			step, err = f.Next(&shared.Response{Status: 200, Body: good}, testNow)
			if err != nil || string(step.Value) != string(good) {
				t.Fatalf("jwks step %+v err %v", step, err)
			}
			// After a success jwks_uri is remembered: one call per refresh.
			next, _ := f.First()
			equal(t, "remembered", next.Headers[1][1], "/keys")
		})
	}
}

func Test_maxAge(t *testing.T) {
	tests := []struct {
		name string
		cc   string
		want time.Duration
		ok   bool
	}{
		{name: "absent", cc: "", ok: false},
		{name: "plain", cc: "max-age=300", want: 300 * time.Second, ok: true},
		{name: "with others", cc: "public, max-age=60, must-revalidate", want: time.Minute, ok: true},
		{name: "quoted", cc: `max-age="120"`, want: 2 * time.Minute, ok: true},
		{name: "case", cc: "Max-Age=5", want: 5 * time.Second, ok: true},
		{name: "smallest of two", cc: "max-age=60, max-age=30", want: 30 * time.Second, ok: true},
		{name: "no-store", cc: "no-store", want: 0, ok: true},
		{name: "garbage", cc: "max-age=soon", ok: false},
		{name: "negative", cc: "max-age=-1", ok: false},
		{name: "s-maxage is not max-age", cc: "s-maxage=10", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := maxAge(tc.cc)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("maxAge(%q) = %v, %v; want %v, %v", tc.cc, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func Test_remoteKeys_build(t *testing.T) {
	k := fixtureKeys(t)
	rk := testRemote(t, "https://idp/", `{"cluster":"idp","uri":"https://idp/jwks"}`)
	v, err := rk.build(jwksJSON(t, rsaJWK(k.fusionA, "a1")), false)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "keys", v.Keys().Len(), 1)
	// A configured allow-list is narrowed to what the set can verify.
	rk.policy.Algorithms = []jwtcore.Alg{jwtcore.ES256, jwtcore.RS256}
	if _, err := rk.build(jwksJSON(t, rsaJWK(k.fusionA, "a1")), false); err != nil {
		t.Fatal(err)
	}
	rk.policy.Algorithms = []jwtcore.Alg{jwtcore.ES256}
	_, err = rk.build(jwksJSON(t, rsaJWK(k.fusionA, "a1")), false)
	if err == nil || !strings.Contains(err.Error(), "no key for an allowed algorithm (ES256)") {
		t.Fatalf("err = %v", err)
	}
	if errors.Is(err, nil) {
		t.Fatal("unreachable")
	}
}
