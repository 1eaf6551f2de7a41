package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/demo"
)

// wasmPath is the filter module: $TOKENGATE_WASM, or dist/tokengate.wasm of this repository.
func wasmPath() string {
	if p := os.Getenv("TOKENGATE_WASM"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "dist", "tokengate.wasm")
}

// announced matches a self-check line: "# what -> 403 (ok)".
var announced = regexp.MustCompile(`^# .* -> (\d{3}) \((.*)\)$`)

// TestRun_SelfCheckAndPrintedCommands runs the whole demo (IdP, echo upstream, gateway with the
// real .wasm) on ephemeral ports. The demo checks itself; then this test runs every printed
// command as a person would paste it (interpreted in Go, not with the demo's code), compares each
// status with the announced one, and checks that no token reached the upstream or the log.
func TestRun_SelfCheckAndPrintedCommands(t *testing.T) {
	if _, err := os.Stat(wasmPath()); err != nil {
		t.Fatalf("the filter module is needed (./build.sh or make build): %v", err)
	}
	var out demo.SyncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var r running
	shell := map[string]string{}
	ran := 0
	err := run(ctx, options{WasmFile: wasmPath(), Listen: "127.0.0.1:0", UpstreamListen: "127.0.0.1:0",
		IdPListen: "127.0.0.1:0", Workers: 2}, &out, func(rr running) {
		defer cancel()
		r = rr
		want := 0
		for _, line := range strings.Split(out.String(), "\n") {
			if m := announced.FindStringSubmatch(line); m != nil {
				if m[2] != "ok" {
					t.Errorf("self-check: %s", line)
				}
				want, _ = strconv.Atoi(m[1])
				continue
			}
			if want == 0 || !strings.Contains(line, "curl ") {
				continue
			}
			got := pasteCommand(t, line, shell)
			if got != want {
				t.Errorf("%s\n  -> %d, announced %d", line, got, want)
			}
			want = 0
			ran++
		}
	})
	text := out.String()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, text)
	}
	if r.Gateway == "" {
		t.Fatalf("the demo never became ready:\n%s", text)
	}
	if n := len(tokenSteps) + len(apiSteps); ran != n {
		t.Errorf("ran %d printed commands, want %d:\n%s", ran, n, text)
	}
	for _, s := range tokenSteps {
		if shell[s.Var] == "" {
			t.Errorf("the printed command left $%s empty", s.Var)
		}
	}
	for _, s := range apiSteps {
		if !strings.Contains(text, s.Curl(r.Gateway)) {
			t.Errorf("output lacks %q", s.Curl(r.Gateway))
		}
	}
	for _, want := range []string{"NOT a production proxy", "client_secret_basic", "client_secret_post",
		"the JWKS 1 time(s) for 2 VM(s); tokengate.jwks_fetch_success=1",
		"gateway: GET /api/items -> 200", "gateway: POST /api/items -> 403 insufficient_scope",
		"gateway: DELETE /api/items/1 -> 403 insufficient_scope", "gateway: GET /api/items -> 401 token_missing",
		"upstream: GET /api/items x-jwt-scope=read x-jwt-sub=demo authorization=(absent)",
		"upstream: POST /api/items x-jwt-scope=read write x-jwt-sub=admin authorization=(absent)",
		"idp: POST /oauth2/token -> 200"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	seen := r.Upstream.Requests()
	if len(seen) < 2 {
		t.Errorf("the upstream saw %d requests, want the allowed ones", len(seen))
	}
	for _, rec := range seen {
		if _, ok := rec.Headers["authorization"]; ok {
			t.Errorf("the upstream got an authorization header on %s %s", rec.Method, rec.Path)
		}
	}
	for name, tok := range shell {
		for _, rec := range seen {
			for h, v := range rec.Headers {
				if strings.Contains(v, tok) {
					t.Errorf("the upstream got $%s in header %s", name, h)
				}
			}
		}
		if strings.Contains(text, tok) {
			t.Errorf("the demo's output contains $%s", name)
		}
	}
}

