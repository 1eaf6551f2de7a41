package idp

import (
	"net/http"
	"net/url"
	"time"
)

// maxRequestLog bounds the request log (oldest entries are dropped first).
const maxRequestLog = 4096

// Request is what the server saw of one request (never a token or a secret).
type Request struct {
	Endpoint Endpoint
	Method   string
	// ClientID is the client the request presented credentials for ("" when none).
	ClientID string
	// AuthMethod is "client_secret_basic", "client_secret_post" or "" (no client credentials).
	AuthMethod string
	// Status is the HTTP status answered; 0 when the connection was closed instead.
	Status int
	// At is the server clock when the request arrived.
	At time.Time
}

// Hits returns how many requests reached an endpoint, counting those answered by an injected
// fault (a closed connection, a delay the client gave up on, a 503 …).
func (s *Server) Hits(e Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[e]
}

// Requests returns the logged requests to the given endpoints (all when none), oldest first.
func (s *Server) Requests(endpoints ...Endpoint) []Request {
	want := map[Endpoint]bool{}
	for _, e := range endpoints {
		want[e] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.log {
		if len(want) == 0 || want[r.Endpoint] {
			out = append(out, r)
		}
	}
	return out
}

// ResetHits zeroes the hit counters and empties the request log.
func (s *Server) ResetHits() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits = map[Endpoint]int{}
	s.log = nil
}

// arrive counts a hit and returns the endpoint's fault.
func (s *Server) arrive(e Endpoint) fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[e]++
	return s.faults[e]
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= maxRequestLog {
		s.log = append(s.log[:0], s.log[len(s.log)-maxRequestLog+1:]...)
	}
	s.log = append(s.log, r)
}

// clientAuthOf tells which client authentication a request (with its form parsed) presents, the
// way fosite's authentication reads it: HTTP Basic first, then client_id/client_secret in the body.
func clientAuthOf(r *http.Request) (clientID, method string) {
	if id, _, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		return id, "client_secret_basic"
	}
	if r.PostForm.Get("client_secret") != "" {
		return r.PostForm.Get("client_id"), "client_secret_post"
	}
	return r.PostForm.Get("client_id"), ""
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for DownClose).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
