package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// runOptions are the inputs of `tokengate run`.
type runOptions struct {
	WasmFile   string
	ConfigFile string
	Listen     string
	Upstream   *url.URL
	Clusters   map[string]string // proxy_http_call cluster name -> http:// URL
	Workers    int
	Verbose    bool

	wasm   []byte // contents of WasmFile
	config []byte // contents of ConfigFile
}

const maxWorkers = 64

const runDescription = `Serves HTTP on --listen and passes every request through the proxy-wasm filter in --wasm, hosted
by testenv (the wazero-based emulation of Envoy's proxy-wasm host), then forwards what the filter allows
to --upstream. Use it to try a tokengate policy without Envoy.

This is NOT a production proxy: no TLS, no HTTP/2, no hostile-client hardening, no hot reload.
Run the same .wasm in Envoy (envoy.yaml) or Istio (examples/istio) for real traffic.`

func parseRunOptions(args []string, stderr interface{ Write([]byte) (int, error) }) (runOptions, error) {
	var o runOptions
	var upstream string
	var clusters listFlag
	fs := newFlagSet("run", "--config FILE [flags]", runDescription, stderr)
	fs.StringVar(&o.WasmFile, "wasm", "dist/tokengate.wasm", "the filter module (./build.sh makes it)")
	fs.StringVar(&o.ConfigFile, "config", "", "plugin configuration JSON file (required)")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "address to serve HTTP on")
	fs.StringVar(&upstream, "upstream", "http://127.0.0.1:9000", "where allowed requests go (http://host:port)")
	fs.Var(&clusters, "cluster", "NAME=URL: a cluster the filter may call (remote JWKS, introspection); repeatable")
	fs.IntVar(&o.Workers, "workers", 1, fmt.Sprintf("number of VMs, as Envoy worker threads (1-%d)", maxWorkers))
	fs.BoolVar(&o.Verbose, "v", false, "print the filter's log lines (denial reasons are logged at debug)")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if o.ConfigFile == "" {
		return o, errors.New("--config is required")
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return o, fmt.Errorf("--listen %q: %v", o.Listen, err)
	}
	if o.Workers < 1 || o.Workers > maxWorkers {
		return o, fmt.Errorf("--workers %d: want 1 to %d", o.Workers, maxWorkers)
	}
	u, err := parseHTTPURL(upstream)
	if err != nil {
		return o, fmt.Errorf("--upstream: %w", err)
	}
	o.Upstream = u
	o.Clusters = map[string]string{}
	for _, c := range clusters {
		name, raw, ok := strings.Cut(c, "=")
		if !ok || name == "" {
			return o, fmt.Errorf("--cluster %q: want NAME=URL", c)
		}
		if _, dup := o.Clusters[name]; dup {
			return o, fmt.Errorf("--cluster %s: given twice", name)
		}
		if _, err := parseHTTPURL(raw); err != nil {
			return o, fmt.Errorf("--cluster %s: %w", name, err)
		}
		o.Clusters[name] = raw
	}
	if o.config, err = os.ReadFile(o.ConfigFile); err != nil {
		return o, fmt.Errorf("--config: %w", err)
	}
	if !json.Valid(o.config) {
		return o, fmt.Errorf("--config %s: not valid JSON", o.ConfigFile)
	}
	if o.wasm, err = os.ReadFile(o.WasmFile); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return o, fmt.Errorf("--wasm %s: not found; build it with ./build.sh (or make build)", o.WasmFile)
		}
		return o, fmt.Errorf("--wasm: %w", err)
	}
	return o, nil
}

// parseHTTPURL accepts an absolute http:// URL with a host and no path, query or fragment.
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%q: want http://host:port", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q: want http://host:port without path, query or credentials", raw)
	}
	u.Path = ""
	return u, nil
}
