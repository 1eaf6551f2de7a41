package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tokengate/tokengate/testenv"
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

// gatewayServer is testenv's Gateway (the .wasm under a wazero host) served on a TCP listener.
type gatewayServer struct {
	host *testenv.Host
	gw   *testenv.Gateway
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// startGateway starts the host (its VMs run proxy_on_vm_start and proxy_on_configure: a configuration
// the filter rejects fails here, with the filter's log line), then serves HTTP on o.Listen.
// Each request is logged to logw as one line without query string or headers, so no token is printed.
func startGateway(o runOptions, logw io.Writer) (*gatewayServer, error) {
	opts := []testenv.Option{
		testenv.RealClock(),
		testenv.Workers(o.Workers),
		testenv.PluginConfig(o.config),
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
	host, err := testenv.NewHost(o.wasm, opts...)
	if err != nil {
		return nil, fmt.Errorf("start %s: %s", o.WasmFile, startFailure(err, o.Verbose))
	}
	gw, err := testenv.NewGateway(host, o.Upstream.String())
	if err != nil {
		host.Close()
		return nil, fmt.Errorf("gateway: %w", err)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		gw.Close()
		host.Close()
		return nil, fmt.Errorf("--listen: %w", err)
	}
	s := &gatewayServer{host: host, gw: gw, ln: ln, done: make(chan struct{})}
	s.srv = &http.Server{Handler: logRequests(gw, logw), ReadHeaderTimeout: 10 * time.Second}
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
func (s *gatewayServer) Addr() string { return s.ln.Addr().String() }

// Close stops serving, then the gateway and the host.
func (s *gatewayServer) Close() error {
	err := s.srv.Close()
	<-s.done
	s.gw.Close()
	if herr := s.host.Close(); err == nil {
		err = herr
	}
	return err
}

// logRequests writes one line per request: method, path (never the query, which may hold a token),
// status, and for a denial the reason code from the filter's JSON body.
func logRequests(next http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		line := fmt.Sprintf("gateway: %s %s -> %d", r.Method, r.URL.EscapedPath(), rec.status)
		if rec.status >= 400 {
			var body struct {
				Reason string `json:"reason"`
			}
			if json.Unmarshal(rec.head, &body) == nil && body.Reason != "" {
				line += " " + body.Reason
			}
		}
		mu.Lock()
		fmt.Fprintln(w, line)
		mu.Unlock()
	})
}

// statusRecorder remembers the status and the first bytes of an error body.
type statusRecorder struct {
	http.ResponseWriter
	status int
	head   []byte
}

const maxRecordedBody = 4096

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status >= 400 && len(r.head) < maxRecordedBody {
		n := min(len(b), maxRecordedBody-len(r.head))
		r.head = append(r.head, b[:n]...)
	}
	return r.ResponseWriter.Write(b)
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
