package filter

import (
	"net/http"
	"testing"

	"github.com/tidwall/gjson"
)

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
