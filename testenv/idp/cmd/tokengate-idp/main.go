// Command tokengate-idp runs the idp package's OAuth 2.0 authorization server on its own: a
// client credentials token endpoint (RFC 9068 JWTs or opaque tokens), JWKS, discovery, RFC 7662
// introspection and RFC 7009 revocation, for tokengate's demo and manual tests.
//
//	tokengate-idp -listen 127.0.0.1:9090 \
//	  -client 'demo:demo-secret:read,write:api' \
//	  -opaque-client 'legacy:legacy-secret:read:api' \
//	  -introspector 'gateway:gateway-secret' \
//	  -admin-listen 127.0.0.1:9091
//
// A client is id:secret:scopes:audiences with comma-separated scopes and audiences. The
// audiences field is everything after the third colon (so URLs need no escaping); a colon inside
// the id, the secret or a scope is written \: (e.g. 'gw:s:inventory\:read:https://inventory.internal').
// -introspector id:secret lets that client (an existing one, same secret, or a new one with no
// scopes) call the introspection endpoint. The admin listener (off unless -admin-listen is given)
// serves the test controls documented on idp.Server.AdminHandler. Secrets are never printed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tokengate/tokengate/testenv/idp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tokengate-idp:", err)
		os.Exit(1)
	}
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// run serves until ctx is done.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("tokengate-idp", flag.ContinueOnError)
	fs.SetOutput(out)
	var (
		listen      = fs.String("listen", "127.0.0.1:9090", "address to serve the authorization server on")
		issuer      = fs.String("issuer", "", "issuer URL (default http://<listen address>)")
		lifetime    = fs.Duration("token-lifetime", idp.DefaultTokenLifespan, "access token lifetime (expires_in)")
		jwksMaxAge  = fs.Duration("jwks-max-age", 0, "Cache-Control max-age on the JWKS (0: no header)")
		adminListen = fs.String("admin-listen", "", "address for the admin test controls (off when empty)")
		clients     listFlag
		opaque      listFlag
		introspect  listFlag
	)
	fs.Var(&clients, "client", "JWT client id:secret:scopes:audiences (repeatable)")
	fs.Var(&opaque, "opaque-client", "opaque-token client id:secret:scopes:audiences (repeatable)")
	fs.Var(&introspect, "introspector", "client id:secret allowed to introspect (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	all, err := buildClients(clients, opaque, introspect)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen[%s]: %w", *listen, err)
	}
	defer ln.Close()
	if *issuer == "" {
		*issuer = "http://" + ln.Addr().String()
	}
	opts := []idp.Option{idp.WithIssuer(*issuer), idp.WithTokenLifespan(*lifetime)}
	for _, c := range all {
		opts = append(opts, idp.WithClient(c))
	}
	s, err := idp.NewServer(opts...)
	if err != nil {
		return err
	}
	s.SetJWKSMaxAge(*jwksMaxAge)

	servers := []*http.Server{{Handler: s, ReadHeaderTimeout: 10 * time.Second}}
	listeners := []net.Listener{ln}
	if *adminListen != "" {
		aln, err := net.Listen("tcp", *adminListen)
		if err != nil {
			return fmt.Errorf("admin-listen[%s]: %w", *adminListen, err)
		}
		defer aln.Close()
		servers = append(servers, &http.Server{Handler: s.AdminHandler(), ReadHeaderTimeout: 10 * time.Second})
		listeners = append(listeners, aln)
	}

	fmt.Fprintf(out, "issuer      %s\n", s.Issuer())
	fmt.Fprintf(out, "listening   http://%s\n", ln.Addr())
	fmt.Fprintf(out, "discovery   %s\n", s.URL(idp.EndpointDiscovery))
	fmt.Fprintf(out, "jwks_uri    %s\n", s.URL(idp.EndpointJWKS))
	fmt.Fprintf(out, "token       %s\n", s.URL(idp.EndpointToken))
	fmt.Fprintf(out, "introspect  %s\n", s.URL(idp.EndpointIntrospect))
	fmt.Fprintf(out, "signing kid %s\n", s.CurrentKeyID())
	for _, c := range all {
		kind := "jwt"
		if c.Opaque {
			kind = "opaque"
		}
		fmt.Fprintf(out, "client      %s (%s tokens; scopes %q; audiences %q; introspect %v)\n",
			c.ID, kind, strings.Join(c.Scopes, " "), strings.Join(c.Audiences, " "), c.Introspect)
	}
	if len(listeners) > 1 {
		fmt.Fprintf(out, "admin       http://%s%s\n", listeners[1].Addr(), idp.AdminPrefix)
	}

	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func(srv *http.Server, ln net.Listener) { errc <- srv.Serve(ln) }(srv, listeners[i])
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shut)
	}
	return nil
}

// buildClients turns the flag values into clients; an -introspector naming an existing client
// (same secret) marks it, otherwise it adds a client with no scopes.
func buildClients(jwtSpecs, opaqueSpecs, introspectors []string) ([]idp.Client, error) {
	var out []idp.Client
	seen := map[string]int{}
	add := func(specs []string, opaque bool, flagName string) error {
		for _, spec := range specs {
			c, err := parseClient(spec)
			if err != nil {
				return fmt.Errorf("-%s[%s]: %w", flagName, redact(spec), err)
			}
			if _, dup := seen[c.ID]; dup {
				return fmt.Errorf("-%s: client %q given twice", flagName, c.ID)
			}
			c.Opaque = opaque
			seen[c.ID] = len(out)
			out = append(out, c)
		}
		return nil
	}
	if err := add(jwtSpecs, false, "client"); err != nil {
		return nil, err
	}
	if err := add(opaqueSpecs, true, "opaque-client"); err != nil {
		return nil, err
	}
	for _, spec := range introspectors {
		f := splitEscaped(spec, 2)
		if len(f) != 2 || f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("-introspector[%s]: want id:secret", redact(spec))
		}
		if i, ok := seen[f[0]]; ok {
			if out[i].Secret != f[1] {
				return nil, fmt.Errorf("-introspector: client %q exists with a different secret", f[0])
			}
			out[i].Introspect = true
			continue
		}
		seen[f[0]] = len(out)
		out = append(out, idp.Client{ID: f[0], Secret: f[1], Introspect: true})
	}
	if len(out) == 0 {
		return nil, errors.New("no clients: give -client, -opaque-client or -introspector")
	}
	return out, nil
}

// parseClient reads id:secret:scopes:audiences (see the package comment).
func parseClient(spec string) (idp.Client, error) {
	f := splitEscaped(spec, 4)
	if len(f) < 3 {
		return idp.Client{}, errors.New("want id:secret:scopes[:audiences]")
	}
	c := idp.Client{ID: f[0], Secret: f[1], Scopes: list(f[2])}
	if len(f) == 4 {
		c.Audiences = list(f[3])
	}
	if c.ID == "" || c.Secret == "" {
		return idp.Client{}, errors.New("empty id or secret")
	}
	return c, nil
}

// splitEscaped splits s at unescaped colons into at most n fields; `\:` is a literal colon in
// the first n-1 fields, and the last field is taken verbatim.
func splitEscaped(s string, n int) []string {
	var fields []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		if len(fields) == n-1 {
			cur.WriteString(s[i:])
			break
		}
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ':':
			cur.WriteByte(':')
			i++
		case s[i] == ':':
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(fields, cur.String())
}

func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// redact keeps only the client id of a spec for error messages (never the secret).
func redact(spec string) string {
	return splitEscaped(spec, 2)[0] + ":…"
}
