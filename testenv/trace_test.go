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

	got := env.Trace()
	path := filepath.Join("testdata", "passthrough.trace")
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
