package idp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// DownMode says how an endpoint that is "down" fails.
type DownMode int

// Down modes.
const (
	Up        DownMode = iota // serve normally
	DownClose                 // close the connection without a response (connection-level failure)
	Down503                   // answer 503 Service Unavailable with Retry-After: 1
)

func (m DownMode) String() string {
	switch m {
	case Up:
		return "up"
	case DownClose:
		return "close"
	case Down503:
		return "503"
	}
	return "down_mode(" + strconv.Itoa(int(m)) + ")"
}

// ParseDownMode maps "up", "close" and "503" to a DownMode.
func ParseDownMode(s string) (DownMode, bool) {
	for _, m := range []DownMode{Up, DownClose, Down503} {
		if m.String() == s {
			return m, true
		}
	}
	return Up, false
}

// Override is a fixed response served instead of the endpoint's own (SetOverride).
type Override struct {
	Status      int // 0 means 200
	ContentType string
	Body        []byte
}

// MalformedBody is what SetMalformed endpoints answer, with status 200 and a JSON content type.
const MalformedBody = "<html>this is not JSON {\"keys\": ["

// ErrConnectionClosed is RoundTrip's error for an endpoint in DownClose mode.
var ErrConnectionClosed = errors.New("idp: connection closed by server (down)")

// fault is the injected behaviour of one endpoint; applied in field order.
type fault struct {
	delay     time.Duration
	down      DownMode
	status    int
	malformed bool
	override  *Override
}

// The controls below apply to the given endpoints, or to every endpoint when none is given.

// SetDelay makes the endpoints wait d before answering (0 removes the delay). The wait ends early
// when the client gives up (request context done); the request is then dropped.
func (s *Server) SetDelay(d time.Duration, endpoints ...Endpoint) {
	s.setFault(func(f *fault) { f.delay = d }, endpoints)
}

// SetDown(true) makes the endpoints close connections without answering (DownClose);
// SetDown(false) brings them back up. SetDownMode chooses the mode.
func (s *Server) SetDown(down bool, endpoints ...Endpoint) {
	m := Up
	if down {
		m = DownClose
	}
	s.SetDownMode(m, endpoints...)
}

// SetDownMode sets how the endpoints fail: Up, DownClose or Down503.
func (s *Server) SetDownMode(m DownMode, endpoints ...Endpoint) {
	s.setFault(func(f *fault) { f.down = m }, endpoints)
}

// SetFailStatus makes the endpoints answer status (e.g. 500) with an RFC 6749 style JSON error
// body; 0 removes the failure.
func (s *Server) SetFailStatus(status int, endpoints ...Endpoint) {
	s.setFault(func(f *fault) { f.status = status }, endpoints)
}

// SetMalformed makes the endpoints answer 200 with a JSON content type and MalformedBody.
func (s *Server) SetMalformed(on bool, endpoints ...Endpoint) {
	s.setFault(func(f *fault) { f.malformed = on }, endpoints)
}

// SetOverride makes the endpoints serve o instead of their own answer (nil removes it); for
// example a well-formed JWKS whose key does not load.
func (s *Server) SetOverride(o *Override, endpoints ...Endpoint) {
	if o != nil {
		c := *o
		c.Body = append([]byte(nil), o.Body...)
		o = &c
	}
	s.setFault(func(f *fault) { f.override = o }, endpoints)
}

// Reset removes every injected fault (hit counters and the request log are kept; see ResetHits).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[Endpoint]fault{}
}

func (s *Server) setFault(change func(*fault), endpoints []Endpoint) {
	if len(endpoints) == 0 {
		endpoints = Endpoints()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range endpoints {
		f := s.faults[e]
		change(&f)
		s.faults[e] = f
	}
}

// applyFault injects the endpoint's fault. It reports whether the request should still be served.
func applyFault(ctx context.Context, w http.ResponseWriter, f fault) bool {
	if f.delay > 0 {
		t := time.NewTimer(f.delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			abortConnection(w)
			return false
		}
	}
	switch f.down {
	case DownClose:
		abortConnection(w)
		return false
	case Down503:
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return false
	}
	if f.status != 0 {
		writeJSON(w, f.status, map[string]string{"error": "server_error", "error_description": "injected failure"})
		return false
	}
	if f.malformed {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(MalformedBody))
		return false
	}
	if o := f.override; o != nil {
		if o.ContentType != "" {
			w.Header().Set("Content-Type", o.ContentType)
		}
		st := o.Status
		if st == 0 {
			st = http.StatusOK
		}
		w.WriteHeader(st)
		_, _ = w.Write(o.Body)
		return false
	}
	return true
}

// abortConnection closes the client connection without a response: hijack and close where the
// server allows it, otherwise net/http's own abort (panic with http.ErrAbortHandler), which
// RoundTrip turns into ErrConnectionClosed.
func abortConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}
