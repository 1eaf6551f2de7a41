package demo

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// LogRequests writes one line per request to w, prefixed "name: ": method, path (never the query,
// which may hold a token), status, and for an error the code from the JSON body: the filter's
// "reason", else an OAuth 2 "error" (RFC 6749 §5.2).
func LogRequests(name string, next http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		line := fmt.Sprintf("%s: %s %s -> %d", name, r.Method, r.URL.EscapedPath(), rec.status)
		if rec.status >= 400 {
			var body struct {
				Reason string `json:"reason"`
				Error  string `json:"error"`
			}
			if json.Unmarshal(rec.head, &body) == nil {
				if code := cmp.Or(body.Reason, body.Error); code != "" {
					line += " " + code
				}
			}
		}
		mu.Lock()
		fmt.Fprintln(w, line)
		mu.Unlock()
	})
}

// statusRecorder remembers the status and the first bytes of an error body.
type statusRecorder struct {
	http.ResponseWriter
	status int
	head   []byte
}

const maxRecordedBody = 4096

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status >= 400 && len(r.head) < maxRecordedBody {
		n := min(len(b), maxRecordedBody-len(r.head))
		r.head = append(r.head, b[:n]...)
	}
	return r.ResponseWriter.Write(b)
}
