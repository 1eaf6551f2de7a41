package idp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/token/hmac"
	"github.com/ory/fosite/token/jwt"
	"golang.org/x/crypto/bcrypt"
)

// DefaultIssuer is the issuer of a server made without WithIssuer.
const DefaultIssuer = "https://idp.example.com"

// DefaultTokenLifespan is the access token lifetime unless WithTokenLifespan says otherwise.
const DefaultTokenLifespan = time.Hour

// Server is the authorization server: an http.Handler (and, through RoundTrip, an
// http.RoundTripper for in-process use) with test controls. It is safe for concurrent use.
type Server struct {
	provider *fosite.Fosite
	store    *store
	strategy *tokenStrategy
	keys     *keyRing
	hasher   fosite.Hasher

	mu         sync.Mutex
	issuer     string
	clock      func() time.Time
	lifespan   time.Duration
	jwksMaxAge time.Duration
	faults     map[Endpoint]fault
	hits       map[Endpoint]int
	log        []Request
}

// Option configures New.
type Option func(*options)

type options struct {
	issuer   string
	clock    func() time.Time
	lifespan time.Duration
	key      *rsa.PrivateKey
	clients  []Client
}

// WithIssuer sets the issuer URL: the "iss" of tokens and introspection answers, and the base of
// every URL in the discovery document. Default DefaultIssuer.
func WithIssuer(issuer string) Option { return func(o *options) { o.issuer = issuer } }

// WithClock sets the server's clock (iat, exp and introspection expiry). Default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithTokenLifespan sets the access token lifetime (expires_in). Default DefaultTokenLifespan.
func WithTokenLifespan(d time.Duration) Option { return func(o *options) { o.lifespan = d } }

// WithSigningKey sets the initial RS256 signing key (>= 2048 bits). Default: a new random key.
func WithSigningKey(k *rsa.PrivateKey) Option { return func(o *options) { o.key = k } }

// WithClient registers a client (repeatable).
func WithClient(c Client) Option { return func(o *options) { o.clients = append(o.clients, c) } }

