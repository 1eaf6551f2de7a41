package testenv_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

// repoRoot is the module root (testenv's parent).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate helpers_test.go")
	}
	return filepath.Dir(filepath.Dir(file))
}

// distWasm reads a module built by ./build.sh. A missing module FAILS the test: run `make build`.
func distWasm(t testing.TB, name string) []byte {
	t.Helper()
	path := filepath.Join(repoRoot(t), "dist", name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s is missing (%v): run ./build.sh or make build first", path, err)
	}
	return b
}

var (
	guestMu    sync.Mutex
	guestCache = map[string][]byte{}
	guestDir   string
)

// guest builds testdata/guests/<name> with standard Go as Envoy needs it (GOOS=wasip1 GOARCH=wasm
// -buildmode=c-shared), once per test binary, and returns the module. A build failure fails the
// test: the guests are part of testenv's own test suite.
func guest(t testing.TB, name string) []byte { return guestBuild(t, name, "") }

// guestBuild is guest with extra -ldflags (a build variant), cached per (name, ldflags).
func guestBuild(t testing.TB, name, ldflags string) []byte {
	t.Helper()
	guestMu.Lock()
	defer guestMu.Unlock()
	key := name + " " + ldflags
	if b, ok := guestCache[key]; ok {
		return b
	}
	if guestDir == "" {
		d, err := os.MkdirTemp("", "testenv-guests-")
		if err != nil {
			t.Fatalf("temp dir for guests: %v", err)
		}
		guestDir = d // removed by TestMain
	}
	out := filepath.Join(guestDir, fmt.Sprintf("%s-%d.wasm", name, len(guestCache)))
	args := []string{"build", "-buildmode=c-shared", "-o", out}
	if ldflags != "" {
		args = append(args, "-ldflags="+ldflags)
	}
	cmd := exec.Command("go", append(args, "./testdata/guests/"+name)...)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building guest %s: %v\n%s", name, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("reading guest %s: %v", name, err)
	}
	guestCache[key] = b
	return b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if guestDir != "" {
		os.RemoveAll(guestDir)
	}
	os.Exit(code)
}

// reqHeaders is a typical request as Envoy presents it to a filter.
func reqHeaders(extra ...[2]string) [][2]string {
	h := [][2]string{{":method", "GET"}, {":path", "/api/items?x=1"}, {":authority", "example.com"},
		{":scheme", "https"}, {"x-request-id", "req-1"}, {"user-agent", "testenv"}}
	return append(h, extra...)
}

var respHeaders = [][2]string{{":status", "200"}, {"content-type", "text/plain"}}

// script adds an x-script-<phase> header.
func script(phase, cmds string) [2]string { return [2]string{"x-script-" + phase, cmds} }

// logged returns the messages of info-or-above logs that contain substr.
func logged(env *testenv.Env, substr string) []string {
	var out []string
	for _, m := range env.LogMessages(testenv.LogTrace) {
		if strings.Contains(m, substr) {
			out = append(out, m)
		}
	}
	return out
}

// wantLog fails unless exactly the message want was logged (at least once).
func wantLog(t testing.TB, env *testenv.Env, want string) {
	t.Helper()
	for _, m := range env.LogMessages(testenv.LogTrace) {
		if m == want {
			return
		}
	}
	t.Fatalf("log %q not found; logs:\n%s", want, strings.Join(env.LogMessages(testenv.LogTrace), "\n"))
}

// okHandler answers 200 with body.
func okHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "text/plain")
		_, _ = w.Write([]byte(body))
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
