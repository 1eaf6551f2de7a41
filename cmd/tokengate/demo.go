package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// The demo's token claims match examples/demo/config.json (the Auth0 set-up of the HAProxy guides).
const (
	demoIssuer   = "https://myaccount.auth0.com/"
	demoAudience = "https://api.mywebsite.com"
)

// demoStep is one request the demo prints as a curl command and checks itself.
type demoStep struct {
	What       string
	Method     string
	Path       string
	TokenVar   string // shell variable holding the token; "" for none
	WantStatus int
}

var demoSteps = []demoStep{
	{What: "open route, no token needed", Method: "GET", Path: "/health", WantStatus: 200},
	{What: "read scope on GET: allowed; the upstream sees x-jwt-sub and x-jwt-scope, not the token", Method: "GET", Path: "/api/things", TokenVar: "READ_TOKEN", WantStatus: 200},
	{What: "no token: 401 with WWW-Authenticate: Bearer realm=\"api\"", Method: "GET", Path: "/api/things", WantStatus: 401},
	{What: "POST with only the read scope: 403 insufficient_scope", Method: "POST", Path: "/api/things", TokenVar: "READ_TOKEN", WantStatus: 403},
	{What: "POST with the write scope: allowed", Method: "POST", Path: "/api/things", TokenVar: "WRITE_TOKEN", WantStatus: 200},
	{What: "expired token: 401 invalid_token", Method: "GET", Path: "/api/things", TokenVar: "EXPIRED_TOKEN", WantStatus: 401},
}

func (s demoStep) curl(base string) string {
	var b strings.Builder
	b.WriteString("curl -i")
	if s.Method != "GET" {
		b.WriteString(" -X " + s.Method)
	}
	if s.TokenVar != "" {
		fmt.Fprintf(&b, ` -H "Authorization: Bearer $%s"`, s.TokenVar)
	}
	b.WriteString(" " + base + s.Path)
	return b.String()
}

// demoTokens mints the demo's tokens with key at time now, by shell variable name.
func demoTokens(key jwtmint.Key, now time.Time) (map[string]string, error) {
	mint := func(scope string, issued time.Time, life time.Duration) (string, error) {
		payload, err := buildClaims(tokenOptions{Issuer: demoIssuer, Audiences: []string{demoAudience},
			Subject: "demo-client", Scope: scope, Exp: life}, issued)
		if err != nil {
			return "", err
		}
		return key.SignJWT("", payload)
	}
	out := map[string]string{}
	var err error
	if out["READ_TOKEN"], err = mint("read", now, time.Hour); err != nil {
		return nil, err
	}
	if out["WRITE_TOKEN"], err = mint("read write", now, time.Hour); err != nil {
		return nil, err
	}
	if out["EXPIRED_TOKEN"], err = mint("read", now.Add(-2*time.Hour), time.Hour); err != nil {
		return nil, err
	}
	return out, nil
}

const demoDescription = `Starts the demo: generates an RS256 key pair in a temporary directory, fills examples/demo/config.json
with its public key, starts an echo upstream (it answers with what it received) and the gateway
(tokengate run: dist/tokengate.wasm under testenv), then prints curl commands with fresh tokens -
allowed and denied - and checks each one once itself. Runs until Ctrl-C.
For trying policies without Envoy; NOT a production proxy.`

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "[flags]", demoDescription, stderr)
	wasmFile := fs.String("wasm", "dist/tokengate.wasm", "the filter module (./build.sh makes it)")
	template := fs.String("template", "examples/demo/config.json", `configuration template; "${PUBLIC_KEY_PEM}" is replaced by the generated key`)
	listen := fs.String("listen", "127.0.0.1:8080", "gateway address")
	upstreamListen := fs.String("upstream-listen", "127.0.0.1:9000", "echo upstream address")
	workers := fs.Int("workers", 1, "number of VMs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runDemo(ctx, demoOptions{WasmFile: *wasmFile, Template: *template, Listen: *listen,
		UpstreamListen: *upstreamListen, Workers: *workers}, stdout, nil)
}

type demoOptions struct {
	WasmFile, Template, Listen, UpstreamListen string
	Workers                                    int
}

