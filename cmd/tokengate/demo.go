package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tokengate/tokengate/internal/demo"
	"github.com/tokengate/tokengate/internal/jwtmint"
)

// The demo's token claims match examples/demo/config.json (the Auth0 set-up of the HAProxy guides).
const (
	demoIssuer   = "https://myaccount.auth0.com/"
	demoAudience = "https://api.mywebsite.com"
)

// demoSteps are the requests the demo prints as curl commands and checks itself.
var demoSteps = []demo.Step{
	{What: "open route, no token needed", Method: "GET", Path: "/health", WantStatus: 200},
	{What: "read scope on GET: allowed; the upstream sees x-jwt-sub and x-jwt-scope, not the token", Method: "GET", Path: "/api/things", TokenVar: "READ_TOKEN", WantStatus: 200},
	{What: "no token: 401 with WWW-Authenticate: Bearer realm=\"api\"", Method: "GET", Path: "/api/things", WantStatus: 401},
	{What: "POST with only the read scope: 403 insufficient_scope", Method: "POST", Path: "/api/things", TokenVar: "READ_TOKEN", WantStatus: 403},
	{What: "POST with the write scope: allowed", Method: "POST", Path: "/api/things", TokenVar: "WRITE_TOKEN", WantStatus: 200},
	{What: "expired token: 401 invalid_token", Method: "GET", Path: "/api/things", TokenVar: "EXPIRED_TOKEN", WantStatus: 401},
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

	// Request logs stay quiet during the self-check, so the instructions print in one piece.
	logs := &demo.GatedWriter{W: stdout}
	up, err := demo.StartEcho(o.UpstreamListen, logs)
	if err != nil {
		return err
	}
	defer up.Close()

	ropts := []string{"--wasm", o.WasmFile, "--config", cfgFile, "--listen", o.Listen,
		"--upstream", up.URL(), "--workers", fmt.Sprint(o.Workers)}
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
	fmt.Fprintf(stdout, "\ntokengate demo: gateway %s -> echo upstream %s (for trying policies; NOT a production proxy)\n", base, up.URL())
	fmt.Fprintf(stdout, "policy: %s (key generated in %s)\n\n", o.Template, dir)
	for _, name := range []string{"READ_TOKEN", "WRITE_TOKEN", "EXPIRED_TOKEN"} {
		fmt.Fprintf(stdout, "%s=%s\n", name, tokens[name])
	}
	fmt.Fprintln(stdout)
	failed := demo.RunSteps(ctx, stdout, &http.Client{Timeout: 10 * time.Second}, base, demoSteps, tokens)
	fmt.Fprintf(stdout, "mint your own: go run ./cmd/tokengate token --key %s --alg RS256 --iss %s --aud %s --sub me --scope \"read write\" --exp 1h\n",
		filepath.Join(dir, "private.pem"), demoIssuer, demoAudience)
	demo.Footer(stdout, failed, len(demoSteps))
	logs.Open()
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
