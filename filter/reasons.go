package filter

import "github.com/tokengate/tokengate/jwtcore"

// The filter's denial reasons are one closed vocabulary: jwtcore's reasons
// (jwtcore.Reasons(), codes such as "token_expired"), plus the reasons that
// only the filter can see, below. Codes are stable: they appear in the reply
// body, in the local-reply details (tokengate_denied{<code>}), in metric names
// (tokengate.denied.<code>) and in logs. Never rename one.

// reason is one entry of the vocabulary, with how a denial for it is answered.
type reason struct {
	code       string // stable snake_case code
	message    string // short human text, used as error_description
	status     uint32 // HTTP status of the local reply
	challenge  bool   // send WWW-Authenticate (the denial is about the bearer token)
	oauthError string // RFC 6750 error code in WWW-Authenticate; "" when the token is missing
	bodyErr    string // the body's "error" member
}

func (r *reason) bodyError() string { return r.bodyErr }

// Filter-level reasons.
var (
	// reasonPathInvalid: the request target is not origin-form, or its path
	// holds an encoded '/', '\' or '.', a bad escape, a forbidden character
	// or a dot segment with parameters (path.go).
	reasonPathInvalid = &reason{code: "path_invalid", message: "request path is not valid",
		status: 400, bodyErr: "invalid_request"}
	// reasonNoRuleMatched: no rule matches the request; the filter fails closed.
	reasonNoRuleMatched = &reason{code: "no_rule_matched", message: "no rule allows this request",
		status: 403, bodyErr: "access_denied"}
	// reasonInternalError: a host call failed, an input could not be read, or
	// a panic was recovered; the filter fails closed.
	reasonInternalError = &reason{code: "internal_error", message: "internal error",
		status: 500, bodyErr: "server_error"}
)

// reasonJWKSUnavailable: a provider with remote_jwks has no usable keys (none
// fetched yet and the fetch failed or timed out, or the last good set is older
// than max_stale_seconds). 503 with Retry-After; never an allow.
var reasonJWKSUnavailable = &reason{code: "jwks_unavailable", message: "the provider's signing keys are unavailable",
	status: 503, bodyErr: "temporarily_unavailable"}

// reasonUpstreamTokenUnavailable: an upstream_credentials entry matches an
// allowed request but no usable gateway token exists (none fetched yet, the
// fetch failed or timed out, or the last one expired while refreshes failed).
// 503 with Retry-After; the request is never forwarded without the token.
var reasonUpstreamTokenUnavailable = &reason{code: "upstream_token_unavailable",
	message: "the gateway's access token for the upstream is unavailable", status: 503, bodyErr: "temporarily_unavailable"}

// filterReasons lists the filter-level reasons, in the order they are checked.
var filterReasons = []*reason{reasonPathInvalid, reasonNoRuleMatched, reasonInternalError, reasonJWKSUnavailable,
	reasonTokenInactive, reasonIntrospectionUnavailable, reasonUpstreamTokenUnavailable}

// tokenReason maps a jwtcore reason (by its code and message) to how it is
// answered (RFC 6750 §3.1): a missing token is a 401 challenge without an
// error code; a failed scope or claim rule is 403 insufficient_scope; every
// other token failure (malformed, bad signature, wrong issuer or audience,
// expired, ...) is 401 invalid_token.
func tokenReason(code, message string) *reason {
	r := &reason{code: code, message: message, status: 401, challenge: true}
	switch code {
	case "token_missing":
		r.bodyErr = "unauthorized"
	case "insufficient_scope", "claim_rule_failed":
		r.status, r.oauthError, r.bodyErr = 403, "insufficient_scope", "insufficient_scope"
	default:
		r.oauthError, r.bodyErr = "invalid_token", "invalid_token"
	}
	return r
}

// jwtReasons maps every jwtcore reason to how the filter answers it.
var jwtReasons = func() map[*jwtcore.Reason]*reason {
	m := make(map[*jwtcore.Reason]*reason)
	for _, jr := range jwtcore.Reasons() {
		m[jr] = tokenReason(jr.Code(), jr.Message())
	}
	return m
}()

// reasonForJWT returns the filter reason for a jwtcore reason; nil for nil or
// a reason outside jwtcore's vocabulary.
func reasonForJWT(jr *jwtcore.Reason) *reason {
	if jr == nil {
		return nil
	}
	return jwtReasons[jr]
}

// allReasons is the whole vocabulary: jwtcore's reasons in their check order,
// then the filter's own. Metrics are defined for each, once, at start.
func allReasons() []*reason {
	out := make([]*reason, 0, len(jwtReasons)+len(filterReasons))
	for _, jr := range jwtcore.Reasons() {
		out = append(out, jwtReasons[jr])
	}
	return append(out, filterReasons...)
}
