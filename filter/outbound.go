package filter

import (
	"net/url"
	"strings"

	"github.com/tidwall/gjson"
)

// What every outgoing proxy_http_call of the filter shares (remote_jwks,
// introspection, upstream_credentials): where it goes, and how a JSON answer
// is read. Nothing here calls the host.

// httpTarget is an absolute http(s) URI split for proxy_http_call.
type httpTarget struct {
	scheme    string // "http" or "https"
	authority string // :authority (host[:port])
	path      string // :path (path and query; "/" at least)
}

func (t *httpTarget) String() string { return t.scheme + "://" + t.authority + t.path }

// uriError is why parseHTTPTarget refused a URI. It never quotes the URI
// (its user info may be a secret): the caller names the field.
type uriError string

func (e uriError) Error() string { return string(e) }

const (
	errURIScheme   uriError = "must start with http:// or https://"
	errURIBytes    uriError = "holds a space, control or non-ASCII byte"
	errURIInvalid  uriError = "is not a valid URI"
	errURINoHost   uriError = "has no host"
	errURIUserInfo uriError = "must not hold user info"
	errURIFragment uriError = "must not hold a fragment"
)

// parseHTTPTarget checks an absolute URI for proxy_http_call and splits it:
// "http://" or "https://" (lower case), printable ASCII only, a host, no user
// info, no fragment. The :path keeps the query; "/" when the URI has no path.
func parseHTTPTarget(s string) (*httpTarget, error) {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return nil, errURIScheme
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return nil, errURIBytes
		}
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, errURIInvalid
	case u.Host == "":
		return nil, errURINoHost
	case u.User != nil:
		return nil, errURIUserInfo
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, errURIFragment
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return &httpTarget{scheme: u.Scheme, authority: u.Host, path: p}, nil
}

// jsonObject reads a response body that must be one JSON object. why is ""
// on success, else what the body is not ("not JSON", "not a JSON object").
func jsonObject(body []byte) (doc gjson.Result, why string) {
	if !gjson.ValidBytes(body) {
		return gjson.Result{}, "not JSON"
	}
	doc = gjson.ParseBytes(body)
	if !doc.IsObject() {
		return gjson.Result{}, "not a JSON object"
	}
	return doc, ""
}
