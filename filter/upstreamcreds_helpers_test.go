package filter

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
)

// roundTrip serves a shared.Call with an http.Handler (a fake token endpoint),
// the way a cluster would: the pseudo-headers become the method, target and
// Host of an *http.Request, and the recorded answer becomes a shared.Response.
// The handler thus parses the call with net/http, independently of the code
// that built it.
func roundTrip(t *testing.T, h http.Handler, call *shared.Call) *shared.Response {
	t.Helper()
	var method, path, authority string
	for _, kv := range call.Headers {
		switch kv[0] {
		case ":method":
			method = kv[1]
		case ":path":
			path = kv[1]
		case ":authority":
			authority = kv[1]
		}
	}
	if method == "" || path == "" || authority == "" {
		t.Fatalf("call lacks :method, :path or :authority: %q", call.Headers)
	}
	req := httptest.NewRequest(method, "http://"+authority+path, bytes.NewReader(call.Body))
	req.Host = authority
	for _, kv := range call.Headers {
		if kv[0][0] != ':' {
			req.Header.Add(kv[0], kv[1])
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := &shared.Response{Status: rec.Code, Body: rec.Body.Bytes()}
	for k, vs := range rec.Header() {
		for _, v := range vs {
			resp.Headers = append(resp.Headers, [2]string{k, v})
		}
	}
	return resp
}

// mustCred parses one upstream_credentials entry or fails the test.
func mustCred(t *testing.T, entry string) *upstreamCred {
	t.Helper()
	list, err := parseUpstreamCreds(gjson.Parse("[" + entry + "]"))
	if err != nil {
		t.Fatalf("parseUpstreamCreds: %v", err)
	}
	return list[0]
}

// jsonHandler answers every request with status and body.
func jsonHandler(status int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	})
}
