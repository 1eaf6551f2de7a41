package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tokengate/tokengate/internal/demo"
	"github.com/tokengate/tokengate/testenv/idp"
)

// configTemplate is the gateway's configuration; "${ISSUER}" becomes the IdP's URL.
//
//go:embed config.json
var configTemplate []byte

const issuerPlaceholder = `"${ISSUER}"`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o, err := parseOptions(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		err = run(ctx, o, os.Stdout, nil)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokengate demo:", err)
		os.Exit(1)
	}
}

type options struct {
	WasmFile                          string
	Listen, UpstreamListen, IdPListen string
	Workers                           int
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wasm := "../../dist/tokengate.wasm"
	if env := os.Getenv("TOKENGATE_WASM"); env != "" {
		wasm = env
	}
	fs.StringVar(&o.WasmFile, "wasm", wasm, "the filter module (./build.sh makes it; default $TOKENGATE_WASM if set)")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "gateway address")
	fs.StringVar(&o.UpstreamListen, "upstream-listen", "127.0.0.1:9000", "echo upstream address")
	fs.StringVar(&o.IdPListen, "idp-listen", "127.0.0.1:9090", "OAuth 2 server (fosite) address; its issuer is http://<address>")
	fs.IntVar(&o.Workers, "workers", 2, "number of VMs (they share one JWKS fetch)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	if o.Workers < 1 || o.Workers > 64 {
		return o, fmt.Errorf("-workers %d: want 1 to 64", o.Workers)
	}
	return o, nil
}

// running is what a started demo serves, for tests.
type running struct {
	Gateway  string // base URLs
	IdP      string
	Upstream *demo.EchoServer
}

// run runs the demo until ctx ends. ready, when not nil, is called once the self-check is done.
func run(ctx context.Context, o options, stdout io.Writer, ready func(running)) error {
	wasm, err := os.ReadFile(o.WasmFile)
	if err != nil {
		return fmt.Errorf("-wasm: %w (build it with ./build.sh, as make run does)", err)
	}
	// Request logs stay quiet during the self-check, so the instructions print in one piece.
	logs := &demo.GatedWriter{W: stdout}
	ids, err := startIdP(o.IdPListen, logs)
	if err != nil {
		return err
	}
	defer ids.Close()
	up, err := demo.StartEcho(o.UpstreamListen, logs)
	if err != nil {
		return err
	}
	defer up.Close()
	cfg, err := demo.FillTemplate(configTemplate, issuerPlaceholder, ids.Issuer())
	if err != nil {
		return fmt.Errorf("config.json: %w", err)
	}
	gw, err := demo.StartGateway(demo.GatewayOptions{Wasm: wasm, WasmName: o.WasmFile, Config: cfg,
		Listen: o.Listen, Upstream: up.URL(), Clusters: map[string]string{"idp": ids.BaseURL()},
		Workers: o.Workers}, logs)
	if err != nil {
		return err
	}
	defer gw.Close()
	base := "http://" + gw.Addr()

	fmt.Fprintf(stdout, "\ntokengate demo: gateway %s -> echo upstream %s (for trying policies; NOT a production proxy)\n", base, up.URL())
	fmt.Fprintf(stdout, "identity provider: %s (fosite, testenv/idp); discovery %s\n", ids.Issuer(), ids.URL(idp.EndpointDiscovery))
	fmt.Fprintf(stdout, "policy: tools/demo/config.json, keys from remote_jwks with discovery on cluster idp=%s, %d VM(s)\n", ids.BaseURL(), o.Workers)
	for _, c := range demoClients {
		fmt.Fprintf(stdout, "client: %s / %s, scopes %v, audience %v\n", c.ID, c.Secret, c.Scopes, c.Audiences)
	}
	fmt.Fprintln(stdout)

	client := &http.Client{Timeout: 10 * time.Second}
	tokenURL := ids.URL(idp.EndpointToken)
	tokens := map[string]string{}
	failed := 0
	for _, s := range tokenSteps {
		got, tok, err := s.Do(ctx, client, tokenURL)
		tokens[s.Var] = tok
		if !demo.Report(stdout, s.What, http.StatusOK, s.Curl(tokenURL), got, err) {
			failed++
		}
	}
	fmt.Fprintln(stdout, `(no jq? end the pipe with: sed -E 's/.*"access_token":"([^"]+)".*/\1/')`)
	fmt.Fprintln(stdout)
	failed += demo.RunSteps(ctx, stdout, client, base, apiSteps, tokens)

	success, _ := gw.Metric("tokengate.jwks_fetch_success")
	fetchFailed, _ := gw.Metric("tokengate.jwks_fetch_failed")
	fmt.Fprintf(stdout, "keys: the IdP served discovery %d time(s) and the JWKS %d time(s) for %d VM(s); tokengate.jwks_fetch_success=%d, tokengate.jwks_fetch_failed=%d\n",
		ids.Hits(idp.EndpointDiscovery), ids.Hits(idp.EndpointJWKS), o.Workers, success, fetchFailed)
	demo.Footer(stdout, failed, len(tokenSteps)+len(apiSteps))
	logs.Open()
	if ready != nil {
		ready(running{Gateway: base, IdP: ids.BaseURL(), Upstream: up})
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "tokengate demo: stopped")
	if failed > 0 {
		return errors.New("the self-check failed")
	}
	return nil
}
