package demo

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEcho_ServeHTTP(t *testing.T) {
	var log bytes.Buffer
	e := &Echo{Log: &log}
	req := httptest.NewRequest(http.MethodPost, "/api/things?access_token=secret", strings.NewReader("hello"))
	req.Header.Set("X-Jwt-Sub", "user-1")
	req.Header.Set("X-Jwt-Payload", "eyJzdWIiOiJ1c2VyLTEifQ")
	rr := httptest.NewRecorder()
	e.ServeHTTP(rr, req)

	if rr.Code != http.StatusOK {
		t.Fatalf("status = %d", rr.Code)
	}
	var got Received
	if err := json.Unmarshal(rr.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.Path != "/api/things?access_token=secret" || got.Body != "hello" || got.Headers["x-jwt-sub"] != "user-1" {
		t.Errorf("echoed %+v", got)
	}
	if seen := e.Requests(); len(seen) != 1 || seen[0].Path != "/api/things?access_token=secret" {
		t.Errorf("Requests() = %+v", seen)
	}
	// The log line has no query: it may hold a token.
	if want := "upstream: POST /api/things x-jwt-sub=user-1 x-jwt-payload=(set) authorization=(absent)\n"; log.String() != want {
		t.Errorf("log = %q, want %q", log.String(), want)
	}
}

func TestEcho_BoundedHistory(t *testing.T) {
	e := &Echo{}
	for i := 0; i < MaxSeen+10; i++ {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/n", nil))
	}
	if n := len(e.Requests()); n != MaxSeen {
		t.Errorf("kept %d requests, want %d", n, MaxSeen)
	}
}

func TestVerifiedHeaders_NeverPrintsToken(t *testing.T) {
	got := VerifiedHeaders(map[string]string{"authorization": "Bearer secret.token.value", "x-jwt-scope": "read"})
	if strings.Contains(got, "secret") {
		t.Fatalf("summary leaks the token: %q", got)
	}
	if got != "x-jwt-scope=read authorization=(PRESENT)" {
		t.Errorf("summary = %q", got)
	}
}
