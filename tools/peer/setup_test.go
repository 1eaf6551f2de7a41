package peer

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// peers is one run: an upstream, HAProxy in front of it, tokengate (testenv Gateway) in front
// of it, with the same keys and policy.
type peers struct {
	keys      *Keys
	policy    Policy
	haproxy   *HAProxy
	hpAPI     string // http://host:port of HAProxy's API frontend
	hpBench   string // http://host:port of HAProxy's bench frontend
	tokengate string // http://host:port of the Gateway
	client    *http.Client
}

// backendMarker is set by the upstream on every response: a response that carries it was
// forwarded (allowed); any other response was answered by the peer itself (denied).
const backendMarker = "X-Peer-Backend"

// startPeers starts both peers; withTokengate false starts only HAProxy (and the upstream).
func startPeers(t testing.TB, withTokengate bool) *peers {
	t.Helper()
	bin, err := LookHAProxy()
	if err != nil {
		t.Fatal(err)
	}
	version, err := CheckHAProxyVersion(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(version)
	var wasm []byte
	if withTokengate {
		if wasm, err = ReadWasm(); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pubPath := filepath.Join(dir, "rs256.pub.pem")
	if err := os.WriteFile(pubPath, keys.PublicPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &peers{keys: keys, policy: Policy{
		RSIssuer: "https://myaccount.auth0.com/", HSIssuer: "billing-service",
		Audience: "https://api.mywebsite.com", PublicKeyPEM: keys.PublicPEM(), HMACSecret: keys.HMAC,
	}}

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set(backendMarker, "1")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(backend.Close)

	api, err1 := FreeAddr()
	bench, err2 := FreeAddr()
	if err1 != nil || err2 != nil {
		t.Fatal("no free loopback port:", err1, err2)
	}
	cfg := HAProxyConfig(p.policy, HAProxyAddrs{API: api, Bench: bench,
		Backend: strings.TrimPrefix(backend.URL, "http://"), PubKey: pubPath})
	hp, err := StartHAProxy(bin, dir, cfg, api, bench)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hp.Stop)
	p.haproxy, p.hpAPI, p.hpBench = hp, "http://"+api, "http://"+bench

	p.client = &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(p.client.CloseIdleConnections)
	if !withTokengate {
		return p
	}
	gw, host, err := NewGateway(wasm, TokengateConfig(p.policy, 4096), backend.URL)
	if err != nil {
		t.Fatal("tokengate: ", err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(func() { srv.Close(); gw.Close(); host.Close() })
	p.tokengate = srv.URL
	return p
}

// outcome is what one peer did with one request.
type outcome struct {
	decision Decision
	status   int
	body     string // first bytes of a denial body, for failure messages
}

// send sends r to base (http://host:port) and reads the decision from the response.
func (p *peers) send(t testing.TB, base string, r Request) outcome {
	t.Helper()
	req, err := http.NewRequest(r.Method, base+r.Target, nil)
	if err != nil {
		t.Fatalf("%s: %v", r.Name, err)
	}
	for _, h := range r.Headers {
		req.Header[http.CanonicalHeaderKey(h[0])] = append(req.Header[http.CanonicalHeaderKey(h[0])], h[1])
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatalf("%s: %s: %v", r.Name, base, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	o := outcome{decision: Deny, status: resp.StatusCode, body: string(b)}
	if resp.Header.Get(backendMarker) == "1" {
		o.decision = Allow
	}
	if len(o.body) > 160 {
		o.body = o.body[:160]
	}
	return o
}
