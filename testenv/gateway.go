package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Gateway is an http.Handler that puts a Host in front of an upstream, as Envoy with the filter
// would: each request runs through a VM (request headers and body), then either the filter's
// local reply is written, or the request goes to the upstream with the filter's mutations
// (headers, :path, :method, :authority, body) and the upstream's response comes back through the
// filter (response headers and body) before it is written. See the package documentation.
type Gateway struct {
	// Timeout bounds how long a request may stay paused by the filter (default 15 s, Envoy's
	// default route timeout); then the client gets 504.
	Timeout time.Duration
	// MaxBodyBytes bounds request and response bodies (default 1 MiB; a larger request is 413, a
	// larger response 502).
	MaxBodyBytes int64
	// Transport sends requests upstream (default: a dedicated http.Transport).
	Transport http.RoundTripper

	host     *Host
	upstream *url.URL
	pool     chan *VM
	stop     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
}

// NewGateway returns a Gateway running h in front of upstream (an http:// URL) and starts a
// goroutine that calls h.Poll every 10 ms for ticks and delayed http-call responses; Close stops
// it. h should use RealClock. h must not be driven by anything else meanwhile.
func NewGateway(h *Host, upstream string) (*Gateway, error) {
	u, err := url.Parse(upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("testenv: gateway: upstream %q: want http://host:port", upstream)
	}
	h.mu.Lock()
	h.cfg.concurrent = true
	h.mu.Unlock()
	g := &Gateway{Timeout: 15 * time.Second, MaxBodyBytes: 1 << 20, host: h, upstream: u,
		pool: make(chan *VM, len(h.vms)), stop: make(chan struct{}),
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}}
	for _, vm := range h.vms {
		g.pool <- vm
	}
	g.wg.Add(1)
	go g.poll()
	return g, nil
}

func (g *Gateway) poll() {
	defer g.wg.Done()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
			g.host.Poll()
		}
	}
}

// Close stops the poller. It does not close the Host.
func (g *Gateway) Close() error {
	g.once.Do(func() { close(g.stop) })
	g.wg.Wait()
	return nil
}

// Host returns the Host the Gateway runs.
func (g *Gateway) Host() *Host { return g.host }

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	vm := <-g.pool
	defer func() { g.pool <- vm }()

	body, err := io.ReadAll(io.LimitReader(r.Body, g.MaxBodyBytes+1))
	if err != nil {
		http.Error(w, "reading request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if int64(len(body)) > g.MaxBodyBytes {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	s := vm.NewStream()
	defer s.Complete()
	s.RequestHeaders(requestPairs(r), len(body) == 0)
	if len(body) > 0 {
		s.RequestBody(body, true)
	}
	if !g.wait(s.RequestPaused) {
		writeText(w, http.StatusGatewayTimeout, "upstream request timeout")
		return
	}
	if lr := s.LocalResponse(); lr != nil {
		writeLocal(w, lr)
		return
	}
	if s.Ended() { // reset by the filter
		writeText(w, http.StatusBadGateway, "stream reset by the filter")
		return
	}
	hdr, rbody := g.forward(r, s)
	s.ResponseHeaders(hdr, len(rbody) == 0)
	if len(rbody) > 0 {
		s.ResponseBody(rbody, true)
	}
	if !g.wait(s.ResponsePaused) {
		writeText(w, http.StatusGatewayTimeout, "upstream request timeout")
		return
	}
	if lr := s.LocalResponse(); lr != nil {
		writeLocal(w, lr)
		return
	}
	if s.Ended() {
		writeText(w, http.StatusBadGateway, "stream reset by the filter")
		return
	}
	writeResponse(w, s.DownstreamResponseHeaders(), s.DownstreamResponseBody())
}

// wait polls until paused() is false or Timeout passes; false on timeout.
func (g *Gateway) wait(paused func() bool) bool {
	deadline := time.Now().Add(g.Timeout)
	for paused() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// forward sends the request as the filter left it to the upstream. A connection failure becomes
// the 503 Envoy's router would produce, which still goes through the filter's response callbacks.
func (g *Gateway) forward(orig *http.Request, s *Stream) ([][2]string, []byte) {
	out := hmap(s.UpstreamRequestHeaders())
	method, _ := out.get(":method")
	path, _ := out.get(":path")
	authority, _ := out.get(":authority")
	target := g.upstream.Scheme + "://" + g.upstream.Host + path
	req, err := http.NewRequestWithContext(orig.Context(), method, target,
		strings.NewReader(string(s.UpstreamRequestBody())))
	if err != nil {
		return upstreamFailure("invalid request: " + err.Error())
	}
	req.Host = authority
	for _, p := range out {
		if !strings.HasPrefix(p[0], ":") && !hopByHop[p[0]] {
			req.Header.Add(p[0], p[1])
		}
	}
	res, err := g.Transport.RoundTrip(req)
	if err != nil {
		return upstreamFailure("connection failure")
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, g.MaxBodyBytes+1))
	if err != nil {
		return upstreamFailure("reading response: " + err.Error())
	}
	if int64(len(body)) > g.MaxBodyBytes {
		return [][2]string{{":status", "502"}, {"content-type", "text/plain"}},
			[]byte("upstream response body too large")
	}
	hdr := [][2]string{{":status", strconv.Itoa(res.StatusCode)}}
	for _, p := range sortedPairs(res.Header) {
		if !hopByHop[p[0]] && p[0] != "content-length" {
			hdr = append(hdr, p)
		}
	}
	return hdr, body
}

func upstreamFailure(reason string) ([][2]string, []byte) {
	body := []byte("upstream connect error or disconnect/reset before headers. reset reason: " + reason)
	return [][2]string{{":status", "503"}, {"content-type", "text/plain"}}, body
}

var hopByHop = map[string]bool{"connection": true, "keep-alive": true, "proxy-connection": true,
	"transfer-encoding": true, "upgrade": true, "te": true, "trailer": true}

// requestPairs presents an incoming request as Envoy presents it to a filter: pseudo-headers
// first, names lowercased, and an x-request-id when the client sent none.
func requestPairs(r *http.Request) [][2]string {
	h := [][2]string{{":method", r.Method}, {":path", r.URL.RequestURI()}, {":authority", r.Host},
		{":scheme", "http"}}
	for _, p := range sortedPairs(r.Header) {
		if !hopByHop[p[0]] {
			h = append(h, p)
		}
	}
	if r.Header.Get("x-request-id") == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		h = append(h, [2]string{"x-request-id", hex.EncodeToString(b[:])})
	}
	return h
}

func writeLocal(w http.ResponseWriter, lr *LocalResponse) {
	writeResponse(w, lr.Headers, lr.Body)
}

func writeResponse(w http.ResponseWriter, headers [][2]string, body []byte) {
	code := http.StatusBadGateway
	for _, p := range headers {
		if p[0] == ":status" {
			if n, err := strconv.Atoi(p[1]); err == nil && n >= 100 && n <= 999 {
				code = n
			}
			continue
		}
		if strings.HasPrefix(p[0], ":") || hopByHop[p[0]] || p[0] == "content-length" {
			continue
		}
		w.Header().Add(p[0], p[1])
	}
	w.Header().Set("content-length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func writeText(w http.ResponseWriter, code int, msg string) {
	writeResponse(w, [][2]string{{":status", strconv.Itoa(code)}, {"content-type", "text/plain"}}, []byte(msg))
}
