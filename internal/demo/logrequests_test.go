package demo

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestLogRequests(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		status  int
		body    string
		wantLog string
	}{
		{name: "allowed", path: "/api/items", status: 200, body: "hi", wantLog: "gateway: GET /api/items -> 200\n"},
		{name: "denied with reason, query dropped", path: "/api/items?access_token=secret", status: 403,
			body: `{"error":"insufficient_scope","reason":"insufficient_scope"}`, wantLog: "gateway: GET /api/items -> 403 insufficient_scope\n"},
		{name: "OAuth 2 error", path: "/oauth2/token", status: 401,
			body: `{"error":"invalid_client","error_description":"x"}`, wantLog: "gateway: GET /oauth2/token -> 401 invalid_client\n"},
		{name: "error body not JSON", path: "/x", status: 502, body: "bad gateway", wantLog: "gateway: GET /x -> 502\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			h := LogRequests("gateway", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}), &log)
			rr := httptest.NewRecorder()
			h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rr.Code != tc.status || rr.Body.String() != tc.body {
				t.Errorf("response %d %q, want %d %q (passed through)", rr.Code, rr.Body.String(), tc.status, tc.body)
			}
			if log.String() != tc.wantLog {
				t.Errorf("log %q, want %q", log.String(), tc.wantLog)
			}
		})
	}
}
