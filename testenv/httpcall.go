package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HttpCall records one proxy_http_call as testenv dispatched it.
type HttpCall struct {
	VM           int
	Token        uint32
	Cluster      string
	Headers      [][2]string
	Body         []byte
	Trailers     [][2]string
	Timeout      time.Duration // 0: none
	DispatchedAt time.Time
	// StatusCode is the :status the guest receives (504 on timeout, 503 on connection failure),
	// 0 for a reset (no headers, proxy_get_status = BrokenConnection).
	StatusCode int
}

type httpCall struct {
	vm   *VM
	gen  int
	info HttpCall
	due  time.Time
	resp *httpResponse
}

type httpResponse struct {
	headers  hmap
	trailers hmap
	body     []byte
	status   Status // proxy_get_status code: Ok, or BrokenConnection for a reset
	msg      string
}

// maxHttpCallBody bounds what an upstream may return to the guest (Envoy buffers the whole
// response of an async call; testenv refuses to buffer without bound).
const maxHttpCallBody = 16 << 20

// proxy_http_call: runs on the root context, needs :method, :path and :authority and a known
// cluster (else BadArgument), returns a callout id at once and dispatches after the outermost
// guest call returns. The response goes to proxy_on_http_call_response(root_context_id, ...).
func hostHttpCall(vm *VM, st []uint64) uint32 {
	const fn = "proxy_http_call"
	name, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory(fn, uint32(st[0]))
	}
	raw, ok := vm.readBytes(uint32(st[2]), uint32(st[3]))
	if !ok {
		return vm.badMemory(fn, uint32(st[2]))
	}
	headers, ok := decodePairs(raw)
	if !ok {
		return vm.badArg("%s(%q): malformed header pairs", fn, name)
	}
	body, ok := vm.copyBytes(uint32(st[4]), uint32(st[5]))
	if !ok {
		return vm.badMemory(fn, uint32(st[4]))
	}
	raw, ok = vm.readBytes(uint32(st[6]), uint32(st[7]))
	if !ok {
		return vm.badMemory(fn, uint32(st[6]))
	}
	trailers, ok := decodePairs(raw)
	if !ok {
		return vm.badArg("%s(%q): malformed trailer pairs", fn, name)
	}
	timeout := time.Duration(uint32(st[8])) * time.Millisecond
	if _, ok := vm.h.cfg.clusters[name]; !ok {
		return vm.badArg("%s: unknown cluster %q (configure it with testenv.Cluster or ClusterURL)", fn, name)
	}
	hm := newHmap(headers)
	for _, k := range []string{":method", ":path", ":authority"} {
		if v, ok := hm.get(k); !ok || v == "" {
			return vm.badArg("%s(%q): header %s is required", fn, name, k)
		}
	}
	vm.nextCallID++
	token := vm.nextCallID
	if !vm.writeU32(uint32(st[9]), token) {
		return vm.badMemory(fn, uint32(st[9]))
	}
	c := &httpCall{vm: vm, gen: vm.gen, info: HttpCall{VM: vm.index, Token: token, Cluster: name,
		Headers: hm.clone(), Body: body, Trailers: newHmap(trailers).clone(), Timeout: timeout}}
	vm.deferAction(func() { vm.dispatch(c) })
	return uint32(StatusOk)
}

// dispatch sends the call to its cluster now (on the host clock) and schedules the response.
//
// How responses meet the fake clock: an in-process handler runs synchronously at dispatch; its
// response is due ClusterDelay later on the host clock (0 by default: deliverable right after the
// current script step). A real http:// cluster is called synchronously too; the real time it takes
// is not charged to the fake clock (only ClusterDelay is), but a server slower than the call's
// timeout in real time is reported as a 504 all the same. When the delay reaches the timeout the
// guest gets 504 at dispatch+timeout instead.
func (vm *VM) dispatch(c *httpCall) {
	h := vm.h
	now := h.clock.Now()
	c.info.DispatchedAt = now
	cl := h.cfg.clusters[c.info.Cluster]
	resp := h.roundTrip(cl, &c.info)
	latency := cl.delay
	if c.info.Timeout > 0 && latency >= c.info.Timeout {
		resp = localHTTPReply(504, "upstream request timeout")
		latency = c.info.Timeout
	}
	c.resp = resp
	c.due = now.Add(latency)
	if v, ok := resp.headers.get(":status"); ok {
		c.info.StatusCode, _ = strconv.Atoi(v)
	}
	vm.inflight = append(vm.inflight, c)
	h.mu.Lock()
	if len(h.calls) < 10000 {
		h.calls = append(h.calls, c.info)
	}
	h.mu.Unlock()
}

// localHTTPReply is a response Envoy's async client makes up itself (timeout, connection failure).
func localHTTPReply(code int, body string) *httpResponse {
	return &httpResponse{headers: hmap{{":status", strconv.Itoa(code)},
		{"content-length", strconv.Itoa(len(body))}, {"content-type", "text/plain"}}, body: []byte(body)}
}

