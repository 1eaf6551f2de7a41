package jwtcore

import "errors"

// Reason is one entry of jwtcore's closed vocabulary of failures. Reasons are compared by
// identity (errors.Is) and carry a stable snake_case code for metrics, logs and HTTP mapping.
type Reason struct {
	code    string
	message string
}

// Code returns the stable snake_case code, e.g. "token_expired".
func (r *Reason) Code() string { return r.code }

// Message returns a short human-readable text, e.g. "token is expired".
func (r *Reason) Message() string { return r.message }

// Error returns "jwt: " + the message.
func (r *Reason) Error() string { return "jwt: " + r.message }

// The vocabulary. The order of this block is the order in which Verifier.Verify checks
// (see doc.go); Reasons returns them in that order.
var (
	ErrTokenMissing         = &Reason{"token_missing", "token is missing"}
	ErrTokenTooLarge        = &Reason{"token_too_large", "token is too large"}
	ErrTokenMalformed       = &Reason{"token_malformed", "token is malformed"}
	ErrAlgNotAllowed        = &Reason{"alg_not_allowed", "token algorithm is not allowed"}
	ErrKeyNotFound          = &Reason{"key_not_found", "no matching key for token"}
	ErrClaimMalformed       = &Reason{"claim_malformed", "token claim is malformed"}
	ErrIssuerNotAllowed     = &Reason{"issuer_not_allowed", "token issuer is not allowed"}
	ErrTokenExpired         = &Reason{"token_expired", "token is expired"}
	ErrTokenNotYetValid     = &Reason{"token_not_yet_valid", "token is not valid yet"}
	ErrTokenIssuedInFuture  = &Reason{"token_issued_in_future", "token is issued in the future"}
	ErrTokenLifetimeTooLong = &Reason{"token_lifetime_too_long", "token lifetime is too long"}
	ErrAudienceNotAllowed   = &Reason{"audience_not_allowed", "token audience is not allowed"}
	ErrSignatureInvalid     = &Reason{"signature_invalid", "token signature is invalid"}
	ErrInsufficientScope    = &Reason{"insufficient_scope", "token has insufficient scope"}
	ErrClaimRuleFailed      = &Reason{"claim_rule_failed", "token claim rule failed"}
)

var allReasons = []*Reason{
	ErrTokenMissing, ErrTokenTooLarge, ErrTokenMalformed, ErrAlgNotAllowed, ErrKeyNotFound,
	ErrClaimMalformed, ErrIssuerNotAllowed, ErrTokenExpired, ErrTokenNotYetValid,
	ErrTokenIssuedInFuture, ErrTokenLifetimeTooLong, ErrAudienceNotAllowed, ErrSignatureInvalid,
	ErrInsufficientScope, ErrClaimRuleFailed,
}

// Reasons returns the whole vocabulary in check order (a fresh slice each call).
// claim_malformed sits before the claim checks because any claim stage may report it.
func Reasons() []*Reason {
	out := make([]*Reason, len(allReasons))
	copy(out, allReasons)
	return out
}

// Error is the only error type jwtcore returns for token failures. It wraps exactly one Reason;
// Detail names the claim or header at fault ("exp", "header alg", "scope read") and never
// contains token bytes, token-chosen strings or secrets. Errors returned by jwtcore may be
// shared package-level values: do not modify them.
type Error struct {
	Reason *Reason
	Detail string
}

// Error returns e.g. "jwt: token is expired [exp]".
func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Reason.Error()
	}
	return e.Reason.Error() + " [" + e.Detail + "]"
}

// Unwrap returns the Reason, so errors.Is(err, ErrTokenExpired) works.
func (e *Error) Unwrap() error { return e.Reason }

// ReasonOf returns the Reason behind err, or nil when err does not come from jwtcore.
func ReasonOf(err error) *Reason {
	var r *Reason
	if errors.As(err, &r) {
		return r
	}
	return nil
}

func newErr(r *Reason, detail string) *Error { return &Error{Reason: r, Detail: detail} }

// Pre-built errors for the hot path: failures cost no allocation.
var (
	errMissing         = newErr(ErrTokenMissing, "")
	errTooLarge        = newErr(ErrTokenTooLarge, "")
	errSegments        = newErr(ErrTokenMalformed, "need 3 dot-separated segments")
	errHeaderB64       = newErr(ErrTokenMalformed, "header base64url")
	errPayloadB64      = newErr(ErrTokenMalformed, "payload base64url")
	errSigB64          = newErr(ErrTokenMalformed, "signature base64url")
	errSigEmpty        = newErr(ErrTokenMalformed, "signature empty")
	errHeaderJSON      = newErr(ErrTokenMalformed, "header json")
	errPayloadJSON     = newErr(ErrTokenMalformed, "payload json")
	errHeaderAlgType   = newErr(ErrTokenMalformed, "header alg")
	errHeaderKidType   = newErr(ErrTokenMalformed, "header kid")
	errHeaderCrit      = newErr(ErrTokenMalformed, "header crit")
	errAlgNotAllowed   = newErr(ErrAlgNotAllowed, "header alg")
	errKeyNotFound     = newErr(ErrKeyNotFound, "header kid")
	errSigInvalid      = newErr(ErrSignatureInvalid, "")
	errIssMalformed    = newErr(ErrClaimMalformed, "iss")
	errIssNotAllowed   = newErr(ErrIssuerNotAllowed, "iss")
	errAudMalformed    = newErr(ErrClaimMalformed, "aud")
	errAudNotAllowed   = newErr(ErrAudienceNotAllowed, "aud")
	errExpMissing      = newErr(ErrClaimMalformed, "exp missing")
	errExpMalformed    = newErr(ErrClaimMalformed, "exp")
	errNbfMalformed    = newErr(ErrClaimMalformed, "nbf")
	errIatMalformed    = newErr(ErrClaimMalformed, "iat")
	errExpired         = newErr(ErrTokenExpired, "exp")
	errNotYetValid     = newErr(ErrTokenNotYetValid, "nbf")
	errIssuedInFuture  = newErr(ErrTokenIssuedInFuture, "iat")
	errLifetimeTooLong = newErr(ErrTokenLifetimeTooLong, "exp")
	errNoScope         = newErr(ErrInsufficientScope, "no scope claim")
)
