package filter

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// fakeIntrospectionIdP is an RFC 7662 endpoint in the style of a real authorization
// server's: it authenticates the caller with either method (HTTP Basic with
// form-urlencoded id and secret, or form fields), rejects anything else, and
// answers from a table of tokens.
type fakeIntrospectionIdP struct {
	id, secret string
	active     map[string]map[string]any // token -> claims (active)
	seen       []string                  // auth method of each authenticated call
}

func (f *fakeIntrospectionIdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	method := ""
	if u, p, ok := r.BasicAuth(); ok {
		id, err1 := url.QueryUnescape(u)
		secret, err2 := url.QueryUnescape(p)
		if err1 == nil && err2 == nil && id == f.id && secret == f.secret {
			method = "client_secret_basic"
		}
	} else if r.PostForm.Get("client_id") == f.id && r.PostForm.Get("client_secret") == f.secret {
		method = "client_secret_post"
	}
	if method == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	f.seen = append(f.seen, method)
	claims, ok := f.active[r.PostForm.Get("token")]
	out := map[string]any{"active": false}
	if ok && r.PostForm.Get("token_type_hint") == "access_token" {
		out = map[string]any{"active": true}
		for k, v := range claims {
			out[k] = v
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func TestIntrospection_request(t *testing.T) {
	// Characters that form-urlencoding changes: RFC 6749 §2.3.1 requires the
	// encoding before base64, so a server decoding it recovers them exactly.
	const id, secret = "gate way:1", "s3cr3t:+/ %&="
	token := "ory_at_abc+/=.def ghi&token=evil"
	idp := &fakeIntrospectionIdP{id: id, secret: secret, active: map[string]map[string]any{token: {"sub": "u1"}}}
	for _, method := range []string{"client_secret_basic", "client_secret_post"} {
		t.Run(method, func(t *testing.T) {
			in := mustIntrospection(t, `{"o":{"cluster":"idp","uri":"https://idp.example/oauth2/introspect?x=1",
				"client_id":`+strconv.Quote(id)+`,"client_secret":`+strconv.Quote(secret)+`,"auth_method":"`+method+`","timeout_ms":1500}}`)
			call := in.request(token)
			equal(t, "cluster", call.Cluster, "idp")
			equal(t, "timeout", call.Timeout, 1500*time.Millisecond)
			equal(t, "pseudo-headers", call.Headers[:3], [][2]string{{":method", "POST"}, {":path", "/oauth2/introspect?x=1"}, {":authority", "idp.example"}})
			resp := roundTrip(t, idp, call)
			if resp.Status != 200 || gjson.GetBytes(resp.Body, "active").Type != gjson.True || gjson.GetBytes(resp.Body, "sub").Str != "u1" {
				t.Fatalf("idp answered %d %s", resp.Status, resp.Body)
			}
			equal(t, "method seen by the idp", idp.seen[len(idp.seen)-1], method)
			hasAuth := false
			for _, h := range call.Headers {
				hasAuth = hasAuth || h[0] == "authorization"
			}
			equal(t, "authorization header sent", hasAuth, method == "client_secret_basic")
			equal(t, "secret in body", strings.Contains(string(call.Body), "client_secret="), method == "client_secret_post")
		})
	}
	t.Run("no hint", func(t *testing.T) {
		in := mustIntrospection(t, `{"o":{"cluster":"idp","uri":"https://i/","client_id":"a","client_secret":"b","token_type_hint":""}}`)
		equal(t, "body", string(in.request("t o").Body), "token=t+o")
	})
	t.Run("wrong secret", func(t *testing.T) {
		in := mustIntrospection(t, `{"o":{"cluster":"idp","uri":"https://i/","client_id":"gate way:1","client_secret":"nope"}}`)
		equal(t, "status", roundTrip(t, idp, in.request(token)).Status, 401)
	})
}

func Test_parseIntrospectionResponse(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		tooLarge bool
		active   bool
		err      string // "" for a well-formed answer
	}{
		{name: "active", status: 200, body: `{"active":true,"sub":"u"}`, active: true},
		{name: "inactive", status: 200, body: `{"active":false}`},
		{name: "inactive with extras", status: 200, body: `{"active":false,"sub":"u"}`},
		{name: "no response", status: 0, err: "introspection: no response (connection failed or reset)"},
		{name: "500", status: 500, body: `{"active":true}`, err: "introspection: status 500, want 200"},
		{name: "401 from the idp", status: 401, body: `{"error":"invalid_client"}`, err: "introspection: status 401, want 200"},
		{name: "204", status: 204, err: "introspection: status 204, want 200"},
		{name: "too large flag", status: 200, tooLarge: true, err: "introspection: response body too large"},
		{name: "too large body", status: 200, body: `{"active":true,"x":"` + strings.Repeat("a", maxIntrospectionResponseBytes) + `"}`,
			err: "introspection: response body too large"},
		{name: "garbage", status: 200, body: `<html>`, err: "introspection: response is not a JSON object"},
		{name: "truncated", status: 200, body: `{"active":true`, err: "introspection: response is not a JSON object"},
		{name: "empty", status: 200, body: ``, err: "introspection: response is not a JSON object"},
		{name: "array", status: 200, body: `[{"active":true}]`, err: "introspection: response is not a JSON object"},
		{name: "active string", status: 200, body: `{"active":"true"}`, err: "introspection: response member active is missing or not a boolean"},
		{name: "active number", status: 200, body: `{"active":1}`, err: "introspection: response member active is missing or not a boolean"},
		{name: "active null", status: 200, body: `{"active":null}`, err: "introspection: response member active is missing or not a boolean"},
		{name: "active missing", status: 200, body: `{"sub":"u"}`, err: "introspection: response member active is missing or not a boolean"},
		{name: "active nested only", status: 200, body: `{"x":{"active":true}}`, err: "introspection: response member active is missing or not a boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, err := parseIntrospectionResponse(tt.status, []byte(tt.body), tt.tooLarge)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q (active %v)", tt.err, ans.active)
				}
				equal(t, "error", err.Error(), tt.err)
				equal(t, "active on error", ans.active, false)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "active", ans.active, tt.active)
			equal(t, "doc kept", ans.doc != nil, tt.active)
		})
	}
}

