package testenv

import (
	"fmt"
	"strconv"
	"strings"
)

// parts of a direction a stream can be stopped in.
const (
	partHeaders = iota
	partBody
	partTrailers
)

// direction is one half of a stream (request: downstream to upstream; response: back).
type direction struct {
	name string

	seen    bool // headers arrived
	live    bool // headers readable/writable by the guest
	fwd     bool // headers went on (upstream for the request, downstream for the response)
	headers hmap
	out     [][2]string

	body        []byte // body not yet forwarded (delivered and buffered, or not yet delivered)
	bodyPending bool   // body data the guest has not seen yet
	bodyEOS     bool   // the body ended the stream (no trailers follow)
	inBody      bool   // a body callback is running
	eos         bool   // the peer finished sending
	outBody     []byte

	trl        hmap
	trlSeen    bool
	trlPending bool
	trlLive    bool
	trlFwd     bool
	outTrl     [][2]string

	paused        bool
	pausedIn      int
	inCallback    bool // a callback of this direction is running; its result is not applied yet
	continueAsked bool // proxy_continue_stream arrived while inCallback
}

// bodyAvailable: Envoy lets the guest read/write the body during the body callback and while the
// stream is stopped buffering it.
func (d *direction) bodyAvailable() bool {
	return d.inBody || (d.paused && d.pausedIn == partBody) || (len(d.body) > 0 && !d.bodyPending && !d.paused)
}

// Stream is one HTTP stream (one request/response exchange) on one VM, driven by the test the way
// Envoy's filter chain drives a wasm filter. A Stream is used from one goroutine.
type Stream struct {
	vm  *VM
	gen int
	id  uint32

	req  direction
	resp direction

	local        *LocalResponse
	localPending bool
	inLocal      bool
	ended        bool // no more callbacks: local reply sent, stream closed, or VM failed
	reset        bool
	completed    bool
	inLog        bool
	err          error
	props        map[string][]byte
}

// LocalResponse is a reply the filter generated with proxy_send_local_response (or testenv's 503
// "wasm_fail_stream" after a trap), as it left Envoy: after the filter's own
// proxy_on_response_headers/body saw it.
type LocalResponse struct {
	StatusCode int
	Headers    [][2]string // includes ":status"
	Body       []byte
	Details    string // response code details, whitespace replaced by '_'
	GrpcStatus int32  // -1: none
}

// Header returns the first value of a header of the local response.
func (l *LocalResponse) Header(name string) string {
	v, _ := hmap(l.Headers).get(strings.ToLower(name))
	return v
}

// ID is the stream's context id.
func (s *Stream) ID() uint32 { return s.id }

// VM is the VM the stream runs on.
func (s *Stream) VM() *VM { return s.vm }

// LocalResponse returns the local reply that ended the stream, or nil.
func (s *Stream) LocalResponse() *LocalResponse {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.local
}

// UpstreamRequestHeaders returns the request headers as they went upstream, with the filter's
// mutations; nil while the request has not been forwarded.
func (s *Stream) UpstreamRequestHeaders() [][2]string {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.req.out
}

// UpstreamRequestHeader returns the first value of an upstream request header.
func (s *Stream) UpstreamRequestHeader(name string) (string, bool) {
	return hmap(s.UpstreamRequestHeaders()).get(strings.ToLower(name))
}

// UpstreamRequestBody returns the request body forwarded upstream so far.
func (s *Stream) UpstreamRequestBody() []byte {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.req.outBody
}

// UpstreamRequestTrailers returns the request trailers forwarded upstream, or nil.
func (s *Stream) UpstreamRequestTrailers() [][2]string {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.req.outTrl
}

// DownstreamResponseHeaders returns the response headers as they went to the client, or nil.
func (s *Stream) DownstreamResponseHeaders() [][2]string {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.resp.out
}

// DownstreamResponseBody returns the response body forwarded to the client so far.
func (s *Stream) DownstreamResponseBody() []byte {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.resp.outBody
}

// DownstreamResponseTrailers returns the response trailers forwarded to the client, or nil.
func (s *Stream) DownstreamResponseTrailers() [][2]string {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.resp.outTrl
}

