package idp

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ory/fosite"
)

// maxFormBytes bounds request bodies of the form endpoints (fosite's own multipart limit is 1 MiB).
const maxFormBytes = 64 << 10

// ServeHTTP routes to the endpoints under the issuer's path, counts the hit, injects the
// endpoint's fault if any, and serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if u, err := url.Parse(s.Issuer()); err == nil {
		if prefix := strings.TrimSuffix(u.Path, "/"); prefix != "" {
			if !strings.HasPrefix(path, prefix+"/") {
				http.NotFound(w, r)
				return
			}
			path = strings.TrimPrefix(path, prefix)
		}
	}
	ep, ok := endpointFor(path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	info := Request{Endpoint: ep, Method: r.Method, At: s.now()}
	defer func() {
		info.Status = sw.status
		s.record(info)
	}()
	formEndpoint := ep == EndpointToken || ep == EndpointIntrospect || ep == EndpointRevoke
	if formEndpoint && r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(sw, r.Body, maxFormBytes)
		_ = r.ParseForm() // fosite reports a bad body itself
		info.ClientID, info.AuthMethod = clientAuthOf(r)
	}
	if !applyFault(r.Context(), sw, s.arrive(ep)) {
		return
	}
	switch ep {
	case EndpointToken:
		s.serveToken(sw, r)
	case EndpointIntrospect:
		s.serveIntrospect(sw, r, info.AuthMethod)
	case EndpointRevoke:
		s.serveRevoke(sw, r)
	case EndpointJWKS:
		s.serveJWKS(sw, r)
	case EndpointDiscovery:
		s.serveDiscovery(sw, r)
	}
}

// serveToken is the client credentials grant: fosite authenticates the client (Basic or post),
// checks grant type, scope and audience, and writes the response or the RFC 6749 §5.2 error.
// The server grants the requested scopes/audiences (all allowed ones when none is requested) and
// sets the times from its own clock before fosite mints the token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := newSession()
	ar, err := s.provider.NewAccessRequest(ctx, r, sess)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	c, ok := ar.GetClient().(*client)
	if !ok {
		s.provider.WriteAccessError(ctx, w, ar, fosite.ErrServerError.WithHint("unexpected client type"))
		return
	}
	scopes := ar.GetRequestedScopes()
	if len(scopes) == 0 {
		scopes = c.GetScopes()
	}
	for _, sc := range scopes {
		ar.GrantScope(sc)
	}
	auds := ar.GetRequestedAudience()
	if len(auds) == 0 {
		auds = c.GetAudience()
	}
	for _, a := range auds {
		ar.GrantAudience(a)
	}

	now, life := s.now(), s.TokenLifespan()
	if req, ok := ar.(*fosite.AccessRequest); ok {
		req.RequestedAt = now // introspection's "iat"
	}
	sess.Subject = c.GetID()
	sess.SetExpiresAt(fosite.AccessToken, now.Add(life))
	claims := sess.JWTClaims
	claims.Subject = c.GetID()
	claims.Issuer = s.Issuer()
	claims.IssuedAt = now
	claims.JTI = newJTI()
	claims.Add("client_id", c.GetID())
	sess.JWTHeader.Add("typ", "at+jwt") // RFC 9068 §2.1

	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	resp.SetExpiresIn(life) // fosite computes it from time.Now; the server's clock may differ
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// serveIntrospect is RFC 7662 through fosite's introspection handler. The caller must
// authenticate (fosite's client authentication: Basic or post) as a client allowed to introspect.
// fosite's introspection request parser only reads HTTP Basic credentials, so a caller that
// authenticated with client_secret_post has its (already verified) form credentials presented
// to it as Basic.
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request, authMethod string) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		s.provider.WriteIntrospectionError(ctx, w, fosite.ErrInvalidRequest.WithHintf("HTTP method is '%s' but expected 'POST'.", r.Method))
		return
	}
	if authMethod == "" {
		s.provider.WriteAccessError(ctx, w, nil, fosite.ErrInvalidClient.WithHint("Client authentication (client_secret_basic or client_secret_post) is required."))
		return
	}
	caller, err := s.provider.AuthenticateClient(ctx, r, r.PostForm)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, nil, err)
		return
	}
	if c, ok := caller.(*client); !ok || !c.introspect {
		s.provider.WriteAccessError(ctx, w, nil, fosite.ErrRequestForbidden.WithHint("The client is not allowed to introspect tokens."))
		return
	}
	if authMethod == "client_secret_post" {
		r.SetBasicAuth(url.QueryEscape(r.PostForm.Get("client_id")), url.QueryEscape(r.PostForm.Get("client_secret")))
	}
	ir, err := s.provider.NewIntrospectionRequest(ctx, r, newSession())
	if err != nil {
		s.provider.WriteIntrospectionError(ctx, w, err)
		return
	}
	s.provider.WriteIntrospectionResponse(ctx, w, ir)
}

// serveRevoke is RFC 7009 through fosite's revocation handler.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s.provider.WriteRevocationResponse(ctx, w, s.provider.NewRevocationRequest(ctx, r))
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	s.mu.Lock()
	maxAge := s.jwksMaxAge
	s.mu.Unlock()
	if maxAge > 0 {
		w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(s.keys.jwks())
	}
}

// Discovery is the server's metadata document (OpenID Connect Discovery 1.0 §3 / RFC 8414 §2
// member names). The server issues no ID tokens and has no authorization endpoint, so the
// OpenID-only members are absent.
type Discovery struct {
	Issuer                                    string   `json:"issuer"`
	JWKSURI                                   string   `json:"jwks_uri"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	ScopesSupported                           []string `json:"scopes_supported"`
}

// Discovery returns the metadata document the server publishes.
func (s *Server) Discovery() Discovery {
	auth := []string{"client_secret_basic", "client_secret_post"}
	return Discovery{
		Issuer:                            s.Issuer(),
		JWKSURI:                           s.URL(EndpointJWKS),
		TokenEndpoint:                     s.URL(EndpointToken),
		IntrospectionEndpoint:             s.URL(EndpointIntrospect),
		RevocationEndpoint:                s.URL(EndpointRevoke),
		GrantTypesSupported:               []string{"client_credentials"},
		TokenEndpointAuthMethodsSupported: auth,
		IntrospectionEndpointAuthMethodsSupported: auth,
		RevocationEndpointAuthMethodsSupported:    auth,
		ScopesSupported:                           s.store.allScopes(),
	}
}

func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, s.Discovery())
}

func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request", "error_description": "method not allowed"})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// newJTI is a random token identifier (RFC 9068 §2.2, RFC 7519 §4.1.7).
func newJTI() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return b64(b)
}

// allScopes is the sorted union of the clients' scopes.
func (s *store) allScopes() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	set := map[string]bool{}
	for _, c := range s.clients {
		for _, sc := range c.GetScopes() {
			set[sc] = true
		}
	}
	out := make([]string, 0, len(set))
	for sc := range set {
		out = append(out, sc)
	}
	sort.Strings(out)
	return out
}
