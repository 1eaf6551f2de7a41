package filter

import (
	"strings"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// tokenRequest builds the access token request of RFC 6749 §4.4.2: a POST of
// an application/x-www-form-urlencoded body with grant_type=client_credentials,
// the scopes space-joined in "scope" (§3.3), then every endpoint_params value.
// The client authenticates as oauthClient.post says (§2.3.1). The returned
// call holds the secret: it must never be logged.
func (c *upstreamCred) tokenRequest() *shared.Call {
	body := form(nil).add("grant_type", "client_credentials")
	if len(c.scopes) > 0 {
		body = body.add("scope", strings.Join(c.scopes, " "))
	}
	for _, p := range c.params {
		body = body.add(p[0], p[1])
	}
	return c.post(body)
}