// pasteCommand runs one printed line the way a shell would: `VAR=$(curl ... | jq -r
// .access_token)` sets shell[VAR], `curl -i ...` is sent with $VAR expanded. It returns the status.
func pasteCommand(t *testing.T, line string, shell map[string]string) int {
	t.Helper()
	setVar := ""
	if name, rest, ok := strings.Cut(line, "=$("); ok && !strings.Contains(name, " ") {
		cmd, found := strings.CutSuffix(rest, " | jq -r .access_token)")
		if !found {
			t.Fatalf("unexpected pipeline: %s", line)
		}
		setVar, line = name, cmd
	}
	args := shellWords(t, line, shell)
	if args[0] != "curl" {
		t.Fatalf("not a curl command: %s", line)
	}
	method, url := "", ""
	var data []string
	req := http.Header{}
	for i := 1; i < len(args); i++ {
		next := func() string {
			i++
			if i == len(args) {
				t.Fatalf("%s needs a value: %s", args[i-1], line)
			}
			return args[i]
		}
		switch a := args[i]; a {
		case "-s", "-i":
		case "-X":
			method = next()
		case "-H":
			k, v, _ := strings.Cut(next(), ":")
			req.Set(k, strings.TrimSpace(v))
		case "-u":
			id, secret, _ := strings.Cut(next(), ":")
			r, _ := http.NewRequest("GET", "http://x", nil)
			r.SetBasicAuth(id, secret)
			req.Set("Authorization", r.Header.Get("Authorization"))
		case "-d":
			data = append(data, next())
		default:
			if strings.HasPrefix(a, "-") || url != "" {
				t.Fatalf("unsupported curl argument %q: %s", a, line)
			}
			url = a
		}
	}
	var body io.Reader
	if data != nil {
		body = strings.NewReader(strings.Join(data, "&"))
		req.Set("Content-Type", "application/x-www-form-urlencoded")
		if method == "" {
			method = "POST"
		}
	}
	if method == "" {
		method = "GET"
	}
	r, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	r.Header = req
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if setVar != "" {
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&tr)
		shell[setVar] = tr.AccessToken
	}
	return resp.StatusCode
}

// shellWords splits a command line into words: blanks separate, "..." groups and expands $VAR
// from vars, '...' groups verbatim, and a bare $VAR expands.
func shellWords(t *testing.T, line string, vars map[string]string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(s string) string {
		return os.Expand(s, func(k string) string { return vars[k] })
	}
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case ' ':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case '"', '\'':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				t.Fatalf("unterminated quote: %s", line)
			}
			part := line[i+1 : i+1+j]
			if c == '"' {
				part = expand(part)
			}
			cur.WriteString(part)
			inWord, i = true, i+1+j
		default:
			j := strings.IndexAny(line[i:], ` "'`)
			if j < 0 {
				j = len(line) - i
			}
			cur.WriteString(expand(line[i : i+j]))
			inWord, i = true, i+j-1
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []string
	}{
		{name: "plain", line: "curl -s -d a=b http://x", want: []string{"curl", "-s", "-d", "a=b", "http://x"}},
		{name: "double quotes expand", line: `curl -H "Authorization: Bearer $T" u`, want: []string{"curl", "-H", "Authorization: Bearer tok", "u"}},
		{name: "single quotes do not", line: `a 'x $T y'`, want: []string{"a", "x $T y"}},
		{name: "bare variable", line: "echo $T", want: []string{"echo", "tok"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := shellWords(t, tc.line, map[string]string{"T": "tok"})
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("words %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    options
		wantErr string
	}{
		{name: "defaults", want: options{WasmFile: wasmPathDefault(), Listen: "127.0.0.1:8080",
			UpstreamListen: "127.0.0.1:9000", IdPListen: "127.0.0.1:9090", Workers: 2}},
		{name: "ports", args: []string{"-listen", ":1", "-upstream-listen", ":2", "-idp-listen", ":3", "-workers", "1"},
			want: options{WasmFile: wasmPathDefault(), Listen: ":1", UpstreamListen: ":2", IdPListen: ":3", Workers: 1}},
		{name: "too many workers", args: []string{"-workers", "65"}, wantErr: "-workers 65"},
		{name: "positional argument", args: []string{"x"}, wantErr: `unexpected argument "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOptions(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("parseOptions = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// wasmPathDefault is the -wasm default: $TOKENGATE_WASM or ../../dist/tokengate.wasm.
func wasmPathDefault() string {
	if p := os.Getenv("TOKENGATE_WASM"); p != "" {
		return p
	}
	return "../../dist/tokengate.wasm"
}

func TestRun_MissingWasm(t *testing.T) {
	err := run(context.Background(), options{WasmFile: filepath.Join(t.TempDir(), "none.wasm")}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "build.sh") {
		t.Errorf("err = %v, want one naming ./build.sh", err)
	}
}
