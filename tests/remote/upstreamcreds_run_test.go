package remote

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv/idp"
)

// End to end through the `tokengate run` program itself (built from
// ./cmd/tokengate, run as a subprocess on the real clock): the fosite IdP on
// a loopback port is its cluster "idp", an echo upstream reports the
// Authorization it received. Five requests with a user's token: every one
// reaches the upstream with the gateway's own token (verified with the
// IdP's JWKS), one token request at the IdP.
func TestUpstreamCredentials_TokengateRun(t *testing.T) {
	wasm := wasmPath()
	loadWasm(t) // fails the test when the module is missing
	srv := gwIdP(t)
	idpServer := httptest.NewServer(srv)
	t.Cleanup(idpServer.Close)
	if err := srv.SetIssuer(idpServer.URL); err != nil {
		t.Fatal(err)
	}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "authorization="+strings.Join(r.Header.Values("authorization"), ","))
	}))
	t.Cleanup(echo.Close)

	cfg := map[string]any{
		"providers": map[string]any{"idp": map[string]any{
			"issuer": idpServer.URL, "audiences": []string{"api"},
			"remote_jwks": map[string]any{"cluster": "idp", "uri": idpServer.URL + idp.PathJWKS, "timeout_ms": 2000},
		}},
		"rules": []any{map[string]any{"match": map[string]any{"prefix": "/backend"},
			"require": map[string]any{"provider": "idp", "scopes": []string{"read"}}}},
		"upstream_credentials": []any{gwEntry(map[string]any{"token_uri": idpServer.URL + idp.PathToken})},
	}
	dir := t.TempDir()
	b, _ := json.Marshal(cfg)
	cfgFile := filepath.Join(dir, "plugin.json")
	if err := os.WriteFile(cfgFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := buildTokengate(t, dir)
	api := startRun(t, bin, "run", "--wasm", wasm, "--config", cfgFile, "--listen", "127.0.0.1:0",
		"--upstream", echo.URL, "--cluster", "idp="+idpServer.URL, "--workers", "2")

	user := token(t, srv, "read")
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequest("GET", api+"/backend/items", nil)
		req.Header.Set("Authorization", "Bearer "+user)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
		got := strings.TrimPrefix(string(body), "authorization=")
		if got == "Bearer "+user || !strings.HasPrefix(got, "Bearer ") || strings.Contains(got, ",") {
			t.Fatalf("the upstream saw authorization %q", got)
		}
		verifyGatewayToken(t, srv, strings.TrimPrefix(got, "Bearer "), time.Now(), "gateway")
	}
	expectN(t, "gateway token requests", len(tokenRequests(srv, "gateway")), 1)
}

// buildTokengate builds ./cmd/tokengate of this repository into dir.
func buildTokengate(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "tokengate")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/tokengate/tokengate/cmd/tokengate")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/tokengate: %v\n%s", err, out)
	}
	return bin
}

// startRun starts `tokengate run ...`, waits for its "tokengate run:
// http://ADDR" line and returns http://ADDR; the process is stopped (SIGTERM)
// when the test ends.
func startRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "tokengate run: http://"); ok {
				addr <- "http://" + strings.Fields(rest)[0]
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("tokengate run exited: %s", stderr.String())
		}
		return a
	case <-time.After(60 * time.Second):
		t.Fatalf("tokengate run did not start within 60 s: %s", stderr.String())
	}
	return ""
}
