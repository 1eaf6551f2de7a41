package remote

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
	"github.com/tokengate/tokengate/testenv/idp"
)

// End to end over loopback HTTP, on the real clock: the IdP listens on a
// real port (cluster "idp" is its URL), the filter runs in testenv's Gateway
// (the engine of `tokengate run`) in front of an echo upstream. A client gets
// a token with client credentials over HTTP and calls the API with it.
func TestRemoteJWKS_GatewayEndToEnd(t *testing.T) {
	srv := idp.New(idp.WithClient(idp.Client{ID: "app", Secret: "app-secret",
		Scopes: []string{"read", "write"}, Audiences: []string{"api"}}))
	idpHTTP := httptest.NewServer(srv)
	t.Cleanup(idpHTTP.Close)
	if err := srv.SetIssuer(idpHTTP.URL); err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "upstream saw authorization="+r.Header.Get("authorization"))
	}))
	t.Cleanup(upstream.Close)

	cfg := map[string]any{
		"providers": map[string]any{"idp": map[string]any{
			"issuer": idpHTTP.URL, "audiences": []string{"api"},
			"remote_jwks": map[string]any{"cluster": "idp", "discovery": true, "timeout_ms": 2000},
		}},
		"rules": []any{
			map[string]any{"match": map[string]any{"prefix": "/", "methods": []string{"GET"}},
				"require": map[string]any{"provider": "idp", "scopes": []string{"read"}}},
			map[string]any{"match": map[string]any{"prefix": "/"},
				"require": map[string]any{"provider": "idp", "scopes": []string{"write"}}},
		},
	}
	host, err := testenv.NewHost(loadWasm(t), testenv.RealClock(), testenv.Workers(2),
		testenv.PluginConfig(configJSON(t, cfg)), testenv.ClusterURL("idp", idpHTTP.URL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	gw, err := testenv.NewGateway(host, upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	api := httptest.NewServer(gw)
	t.Cleanup(api.Close)

	// The client side of the seed documents' flow: client credentials, then the API.
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	req, _ := http.NewRequest(http.MethodPost, idpHTTP.URL+idp.PathToken, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("app", "app-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	resp.Body.Close()

	call := func(method, tok string) (int, string) {
		t.Helper()
		r, _ := http.NewRequest(method, api.URL+"/api/items", nil)
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		c := &http.Client{Timeout: 10 * time.Second}
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	// The first request may arrive before the startup fetch: it waits for it.
	for i := 0; i < 4; i++ {
		code, body := call("GET", tr.AccessToken)
		if code != 200 || body != "upstream saw authorization=" {
			t.Fatalf("GET %d: %d %q", i, code, body)
		}
	}
	if code, body := call("DELETE", tr.AccessToken); code != 403 || !strings.Contains(body, `"reason":"insufficient_scope"`) {
		t.Fatalf("DELETE with read: %d %q", code, body)
	}
	if code, _ := call("GET", ""); code != 401 {
		t.Fatalf("GET without a token: %d", code)
	}
	if h := srv.Hits(idp.EndpointJWKS); h != 1 {
		t.Fatalf("IdP JWKS hits = %d over 2 VMs, want 1", h)
	}
}
