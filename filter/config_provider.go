package filter

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/jwtcore"
)

// keySourceFields are the ways to give a provider its keys; exactly one.
// remote_jwks (remote_jwks.go) gives no keys at start: they are fetched at run time.
var keySourceFields = []string{"public_key_pem", "local_jwks", "hmac_secret", "hmac_secret_base64", "remote_jwks"}

var providerFields = append([]string{
	"issuer", "audiences", "audience_match", "algorithms", "token_from", "clock_skew_seconds",
	"require_expiration", "max_lifetime_seconds", "max_token_bytes", "scope_claim",
	"forward_token", "claim_to_headers", "payload_header",
}, keySourceFields...)

// parseProvider reads one provider and builds its jwtcore.Verifier.
func parseProvider(path, name string, r gjson.Result, cache *jwtcore.Cache) (*provider, error) {
	m, _, err := object(path, r, providerFields...)
	if err != nil {
		return nil, err
	}
	p := &provider{name: name}
	pol := jwtcore.Policy{Name: name, Cache: cache, Leeway: jwtcore.DefaultLeeway}

	iss, ok := m["issuer"]
	if !ok {
		return nil, errAt(field(path, "issuer"), "is required")
	}
	if p.issuer, err = asNonEmptyString(field(path, "issuer"), iss); err != nil {
		return nil, err
	}
	pol.Issuers = []string{p.issuer}

	keys, err := parseKeySource(path, m)
	if err != nil {
		return nil, err
	}
	var remote *remoteJWKS
	if keys == nil { // remote_jwks: the allow-list is checked against each fetched set
		if remote, err = parseRemoteJWKS(field(path, "remote_jwks"), name, p.issuer, m["remote_jwks"]); err != nil {
			return nil, err
		}
		if pol.Algorithms, err = parseRemoteAlgorithms(field(path, "algorithms"), m["algorithms"]); err != nil {
			return nil, err
		}
	} else if pol.Algorithms, err = parseAlgorithms(field(path, "algorithms"), m["algorithms"], keys); err != nil {
		return nil, err
	}
	if err := optDuration(path, m, "max_lifetime_seconds", 0, 10*365*24*3600, time.Second, &pol.MaxLifetime); err != nil {
		return nil, err
	}
	if err := parseProviderCommon(path, m, p, &pol); err != nil {
		return nil, err
	}
	pol.MaxTokenBytes = p.maxTokenBytes
	if remote != nil {
		p.remote = &remoteKeys{src: remote, p: p, policy: pol}
		return p, nil
	}
	if p.verifier, err = jwtcore.NewVerifier(keys, pol); err != nil {
		return nil, errAt(path, "%s", trimJWTPrefix(err))
	}
	return p, nil
}

// parseProviderCommon reads the members a JWT provider and an introspection
// provider share, into p and pol: audiences, audience_match, scope_claim,
// clock_skew_seconds, require_expiration, max_token_bytes, forward_token,
// token_from, claim_to_headers and payload_header. Defaults are the caller's
// (pol.Leeway, pol.AllowMissingExp); p.maxTokenBytes defaults to
// jwtcore.DefaultMaxTokenBytes.
func parseProviderCommon(path string, m map[string]gjson.Result, p *provider, pol *jwtcore.Policy) error {
	var err error
	if v, ok := m["audiences"]; ok {
		if pol.Audiences, err = asStringList(field(path, "audiences"), v); err != nil {
			return err
		}
	}
	if v, ok := m["audience_match"]; ok {
		switch mode, err := asString(field(path, "audience_match"), v); {
		case err != nil:
			return err
		case mode == "all":
			pol.AudienceMatchAll = true
		case mode != "any":
			return errAt(field(path, "audience_match"), "must be \"any\" or \"all\", not %q", mode)
		}
	}
	if v, ok := m["scope_claim"]; ok {
		if pol.ScopeClaim, err = asNonEmptyString(field(path, "scope_claim"), v); err != nil {
			return err
		}
	}
	if err := optDuration(path, m, "clock_skew_seconds", 0, maxClockSkew, time.Second, &pol.Leeway); err != nil {
		return err
	}
	if v, ok := m["require_expiration"]; ok {
		req, err := asBool(field(path, "require_expiration"), v)
		if err != nil {
			return err
		}
		pol.AllowMissingExp = !req
	}
	p.maxTokenBytes = jwtcore.DefaultMaxTokenBytes
	if v, ok := m["max_token_bytes"]; ok {
		n, err := asInt(field(path, "max_token_bytes"), v, 256, maxTokenBytesLimit)
		if err != nil {
			return err
		}
		p.maxTokenBytes = int(n)
	}
	if v, ok := m["forward_token"]; ok {
		if p.forwardToken, err = asBool(field(path, "forward_token"), v); err != nil {
			return err
		}
	}
	if p.from, err = parseTokenFrom(field(path, "token_from"), m["token_from"]); err != nil {
		return err
	}
	if p.claimHeaders, err = parseClaimHeaders(field(path, "claim_to_headers"), m["claim_to_headers"]); err != nil {
		return err
	}
	if v, ok := m["payload_header"]; ok {
		if p.payloadHeader, err = parseHeaderName(field(path, "payload_header"), v); err != nil {
			return err
		}
		for i, ch := range p.claimHeaders {
			if ch.header == p.payloadHeader {
				return errAt(field(path, "payload_header"), "%q is also claim_to_headers[%d].header", ch.header, i)
			}
		}
	}
	return nil
}