// New is NewServer that panics on a configuration error (tests and the demo build servers from
// literals, where an error is a programming mistake).
func New(opts ...Option) *Server {
	s, err := NewServer(opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// NewServer builds a server on fosite: fosite's MemoryStore, its client credentials grant,
// introspection (CoreValidator) and revocation handlers, and tokenStrategy for access tokens.
func NewServer(opts ...Option) (*Server, error) {
	o := options{issuer: DefaultIssuer, clock: time.Now, lifespan: DefaultTokenLifespan}
	for _, opt := range opts {
		opt(&o)
	}
	if err := checkIssuer(o.issuer); err != nil {
		return nil, err
	}
	if o.clock == nil {
		return nil, errors.New("idp: clock: nil")
	}
	if o.lifespan <= 0 {
		return nil, fmt.Errorf("idp: token lifespan[%s]: must be positive", o.lifespan)
	}
	keys, err := newKeyRing(o.key)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("idp: hmac secret: %w", err)
	}

	s := &Server{
		keys:     keys,
		issuer:   o.issuer,
		clock:    o.clock,
		lifespan: o.lifespan,
		faults:   map[Endpoint]fault{},
		hits:     map[Endpoint]int{},
	}
	fc := &fosite.Config{
		GlobalSecret:                  secret,
		ScopeStrategy:                 fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:      fosite.ExactAudienceMatchingStrategy,
		JWTScopeClaimKey:              jwt.JWTScopeFieldString, // RFC 9068 §2.2.3: space-delimited "scope"
		HashCost:                      bcrypt.MinCost,
		DisableRefreshTokenValidation: true, // only access tokens are issued
		JWKSFetcherStrategy:           fosite.NewDefaultJWKSFetcherStrategy(),
	}
	fc.ClientSecretsHasher = &fosite.BCrypt{Config: fc}
	s.hasher = fc.ClientSecretsHasher
	cfg := &liveConfig{Config: fc, s: s}

	s.store = newStore()
	s.strategy = &tokenStrategy{
		HMACSHAStrategy: oauth2.NewHMACSHAStrategy(&hmac.HMACStrategy{Config: cfg}, cfg),
		jwt:             &oauth2.DefaultJWTStrategy{Signer: ringSigner{ring: keys}, Config: cfg},
		now:             s.now,
	}
	fc.TokenEndpointHandlers.Append(&oauth2.ClientCredentialsGrantHandler{
		HandleHelper: &oauth2.HandleHelper{AccessTokenStrategy: s.strategy, AccessTokenStorage: s.store, Config: cfg},
		Config:       cfg,
	})
	fc.TokenIntrospectionHandlers.Append(&oauth2.CoreValidator{CoreStrategy: s.strategy, CoreStorage: s.store, Config: cfg})
	fc.RevocationHandlers.Append(&oauth2.TokenRevocationHandler{
		TokenRevocationStorage: s.store, AccessTokenStrategy: s.strategy, RefreshTokenStrategy: s.strategy,
	})
	s.provider = fosite.NewOAuth2Provider(s.store, cfg)

	for _, c := range o.clients {
		if err := s.AddClient(c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// liveConfig is fosite's Config with the values tests change at run time read under the
// server's lock.
type liveConfig struct {
	*fosite.Config
	s *Server
}

func (c *liveConfig) GetAccessTokenLifespan(context.Context) time.Duration {
	return c.s.TokenLifespan()
}
func (c *liveConfig) GetAccessTokenIssuer(context.Context) string { return c.s.Issuer() }

func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("idp: issuer[%q]: want an http(s) URL without query or fragment", issuer)
	}
	return nil
}

// AddClient registers (or replaces) a client.
func (s *Server) AddClient(c Client) error {
	fc, err := newClient(context.Background(), s.hasher, c)
	if err != nil {
		return err
	}
	s.store.putClient(fc)
	return nil
}

// Issuer returns the issuer URL exactly as configured.
func (s *Server) Issuer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issuer
}

// SetIssuer changes the issuer (for example to an httptest server's URL once it is known).
func (s *Server) SetIssuer(issuer string) error {
	if err := checkIssuer(issuer); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issuer = issuer
	return nil
}

// URL returns the absolute URL of an endpoint under the issuer.
func (s *Server) URL(e Endpoint) string { return strings.TrimSuffix(s.Issuer(), "/") + e.Path() }

// SetClock replaces the server's clock; nil restores time.Now.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
}

func (s *Server) now() time.Time {
	s.mu.Lock()
	c := s.clock
	s.mu.Unlock()
	return c().UTC()
}

// TokenLifespan returns the access token lifetime.
func (s *Server) TokenLifespan() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lifespan
}

// SetTokenLifespan changes the lifetime of tokens issued from now on (d > 0; others ignored).
func (s *Server) SetTokenLifespan(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifespan = d
}

// SetJWKSMaxAge makes the JWKS response carry "Cache-Control: max-age=<seconds>"; 0 removes it.
func (s *Server) SetJWKSMaxAge(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jwksMaxAge = d
}

// KeyIDs returns the kids published in the JWKS, the current signing key first.
func (s *Server) KeyIDs() []string { return s.keys.kids() }

// CurrentKeyID returns the kid of the key that signs new tokens.
func (s *Server) CurrentKeyID() string { return s.keys.signer().kid }

// PublicKey returns the public key published under kid, or nil.
func (s *Server) PublicKey(kid string) *rsa.PublicKey {
	if k := s.keys.lookup(kid); k != nil {
		return &k.priv.PublicKey
	}
	return nil
}

// JWKS returns the JWK Set the server currently publishes.
func (s *Server) JWKS() []byte { return s.keys.jwks() }

// RotateKey installs a new signing key with a new kid. keepOld keeps the previous keys in the
// JWKS (tokens they signed still introspect active); otherwise they are dropped at once.
func (s *Server) RotateKey(keepOld bool) (newKid string, err error) {
	return s.keys.rotate(nil, keepOld)
}

// Revoke makes an issued access token inactive. It reports whether the token was known.
func (s *Server) Revoke(token string) bool {
	ctx := context.Background()
	sig := s.strategy.AccessTokenSignature(ctx, token)
	req, err := s.store.GetAccessTokenSession(ctx, sig, nil)
	if err != nil {
		return false
	}
	return s.store.RevokeAccessToken(ctx, req.GetID()) == nil
}
