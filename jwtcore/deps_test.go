package jwtcore

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// tvAllowedModules are the only non-standard-library import path prefixes jwtcore may depend on:
// gjson, the two tiny packages gjson itself imports, and jwtcore's own internal packages (whose
// imports go list -deps reports too, so they are held to the same rule).
var tvAllowedModules = []string{
	"github.com/tokengate/tokengate/jwtcore/internal",
	"github.com/tidwall/gjson",
	"github.com/tidwall/match",
	"github.com/tidwall/pretty",
}

// TestDeps_StdlibAndGJSONOnly lists every package jwtcore (not its tests) links, natively and for
// GOOS=wasip1 GOARCH=wasm, and fails on anything outside the standard library and gjson.
func TestDeps_StdlibAndGJSONOnly(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go" // fall back to PATH
	}
	targets := []struct {
		name string
		env  []string
	}{
		{"native", nil},
		{"wasip1", []string{"GOOS=wasip1", "GOARCH=wasm"}},
	}
	for _, tc := range targets {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
			cmd.Env = append(os.Environ(), tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps: %v\n%s", err, out)
			}
			self := ""
			var foreign []string
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				line = strings.TrimSpace(line)
				if line == "" {
					continue
				}
				if strings.HasSuffix(line, "/jwtcore") && strings.HasPrefix(line, "github.com/tokengate/") {
					self = line
					continue
				}
				allowed := false
				for _, m := range tvAllowedModules {
					allowed = allowed || line == m || strings.HasPrefix(line, m+"/")
				}
				if !allowed {
					foreign = append(foreign, line)
				}
			}
			if self == "" {
				t.Fatalf("go list did not report jwtcore itself; output:\n%s", out)
			}
			if len(foreign) > 0 {
				t.Fatalf("jwtcore (%s) depends on packages outside the standard library and gjson:\n  %s", tc.name, strings.Join(foreign, "\n  "))
			}
		})
	}
}
