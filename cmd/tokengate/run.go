package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tokengate/tokengate/internal/demo"
)

func cmdRun(args []string, stdout, stderr io.Writer) error {
	o, err := parseRunOptions(args, stderr)
	if err != nil {
		return err
	}
	gw, err := startGateway(o, stdout)
	if err != nil {
		return err
	}
	defer gw.Close()
	fmt.Fprintf(stdout, "tokengate run: http://%s -> %s, %s on %d VM(s) (for trying policies; NOT a production proxy)\n",
		gw.Addr(), o.Upstream, o.WasmFile, o.Workers)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(stdout, "tokengate run: stopped")
	return nil
}

// startGateway serves o through the real .wasm (internal/demo's Gateway); requests are logged to
// logw, one line each, without tokens.
func startGateway(o runOptions, logw io.Writer) (*demo.Gateway, error) {
	return demo.StartGateway(demo.GatewayOptions{Wasm: o.wasm, WasmName: o.WasmFile, Config: o.config,
		Listen: o.Listen, Upstream: o.Upstream.String(), Clusters: o.Clusters, Workers: o.Workers,
		Verbose: o.Verbose}, logw)
}
