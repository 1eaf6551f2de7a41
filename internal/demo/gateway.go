package demo

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tokengate/tokengate/testenv"
)

// GatewayOptions are the inputs of StartGateway (`tokengate run`'s flags, read and checked).
type GatewayOptions struct {
	Wasm     []byte            // the filter module
	WasmName string            // its file name, for errors
	Config   []byte            // plugin configuration JSON
	Listen   string            // host:port to serve HTTP on (port 0: any)
	Upstream string            // http://host:port allowed requests go to
	Clusters map[string]string // cluster name -> http:// URL the filter may call (remote JWKS, IdP)
	Workers  int               // number of VMs (0: 1)
	Verbose  bool              // the filter's log lines (prefixed "filter: ") and ABI traces on failure
}

// Gateway is testenv's Gateway (the .wasm under a wazero host, on the real clock) served on a TCP
// listener: what `tokengate run` serves.
type Gateway struct {
	host *testenv.Host
	gw   *testenv.Gateway
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// StartGateway starts the host (its VMs run proxy_on_vm_start and proxy_on_configure: a
// configuration the filter rejects fails here, with the filter's log line), then serves HTTP on
// o.Listen. Each request is logged to logw as one line (see LogRequests), so no token is printed.
func StartGateway(o GatewayOptions, logw io.Writer) (*Gateway, error) {
	workers := max(o.Workers, 1)
	opts := []testenv.Option{
		testenv.RealClock(),
		testenv.Workers(workers),
		testenv.PluginConfig(o.Config),
		testenv.PluginName("tokengate"),
		testenv.RootID("tokengate"),
		testenv.VMID("tokengate"),
	}
	names := make([]string, 0, len(o.Clusters))
	for name := range o.Clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		opts = append(opts, testenv.ClusterURL(name, o.Clusters[name]))
	}
	if o.Verbose {
		opts = append(opts, testenv.WithLogLevel(testenv.LogDebug), testenv.LogWriter(prefixWriter{w: logw, prefix: "filter: "}))
	} else {
		opts = append(opts, testenv.WithLogLevel(testenv.LogInfo))
	}
	host, err := testenv.NewHost(o.Wasm, opts...)
	if err != nil {
		return nil, fmt.Errorf("start %s: %s", o.WasmName, startFailure(err, o.Verbose))
	}
	gw, err := testenv.NewGateway(host, o.Upstream)
	if err != nil {
		host.Close()
		return nil, fmt.Errorf("gateway: %w", err)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		gw.Close()
		host.Close()
		return nil, fmt.Errorf("gateway: %w", err)
	}
	s := &Gateway{host: host, gw: gw, ln: ln, done: make(chan struct{})}
	s.srv = &http.Server{Handler: LogRequests("gateway", gw, logw), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// startFailure keeps what a user needs from a failed start (the reason and the filter's log lines,
// e.g. the JSON path of a configuration fault) and, unless verbose, drops testenv's ABI trace.
func startFailure(err error, verbose bool) string {
	msg := err.Error()
	if i := strings.Index(msg, "\nlast ABI calls:"); i >= 0 && !verbose {
		msg = msg[:i] + "\n(-v adds the last ABI calls)"
	}
	return msg
}

// Addr is the address the gateway listens on (host:port).
func (s *Gateway) Addr() string { return s.ln.Addr().String() }

// Metric returns one of the filter's metrics (false when undefined).
func (s *Gateway) Metric(name string) (int64, bool) { return s.host.Metric(name) }

// Close stops serving, then the gateway and the host.
func (s *Gateway) Close() error {
	err := s.srv.Close()
	<-s.done
	s.gw.Close()
	if herr := s.host.Close(); err == nil {
		err = herr
	}
	return err
}

// prefixWriter prefixes every write (one log line each) with a fixed string.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
