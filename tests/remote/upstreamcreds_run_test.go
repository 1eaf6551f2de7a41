package remote

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
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
	srv, idpURL, upstream, cfg := gatewayEndToEnd(t)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "plugin.json")
	if err := os.WriteFile(cfgFile, []byte(configJSON(t, cfg)), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := buildTokengate(t, dir)
	api := startRun(t, bin, "run", "--wasm", wasm, "--config", cfgFile, "--listen", "127.0.0.1:0",
		"--upstream", upstream, "--cluster", "idp="+idpURL, "--workers", "2")

	expectGatewayTokenUpstream(t, srv, api)
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
