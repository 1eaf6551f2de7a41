package filter

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
)

// roundTrip serves a shared.Call with an http.Handler (a fake authorization
// server endpoint), the way a cluster would: the pseudo-headers become the
// method, target and Host of an *http.Request, and the recorded answer
// becomes a shared.Response. The handler thus parses the call with net/http,
// independently of the code that built it. A content-length header, when
// sent, must match the body.
func roundTrip(t *testing.T, h http.Handler, call *shared.Call) *shared.Response {
	t.Helper()
	var method, path, authority string
	for _, kv := range call.Headers {
		switch kv[0] {
		case ":method":
			method = kv[1]
		case ":path":
			path = kv[1]
		case ":authority":
			authority = kv[1]
		}
	}
	if method == "" || path == "" || authority == "" {
		t.Fatalf("call lacks :method, :path or :authority: %q", call.Headers)
	}
	req := httptest.NewRequest(method, "http://"+authority+path, bytes.NewReader(call.Body))
	req.Host = authority
	for _, kv := range call.Headers {
		if kv[0][0] != ':' {
			req.Header.Add(kv[0], kv[1])
		}
	}
	if cl := req.Header.Get("content-length"); cl != "" {
		if n, err := strconv.Atoi(cl); err != nil || n != len(call.Body) {
			t.Errorf("content-length %q, body %d bytes", cl, len(call.Body))
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := &shared.Response{Status: rec.Code, Body: rec.Body.Bytes()}
	for k, vs := range rec.Header() {
		for _, v := range vs {
			resp.Headers = append(resp.Headers, [2]string{k, v})
		}
	}
	return resp
}

func Test_parseHTTPTarget(t *testing.T) {
	tests := []struct {
		name    string
		uri     string
		want    httpTarget
		wantErr error
	}{
		{name: "path", uri: "https://idp.example.com/oauth2/introspect",
			want: httpTarget{scheme: "https", authority: "idp.example.com", path: "/oauth2/introspect"}},
		{name: "port", uri: "http://127.0.0.1:9000/i", want: httpTarget{scheme: "http", authority: "127.0.0.1:9000", path: "/i"}},
		{name: "no path", uri: "https://idp", want: httpTarget{scheme: "https", authority: "idp", path: "/"}},
		{name: "query only", uri: "https://idp?x=1", want: httpTarget{scheme: "https", authority: "idp", path: "/?x=1"}},
		{name: "path and query", uri: "https://idp/i?x=1", want: httpTarget{scheme: "https", authority: "idp", path: "/i?x=1"}},
		{name: "escapes kept", uri: "https://idp:8443/t%2Fx?tenant=a%20b",
			want: httpTarget{scheme: "https", authority: "idp:8443", path: "/t%2Fx?tenant=a%20b"}},
		{name: "ftp", uri: "ftp://idp/k", wantErr: errURIScheme},
		{name: "relative", uri: "/keys", wantErr: errURIScheme},
		{name: "upper-case scheme", uri: "HTTPS://idp/k", wantErr: errURIScheme},
		{name: "space", uri: "https://idp/k x", wantErr: errURIBytes},
		{name: "tab", uri: "https://idp/k\tx", wantErr: errURIBytes},
		{name: "non-ASCII", uri: "https://idp/clé", wantErr: errURIBytes},
		{name: "bad escape", uri: "https://idp/%zz", wantErr: errURIInvalid},
		{name: "bad port", uri: "https://idp:x/k", wantErr: errURIInvalid},
		{name: "no host", uri: "https:///k", wantErr: errURINoHost},
		{name: "user info", uri: "https://u:p@idp/k", wantErr: errURIUserInfo},
		{name: "fragment", uri: "https://idp/k#x", wantErr: errURIFragment},
		{name: "empty fragment", uri: "https://idp/k#", wantErr: errURIFragment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHTTPTarget(tt.uri)
			if tt.wantErr != nil {
				equal(t, "error", err, tt.wantErr)
				if got != nil {
					t.Errorf("target %v with an error", got)
				}
				if err != nil && strings.Contains(err.Error(), "p@") {
					t.Errorf("error %q quotes the URI", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "target", *got, tt.want)
			equal(t, "string", got.String(), tt.uri[:strings.Index(tt.uri, "://")+3]+tt.want.authority+tt.want.path)
		})
	}
}

func Test_basicAuthorization(t *testing.T) {
	// RFC 6749 §2.3.1 with Appendix B: id and secret are form-urlencoded
	// before Basic ("+" -> %2B, " " -> "+", ":" -> %3A), so a ':' in the id
	// does not split it. Expected values computed by hand.
	tests := []struct{ name, id, secret, want string }{
		{name: "space colon plus", id: "a b:c", secret: "p+q", want: "Basic YStiJTNBYzpwJTJCcQ=="},
		{name: "colon in id", id: "a:b", secret: "s p", want: "Basic YSUzQWI6cytw"},
		{name: "plain", id: "gateway", secret: "secret", want: "Basic Z2F0ZXdheTpzZWNyZXQ="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equal(t, "value", basicAuthorization(tt.id, tt.secret), tt.want)
		})
	}
}

func Test_form_add(t *testing.T) {
	tests := []struct {
		name  string
		pairs [][2]string
		want  string
	}{
		{name: "one", pairs: [][2]string{{"token", "t o"}}, want: "token=t+o"},
		{name: "reserved bytes", pairs: [][2]string{{"grant_type", "client_credentials"}, {"a&b", "x=y&z+%"}},
			want: "grant_type=client_credentials&a%26b=x%3Dy%26z%2B%25"},
		{name: "empty value", pairs: [][2]string{{"a", ""}, {"b", "1"}}, want: "a=&b=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f form
			for _, p := range tt.pairs {
				f = f.add(p[0], p[1])
			}
			equal(t, "body", string(f), tt.want)
		})
	}
}

func Test_parseOAuthClient(t *testing.T) {
	const base = `"cluster":"c","uri":"https://i/t","client_id":"a","client_secret":"TOPSECRET"`
	tests := []struct {
		name string
		doc  string // the object's members; base when empty, base+more when it starts with ','.
		want string // whole error; "" for none
	}{
		{name: "minimal"},
		{name: "long client_id", doc: strings.Replace(base, `"a"`, `"`+strings.Repeat("i", maxClientFieldBytes+1)+`"`, 1),
			want: "x.client_id: is longer than 1024 bytes"},
		{name: "user info hint", doc: strings.Replace(base, "https://i/t", "https://u:TOPSECRET@i/t", 1),
			want: "x.uri: must not hold user info (use client_id and client_secret)"},
		{name: "auth method", doc: `,"auth_method":"private_key_jwt"`,
			want: `x.auth_method: must be "client_secret_basic" or "client_secret_post", not "private_key_jwt"`},
		{name: "empty auth method", doc: `,"auth_method":""`,
			want: `x.auth_method: must be "client_secret_basic" or "client_secret_post", not ""`},
		{name: "timeout too long", doc: `,"timeout_ms":60001`, want: "x.timeout_ms: must be between 1 and 60000, not 60001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc
			if doc == "" || doc[0] == ',' {
				doc = base + doc
			}
			m, _, err := object("x", gjson.Parse(`{`+doc+`}`))
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseOAuthClient("x", m, "uri", 1234)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "client", c, oauthClient{cluster: "c", uri: "https://i/t",
					target:   &httpTarget{scheme: "https", authority: "i", path: "/t"},
					clientID: "a", clientSecret: "TOPSECRET", auth: clientAuthBasic, timeout: 1234 * 1e6})
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			equal(t, "error", err.Error(), tt.want)
			if strings.Contains(err.Error(), "TOPSECRET") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

func Test_oauthClient_post(t *testing.T) {
	tests := []struct {
		name       string
		auth       clientAuth
		wantBody   string
		wantHeader [][2]string
	}{
		{name: "client_secret_basic", auth: clientAuthBasic, wantBody: "x=1",
			wantHeader: [][2]string{{":method", "POST"}, {":path", "/t?q=1"}, {":authority", "i:8443"},
				{"content-type", "application/x-www-form-urlencoded"}, {"accept", "application/json"},
				{"authorization", "Basic aWQlM0ExOnMrcw=="}, {"content-length", "3"}}},
		{name: "client_secret_post", auth: clientAuthPost, wantBody: "x=1&client_id=id%3A1&client_secret=s+s",
			wantHeader: [][2]string{{":method", "POST"}, {":path", "/t?q=1"}, {":authority", "i:8443"},
				{"content-type", "application/x-www-form-urlencoded"}, {"accept", "application/json"},
				{"content-length", "38"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &oauthClient{cluster: "idp", target: &httpTarget{scheme: "https", authority: "i:8443", path: "/t?q=1"},
				clientID: "id:1", clientSecret: "s s", auth: tt.auth, timeout: 7e9}
			call := c.post(form(nil).add("x", "1"))
			equal(t, "cluster", call.Cluster, "idp")
			equal(t, "timeout", call.Timeout, c.timeout)
			equal(t, "body", string(call.Body), tt.wantBody)
			equal(t, "headers", call.Headers, tt.wantHeader)
		})
	}
}

func Test_clientAuth_String(t *testing.T) {
	equal(t, "basic", clientAuthBasic.String(), "client_secret_basic")
	equal(t, "post", clientAuthPost.String(), "client_secret_post")
	equal(t, "out of range", clientAuth(9).String(), "invalid")
}
