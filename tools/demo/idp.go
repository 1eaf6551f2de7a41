package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/tokengate/tokengate/internal/demo"
	"github.com/tokengate/tokengate/testenv/idp"
)

// The demo's OAuth 2 clients. Their secrets are printed on purpose: they are the demo's
// documented credentials, like a tutorial's.
var demoClients = []idp.Client{
	{ID: "demo", Secret: "demo-secret", Scopes: []string{"read"}, Audiences: []string{"api"}},
	{ID: "admin", Secret: "admin-secret", Scopes: []string{"read", "write"}, Audiences: []string{"api"}},
}

// idpServer is the fosite IdP served on a TCP listener; its issuer is its own base URL.
type idpServer struct {
	*idp.Server
	srv *http.Server
	ln  net.Listener
}

// startIdP serves the IdP on listen (port 0: any), logging one line per request to logw.
func startIdP(listen string, logw io.Writer) (*idpServer, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("idp: %w", err)
	}
	opts := []idp.Option{idp.WithIssuer("http://" + ln.Addr().String())}
	for _, c := range demoClients {
		opts = append(opts, idp.WithClient(c))
	}
	s, err := idp.NewServer(opts...)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("idp: %w", err)
	}
	out := &idpServer{Server: s, ln: ln,
		srv: &http.Server{Handler: demo.LogRequests("idp", s, logw), ReadHeaderTimeout: 10 * time.Second}}
	go out.srv.Serve(ln)
	return out, nil
}

// BaseURL is the IdP's URL, http://host:port (also its issuer).
func (s *idpServer) BaseURL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving.
func (s *idpServer) Close() error { return s.srv.Close() }
