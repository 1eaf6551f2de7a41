package testenv_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestTrace_Golden records the whole ABI conversation of one request through
// dist/passthrough.wasm and compares it with testdata/passthrough.trace, so an extra, missing or
// reordered host call (in the binding or in testenv) shows up as a diff. Regenerate with
// `go test ./testenv -run TestTrace_Golden -update` after checking the change is intended.
func TestTrace_Golden(t *testing.T) {
	t.Run("passthrough", goldenPassthrough)
	t.Run("http call", goldenHttpCall)
}

func goldenPassthrough(t *testing.T) {
	env := testenv.New(t, distWasm(t, "passthrough.wasm"), testenv.RecordTrace())
	env.ResetTrace() // the start-up sequence depends on the Go runtime's init, not on the filter
	s := env.NewStream()
	s.RequestHeaders([][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "example.com"},
		{"authorization", "Bearer abc"}}, true)
	s.ResponseHeaders([][2]string{{":status", "200"}}, true)
	s.Complete()
	s = env.NewStream()
	s.RequestHeaders([][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "example.com"}}, true)
	s.Complete()

	compareGolden(t, env.Trace(), "passthrough.trace")
}

// goldenHttpCall: a stream pauses on an http call; the response arrives on the ROOT context after
// on_request_headers returned, the binding switches to the stream with set_effective_context and
// continues it, and the continue takes effect after the callback returns.
func goldenHttpCall(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.RecordTrace(),
		testenv.Cluster("idp", okHandler("ok")))
	env.ResetTrace()
	s := env.NewStream()
	s.RequestHeaders([][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "example.com"},
		script("reqhdr", "call:idp:/check:250;ret:pause"), script("callresp", "resume:req")}, true)
	s.Complete()
	compareGolden(t, env.Trace(), "httpcall.trace")
}

func compareGolden(t *testing.T, got, name string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (create it with -update)", err)
	}
	if got != string(want) {
		t.Fatalf("trace differs from %s\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}
