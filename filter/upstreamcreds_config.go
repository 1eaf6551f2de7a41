package filter

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// upstreamCred is one entry of "upstream_credentials" (issue 7): the OAuth 2.0
// client credentials (RFC 6749 §4.4) the gateway uses to obtain its own access
// token for the backends of the requests that "match" selects.
type upstreamCred struct {
	index int        // position in "upstream_credentials"
	match routeMatch // same matcher as "rules"; the first matching entry applies

	oauthClient // the token endpoint: cluster, token_uri, client_id, client_secret, auth_method, timeout_ms

	scopes       []string      // sent space-joined as "scope"; none: no "scope" parameter
	params       [][2]string   // endpoint_params, every value, in configuration order
	header       string        // lower case; set to "Bearer <token>" upstream
	refresh      time.Duration // refresh_before_seconds
	defaultLife  time.Duration // default_expires_in_seconds: life of a token without expires_in
	sharedKeyTag string        // shared-data key of this entry's token (no secret in it)

	state *upstreamState // per VM, set at plugin start (attachUpstream); nil: no token ever
}

// Defaults and bounds of "upstream_credentials" (documented in docs/configuration.md).
const (
	defaultUpstreamHeader      = "authorization"
	defaultRefreshBeforeSecs   = 60
	maxRefreshBeforeSecs       = 86400
	defaultTokenTimeoutMs      = 3000
	defaultTokenLifeSecs       = 300
	maxTokenLifeSecs           = 86400
	maxUpstreamCreds           = 64
	upstreamSharedKeyPrefix    = "tokengate.upstream_token."
	maxEndpointParamValueBytes = 4096
)

// upstreamHeaderForbidden are the headers an upstream token can never be put
// in: they frame or route the request. (Authorization, the default, and
// Proxy-Authorization are allowed: carrying credentials is the point.)
var upstreamHeaderForbidden = []string{
	"host", "content-length", "transfer-encoding", "connection", "keep-alive",
	"proxy-connection", "te", "trailer", "upgrade", "cookie", "expect",
}

// endpointParamsReserved are form parameters the filter sends itself; setting
// them in endpoint_params would send two conflicting values (and put a secret
// where it is not treated as one).
var endpointParamsReserved = map[string]string{
	"grant_type":    "the filter always sends grant_type=client_credentials",
	"scope":         `use "scopes"`,
	"client_id":     `use "client_id" (and "auth_method": "client_secret_post" to send it in the body)`,
	"client_secret": `use "client_secret" (and "auth_method": "client_secret_post" to send it in the body)`,
}

var upstreamCredFields = []string{
	"match", "cluster", "token_uri", "client_id", "client_secret", "auth_method", "scopes",
	"endpoint_params", "header", "refresh_before_seconds", "timeout_ms", "default_expires_in_seconds",
}

