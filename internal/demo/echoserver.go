package demo

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// EchoServer is an Echo served on a TCP listener.
type EchoServer struct {
	*Echo
	srv *http.Server
	ln  net.Listener
}

// StartEcho serves an Echo logging to log (nil: silent) on listen (host:port; port 0: any).
func StartEcho(listen string, log io.Writer) (*EchoServer, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("echo upstream: %w", err)
	}
	e := &Echo{Log: log}
	s := &EchoServer{Echo: e, ln: ln, srv: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln)
	return s, nil
}

// URL is the server's base URL, http://host:port.
func (s *EchoServer) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server.
func (s *EchoServer) Close() error { return s.srv.Close() }