// parseKeySource reads the one key source of a provider.
func parseKeySource(path string, m map[string]gjson.Result) (*jwtcore.KeySet, error) {
	var present []string
	for _, f := range keySourceFields {
		if _, ok := m[f]; ok {
			present = append(present, f)
		}
	}
	switch len(present) {
	case 0:
		return nil, errAt(path, "needs one key source: %s", strings.Join(keySourceFields, ", "))
	case 1:
	default:
		return nil, errAt(field(path, present[1]), "a provider has exactly one key source, and %s is already given", present[0])
	}
	src := present[0]
	fpath := field(path, src)
	v := m[src]
	var ks *jwtcore.KeySet
	var err error
	switch src {
	case "remote_jwks":
		return nil, nil
	case "public_key_pem":
		s, e := asNonEmptyString(fpath, v)
		if e != nil {
			return nil, e
		}
		ks, err = jwtcore.ParsePEMKeys([]byte(s))
	case "local_jwks":
		var doc string
		switch {
		case v.IsObject():
			doc = v.Raw
		case v.Type == gjson.String:
			doc = v.Str
		default:
			return nil, errAt(fpath, "must be a JWKS object or a string holding one, not %s", kind(v))
		}
		ks, err = jwtcore.ParseJWKS([]byte(doc))
	case "hmac_secret":
		s, e := asNonEmptyString(fpath, v)
		if e != nil {
			return nil, e
		}
		ks, err = jwtcore.NewHMACKeySet([]byte(s))
	case "hmac_secret_base64":
		s, e := asNonEmptyString(fpath, v)
		if e != nil {
			return nil, e
		}
		secret, e := jwtcore.DecodeSecret(s)
		if e != nil {
			return nil, errAt(fpath, "%s", trimJWTPrefix(e))
		}
		ks, err = jwtcore.NewHMACKeySet(secret)
	}
	if err != nil {
		return nil, errAt(fpath, "%s", trimJWTPrefix(err))
	}
	return ks, nil
}

// parseAlgorithms reads "algorithms": every name must be a JOSE algorithm the
// keys can verify. Absent: every algorithm the keys can verify.
func parseAlgorithms(path string, r gjson.Result, keys *jwtcore.KeySet) ([]jwtcore.Alg, error) {
	can := keys.Algs()
	if !r.Exists() {
		if len(can) == 0 {
			return nil, errAt(path, "the keys can verify no algorithm")
		}
		return can, nil
	}
	return parseAlgList(path, r, func(a jwtcore.Alg) string {
		if !containsAlg(can, a) {
			return "no key of this provider can verify " + a.String()
		}
		return ""
	})
}

