package filter

import (
	"crypto/sha256"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/jwtcore"
)

// An introspection provider ("introspection": {"<name>": {...}}) accepts
// opaque access tokens by asking the authorization server (RFC 7662). Rules
// use it exactly like a JWT provider ("provider" or inside "any"); the
// provider names of "providers" and "introspection" form one namespace.
//
// Its claims (the introspection response) go through jwtcore's trusted-claims
// verifier (issuer, time window with leeway, audience), then the rule's scopes
// and claims rules, claim headers and token stripping, as for a JWT.

// introspection is the RFC 7662 half of an introspection provider: where and
// how to ask, and how long to keep the answers. The client secret is never
// logged; String-like helpers never include it.
type introspection struct {
	provider    *provider             // the rule-facing half (name, token sources, claim headers, verifier)
	rt          *introspectionRuntime // this VM's runtime, bound at plugin start (nil in native decide tests: 503)
	oauthClient                       // cluster, uri, client_id, client_secret, auth_method, timeout_ms

	tokenTypeHint string        // "" sends none
	cacheTTL      time.Duration // cache_seconds: active answers, also bounded by exp
	negativeTTL   time.Duration // negative_cache_seconds: inactive answers
	leeway        time.Duration // clock_skew_seconds (the claims checks' leeway)
	cacheEntries  int           // cache_max_entries: entries in shared data (4 per bucket key)
	// fingerprint identifies the endpoint and the client asking (cluster, uri,
	// client id, auth method, hint): a cached answer is used only by a
	// configuration asking the same server as the same client.
	fingerprint [8]byte
}

// Defaults and bounds of an introspection provider (documented in README.md).
const (
	defaultIntrospectionTimeout   = 2000 // ms
	defaultIntrospectionCache     = 60   // s
	maxIntrospectionCache         = 86400
	defaultIntrospectionNegative  = 5 // s
	maxIntrospectionNegative      = 3600
	defaultIntrospectionEntries   = 4096
	maxIntrospectionEntries       = 1 << 16
	defaultIntrospectionTokenHint = "access_token"
)

var introspectionFields = []string{
	"cluster", "uri", "client_id", "client_secret", "auth_method", "token_type_hint", "timeout_ms",
	"cache_seconds", "negative_cache_seconds", "cache_max_entries",
	"issuer", "audiences", "audience_match", "scope_claim", "token_from", "claim_to_headers", "payload_header",
	"forward_token", "clock_skew_seconds", "require_expiration", "max_token_bytes",
}

// parseIntrospections reads the top-level "introspection" object. taken
// reports a name already used by a JWT provider (one namespace for rules).
func parseIntrospections(r gjson.Result, taken func(name string) bool) ([]*introspection, error) {
	m, order, err := object("introspection", r)
	if err != nil {
		return nil, err
	}
	out := make([]*introspection, 0, len(order))
	for _, name := range order {
		path := field("introspection", name)
		if !validProviderName(name) {
			return nil, errAt(path, "provider names use only letters, digits, '-' and '_'")
		}
		if taken(name) {
			return nil, errAt(path, "providers.%s has the same name (rules name providers of both kinds)", name)
		}
		in, err := parseIntrospection(path, name, m[name])
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// parseIntrospection reads one introspection provider.
func parseIntrospection(path, name string, r gjson.Result) (*introspection, error) {
	m, _, err := object(path, r, introspectionFields...)
	if err != nil {
		return nil, err
	}
	in := &introspection{
		tokenTypeHint: defaultIntrospectionTokenHint,
		cacheTTL:      defaultIntrospectionCache * time.Second,
		negativeTTL:   defaultIntrospectionNegative * time.Second,
		cacheEntries:  defaultIntrospectionEntries,
	}
	if in.oauthClient, err = parseOAuthClient(path, m, "uri", defaultIntrospectionTimeout); err != nil {
		return nil, err
	}
	if v, ok := m["token_type_hint"]; ok {
		if in.tokenTypeHint, err = asString(field(path, "token_type_hint"), v); err != nil {
			return nil, err
		}
	}
	if err := optDuration(path, m, "cache_seconds", 0, maxIntrospectionCache, time.Second, &in.cacheTTL); err != nil {
		return nil, err
	}
	if err := optDuration(path, m, "negative_cache_seconds", 0, maxIntrospectionNegative, time.Second, &in.negativeTTL); err != nil {
		return nil, err
	}
	if v, ok := m["cache_max_entries"]; ok {
		n, err := asInt(field(path, "cache_max_entries"), v, 1, maxIntrospectionEntries)
		if err != nil {
			return nil, err
		}
		in.cacheEntries = int(n)
	}

	p, leeway, err := parseIntrospectionProvider(path, name, m)
	if err != nil {
		return nil, err
	}
	in.provider, in.leeway = p, leeway
	in.fingerprint = introspectionFingerprint(in)
	return in, nil
}

// parseIntrospectionProvider builds the rule-facing half: the same fields
// and meaning as a JWT provider's, with a trusted-claims verifier instead of
// keys. exp is optional (RFC 7662 §2.2) unless require_expiration is true.
func parseIntrospectionProvider(path, name string, m map[string]gjson.Result) (*provider, time.Duration, error) {
	p := &provider{name: name}
	pol := jwtcore.Policy{Name: name, Leeway: jwtcore.DefaultLeeway, AllowMissingExp: true}
	var err error
	if v, ok := m["issuer"]; ok {
		if p.issuer, err = asNonEmptyString(field(path, "issuer"), v); err != nil {
			return nil, 0, err
		}
		pol.Issuers = []string{p.issuer}
	}
	if err := parseProviderCommon(path, m, p, &pol); err != nil {
		return nil, 0, err
	}
	if p.verifier, err = jwtcore.NewTrustedClaimsVerifier(pol); err != nil {
		return nil, 0, errAt(path, "%s", trimJWTPrefix(err))
	}
	return p, pol.Leeway, nil
}

// introspectionFingerprint hashes what identifies the asking client at the
// endpoint (never the secret).
func introspectionFingerprint(in *introspection) [8]byte {
	h := sha256.New()
	for _, s := range []string{in.cluster, in.uri, in.clientID, in.auth.String(), in.tokenTypeHint} {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(s)>>24), byte(len(s)>>16), byte(len(s)>>8), byte(len(s))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	var fp [8]byte
	copy(fp[:], h.Sum(nil))
	return fp
}