// parseUpstreamCreds reads "upstream_credentials": an array of entries, in
// order. It is pure, like parseConfig.
func parseUpstreamCreds(r gjson.Result) ([]*upstreamCred, error) {
	const path = "upstream_credentials"
	items, err := asArray(path, r)
	if err != nil {
		return nil, err
	}
	if len(items) > maxUpstreamCreds {
		return nil, errAt(path, "at most %d entries, not %d", maxUpstreamCreds, len(items))
	}
	out := make([]*upstreamCred, 0, len(items))
	for i, it := range items {
		c, err := parseUpstreamCred(index(path, i), i, it)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parseUpstreamCred(path string, i int, r gjson.Result) (*upstreamCred, error) {
	m, _, err := object(path, r, upstreamCredFields...)
	if err != nil {
		return nil, err
	}
	for _, req := range []string{"match", "cluster", "token_uri", "client_id", "client_secret"} {
		if !hasKey(m, req) {
			return nil, errAt(field(path, req), "is required")
		}
	}
	c := &upstreamCred{
		index:       i,
		header:      defaultUpstreamHeader,
		refresh:     defaultRefreshBeforeSecs * time.Second,
		defaultLife: defaultTokenLifeSecs * time.Second,
	}
	if c.match, err = parseMatch(field(path, "match"), m["match"]); err != nil {
		return nil, err
	}
	if c.oauthClient, err = parseOAuthClient(path, m, "token_uri", defaultTokenTimeoutMs); err != nil {
		return nil, err
	}
	if v, ok := m["scopes"]; ok {
		if c.scopes, err = parseScopeList(field(path, "scopes"), v); err != nil {
			return nil, err
		}
	}
	if v, ok := m["endpoint_params"]; ok {
		if c.params, err = parseEndpointParams(field(path, "endpoint_params"), v); err != nil {
			return nil, err
		}
	}
	if v, ok := m["header"]; ok {
		if c.header, err = parseUpstreamHeader(field(path, "header"), v); err != nil {
			return nil, err
		}
	}
	if err := optDuration(path, m, "refresh_before_seconds", 0, maxRefreshBeforeSecs, time.Second, &c.refresh); err != nil {
		return nil, err
	}
	if err := optDuration(path, m, "default_expires_in_seconds", 1, maxTokenLifeSecs, time.Second, &c.defaultLife); err != nil {
		return nil, err
	}
	c.sharedKeyTag = upstreamSharedKey(c)
	return c, nil
}

// parseScopeList reads "scopes": each a scope-token of RFC 6749 §3.3
// (printable ASCII without space, '"' or '\').
func parseScopeList(path string, r gjson.Result) ([]string, error) {
	list, err := asStringList(path, r)
	if err != nil {
		return nil, err
	}
	for j, s := range list {
		for k := 0; k < len(s); k++ {
			if c := s[k]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
				return nil, errAt(index(path, j), "%q is not a scope token (RFC 6749 §3.3)", s)
			}
		}
	}
	return list, nil
}

// parseEndpointParams reads "endpoint_params": an object whose values are
// lists of strings; every value is sent, in order.
func parseEndpointParams(path string, r gjson.Result) ([][2]string, error) {
	m, order, err := object(path, r)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, name := range order {
		p := field(path, name)
		if name == "" {
			return nil, errAt(path, "a parameter name must not be empty")
		}
		if why, ok := endpointParamsReserved[name]; ok {
			return nil, errAt(p, "is reserved: %s", why)
		}
		v := m[name]
		if !v.IsArray() {
			return nil, errAt(p, "must be an array of strings (every value is sent), not %s", kind(v))
		}
		items := v.Array()
		if len(items) == 0 {
			return nil, errAt(p, "must not be empty (leave the parameter out instead)")
		}
		for j, it := range items {
			s, err := asString(index(p, j), it)
			if err != nil {
				return nil, err
			}
			if len(s) > maxEndpointParamValueBytes {
				return nil, errAt(index(p, j), "longer than %d bytes", maxEndpointParamValueBytes)
			}
			out = append(out, [2]string{name, s})
		}
	}
	return out, nil
}

// parseUpstreamHeader reads "header": a field name that does not frame or
// route the request; lower case.
func parseUpstreamHeader(path string, r gjson.Result) (string, error) {
	return parseHeaderNameNotIn(path, r, upstreamHeaderForbidden, "cannot carry the upstream token")
}

// upstreamSharedKey names an entry's shared-data record. It is derived from
// everything that decides which token the endpoint issues and how it is
// fetched (cluster, URI, client, method, scopes, parameters, refresh,
// timeout, default life) so that a changed configuration never serves a
// token fetched for the old one, and two VMs with the same entry share one
// token (so do two entries that differ only in match or header). The secret is left out: it never reaches shared data, and
// a rotated secret still names the same client.
func upstreamSharedKey(c *upstreamCred) string {
	var b strings.Builder
	for _, s := range []string{c.cluster, c.uri, c.clientID, c.auth.String(), strings.Join(c.scopes, " "),
		c.refresh.String(), c.timeout.String(), c.defaultLife.String()} {
		b.WriteString(url.QueryEscape(s))
		b.WriteByte('&')
	}
	for _, p := range c.params {
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p[1]))
		b.WriteByte('&')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return upstreamSharedKeyPrefix + hex.EncodeToString(sum[:12])
}

// firstUpstreamCred returns the first entry whose match selects the request
// (method and normalized path), or nil.
func firstUpstreamCred(list []*upstreamCred, method, path string) *upstreamCred {
	for _, c := range list {
		if c.match.matches(method, path) {
			return c
		}
	}
	return nil
}
