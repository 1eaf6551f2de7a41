package main

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

// received is what the echo upstream saw of one request.
type received struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"` // as sent on the wire, with the query
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

// echoUpstream is the demo's (and the tests') upstream: it answers 200 with a JSON description of the
// request it received, keeps the last few requests for tests, and can print one line per request.
type echoUpstream struct {
	log io.Writer // nil: silent

	mu   sync.Mutex
	seen []received // the last maxSeen requests
}

const maxSeen = 64

func (e *echoUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEchoBody))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	rec := received{Method: r.Method, Path: r.URL.RequestURI(), Headers: map[string]string{}, Body: string(body)}
	for name, values := range r.Header {
		rec.Headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	e.mu.Lock()
	if len(e.seen) == maxSeen {
		e.seen = append(e.seen[:0], e.seen[1:]...)
	}
	e.seen = append(e.seen, rec)
	e.mu.Unlock()
	if e.log != nil {
		fmt.Fprintf(e.log, "upstream: %s %s %s\n", rec.Method, rec.Path, verifiedHeaders(rec.Headers))
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rec)
}

// requests returns a copy of the requests seen so far, oldest first.
func (e *echoUpstream) requests() []received {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]received(nil), e.seen...)
}

// verifiedHeaders summarizes, for the demo log, the headers tokengate sets (x-jwt-*), and whether a
// token reached the upstream (it should not: the filter strips it). It never prints a token.
func verifiedHeaders(h map[string]string) string {
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
