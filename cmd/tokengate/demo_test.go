package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/demo"
)

// TestRunDemo_SelfCheck runs the whole demo (key generation, template, echo upstream, gateway with
// the real .wasm) on ephemeral ports; the demo sends every request it prints and fails when one does
// not get the status the demo announces.
func TestRunDemo_SelfCheck(t *testing.T) {
	var out demo.SyncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var base string
	var printedTokenStatus int
	err := runDemo(ctx, demoOptions{WasmFile: wasmPath, Template: "../../examples/demo/config.json",
		Listen: "127.0.0.1:0", UpstreamListen: "127.0.0.1:0", Workers: 1}, &out, func(b string) {
		defer cancel()
		base = b
		// Use the READ_TOKEN line exactly as a person would paste it.
		for _, line := range strings.Split(out.String(), "\n") {
			if tok, ok := strings.CutPrefix(line, "READ_TOKEN="); ok {
				printedTokenStatus = getWithToken(t, b+"/api/things", tok)
			}
		}
	})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	if base == "" {
		t.Fatalf("the demo never became ready:\n%s", text)
	}
	for _, s := range demoSteps {
		if !strings.Contains(text, s.Curl(base)) {
			t.Errorf("output lacks %q", s.Curl(base))
		}
	}
	for _, want := range []string{"READ_TOKEN=ey", "WRITE_TOKEN=ey", "EXPIRED_TOKEN=ey", "NOT a production proxy", "gateway: GET /api/things -> 200", "upstream: GET /api/things x-jwt-scope=read x-jwt-sub=demo-client x-jwt-payload=(set) authorization=(absent)"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if printedTokenStatus != 200 {
		t.Errorf("GET /api/things with the printed READ_TOKEN: status %d, want 200", printedTokenStatus)
	}
	if strings.Contains(text, "UNEXPECTED") || strings.Contains(text, "FAILED") {
		t.Errorf("self-check failed:\n%s", text)
	}
}

func getWithToken(t *testing.T, url, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
