package filter

import "testing"

func Test_buildReply(t *testing.T) {
	tests := []struct {
		name        string
		r           *reason
		description string
		realm       string
		scope       []string
		want        reply
	}{
		{
			name: "missing token", r: tokenReason("token_missing", "token is missing"),
			description: "token is missing", realm: "api",
			want: reply{status: 401, details: "tokengate_denied{token_missing}",
				headers: [][2]string{{"www-authenticate", `Bearer realm="api"`}, {"content-type", "application/json"}},
				body:    []byte(`{"error":"unauthorized","error_description":"token is missing","reason":"token_missing"}`)},
		},
		{
			name: "invalid token", r: tokenReason("token_expired", "token is expired"),
			description: "token is expired [exp]", realm: "api",
			want: reply{status: 401, details: "tokengate_denied{token_expired}",
				headers: [][2]string{
					{"www-authenticate", `Bearer realm="api", error="invalid_token", error_description="token is expired [exp]"`},
					{"content-type", "application/json"}},
				body: []byte(`{"error":"invalid_token","error_description":"token is expired [exp]","reason":"token_expired"}`)},
		},
		{
			name: "insufficient scope without realm", r: tokenReason("insufficient_scope", "insufficient scope"),
			description: "insufficient scope [scope write]", scope: []string{"write", "admin"},
			want: reply{status: 403, details: "tokengate_denied{insufficient_scope}",
				headers: [][2]string{
					{"www-authenticate", `Bearer error="insufficient_scope", error_description="insufficient scope [scope write]", scope="write admin"`},
					{"content-type", "application/json"}},
				body: []byte(`{"error":"insufficient_scope","error_description":"insufficient scope [scope write]","reason":"insufficient_scope"}`)},
		},
		{
			name: "claim rule failed without scopes", r: tokenReason("claim_rule_failed", "claim rule failed"),
			description: "claim rule failed [roles]", realm: "api",
			want: reply{status: 403, details: "tokengate_denied{claim_rule_failed}",
				headers: [][2]string{
					{"www-authenticate", `Bearer realm="api", error="insufficient_scope", error_description="claim rule failed [roles]"`},
					{"content-type", "application/json"}},
				body: []byte(`{"error":"insufficient_scope","error_description":"claim rule failed [roles]","reason":"claim_rule_failed"}`)},
		},
		{
			name: "path invalid has no challenge", r: reasonPathInvalid, description: "request path is not valid", realm: "api",
			want: reply{status: 400, details: "tokengate_denied{path_invalid}",
				headers: [][2]string{{"content-type", "application/json"}},
				body:    []byte(`{"error":"invalid_request","error_description":"request path is not valid","reason":"path_invalid"}`)},
		},
		{
			name: "no rule", r: reasonNoRuleMatched, description: "no rule allows this request",
			want: reply{status: 403, details: "tokengate_denied{no_rule_matched}",
				headers: [][2]string{{"content-type", "application/json"}},
				body:    []byte(`{"error":"access_denied","error_description":"no rule allows this request","reason":"no_rule_matched"}`)},
		},
		{
			name: "internal", r: reasonInternalError, description: "internal error",
			want: reply{status: 500, details: "tokengate_denied{internal_error}",
				headers: [][2]string{{"content-type", "application/json"}},
				body:    []byte(`{"error":"server_error","error_description":"internal error","reason":"internal_error"}`)},
		},
		{
			name: "description sanitized", r: tokenReason("token_malformed", "token is malformed"),
			description: "bad \"x\"\\\r\n\x00é",
			want: reply{status: 401, details: "tokengate_denied{token_malformed}",
				headers: [][2]string{
					{"www-authenticate", `Bearer error="invalid_token", error_description="bad ?x???????"`},
					{"content-type", "application/json"}},
				body: []byte(`{"error":"invalid_token","error_description":"bad ?x???????","reason":"token_malformed"}`)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			have := buildReply(tc.r, tc.description, tc.realm, tc.scope)
			equal(t, "status", have.status, tc.want.status)
			equal(t, "details", have.details, tc.want.details)
			equal(t, "headers", have.headers, tc.want.headers)
			equal(t, "body", string(have.body), string(tc.want.body))
		})
	}
}

func Test_headerSafe_cuts(t *testing.T) {
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	equal(t, "len", len(headerSafe(string(long), maxDescription)), maxDescription)
}