// RequestPaused reports whether the request is stopped, waiting for proxy_continue_stream.
func (s *Stream) RequestPaused() bool {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.req.paused && !s.ended
}

// ResponsePaused reports whether the response is stopped, waiting for proxy_continue_stream.
func (s *Stream) ResponsePaused() bool {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.resp.paused && !s.ended
}

// Ended reports whether the stream can take no more callbacks: a local reply was sent, the filter
// closed it, or its VM failed.
func (s *Stream) Ended() bool {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.ended || s.gen != s.vm.gen
}

// Reset reports whether the stream was reset (proxy_close_stream, or a local reply after the
// response had started).
func (s *Stream) Reset() bool {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.reset
}

// Err returns the failure that ended the stream (a trap of its VM, or a misuse of the Stream API
// when the Host has no failure hook), or nil.
func (s *Stream) Err() error {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.err
}

func (s *Stream) usable() bool {
	return !s.ended && !s.completed && s.gen == s.vm.gen && s.vm.broken == nil
}

// apiErr reports a misuse of the Stream API by the test (or the Gateway).
func (s *Stream) apiErr(format string, args ...any) Action {
	err := fmt.Errorf("testenv: stream %d: "+format, append([]any{s.id}, args...)...)
	if s.err == nil {
		s.err = err
	}
	s.vm.h.fail(err)
	return ActionNotDelivered
}

