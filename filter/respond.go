package filter

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Denials are answered as RFC 6750 §3 says for bearer tokens:
//
//	401 no token:        WWW-Authenticate: Bearer realm="api"
//	401 invalid token:   WWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="..."
//	403 scope or claim:  WWW-Authenticate: Bearer realm="api", error="insufficient_scope", error_description="...", scope="read"
//
// Denials that are not about the token (400 path_invalid, 403 no_rule_matched,
// 500 internal_error) carry no WWW-Authenticate. Every denial has the JSON
// body {"error": ..., "error_description": ..., "reason": "<stable code>"}
// and the local-reply details "tokengate_denied{<code>}" for access logs.

// maxDescription bounds error_description (the header and the body).
const maxDescription = 200

// detailsPrefix starts the response-code details of every local reply.
const detailsPrefix = "tokengate_denied"

// reply is the local response that carries a denial.
type reply struct {
	status  uint32
	headers [][2]string
	body    []byte
	details string
}

// buildReply renders the denial of reason r. description is the human text
// (already free of token bytes and secrets); scope lists the scopes the rule
// needs (used for insufficient_scope only).
func buildReply(r *reason, description, realm string, scope []string) reply {
	description = headerSafe(description, maxDescription)
	headers := make([][2]string, 0, 2)
	if r.challenge {
		headers = append(headers, [2]string{"www-authenticate", wwwAuthenticate(realm, r.oauthError, description, scope)})
	}
	headers = append(headers, [2]string{"content-type", "application/json"})
	return reply{
		status:  r.status,
		headers: headers,
		body:    replyBody(r.bodyError(), description, r.code),
		details: detailsPrefix + "{" + r.code + "}",
	}
}

// wwwAuthenticate builds a Bearer challenge (RFC 6750 §3). Empty realm,
// oauthError and scope are left out; error_description is sent only with an
// error code. Every value must already be a valid quoted-string body.
func wwwAuthenticate(realm, oauthError, description string, scope []string) string {
	var b strings.Builder
	b.WriteString("Bearer")
	sep := " "
	param := func(name, value string) {
		b.WriteString(sep)
		b.WriteString(name)
		b.WriteString(`="`)
		b.WriteString(value)
		b.WriteByte('"')
		sep = ", "
	}
	if realm != "" {
		param("realm", realm)
	}
	if oauthError != "" {
		param("error", oauthError)
		if description != "" {
			param("error_description", description)
		}
		if oauthError == "insufficient_scope" && len(scope) > 0 {
			param("scope", strings.Join(scope, " "))
		}
	}
	return b.String()
}

// replyBody renders the JSON body of a denial.
func replyBody(oauthError, description, code string) []byte {
	b := make([]byte, 0, 64+len(description))
	b = append(b, `{"error":`...)
	b = gjson.AppendJSONString(b, oauthError)
	b = append(b, `,"error_description":`...)
	b = gjson.AppendJSONString(b, description)
	b = append(b, `,"reason":`...)
	b = gjson.AppendJSONString(b, code)
	return append(b, '}')
}

// headerSafe keeps s within RFC 6750's error_description alphabet
// (%x20-21 / %x23-5B / %x5D-7E: printable ASCII without '"' and '\'), so it
// can be quoted in a header: other bytes become '?'. It cuts s to max bytes.
func headerSafe(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	ok := true
	for i := 0; i < len(s); i++ {
		if !descriptionChar(s[i]) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if !descriptionChar(c) {
			b[i] = '?'
		}
	}
	return string(b)
}

func descriptionChar(c byte) bool {
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'
}
