package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// maxEchoBody bounds what the echo upstream reads from a request body.
const maxEchoBody = 64 << 10

// MaxSeen is how many requests an Echo keeps for Requests.
const MaxSeen = 64

// Received is what the echo upstream saw of one request.
type Received struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"` // as sent on the wire, with the query
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

// Echo is the demos' (and the tests') upstream: it answers 200 with a JSON description of the
// request it received, keeps the last MaxSeen requests, and prints one line per request to Log.
type Echo struct {
	Log io.Writer // nil: silent

	mu   sync.Mutex
	seen []Received
}

func (e *Echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEchoBody))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	rec := Received{Method: r.Method, Path: r.URL.RequestURI(), Headers: map[string]string{}, Body: string(body)}
	for name, values := range r.Header {
		rec.Headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	e.mu.Lock()
	if len(e.seen) == MaxSeen {
		e.seen = append(e.seen[:0], e.seen[1:]...)
	}
	e.seen = append(e.seen, rec)
	e.mu.Unlock()
	if e.Log != nil {
		fmt.Fprintf(e.Log, "upstream: %s %s %s\n", rec.Method, rec.URLPath(), VerifiedHeaders(rec.Headers))
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rec)
}

// URLPath is the request's path without the query (which may hold a token).
func (r Received) URLPath() string {
	p, _, _ := strings.Cut(r.Path, "?")
	return p
}

// Requests returns a copy of the requests seen so far, oldest first.
func (e *Echo) Requests() []Received {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Received(nil), e.seen...)
}

// VerifiedHeaders summarizes, for a log line, the headers tokengate sets (x-jwt-*), and whether a
// token reached the upstream (it should not: the filter strips it). It never prints a token.
func VerifiedHeaders(h map[string]string) string {
	var parts []string
	for name, v := range h {
		if strings.HasPrefix(name, "x-jwt-") && name != "x-jwt-payload" {
			parts = append(parts, name+"="+v)
		}
	}
	sort.Strings(parts)
	if _, ok := h["x-jwt-payload"]; ok {
		parts = append(parts, "x-jwt-payload=(set)")
	}
	if _, ok := h["authorization"]; ok {
		parts = append(parts, "authorization=(PRESENT)")
	} else {
		parts = append(parts, "authorization=(absent)")
	}
	return strings.Join(parts, " ")
}
