package demo

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStep_Curl(t *testing.T) {
	tests := []struct {
		name string
		step Step
		want string
	}{
		{name: "GET without token", step: Step{Method: "GET", Path: "/health"}, want: "curl -i http://127.0.0.1:8080/health"},
		{name: "POST with token", step: Step{Method: "POST", Path: "/api/things", TokenVar: "READ_TOKEN"},
			want: `curl -i -X POST -H "Authorization: Bearer $READ_TOKEN" http://127.0.0.1:8080/api/things`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.step.Curl("http://127.0.0.1:8080"); got != tc.want {
				t.Errorf("Curl = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReport(t *testing.T) {
	tests := []struct {
		name   string
		got    int
		err    error
		wantOK bool
		want   string
	}{
		{name: "as announced", got: 403, wantOK: true, want: "# w -> 403 (ok)\ncmd\n\n"},
		{name: "other status", got: 200, want: "# w -> 403 (UNEXPECTED: got 200)\ncmd\n\n"},
		{name: "error", err: errors.New("refused"), want: "# w -> 403 (FAILED: refused)\ncmd\n\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if ok := Report(&b, "w", 403, "cmd", tc.got, tc.err); ok != tc.wantOK {
				t.Errorf("Report = %v, want %v", ok, tc.wantOK)
			}
			if b.String() != tc.want {
				t.Errorf("printed %q, want %q", b.String(), tc.want)
			}
		})
	}
}

// TestRunSteps_SendsEachStep checks the method, path and bearer token each step sends, and the
// count of steps whose status differs from the announced one.
func TestRunSteps_SendsEachStep(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	defer srv.Close()
	steps := []Step{
		{What: "read", Method: "GET", Path: "/a", TokenVar: "T", WantStatus: 200},
		{What: "write", Method: "POST", Path: "/a", TokenVar: "T", WantStatus: 403},
		{What: "wrong announcement", Method: "POST", Path: "/b", WantStatus: 200},
	}
	var out bytes.Buffer
	failed := RunSteps(context.Background(), &out, srv.Client(), srv.URL, steps, map[string]string{"T": "tok"})
	if failed != 1 {
		t.Errorf("failed = %d, want 1\n%s", failed, out.String())
	}
	if want := []string{"GET /a Bearer tok", "POST /a Bearer tok", "POST /b "}; strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("requests %q, want %q", seen, want)
	}
	if !strings.Contains(out.String(), "# wrong announcement -> 200 (UNEXPECTED: got 403)") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestGatedWriter_Write(t *testing.T) {
	var b bytes.Buffer
	g := &GatedWriter{W: &b}
	if n, err := g.Write([]byte("dropped\n")); n != 8 || err != nil {
		t.Fatalf("Write before Open = %d, %v", n, err)
	}
	g.Open()
	_, _ = g.Write([]byte("kept\n"))
	if b.String() != "kept\n" {
		t.Errorf("wrote %q, want only what came after Open", b.String())
	}
}