// runDemo runs the demo until ctx ends. ready, when not nil, receives the gateway's base URL once
// the self-check is done (for tests).
func runDemo(ctx context.Context, o demoOptions, stdout io.Writer, ready func(base string)) error {
	tmpl, err := os.ReadFile(o.Template)
	if err != nil {
		return fmt.Errorf("--template: %w (run from the repository root, as make run does)", err)
	}
	dir, err := os.MkdirTemp("", "tokengate-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rs256, _ := lookupAlg("RS256")
	km, err := jwtmint.Generate(rs256, 2048, "")
	if err != nil {
		return err
	}
	if _, err := writeKeyFiles(dir, km); err != nil {
		return err
	}
	cfg, err := renderDemoConfig(tmpl, km.PublicPEM)
	if err != nil {
		return fmt.Errorf("--template %s: %w", o.Template, err)
	}
	cfgFile := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgFile, cfg, 0o644); err != nil {
		return err
	}

	upLn, err := net.Listen("tcp", o.UpstreamListen)
	if err != nil {
		return fmt.Errorf("echo upstream: %w", err)
	}
	// Request logs stay quiet during the self-check, so the instructions print in one piece.
	logs := &gatedWriter{w: stdout}
	echo := &echoUpstream{log: logs}
	upSrv := &http.Server{Handler: echo, ReadHeaderTimeout: 10 * time.Second}
	go upSrv.Serve(upLn)
	defer upSrv.Close()

	ropts := []string{"--wasm", o.WasmFile, "--config", cfgFile, "--listen", o.Listen,
		"--upstream", "http://" + upLn.Addr().String(), "--workers", fmt.Sprint(o.Workers)}
	ro, err := parseRunOptions(ropts, io.Discard)
	if err != nil {
		return err
	}
	gw, err := startGateway(ro, logs)
	if err != nil {
		return err
	}
	defer gw.Close()
	base := "http://" + gw.Addr()

	tokens, err := demoTokens(km.Key, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ntokengate demo: gateway %s -> echo upstream http://%s (for trying policies; NOT a production proxy)\n", base, upLn.Addr())
	fmt.Fprintf(stdout, "policy: %s (key generated in %s)\n\n", o.Template, dir)
	for _, name := range []string{"READ_TOKEN", "WRITE_TOKEN", "EXPIRED_TOKEN"} {
		fmt.Fprintf(stdout, "%s=%s\n", name, tokens[name])
	}
	fmt.Fprintln(stdout)
	client := &http.Client{Timeout: 10 * time.Second}
	failed := 0
	for _, s := range demoSteps {
		got, err := s.do(ctx, client, base, tokens)
		mark := "ok"
		switch {
		case err != nil:
			mark, failed = "FAILED: "+err.Error(), failed+1
		case got != s.WantStatus:
			mark, failed = fmt.Sprintf("UNEXPECTED: got %d", got), failed+1
		}
		fmt.Fprintf(stdout, "# %s -> %d (%s)\n%s\n\n", s.What, s.WantStatus, mark, s.curl(base))
	}
	fmt.Fprintf(stdout, "mint your own: go run ./cmd/tokengate token --key %s --alg RS256 --iss %s --aud %s --sub me --scope \"read write\" --exp 1h\n",
		filepath.Join(dir, "private.pem"), demoIssuer, demoAudience)
	if failed > 0 {
		fmt.Fprintf(stdout, "WARNING: %d of %d demo requests did not behave as described above\n", failed, len(demoSteps))
	}
	fmt.Fprintln(stdout, "Ctrl-C to stop. Requests are logged below (gateway status and reason; what the upstream received).")
	logs.open()
	if ready != nil {
		ready(base)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "tokengate demo: stopped")
	if failed > 0 {
		return errors.New("the self-check failed")
	}
	return nil
}

// do sends the step's request and returns the status code.
func (s demoStep) do(ctx context.Context, c *http.Client, base string, tokens map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, s.Method, base+s.Path, nil)
	if err != nil {
		return 0, err
	}
	if s.TokenVar != "" {
		req.Header.Set("Authorization", "Bearer "+tokens[s.TokenVar])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// gatedWriter drops writes until open is called, then passes them to w.
type gatedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	opened bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened {
		return len(p), nil
	}
	return g.w.Write(p)
}

func (g *gatedWriter) open() {
	g.mu.Lock()
	g.opened = true
	g.mu.Unlock()
}