// parseAlgList reads a non-empty list of JOSE algorithm names, each known to
// jwtcore and accepted by refuse (which returns why not, or ""); a repeated
// name is kept once.
func parseAlgList(path string, r gjson.Result, refuse func(jwtcore.Alg) string) ([]jwtcore.Alg, error) {
	names, err := asStringList(path, r)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errAt(path, "must not be empty")
	}
	algs := make([]jwtcore.Alg, 0, len(names))
	for i, n := range names {
		a, ok := jwtcore.ParseAlg(n)
		if !ok {
			return nil, errAt(index(path, i), "unknown or forbidden algorithm %q", n)
		}
		if why := refuse(a); why != "" {
			return nil, errAt(index(path, i), "%s", why)
		}
		if !containsAlg(algs, a) {
			algs = append(algs, a)
		}
	}
	return algs, nil
}

func containsAlg(list []jwtcore.Alg, a jwtcore.Alg) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}

// parseTokenFrom reads "token_from"; absent means Authorization: Bearer.
func parseTokenFrom(path string, r gjson.Result) ([]tokenSource, error) {
	if !r.Exists() {
		return []tokenSource{defaultTokenSource}, nil
	}
	items, err := asArray(path, r)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errAt(path, "must not be empty")
	}
	out := make([]tokenSource, 0, len(items))
	for i, it := range items {
		ipath := index(path, i)
		m, order, err := object(ipath, it, "header", "prefix", "query", "cookie")
		if err != nil {
			return nil, err
		}
		var s tokenSource
		kinds := 0
		for _, k := range order {
			v := m[k]
			switch k {
			case "header":
				kinds++
				name, err := asNonEmptyString(field(ipath, k), v)
				if err != nil {
					return nil, err
				}
				if !validHeaderName(name) {
					return nil, errAt(field(ipath, k), "%q is not a valid header name", name)
				}
				s.kind, s.name = sourceHeader, strings.ToLower(name)
			case "query":
				kinds++
				name, err := asNonEmptyString(field(ipath, k), v)
				if err != nil {
					return nil, err
				}
				s.kind, s.name = sourceQuery, name
			case "cookie":
				kinds++
				name, err := asNonEmptyString(field(ipath, k), v)
				if err != nil {
					return nil, err
				}
				if !validHeaderName(name) {
					return nil, errAt(field(ipath, k), "%q is not a valid cookie name", name)
				}
				s.kind, s.name = sourceCookie, name
			}
		}
		if kinds != 1 {
			return nil, errAt(ipath, "needs exactly one of header, query, cookie")
		}
		if v, ok := m["prefix"]; ok {
			if s.kind != sourceHeader {
				return nil, errAt(field(ipath, "prefix"), "only a header source has a prefix")
			}
			if s.prefix, err = asNonEmptyString(field(ipath, "prefix"), v); err != nil {
				return nil, err
			}
			if headerSafe(s.prefix, len(s.prefix)) != s.prefix {
				return nil, errAt(field(ipath, "prefix"), "must be printable ASCII")
			}
		}
		for j, have := range out {
			if have.kind == s.kind && have.name == s.name {
				return nil, errAt(ipath, "same source as %s", index(path, j))
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// parseClaimHeaders reads "claim_to_headers".
func parseClaimHeaders(path string, r gjson.Result) ([]claimHeader, error) {
	if !r.Exists() {
		return nil, nil
	}
	items, err := asArray(path, r)
	if err != nil {
		return nil, err
	}
	out := make([]claimHeader, 0, len(items))
	for i, it := range items {
		ipath := index(path, i)
		m, _, err := object(ipath, it, "claim", "header")
		if err != nil {
			return nil, err
		}
		var ch claimHeader
		c, ok := m["claim"]
		if !ok {
			return nil, errAt(field(ipath, "claim"), "is required")
		}
		if ch.claim, err = asNonEmptyString(field(ipath, "claim"), c); err != nil {
			return nil, err
		}
		h, ok := m["header"]
		if !ok {
			return nil, errAt(field(ipath, "header"), "is required")
		}
		if ch.header, err = parseHeaderName(field(ipath, "header"), h); err != nil {
			return nil, err
		}
		for j, have := range out {
			if have.header == ch.header {
				return nil, errAt(field(ipath, "header"), "%q is already set by %s", ch.header, index(path, j))
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

// trimJWTPrefix drops the package prefix of jwtcore errors, which the JSON
// path replaces.
func trimJWTPrefix(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "jwtcore: ")
	return strings.TrimPrefix(s, "jwt: ")
}
