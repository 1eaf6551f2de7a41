package testenv_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
)

// echoUpstream answers with what it received: "<method> <path> user=<x-user> body=<body>".
func echoUpstream(t *testing.T, hits *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("x-upstream", "1")
		_, _ = io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" user="+r.Header.Get("x-user")+
			" host="+r.Host+" body="+string(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newGateway(t *testing.T, upstream string, opts ...testenv.Option) (*testenv.Gateway, *httptest.Server) {
	t.Helper()
	h, err := testenv.NewHost(guest(t, "scripted"), append([]testenv.Option{testenv.RealClock(), testenv.Workers(2)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	gw, err := testenv.NewGateway(h, upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	front := httptest.NewServer(gw)
	t.Cleanup(front.Close)
	return gw, front
}

func TestGateway_ServeHTTP(t *testing.T) {
	var hits atomic.Int32
	up := echoUpstream(t, &hits)
	_, front := newGateway(t, up.URL, testenv.Cluster("idp", okHandler("ok")))

	tests := []struct {
		name       string
		method     string
		body       string
		scripts    map[string]string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
		wantHit    bool
	}{
		{
			name: "allowed: mutations reach the upstream, the response passes the filter", method: "GET",
			scripts: map[string]string{
				"reqhdr":  "add:req:x-user:alice;replace:req:^path:/rewritten?q=1",
				"resphdr": "add:resp:x-filtered:yes",
			},
			wantStatus: 200, wantBody: "GET /rewritten?q=1 user=alice host=", wantHit: true,
			wantHeader: map[string]string{"x-filtered": "yes", "x-upstream": "1"},
		},
		{
			name: "denied: the local reply is written, the upstream is not called", method: "GET",
			scripts:    map[string]string{"reqhdr": "local:401:no token:unauthenticated"},
			wantStatus: 401, wantBody: "no token",
			wantHeader: map[string]string{"x-local": "yes"},
		},
		{
			name: "paused on an http call, resumed by its response", method: "POST", body: "payload",
			scripts: map[string]string{
				"reqhdr":   "call:idp:/check:1000;ret:pause",
				"callresp": "add:req:x-user:checked;resume:req",
			},
			wantStatus: 200, wantBody: "POST /api user=checked host=", wantHit: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			req, _ := http.NewRequest(tc.method, front.URL+"/api", strings.NewReader(tc.body))
			for ph, s := range tc.scripts {
				req.Header.Set("x-script-"+ph, s)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.wantStatus || !strings.HasPrefix(string(b), tc.wantBody) {
				t.Fatalf("got %d %q, want %d %q...", res.StatusCode, b, tc.wantStatus, tc.wantBody)
			}
			if tc.body != "" && !strings.HasSuffix(string(b), "body="+tc.body) {
				t.Fatalf("upstream did not get the body: %q", b)
			}
			for k, v := range tc.wantHeader {
				if got := res.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if hit := hits.Load() > before; hit != tc.wantHit {
				t.Fatalf("upstream hit = %v, want %v", hit, tc.wantHit)
			}
		})
	}
}

func TestGateway_UpstreamDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	gw, front := newGateway(t, down)
	req, _ := http.NewRequest("GET", front.URL+"/", nil)
	req.Header.Set("x-script-resphdr", "get:resp:^status")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 503 {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	// The router's 503 went through the filter's response callback, as in Envoy.
	var seen bool
	for _, m := range gw.Host().LogMessages(testenv.LogInfo) {
		seen = seen || m == "resphdr get:resp:^status -> 503"
	}
	if !seen {
		t.Fatalf("filter did not see the 503: %q", gw.Host().LogMessages(testenv.LogInfo))
	}
}

func TestGateway_TicksOnRealClock(t *testing.T) {
	var hits atomic.Int32
	gw, _ := newGateway(t, echoUpstream(t, &hits).URL,
		testenv.PluginConfig("start=tick:20\ntick=metric:counter:ticks:inc:1"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if v, _ := gw.Host().Metric("ticks"); v >= 4 {
			return
		}
		if time.Now().After(deadline) {
			v, _ := gw.Host().Metric("ticks")
			t.Fatalf("only %d ticks in 10 s with a 20 ms period", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGateway_BodyTooLarge(t *testing.T) {
	var hits atomic.Int32
	gw, front := newGateway(t, echoUpstream(t, &hits).URL)
	gw.MaxBodyBytes = 4
	res, err := http.Post(front.URL+"/", "text/plain", strings.NewReader("12345"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || hits.Load() != 0 {
		t.Fatalf("status %d, upstream hits %d; want 413 and none", res.StatusCode, hits.Load())
	}
}
