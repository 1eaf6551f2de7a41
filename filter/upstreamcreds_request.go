package filter

import (
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// tokenRequest builds the access token request of RFC 6749 §4.4.2: a POST of
// an application/x-www-form-urlencoded body with grant_type=client_credentials,
// the scopes space-joined in "scope" (§3.3), then every endpoint_params value.
// The client authenticates as §2.3.1 says:
//
//   - client_secret_basic: "Authorization: Basic base64(id ":" secret)", where
//     id and secret are first form-urlencoded (§2.3.1, Appendix B);
//   - client_secret_post: client_id and client_secret in the body.
//
// The returned call holds the secret: it must never be logged.
func (c *upstreamCred) tokenRequest() *shared.Call {
	var body strings.Builder
	param := func(name, value string) {
		if body.Len() > 0 {
			body.WriteByte('&')
		}
		body.WriteString(url.QueryEscape(name))
		body.WriteByte('=')
		body.WriteString(url.QueryEscape(value))
	}
	param("grant_type", "client_credentials")
	if len(c.scopes) > 0 {
		param("scope", strings.Join(c.scopes, " "))
	}
	for _, p := range c.params {
		param(p[0], p[1])
	}
	headers := [][2]string{
		{":method", "POST"},
		{":path", c.path},
		{":authority", c.authority},
		{"content-type", "application/x-www-form-urlencoded"},
		{"accept", "application/json"},
	}
	switch c.auth {
	case credAuthPost:
		param("client_id", c.clientID)
		param("client_secret", c.clientSecret)
	default:
		headers = append(headers, [2]string{"authorization", basicCredentials(c.clientID, c.clientSecret)})
	}
	return &shared.Call{
		Cluster: c.cluster,
		Headers: headers,
		Body:    []byte(body.String()),
		Timeout: c.timeout,
	}
}

// basicCredentials is the Authorization value of client_secret_basic
// (RFC 6749 §2.3.1 with RFC 7617): both parts form-urlencoded, then
// "id:secret" in standard base64.
func basicCredentials(id, secret string) string {
	pair := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
}
