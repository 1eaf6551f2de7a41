package idp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test clients. The jwt client's secret holds characters that client_secret_basic must
// form-encode (RFC 6749 §2.3.1).
var (
	jwtClient = Client{ID: "svc-jwt", Secret: "s3cr:et %+&", Scopes: []string{"read", "write", "inventory:read"},
		Audiences: []string{"api", "https://inventory.internal"}}
	opaqueClient = Client{ID: "svc-opaque", Secret: "opaque-secret", Scopes: []string{"read"},
		Audiences: []string{"api"}, Opaque: true}
	gatewayClient = Client{ID: "gateway", Secret: "gateway-secret", Scopes: []string{"read"}, Introspect: true}
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// sharedKey is one RSA key for the tests that do not rotate (key generation is slow).
func sharedKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// start runs a server with the three test clients over loopback HTTP; its issuer is the test
// server's URL unless an option says otherwise.
func start(t *testing.T, opts ...Option) (*Server, *httptest.Server) {
	t.Helper()
	base := []Option{WithSigningKey(sharedKey(t)), WithClient(jwtClient), WithClient(opaqueClient), WithClient(gatewayClient)}
	s, err := NewServer(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.issuer == "" {
		if err := s.SetIssuer(ts.URL); err != nil {
			t.Fatalf("SetIssuer: %v", err)
		}
	}
	return s, ts
}

type authMethod int

const (
	authBasic authMethod = iota
	authPost
	authNone
)

// postForm sends a form with client authentication to path on ts.
func postForm(t *testing.T, ts *httptest.Server, path string, m authMethod, id, secret string, form url.Values) (int, http.Header, []byte) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if m == authPost {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if m == authBasic {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("POST %s: read body: %v", path, err)
	}
	return res.StatusCode, res.Header, body
}

func get(t *testing.T, ts *httptest.Server, path string) (int, http.Header, []byte) {
	t.Helper()
	res, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return res.StatusCode, res.Header, body
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
}

// token obtains an access token with client credentials; it fails the test unless status is 200.
func token(t *testing.T, ts *httptest.Server, m authMethod, c Client, form url.Values) tokenResponse {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("grant_type", "client_credentials")
	st, _, body := postForm(t, ts, PathToken, m, c.ID, c.Secret, form)
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatalf("token response not JSON (status %d): %v: %s", st, err, body)
	}
	if st != http.StatusOK || tr.AccessToken == "" {
		t.Fatalf("token: status %d body %s", st, body)
	}
	return tr
}

// introspect asks ts about tok as the gateway client (Basic) and decodes the answer.
func introspect(t *testing.T, ts *httptest.Server, tok string) map[string]any {
	t.Helper()
	st, _, body := postForm(t, ts, PathIntrospect, authBasic, gatewayClient.ID, gatewayClient.Secret, url.Values{"token": {tok}})
	if st != http.StatusOK {
		t.Fatalf("introspect: status %d body %s", st, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("introspect: not JSON: %v: %s", err, body)
	}
	if _, ok := m["active"].(bool); !ok {
		t.Fatalf("introspect: active is not a boolean: %s", body)
	}
	return m
}

// decodedJWT is a compact JWS verified with the standard library only.
type decodedJWT struct {
	header map[string]any
	claims map[string]any
}

func b64decode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("base64url %q: %v", s, err)
	}
	return b
}

// parseJWKS reads RSA keys by kid from a JWK Set, checking use and alg.
func parseJWKS(t *testing.T, body []byte) map[string]*rsa.PublicKey {
	t.Helper()
	var set struct {
		Keys []struct{ Kty, Use, Alg, Kid, N, E string }
	}
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("jwks not JSON: %v: %s", err, body)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Use != "sig" || k.Alg != "RS256" || k.Kid == "" {
			t.Fatalf("jwks key %+v: want kty RSA, use sig, alg RS256 and a kid", k)
		}
		e := new(big.Int).SetBytes(b64decode(t, k.E))
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(b64decode(t, k.N)), E: int(e.Int64())}
	}
	return out
}

// verifyRS256 checks a token's RS256 signature against the JWKS key its kid names.
func verifyRS256(t *testing.T, tok string, keys map[string]*rsa.PublicKey) decodedJWT {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	var d decodedJWT
	if err := json.Unmarshal(b64decode(t, parts[0]), &d.header); err != nil {
		t.Fatalf("header: %v", err)
	}
	if err := json.Unmarshal(b64decode(t, parts[1]), &d.claims); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if d.header["alg"] != "RS256" {
		t.Fatalf("alg = %v, want RS256", d.header["alg"])
	}
	kid, _ := d.header["kid"].(string)
	pub := keys[kid]
	if pub == nil {
		t.Fatalf("kid %q not in the JWKS", kid)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], b64decode(t, parts[2])); err != nil {
		t.Fatalf("RS256 signature does not verify with kid %q: %v", kid, err)
	}
	return d
}

func num(t *testing.T, m map[string]any, name string) int64 {
	t.Helper()
	f, ok := m[name].(float64)
	if !ok {
		t.Fatalf("%s = %v (%T), want a number", name, m[name], m[name])
	}
	return int64(f)
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