func TestIntrospection_judge(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	n := now.Unix()
	in := mustIntrospection(t, `{"o":{"cluster":"c","uri":"https://i/","client_id":"a","client_secret":"b",
		"issuer":"https://idp/","cache_seconds":60,"negative_cache_seconds":5}}`)
	noNeg := mustIntrospection(t, `{"o":{"cluster":"c","uri":"https://i/","client_id":"a","client_secret":"b","negative_cache_seconds":0}}`)
	hash := tokenHash("tok")
	tests := []struct {
		name  string
		in    *introspection
		body  string
		until time.Time
		keep  bool
		err   bool
	}{
		{name: "active no exp", body: `{"active":true,"iss":"https://idp/"}`, until: now.Add(time.Minute), keep: true},
		{name: "active exp later", body: `{"active":true,"iss":"https://idp/","exp":` + strconv.FormatInt(n+3600, 10) + `}`, until: now.Add(time.Minute), keep: true},
		{name: "active exp sooner", body: `{"active":true,"iss":"https://idp/","exp":` + strconv.FormatInt(n+10, 10) + `}`, until: now.Add(10 * time.Second), keep: true},
		{name: "active exp passed", body: `{"active":true,"iss":"https://idp/","exp":` + strconv.FormatInt(n-100, 10) + `}`, until: now.Add(-100 * time.Second)},
		{name: "active wrong issuer is cached", body: `{"active":true,"iss":"https://evil/","exp":` + strconv.FormatInt(n+10, 10) + `}`, until: now.Add(10 * time.Second), keep: true},
		{name: "inactive", body: `{"active":false}`, until: now.Add(5 * time.Second), keep: true},
		{name: "inactive not cached", in: noNeg, body: `{"active":false}`, until: now},
		{name: "duplicate member", body: `{"active":true,"iss":"https://idp/","iss":"https://evil/"}`, err: true},
		{name: "nested duplicate", body: `{"active":true,"iss":"https://idp/","x":{"a":1,"a":2}}`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := in
			if tt.in != nil {
				p = tt.in
			}
			ans, err := parseIntrospectionResponse(200, []byte(tt.body), false)
			if err != nil {
				t.Fatal(err)
			}
			e, keep, err := p.judge(hash, ans, now)
			if tt.err {
				if err == nil {
					t.Fatal("no error for a malformed active answer")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "until", e.until, tt.until)
			equal(t, "keep", keep, tt.keep)
			equal(t, "active", e.active, ans.active)
			equal(t, "hash", e.hash, hash)
			equal(t, "fingerprint", e.fingerprint, p.fingerprint)
		})
	}
}
