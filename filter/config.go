package filter

import (
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/jwtcore"
)

// compiledConfig is the plugin configuration after parseConfig: checked,
// keys prepared, references resolved. It is immutable, except for the
// verified-token cache it owns (one per plugin configuration, so one per VM).
type compiledConfig struct {
	providers  []*provider
	byIssuer   map[string]*provider
	rules      []rule
	realm      string   // www_authenticate_realm; "" leaves realm out
	setHeaders []string // every header a provider may set (lower case): removed from every request
	cache      *jwtcore.Cache
	memo       *headerMemo // rendered claim headers of cached tokens; nil without cache
	peekBytes  int         // the largest max_token_bytes, bound of the unverified issuer peek

	introspections []*introspection // "introspection" providers (also in providers)

	upstream []*upstreamCred // "upstream_credentials", in order (upstreamcreds_config.go)
}

// provider is one entry of "providers": an issuer with its keys and policy.
type provider struct {
	name          string
	issuer        string
	verifier      *jwtcore.Verifier
	from          []tokenSource
	forwardToken  bool
	claimHeaders  []claimHeader
	payloadHeader string // "" for none
	maxTokenBytes int
	remote        *remoteKeys    // remote_jwks: verifier is nil until keys arrive (remote_keys.go)
	introspect    *introspection // an "introspection" provider (introspection_config.go); nil for a JWT provider
}

// rule is one entry of "rules" (or the implicit rule of a config without rules).
type rule struct {
	index        int // position in "rules"; -1 for the implicit rule
	match        routeMatch
	allow        bool        // "allow": true; no token needed
	providers    []*provider // "require": provider or any
	sources      []tokenSource
	accepts      [][]*provider // accepts[i]: the providers that take tokens from sources[i]
	removeWith   [][]string    // removeWith[i]: setHeaders plus sources[i]'s header (header sources only)
	scopes       []string
	claims       []jwtcore.ClaimRule
	allowMissing bool
}

// Defaults of the configuration (documented in README.md).
const (
	defaultCacheEntries = 4096
	defaultCacheBytes   = 8 << 20
	maxCacheEntries     = 1 << 20
	maxCacheBytes       = 1 << 30
	maxClockSkew        = 3600
	maxTokenBytesLimit  = 64 << 10
)

// reservedHeaders can never be set from claims: they frame or route the
// request, or carry credentials.
var reservedHeaders = []string{
	"host", "content-length", "transfer-encoding", "connection", "keep-alive",
	"proxy-connection", "te", "trailer", "upgrade", "cookie", "authorization",
	"proxy-authorization", "expect",
}

// parseConfig turns the plugin JSON into a compiledConfig, or returns the
// first fault found, naming its JSON path. It is pure: no host calls, no
// clock, no globals. Nothing is half-applied: on error nothing is returned.
func parseConfig(data []byte) (*compiledConfig, error) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, errEmptyConfig
	}
	if !gjson.ValidBytes(data) {
		return nil, errInvalidJSON
	}
	top, _, err := object("", gjson.ParseBytes(data), "providers", "rules", "www_authenticate_realm", "cache", "introspection", "upstream_credentials")
	if err != nil {
		return nil, err
	}
	cfg := &compiledConfig{byIssuer: map[string]*provider{}}

	if r, ok := top["www_authenticate_realm"]; ok {
		if cfg.realm, err = asString("www_authenticate_realm", r); err != nil {
			return nil, err
		}
		if headerSafe(cfg.realm, len(cfg.realm)) != cfg.realm {
			return nil, errAt("www_authenticate_realm", "must be printable ASCII without '\"' or '\\'")
		}
	}
	if cfg.cache, err = parseCache(top["cache"]); err != nil {
		return nil, err
	}
	if cfg.cache != nil {
		cfg.memo = &headerMemo{}
	}
	if r, ok := top["providers"]; ok {
		if err := parseProviders(cfg, r); err != nil {
			return nil, err
		}
	}
	if r, ok := top["introspection"]; ok {
		if err := addIntrospections(cfg, r); err != nil {
			return nil, err
		}
	}
	if err := checkHeaderCollisions(cfg); err != nil {
		return nil, err
	}
	if r, ok := top["rules"]; ok {
		if err := parseRules(cfg, r); err != nil {
			return nil, err
		}
	}
	if len(cfg.rules) == 0 {
		// No rules: every request needs a valid token from any provider.
		if len(cfg.providers) == 0 {
			return nil, errAt("providers", "at least one provider is needed when there are no rules")
		}
		cfg.rules = []rule{newRequireRule(-1, routeMatch{prefix: "/"}, cfg.providers)}
	}
	if err := checkIntrospectionSources(cfg); err != nil {
		return nil, err
	}
	if r, ok := top["upstream_credentials"]; ok {
		if cfg.upstream, err = parseUpstreamCredsFor(cfg, r); err != nil {
			return nil, err
		}
	}
	for i := range cfg.rules {
		cfg.rules[i].prepareRemove(cfg.setHeaders)
	}
	return cfg, nil
}

