package filter

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/jwtcore"
)

// jwksFetcher fetches one provider's JWKS for shared.Slot: GET uri, or with
// discovery GET <issuer>/.well-known/openid-configuration first, check its
// issuer and take its jwks_uri. A response is published only if it builds a
// Verifier with the provider's policy, so no VM ever adopts a set it cannot
// use. It runs only in the VM holding the fetch lease.
type jwksFetcher struct {
	src   *remoteJWKS
	build func(jwks []byte) (*jwtcore.Verifier, error)

	jwks        *httpTarget // from uri, or from the last discovery
	inDiscovery bool        // the call in flight is the discovery document
}

// Bounds on what the IdP may send.
const (
	maxJWKSBodyBytes      = 512 << 10
	maxDiscoveryBodyBytes = 64 << 10
	// minJWKSMaxAge floors a provider's Cache-Control max-age, so max-age=0
	// or no-cache cannot turn ticks into a fetch loop.
	minJWKSMaxAge = 10 * time.Second
)

func newJWKSFetcher(src *remoteJWKS, build func([]byte) (*jwtcore.Verifier, error)) *jwksFetcher {
	return &jwksFetcher{src: src, build: build, jwks: src.jwks}
}

func (f *jwksFetcher) First() (*shared.Call, error) {
	if f.jwks == nil {
		f.inDiscovery = true
		return f.call(f.src.discovery), nil
	}
	f.inDiscovery = false
	return f.call(f.jwks), nil
}

func (f *jwksFetcher) call(t *httpTarget) *shared.Call {
	return &shared.Call{
		Cluster: f.src.cluster,
		Headers: [][2]string{
			{":method", "GET"}, {":path", t.path}, {":authority", t.authority}, {":scheme", t.scheme},
			{"accept", "application/json"},
		},
		Timeout: f.src.timeout,
	}
}

func (f *jwksFetcher) Next(r *shared.Response, now time.Time) (shared.Step, error) {
	if f.inDiscovery {
		t, err := f.discover(r)
		if err != nil {
			return shared.Step{}, err
		}
		f.jwks, f.inDiscovery = t, false
		return shared.Step{Next: f.call(t)}, nil
	}
	step, err := f.keys(r)
	if err != nil && f.src.discovery != nil {
		f.jwks = nil // rediscover on the next attempt: jwks_uri may have moved
	}
	return step, err
}

// keys judges a JWKS response.
func (f *jwksFetcher) keys(r *shared.Response) (shared.Step, error) {
	if err := checkResponse("jwks", r, maxJWKSBodyBytes); err != nil {
		return shared.Step{}, err
	}
	if _, err := f.build(r.Body); err != nil {
		return shared.Step{}, errors.New("jwks: " + trimJWTPrefix(err))
	}
	fresh := f.src.cacheFor
	if ma, ok := maxAge(r.Header("cache-control")); ok && ma < fresh {
		fresh = max(ma, minJWKSMaxAge)
	}
	return shared.Step{Value: r.Body, FreshFor: fresh, UsableFor: fresh + f.src.maxStale}, nil
}

// discover judges an OpenID Provider Configuration response (OpenID Connect
// Discovery 1.0 §4.3: its issuer must equal the configured one exactly) and
// returns where the JWKS is. The JWKS is fetched through the same cluster, so
// jwks_uri must name the issuer's scheme and authority.
func (f *jwksFetcher) discover(r *shared.Response) (*httpTarget, error) {
	if err := checkResponse("discovery", r, maxDiscoveryBodyBytes); err != nil {
		return nil, err
	}
	doc, why := jsonObject(r.Body)
	if why != "" {
		return nil, errors.New("discovery: body is " + why)
	}
	iss := doc.Get("issuer")
	if iss.Type != gjson.String {
		return nil, errors.New("discovery: no issuer string")
	}
	if iss.Str != f.src.issuer {
		return nil, errors.New("discovery: issuer " + quoteClip(iss.Str) + " is not the configured " + strconv.Quote(f.src.issuer))
	}
	ju := doc.Get("jwks_uri")
	if ju.Type != gjson.String || ju.Str == "" {
		return nil, errors.New("discovery: no jwks_uri string")
	}
	t, err := parseHTTPTarget(ju.Str)
	if err != nil {
		return nil, errors.New("discovery: jwks_uri " + err.Error())
	}
	d := f.src.discovery
	if t.scheme != d.scheme || !strings.EqualFold(t.authority, d.authority) {
		return nil, errors.New("discovery: jwks_uri " + quoteClip(ju.Str) + " is not served by the issuer's " +
			d.scheme + "://" + d.authority + " (remote_jwks.cluster " + strconv.Quote(f.src.cluster) + " serves that origin only)")
	}
	return t, nil
}

// checkResponse rejects a failed call: no response, a non-2xx status, an
// oversized or empty body.
func checkResponse(what string, r *shared.Response, maxBody int) error {
	switch {
	case r.Status == 0:
		return errors.New(what + ": no response (connection failed or reset)")
	case r.Status < 200 || r.Status > 299:
		return errors.New(what + ": status " + strconv.Itoa(r.Status))
	case r.TooLarge || len(r.Body) > maxBody:
		return errors.New(what + ": body larger than " + strconv.Itoa(maxBody) + " bytes")
	case len(r.Body) == 0:
		return errors.New(what + ": empty body")
	}
	return nil
}

// maxAge reads the max-age directive of a Cache-Control value (RFC 9111
// §5.2.2.1); no-store and no-cache count as max-age=0.
func maxAge(cc string) (time.Duration, bool) {
	found := false
	var d time.Duration
	for _, part := range strings.Split(cc, ",") {
		name, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "no-store", "no-cache":
			return 0, true
		case "max-age":
			if !hasVal {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				continue
			}
			if !found || time.Duration(n)*time.Second < d {
				d, found = time.Duration(n)*time.Second, true
			}
		}
	}
	return d, found
}

// quoteClip quotes an IdP-supplied string for a log line, cut to 100 bytes.
func quoteClip(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return strconv.Quote(s)
}
