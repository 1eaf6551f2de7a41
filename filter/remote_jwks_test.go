package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

func Test_parseRemoteJWKS(t *testing.T) {
	const iss = "https://idp.example.com/"
	tests := []struct {
		name    string
		issuer  string
		json    string
		wantErr string // substring; "" = valid
		check   func(t *testing.T, rj *remoteJWKS)
	}{
		{name: "uri with defaults", json: `{"cluster":"idp","uri":"https://idp.example.com/.well-known/jwks.json"}`,
			check: func(t *testing.T, rj *remoteJWKS) {
				equal(t, "cluster", rj.cluster, "idp")
				equal(t, "authority", rj.jwks.authority, "idp.example.com")
				equal(t, "path", rj.jwks.path, "/.well-known/jwks.json")
				equal(t, "timeout", rj.timeout, 3*time.Second)
				equal(t, "cache", rj.cacheFor, 600*time.Second)
				equal(t, "refetch", rj.refetchOnKid, true)
				equal(t, "cooldown", rj.refetchCooldown, 30*time.Second)
				equal(t, "stale", rj.maxStale, 86400*time.Second)
				equal(t, "discovery", rj.discovery == nil, true)
			}},
		{name: "every field", json: `{"cluster":"idp","uri":"http://10.0.0.1:8080/keys?tenant=a","timeout_ms":250,
			"cache_seconds":60,"refetch_on_unknown_kid":false,"refetch_cooldown_seconds":0,"max_stale_seconds":0}`,
			check: func(t *testing.T, rj *remoteJWKS) {
				equal(t, "authority", rj.jwks.authority, "10.0.0.1:8080")
				equal(t, "path", rj.jwks.path, "/keys?tenant=a")
				equal(t, "scheme", rj.jwks.scheme, "http")
				equal(t, "timeout", rj.timeout, 250*time.Millisecond)
				equal(t, "cache", rj.cacheFor, time.Minute)
				equal(t, "refetch", rj.refetchOnKid, false)
				equal(t, "cooldown", rj.refetchCooldown, time.Duration(0))
				equal(t, "stale", rj.maxStale, time.Duration(0))
			}},
		{name: "host only uri gets /", json: `{"cluster":"idp","uri":"https://idp.example.com"}`,
			check: func(t *testing.T, rj *remoteJWKS) { equal(t, "path", rj.jwks.path, "/") }},
		{name: "discovery", json: `{"cluster":"idp","discovery":true}`,
			check: func(t *testing.T, rj *remoteJWKS) {
				equal(t, "path", rj.discovery.path, "/.well-known/openid-configuration")
				equal(t, "authority", rj.discovery.authority, "idp.example.com")
				equal(t, "jwks", rj.jwks == nil, true)
			}},
		{name: "discovery under a path issuer", issuer: "https://login.example.com/tenant-1",
			json: `{"cluster":"idp","discovery":true}`,
			check: func(t *testing.T, rj *remoteJWKS) {
				equal(t, "path", rj.discovery.path, "/tenant-1/.well-known/openid-configuration")
			}},
		{name: "no cluster", json: `{"uri":"https://idp.example.com/k"}`, wantErr: "remote_jwks.cluster: is required"},
		{name: "empty cluster", json: `{"cluster":"","uri":"https://idp.example.com/k"}`, wantErr: "remote_jwks.cluster: must not be empty"},
		{name: "neither uri nor discovery", json: `{"cluster":"idp"}`, wantErr: "remote_jwks: needs uri, or discovery: true"},
		{name: "discovery false and no uri", json: `{"cluster":"idp","discovery":false}`, wantErr: "needs uri, or discovery: true"},
		{name: "uri and discovery", json: `{"cluster":"idp","uri":"https://a/k","discovery":true}`, wantErr: "remote_jwks.uri: uri and discovery: true are exclusive"},
		{name: "ftp uri", json: `{"cluster":"idp","uri":"ftp://idp/k"}`, wantErr: "remote_jwks.uri: must start with http:// or https://"},
		{name: "relative uri", json: `{"cluster":"idp","uri":"/keys"}`, wantErr: "remote_jwks.uri: must start with http:// or https://"},
		{name: "user info", json: `{"cluster":"idp","uri":"https://u:p@idp/k"}`, wantErr: "remote_jwks.uri: must not hold user info"},
		{name: "fragment", json: `{"cluster":"idp","uri":"https://idp/k#x"}`, wantErr: "remote_jwks.uri: must not hold a fragment"},
		{name: "space", json: `{"cluster":"idp","uri":"https://idp/k x"}`, wantErr: "remote_jwks.uri: holds a space, control or non-ASCII byte"},
		{name: "no host", json: `{"cluster":"idp","uri":"https:///k"}`, wantErr: "has no host"},
		{name: "discovery with a non-URL issuer", issuer: "my-issuer", json: `{"cluster":"idp","discovery":true}`,
			wantErr: "remote_jwks.discovery: discovery needs an http(s) issuer URL"},
		{name: "timeout zero", json: `{"cluster":"idp","uri":"https://a/k","timeout_ms":0}`, wantErr: "remote_jwks.timeout_ms: must be between 1 and 60000"},
		{name: "cache too short", json: `{"cluster":"idp","uri":"https://a/k","cache_seconds":5}`, wantErr: "remote_jwks.cache_seconds: must be between 10"},
		{name: "negative stale", json: `{"cluster":"idp","uri":"https://a/k","max_stale_seconds":-1}`, wantErr: "remote_jwks.max_stale_seconds: must be between 0"},
		{name: "cooldown not a number", json: `{"cluster":"idp","uri":"https://a/k","refetch_cooldown_seconds":"30"}`, wantErr: "remote_jwks.refetch_cooldown_seconds: must be an integer, not a string"},
		{name: "refetch not a bool", json: `{"cluster":"idp","uri":"https://a/k","refetch_on_unknown_kid":1}`, wantErr: "must be a boolean"},
		{name: "unknown field", json: `{"cluster":"idp","uri":"https://a/k","url":"x"}`, wantErr: "remote_jwks.url: unknown field"},
		{name: "not an object", json: `"https://a/k"`, wantErr: "remote_jwks: must be an object, not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			issuer := tc.issuer
			if issuer == "" {
				issuer = iss
			}
			rj, err := parseRemoteJWKS("remote_jwks", "p", issuer, gjson.Parse(tc.json))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(rj.key, "tokengate/jwks/p/") {
				t.Fatalf("key %q", rj.key)
			}
			tc.check(t, rj)
		})
	}
}

// The shared-data key depends on the provider name and on where the keys
// come from, so two configurations never share a key set by accident.
func Test_jwksKey(t *testing.T) {
	parse := func(name, iss, js string) string {
		rj, err := parseRemoteJWKS("r", name, iss, gjson.Parse(js))
		if err != nil {
			t.Fatal(err)
		}
		return rj.key
	}
	a := parse("a", "https://x/", `{"cluster":"idp","uri":"https://x/k"}`)
	keys := map[string]string{
		"same":          parse("a", "https://x/", `{"cluster":"idp","uri":"https://x/k","timeout_ms":5}`),
		"other name":    parse("b", "https://x/", `{"cluster":"idp","uri":"https://x/k"}`),
		"other cluster": parse("a", "https://x/", `{"cluster":"idp2","uri":"https://x/k"}`),
		"other uri":     parse("a", "https://x/", `{"cluster":"idp","uri":"https://x/k2"}`),
		"discovery":     parse("a", "https://x/", `{"cluster":"idp","discovery":true}`),
	}
	for name, k := range keys {
		if (k == a) != (name == "same") {
			t.Errorf("%s: key %q vs %q", name, k, a)
		}
	}
}