// failStream ends the stream because its VM failed: Envoy answers 503 "wasm_fail_stream" if the
// response has not started.
func (s *Stream) failStream(err error) {
	if s.err == nil {
		s.err = err
	}
	if s.ended {
		return
	}
	s.ended = true
	if s.local == nil && !s.resp.fwd {
		s.local = &LocalResponse{StatusCode: 503, Details: "wasm_fail_stream", GrpcStatus: -1,
			Headers: [][2]string{{":status", "503"}}}
	} else {
		s.reset = true
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// RequestHeaders delivers the request headers: proxy_on_request_headers(id, n, eos). Continue
// forwards them upstream (and makes them unreadable to the guest); any other action stops the
// stream until proxy_continue_stream. If the filter sent a local reply the stream has ended
// (LocalResponse is set) and the result is ActionPause, as Envoy forces StopAllIteration.
func (s *Stream) RequestHeaders(h [][2]string, eos bool) Action {
	s.vm.mu.Lock()
	act := s.headers(&s.req, h, eos)
	s.vm.finish()
	return act
}

// ResponseHeaders delivers the upstream's response headers: proxy_on_response_headers. The request
// headers must have been forwarded upstream first.
func (s *Stream) ResponseHeaders(h [][2]string, eos bool) Action {
	s.vm.mu.Lock()
	act := s.headers(&s.resp, h, eos)
	s.vm.finish()
	return act
}

// RequestBody delivers a chunk of request body: proxy_on_request_body(id, length, eos), where
// length is the size of everything buffered so far (chunks the filter held back with Pause
// accumulate). While the request is stopped the chunk is buffered and ActionNotDelivered returned;
// it is delivered when the filter continues, as Envoy does after StopAllIteration.
func (s *Stream) RequestBody(b []byte, eos bool) Action {
	s.vm.mu.Lock()
	act := s.bodyChunk(&s.req, b, eos)
	s.vm.finish()
	return act
}

// ResponseBody delivers a chunk of response body, as RequestBody does for the request.
func (s *Stream) ResponseBody(b []byte, eos bool) Action {
	s.vm.mu.Lock()
	act := s.bodyChunk(&s.resp, b, eos)
	s.vm.finish()
	return act
}

// RequestTrailers delivers request trailers (ending the request): proxy_on_request_trailers.
func (s *Stream) RequestTrailers(h [][2]string) Action {
	s.vm.mu.Lock()
	act := s.trailers(&s.req, h)
	s.vm.finish()
	return act
}

// ResponseTrailers delivers response trailers (ending the response): proxy_on_response_trailers.
func (s *Stream) ResponseTrailers(h [][2]string) Action {
	s.vm.mu.Lock()
	act := s.trailers(&s.resp, h)
	s.vm.finish()
	return act
}

// Complete ends the stream as Envoy does when it is destroyed: proxy_on_done, proxy_on_log (with
// every header map readable again) and proxy_on_delete. Calling it again does nothing.
func (s *Stream) Complete() {
	vm := s.vm
	vm.mu.Lock()
	if !s.completed {
		s.completed = true
		if s.gen == vm.gen && vm.broken == nil {
			vm.invoke(exDone, uint64(s.id))
			s.inLog = true
			vm.invoke(exLog, uint64(s.id))
			s.inLog = false
			vm.invoke(exDelete, uint64(s.id))
		}
		if s.gen == vm.gen {
			delete(vm.streams, s.id)
		}
	}
	vm.finish()
}

func (s *Stream) exports(d *direction) (hdr, body, trl int) {
	if d == &s.req {
		return exRequestHeaders, exRequestBody, exRequestTrailers
	}
	return exResponseHeaders, exResponseBody, exResponseTrailers
}

func (s *Stream) headers(d *direction, h [][2]string, eos bool) Action {
	if !s.usable() {
		return ActionNotDelivered
	}
	if d.seen {
		return s.apiErr("%s headers delivered twice", d.name)
	}
	if d == &s.resp && !s.req.fwd {
		return s.apiErr("response headers before the request headers went upstream")
	}
	d.seen, d.live, d.eos, d.bodyEOS = true, true, eos, eos
	d.headers = newHmap(h)
	ex, _, _ := s.exports(d)
	d.inCallback, d.continueAsked = true, false
	r, ok := s.vm.invoke(ex, uint64(s.id), uint64(len(d.headers)), b2u(eos))
	d.inCallback = false
	if !ok || s.ended || s.localPending {
		return ActionPause
	}
	act := Action(r)
	if act == ActionContinue || act == ActionContinueAndEndStream {
		s.forwardHeaders(d)
		s.pump(d)
		return act
	}
	d.paused, d.pausedIn = true, partHeaders
	if d.continueAsked {
		s.resume(d)
	}
	return act
}

func (s *Stream) bodyChunk(d *direction, b []byte, eos bool) Action {
	if !s.usable() {
		return ActionNotDelivered
	}
	if !d.seen {
		return s.apiErr("%s body before %s headers", d.name, d.name)
	}
	if d.eos {
		return s.apiErr("%s body after the end of the %s", d.name, d.name)
	}
	d.body = append(d.body, b...)
	d.bodyPending, d.eos, d.bodyEOS = true, eos, eos
	if d.paused {
		return ActionNotDelivered
	}
	act := s.deliverBody(d)
	s.pump(d)
	return act
}

func (s *Stream) trailers(d *direction, h [][2]string) Action {
	if !s.usable() {
		return ActionNotDelivered
	}
	if !d.seen {
		return s.apiErr("%s trailers before %s headers", d.name, d.name)
	}
	if d.eos {
		return s.apiErr("%s trailers after the end of the %s", d.name, d.name)
	}
	d.trl, d.trlSeen, d.trlPending, d.eos = newHmap(h), true, true, true
	if d.paused || d.bodyPending {
		return ActionNotDelivered
	}
	act := s.deliverTrailers(d)
	s.pump(d)
	return act
}

func (s *Stream) forwardHeaders(d *direction) {
	d.live, d.fwd = false, true
	d.out = d.headers // no longer writable by the guest, so no copy
}

func (s *Stream) forwardBody(d *direction) {
	d.outBody = append(d.outBody, d.body...)
	d.body = nil
}

func (s *Stream) forwardTrailers(d *direction) {
	s.forwardBody(d)
	d.trlFwd = true
	d.outTrl = d.trl.clone()
}

// pump delivers what arrived while the direction was stopped, until it stops again.
func (s *Stream) pump(d *direction) {
	for s.usable() && !d.paused {
		switch {
		case d.bodyPending:
			s.deliverBody(d)
		case d.trlPending:
			s.deliverTrailers(d)
		default:
			return
		}
	}
}

func (s *Stream) deliverBody(d *direction) Action {
	_, ex, _ := s.exports(d)
	d.bodyPending = false
	eos := d.bodyEOS && !d.trlSeen
	d.inBody, d.inCallback, d.continueAsked = true, true, false
	r, ok := s.vm.invoke(ex, uint64(s.id), uint64(len(d.body)), b2u(eos))
	d.inBody, d.inCallback = false, false
	if !ok || s.ended || s.localPending {
		return ActionPause
	}
	act := Action(r)
	if act == ActionContinue {
		s.forwardBody(d)
		return act
	}
	// Stopped with buffering: the next chunk is appended and delivered with the whole buffer. At
	// the end of the stream nothing more will come, so the stream waits for continue.
	if eos {
		d.paused, d.pausedIn = true, partBody
	}
	if d.continueAsked {
		s.resume(d)
	}
	return act
}

func (s *Stream) deliverTrailers(d *direction) Action {
	_, _, ex := s.exports(d)
	d.trlPending = false
	d.trlLive, d.inCallback, d.continueAsked = true, true, false
	r, ok := s.vm.invoke(ex, uint64(s.id), uint64(len(d.trl)))
	d.trlLive, d.inCallback = false, false
	if !ok || s.ended || s.localPending {
		return ActionPause
	}
	act := Action(r)
	if act == ActionContinue {
		s.forwardTrailers(d)
		return act
	}
	d.paused, d.pausedIn = true, partTrailers
	if d.continueAsked {
		s.resume(d)
	}
	return act
}

// resume is the deferred effect of proxy_continue_stream.
func (s *Stream) resume(d *direction) {
	if !s.usable() {
		return
	}
	if d.inCallback {
		d.continueAsked = true
		return
	}
	if !d.paused {
		if len(d.body) > 0 && !d.bodyPending { // continue after buffering a non-final chunk
			s.forwardBody(d)
			return
		}
		s.vm.h.misuse(s.vm, "proxy_continue_stream(%s) on stream %d, which is not stopped", d.name, s.id)
		return
	}
	d.paused = false
	switch d.pausedIn {
	case partHeaders:
		s.forwardHeaders(d)
	case partBody:
		s.forwardBody(d)
	case partTrailers:
		s.forwardTrailers(d)
	}
	s.pump(d)
}

// sendLocal is the deferred effect of proxy_send_local_response. Envoy encodes a local reply
// through the filter chain, so the filter's own proxy_on_response_headers (and _body) see it.
func (s *Stream) sendLocal(lr *LocalResponse) {
	s.localPending = false
	if !s.usable() {
		return
	}
	if s.resp.fwd {
		s.vm.h.misuse(s.vm, "proxy_send_local_response on stream %d after the response started: "+
			"Envoy resets the stream", s.id)
		s.ended, s.reset = true, true
		return
	}
	s.local = lr
	s.req.live, s.req.paused = false, false
	d := &s.resp
	d.seen, d.live, d.paused = true, true, false
	d.headers = newHmap(lr.Headers)
	d.body, d.bodyPending = nil, false
	d.eos = len(lr.Body) == 0
	s.inLocal = true
	_, ok := s.vm.invoke(exResponseHeaders, uint64(s.id), uint64(len(d.headers)), b2u(d.eos))
	d.live = false
	if ok && len(lr.Body) > 0 && s.gen == s.vm.gen {
		d.body = lr.Body
		d.inBody = true
		_, ok = s.vm.invoke(exResponseBody, uint64(s.id), uint64(len(d.body)), 1)
		d.inBody = false
		lr.Body = d.body
	}
	s.inLocal = false
	if !ok {
		return // the trap already failed the stream
	}
	lr.Headers = d.headers.clone()
	d.fwd, d.out, d.outBody, d.body = true, lr.Headers, lr.Body, nil
	s.ended = true
}

// localReplyHeaders builds the headers of a local reply as Envoy's sendLocalReply does: :status,
// the filter's headers, then content-length and a text/plain content-type if there is a body and
// the filter set none.
func localReplyHeaders(code uint32, extra [][2]string, body []byte) [][2]string {
	h := hmap{{":status", strconv.FormatUint(uint64(code), 10)}}
	for _, p := range extra {
		h.add(strings.ToLower(p[0]), p[1])
	}
	if len(body) > 0 {
		h.replace("content-length", strconv.Itoa(len(body)))
		if _, ok := h.get("content-type"); !ok {
			h.add("content-type", "text/plain")
		}
	}
	return h
}
