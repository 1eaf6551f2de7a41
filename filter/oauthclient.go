package filter

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/filter/internal/shared"
)

// oauthClient is the filter as an OAuth 2.0 client of one authorization
// server endpoint, reached through an Envoy cluster: the introspection
// endpoint (RFC 7662) of an introspection provider, or the token endpoint
// (RFC 6749 §4.4) of an upstream_credentials entry. Both authenticate the
// same way (RFC 6749 §2.3.1) and POST a form. The secret is never logged:
// describe leaves it out.
type oauthClient struct {
	cluster      string      // Envoy cluster of the endpoint
	uri          string      // as configured (logs, fingerprints; it holds no secret)
	target       *httpTarget // :authority and :path of the call, from uri
	clientID     string
	clientSecret string // never logged
	auth         clientAuth
	timeout      time.Duration // timeout_ms of one call
}

// clientAuth is how the client authenticates at the endpoint (RFC 6749
// §2.3.1).
type clientAuth uint8

const (
	// clientAuthBasic: HTTP Basic with the form-urlencoded id and secret (the default).
	clientAuthBasic clientAuth = iota
	// clientAuthPost: client_id and client_secret in the form body.
	clientAuthPost
)

func (a clientAuth) String() string {
	switch a {
	case clientAuthBasic:
		return "client_secret_basic"
	case clientAuthPost:
		return "client_secret_post"
	}
	return "invalid"
}

// Bounds of an OAuth client's configuration.
const (
	maxOAuthTimeoutMs   = 60000
	maxClientFieldBytes = 1024 // client_id, client_secret
	oauthUserInfoHint   = " (use client_id and client_secret)"
	formContentType     = "application/x-www-form-urlencoded"
)

// parseOAuthClient reads the client members of the object m at path:
// "cluster", uriField ("uri" or "token_uri"), "client_id", "client_secret"
// (all required and non-empty), "auth_method" and "timeout_ms" (default
// defaultTimeoutMs). No error message holds the secret.
func parseOAuthClient(path string, m map[string]gjson.Result, uriField string, defaultTimeoutMs int64) (oauthClient, error) {
	c := oauthClient{auth: clientAuthBasic, timeout: time.Duration(defaultTimeoutMs) * time.Millisecond}
	for _, f := range []string{"cluster", uriField, "client_id", "client_secret"} {
		v, ok := m[f]
		if !ok {
			return c, errAt(field(path, f), "is required")
		}
		s, err := asNonEmptyString(field(path, f), v)
		if err != nil {
			return c, err
		}
		switch f {
		case "cluster":
			c.cluster = s
		case uriField:
			c.uri = s
			if c.target, err = parseHTTPTarget(s); err != nil {
				if errors.Is(err, errURIUserInfo) {
					return c, errAt(field(path, f), "%v%s", err, oauthUserInfoHint)
				}
				return c, errAt(field(path, f), "%v", err)
			}
		case "client_id":
			c.clientID = s
		case "client_secret":
			c.clientSecret = s
		}
	}
	if len(c.clientID) > maxClientFieldBytes {
		return c, errAt(field(path, "client_id"), "is longer than %d bytes", maxClientFieldBytes)
	}
	if len(c.clientSecret) > maxClientFieldBytes {
		// The message never echoes the secret.
		return c, errAt(field(path, "client_secret"), "is longer than %d bytes", maxClientFieldBytes)
	}
	if v, ok := m["auth_method"]; ok {
		s, err := asString(field(path, "auth_method"), v)
		if err != nil {
			return c, err
		}
		switch s {
		case "client_secret_basic":
			c.auth = clientAuthBasic
		case "client_secret_post":
			c.auth = clientAuthPost
		default:
			return c, errAt(field(path, "auth_method"), `must be "client_secret_basic" or "client_secret_post", not %q`, s)
		}
	}
	if err := optDuration(path, m, "timeout_ms", 1, maxOAuthTimeoutMs, time.Millisecond, &c.timeout); err != nil {
		return c, err
	}
	return c, nil
}

// form is an application/x-www-form-urlencoded body (RFC 6749 Appendix B).
type form []byte

// add appends name=value, both form-urlencoded.
func (f form) add(name, value string) form {
	if len(f) > 0 {
		f = append(f, '&')
	}
	f = append(f, url.QueryEscape(name)...)
	f = append(f, '=')
	return append(f, url.QueryEscape(value)...)
}

// post builds the POST of body to the endpoint, the client authenticated as
// RFC 6749 §2.3.1 says:
//
//   - client_secret_basic: "Authorization: Basic base64(id ":" secret)", where
//     id and secret are first form-urlencoded (§2.3.1, Appendix B);
//   - client_secret_post: client_id and client_secret appended to the body.
//
// The call holds the secret: it goes only to the configured cluster and is
// never logged.
func (c *oauthClient) post(body form) *shared.Call {
	headers := [][2]string{
		{":method", "POST"},
		{":path", c.target.path},
		{":authority", c.target.authority},
		{"content-type", formContentType},
		{"accept", "application/json"},
	}
	if c.auth == clientAuthPost {
		body = body.add("client_id", c.clientID).add("client_secret", c.clientSecret)
	} else {
		headers = append(headers, [2]string{"authorization", basicAuthorization(c.clientID, c.clientSecret)})
	}
	headers = append(headers, [2]string{"content-length", strconv.Itoa(len(body))})
	return &shared.Call{Cluster: c.cluster, Headers: headers, Body: body, Timeout: c.timeout}
}

// basicAuthorization is the Authorization value of client_secret_basic
// (RFC 6749 §2.3.1 with RFC 7617): id and secret form-urlencoded, joined by
// ':', then standard base64.
func basicAuthorization(id, secret string) string {
	pair := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
}

// describe names the client in a log line: client id, method, cluster and
// endpoint, never the secret.
func (c *oauthClient) describe() string {
	return "client_id " + strconv.Quote(c.clientID) + ", " + c.auth.String() +
		", cluster " + strconv.Quote(c.cluster) + ", " + c.uri
}