// prepareRemove precomputes, for each header source, the headers an allow
// removes when the token found there is stripped.
func (r *rule) prepareRemove(setHeaders []string) {
	r.removeWith = make([][]string, len(r.sources))
	for i, s := range r.sources {
		if s.kind == sourceHeader {
			r.removeWith[i] = append(append(make([]string, 0, len(setHeaders)+1), setHeaders...), s.name)
		}
	}
}

// parseCache reads "cache"; absent means the defaults. max_entries 0 turns
// the verified-token cache off.
func parseCache(r gjson.Result) (*jwtcore.Cache, error) {
	entries, bytes := int64(defaultCacheEntries), int64(defaultCacheBytes)
	if r.Exists() {
		m, _, err := object("cache", r, "max_entries", "max_bytes")
		if err != nil {
			return nil, err
		}
		if v, ok := m["max_entries"]; ok {
			if entries, err = asInt("cache.max_entries", v, 0, maxCacheEntries); err != nil {
				return nil, err
			}
		}
		if v, ok := m["max_bytes"]; ok {
			if bytes, err = asInt("cache.max_bytes", v, 1024, maxCacheBytes); err != nil {
				return nil, err
			}
		}
	}
	if entries == 0 {
		return nil, nil
	}
	// ttl 0: an entry lives until its token expires (or is evicted).
	return jwtcore.NewCache(int(entries), int(bytes), 0), nil
}

func parseProviders(cfg *compiledConfig, r gjson.Result) error {
	m, order, err := object("providers", r)
	if err != nil {
		return err
	}
	for _, name := range order {
		path := field("providers", name)
		if !validProviderName(name) {
			return errAt(path, "provider names use only letters, digits, '-' and '_'")
		}
		p, err := parseProvider(path, name, m[name], cfg.cache)
		if err != nil {
			return err
		}
		if other, dup := cfg.byIssuer[p.issuer]; dup {
			return errAt(field(path, "issuer"), "same issuer as providers.%s (a token is routed to its provider by iss)", other.name)
		}
		cfg.byIssuer[p.issuer] = p
		cfg.providers = append(cfg.providers, p)
		if max := p.maxTokenBytes; max > cfg.peekBytes {
			cfg.peekBytes = max
		}
	}
	return nil
}

func validProviderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkHeaderCollisions rejects a header that a provider sets and that some
// provider also reads a token from: it would be stripped before extraction on
// every request (or would carry an unverified token).
func checkHeaderCollisions(cfg *compiledConfig) error {
	for _, p := range cfg.providers {
		for i, ch := range p.claimHeaders {
			if q, s := tokenHeaderUser(cfg, ch.header); q != nil {
				return errAt(index(field(providerPath(p), "claim_to_headers"), i)+".header",
					"%q is a token_from header of %s (%s)", ch.header, providerPath(q), s)
			}
		}
		if p.payloadHeader != "" {
			if q, s := tokenHeaderUser(cfg, p.payloadHeader); q != nil {
				return errAt(field(providerPath(p), "payload_header"),
					"%q is a token_from header of %s (%s)", p.payloadHeader, providerPath(q), s)
			}
		}
	}
	for _, p := range cfg.providers {
		for _, ch := range p.claimHeaders {
			cfg.addSetHeader(ch.header)
		}
		if p.payloadHeader != "" {
			cfg.addSetHeader(p.payloadHeader)
		}
	}
	return nil
}

func tokenHeaderUser(cfg *compiledConfig, header string) (*provider, tokenSource) {
	for _, q := range cfg.providers {
		for _, s := range q.from {
			if s.kind == sourceHeader && s.name == header {
				return q, s
			}
		}
	}
	return nil, tokenSource{}
}

func (cfg *compiledConfig) addSetHeader(h string) {
	if !containsString(cfg.setHeaders, h) {
		cfg.setHeaders = append(cfg.setHeaders, h)
	}
}

// parseHeaderName reads a header name the filter sets: a valid field name, not
// a reserved one; returned in lower case.
func parseHeaderName(path string, r gjson.Result) (string, error) {
	return parseHeaderNameNotIn(path, r, reservedHeaders, "cannot be set by the filter")
}

// parseHeaderNameNotIn reads a valid field name, in lower case, that is not
// in forbidden (lower case); refused says why one of those is refused.
func parseHeaderNameNotIn(path string, r gjson.Result, forbidden []string, refused string) (string, error) {
	s, err := asNonEmptyString(path, r)
	if err != nil {
		return "", err
	}
	if !validHeaderName(s) {
		return "", errAt(path, "%q is not a valid header name", s)
	}
	s = strings.ToLower(s)
	if containsString(forbidden, s) {
		return "", errAt(path, "%q %s", s, refused)
	}
	return s, nil
}

func newRequireRule(idx int, m routeMatch, providers []*provider) rule {
	r := rule{index: idx, match: m, providers: providers}
	for _, p := range providers {
		for _, s := range p.from {
			at := -1
			for i, have := range r.sources {
				if have == s {
					at = i
				}
			}
			if at < 0 {
				r.sources = append(r.sources, s)
				r.accepts = append(r.accepts, nil)
				at = len(r.sources) - 1
			}
			r.accepts[at] = append(r.accepts[at], p)
		}
	}
	return r
}
