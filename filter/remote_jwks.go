package filter

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/jwtcore"
)

// remoteJWKS is a provider's "remote_jwks" key source (issue 5), as
// configured: where and how often to fetch the provider's JWKS. It is
// immutable; the keys themselves live in remoteKeys, per VM.
type remoteJWKS struct {
	cluster   string
	jwks      *httpTarget // "uri"; nil with discovery until discovery names it
	discovery *httpTarget // <issuer>/.well-known/openid-configuration; nil without discovery
	issuer    string      // the provider's issuer (discovery must name it exactly)

	timeout         time.Duration
	cacheFor        time.Duration
	refetchOnKid    bool
	refetchCooldown time.Duration
	maxStale        time.Duration

	key string // shared-data key of the published key set
}

// Defaults and bounds of remote_jwks (documented in README.md).
const (
	defaultJWKSTimeout  = 3000 * time.Millisecond
	defaultJWKSCache    = 600 * time.Second
	defaultJWKSCooldown = 30 * time.Second
	defaultJWKSMaxStale = 86400 * time.Second
	maxJWKSTimeoutMs    = 60000
	minJWKSCacheSeconds = 10
	maxJWKSCacheSeconds = 7 * 86400
	maxJWKSStaleSeconds = 30 * 86400
	maxJWKSCooldown     = 86400
	jwksKeyPrefix       = "tokengate/jwks/"
	discoveryPath       = "/.well-known/openid-configuration"
)

var remoteJWKSFields = []string{
	"cluster", "uri", "discovery", "timeout_ms", "cache_seconds",
	"refetch_on_unknown_kid", "refetch_cooldown_seconds", "max_stale_seconds",
}

// parseRemoteJWKS reads a provider's "remote_jwks" at path; issuer is the
// provider's issuer and name its name (both part of the shared-data key).
func parseRemoteJWKS(path, name, issuer string, r gjson.Result) (*remoteJWKS, error) {
	m, _, err := object(path, r, remoteJWKSFields...)
	if err != nil {
		return nil, err
	}
	rj := &remoteJWKS{issuer: issuer, timeout: defaultJWKSTimeout, cacheFor: defaultJWKSCache,
		refetchOnKid: true, refetchCooldown: defaultJWKSCooldown, maxStale: defaultJWKSMaxStale}

	c, ok := m["cluster"]
	if !ok {
		return nil, errAt(field(path, "cluster"), "is required")
	}
	if rj.cluster, err = asNonEmptyString(field(path, "cluster"), c); err != nil {
		return nil, err
	}
	discovery := false
	if v, ok := m["discovery"]; ok {
		if discovery, err = asBool(field(path, "discovery"), v); err != nil {
			return nil, err
		}
	}
	u, haveURI := m["uri"]
	switch {
	case haveURI && discovery:
		return nil, errAt(field(path, "uri"), "uri and discovery: true are exclusive (discovery takes jwks_uri from the issuer)")
	case haveURI:
		s, err := asNonEmptyString(field(path, "uri"), u)
		if err != nil {
			return nil, err
		}
		if rj.jwks, err = parseHTTPTarget(s); err != nil {
			return nil, errAt(field(path, "uri"), "%v", err)
		}
	case discovery:
		base, err := parseHTTPTarget(issuer)
		if err != nil {
			return nil, errAt(field(path, "discovery"), "discovery needs an http(s) issuer URL: the issuer %v", err)
		}
		if strings.Contains(base.path, "?") {
			return nil, errAt(field(path, "discovery"), "discovery needs an issuer URL without a query")
		}
		// OpenID Connect Discovery 1.0 §4: issuer without a trailing '/', then the well-known path.
		base.path = strings.TrimSuffix(base.path, "/") + discoveryPath
		rj.discovery = base
	default:
		return nil, errAt(path, "needs uri, or discovery: true")
	}
	for _, d := range []struct {
		f        string
		min, max int64
		unit     time.Duration
		dst      *time.Duration
	}{
		{"timeout_ms", 1, maxJWKSTimeoutMs, time.Millisecond, &rj.timeout},
		{"cache_seconds", minJWKSCacheSeconds, maxJWKSCacheSeconds, time.Second, &rj.cacheFor},
		{"refetch_cooldown_seconds", 0, maxJWKSCooldown, time.Second, &rj.refetchCooldown},
		{"max_stale_seconds", 0, maxJWKSStaleSeconds, time.Second, &rj.maxStale},
	} {
		if err := optDuration(path, m, d.f, d.min, d.max, d.unit, d.dst); err != nil {
			return nil, err
		}
	}
	if v, ok := m["refetch_on_unknown_kid"]; ok {
		if rj.refetchOnKid, err = asBool(field(path, "refetch_on_unknown_kid"), v); err != nil {
			return nil, err
		}
	}
	rj.key = jwksKey(name, rj)
	return rj, nil
}

// jwksKey names the shared-data record of a provider's key set: its name
// (readable in a dump) and a hash of where the keys come from, so two
// configurations that reuse a provider name for another IdP never share keys.
func jwksKey(name string, rj *remoteJWKS) string {
	h := sha256.New()
	h.Write([]byte(rj.cluster))
	h.Write([]byte{0})
	if rj.jwks != nil {
		h.Write([]byte("uri\x00" + rj.jwks.String()))
	} else {
		h.Write([]byte("discovery\x00" + rj.issuer))
	}
	return jwksKeyPrefix + name + "/" + hex.EncodeToString(h.Sum(nil)[:8])
}

// parseRemoteAlgorithms reads "algorithms" of a remote_jwks provider: known
// asymmetric JOSE names. Absent: nil, meaning every asymmetric algorithm the
// fetched keys can verify.
func parseRemoteAlgorithms(path string, r gjson.Result) ([]jwtcore.Alg, error) {
	if !r.Exists() {
		return nil, nil
	}
	return parseAlgList(path, r, func(a jwtcore.Alg) string {
		if !containsAlg(asymmetricAlgs, a) {
			return a.String() + " needs a shared secret, which a remote JWKS must not publish"
		}
		return ""
	})
}