func resetReply() *httpResponse {
	return &httpResponse{status: StatusBrokenConnection, msg: "upstream reset"}
}

func (h *Host) roundTrip(cl *cluster, c *HttpCall) *httpResponse {
	hm := hmap(c.Headers)
	method, _ := hm.get(":method")
	path, _ := hm.get(":path")
	authority, _ := hm.get(":authority")
	scheme, ok := hm.get(":scheme")
	if !ok {
		scheme = "http"
	}
	target := scheme + "://" + authority + path
	if cl.url != "" {
		target = strings.TrimRight(cl.url, "/") + path
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(c.Body))
	if err != nil {
		return localHTTPReply(503, "upstream connect error or disconnect/reset before headers. "+
			"reset reason: invalid request: "+err.Error())
	}
	req.Host = authority
	for _, p := range hm {
		if !strings.HasPrefix(p[0], ":") {
			req.Header.Add(p[0], p[1])
		}
	}
	if cl.handler != nil {
		return h.callHandler(cl, req)
	}
	return callURL(req, c.Timeout)
}

func (h *Host) callHandler(cl *cluster, req *http.Request) (resp *httpResponse) {
	rec := httptest.NewRecorder()
	defer func() {
		if r := recover(); r != nil {
			if r != http.ErrAbortHandler {
				h.fail(fmt.Errorf("testenv: cluster %q handler panicked: %v", cl.name, r))
			}
			resp = resetReply()
		}
	}()
	cl.handler.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxHttpCallBody))
	return responseFrom(res, body)
}

func callURL(req *http.Request, timeout time.Duration) *httpResponse {
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	client := &http.Client{Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return localHTTPReply(504, "upstream request timeout")
		}
		return localHTTPReply(503, "upstream connect error or disconnect/reset before headers. "+
			"reset reason: connection failure")
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxHttpCallBody))
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return localHTTPReply(504, "upstream request timeout")
		}
		return resetReply()
	}
	return responseFrom(res, body)
}

// responseFrom converts a net/http response into the maps the guest sees: ":status" first, then
// the headers sorted by name (http.Header has no order), names lowercased.
func responseFrom(res *http.Response, body []byte) *httpResponse {
	r := &httpResponse{body: body, headers: hmap{{":status", strconv.Itoa(res.StatusCode)}}}
	r.headers = append(r.headers, sortedPairs(res.Header)...)
	if len(res.Trailer) > 0 {
		r.trailers = sortedPairs(res.Trailer)
	}
	return r
}

func sortedPairs(h http.Header) hmap {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out hmap
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, [2]string{strings.ToLower(k), v})
		}
	}
	return out
}

// dueCall returns the in-flight call whose response is due first, if due by now.
func (vm *VM) dueCall(now time.Time) *httpCall {
	var best *httpCall
	for _, c := range vm.inflight {
		if c.due.After(now) {
			continue
		}
		if best == nil || c.due.Before(best.due) || (c.due.Equal(best.due) && c.info.Token < best.info.Token) {
			best = c
		}
	}
	return best
}

// deliver hands a response to the guest: proxy_on_http_call_response on the ROOT context, from
// the event loop, never inside another guest call.
func (vm *VM) deliver(c *httpCall) {
	vm.inflight = slices.DeleteFunc(vm.inflight, func(x *httpCall) bool { return x == c })
	if c.gen != vm.gen || vm.broken != nil {
		return
	}
	r := c.resp
	vm.callResp, vm.lastStatus, vm.lastMsg = r, r.status, r.msg
	vm.invoke(exHttpCallResponse, uint64(vm.rootID), uint64(c.info.Token), uint64(len(r.headers)),
		uint64(len(r.body)), uint64(len(r.trailers)))
	vm.callResp = nil
}

// DeliverHttpCalls delivers every http-call response that is due on the host clock and returns
// how many it delivered. With ManualHttpCalls it is the only way responses arrive; without, it
// is rarely needed.
func (h *Host) DeliverHttpCalls() int {
	n := 0
	for _, vm := range h.vms {
		vm.mu.Lock()
		for vm.broken == nil {
			c := vm.dueCall(h.clock.Now())
			if c == nil {
				break
			}
			vm.deliver(c)
			n++
		}
		vm.finish()
	}
	return n
}

// PendingHttpCalls is the number of dispatched calls whose response has not been delivered.
func (h *Host) PendingHttpCalls() int {
	n := 0
	for _, vm := range h.vms {
		vm.mu.Lock()
		n += len(vm.inflight)
		vm.mu.Unlock()
	}
	return n
}

// HttpCalls returns every http call dispatched so far, oldest first (bounded at 10000).
func (h *Host) HttpCalls() []HttpCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HttpCall(nil), h.calls...)
}
