package jwtcore

import (
	"errors"
	"time"
	"unsafe"
)

// Claims already verified by another party.
//
// An RFC 7662 introspection response is a claims document that the authorization server vouches
// for over an authenticated channel: there is no signature for jwtcore to check. A trusted-claims
// Verifier (NewTrustedClaimsVerifier) runs such a document through the same claim stages as
// Verify, in the same order — strict JSON (UTF-8, nesting bound, no duplicate member names at any
// level), issuer, time window (exp, nbf, iat with leeway; lifetime), audience — and returns the same
// *Claims view, so RequireScopes, ClaimRule.Check, Get and Expiry work unchanged.
//
// What it does NOT do: it checks no signature and knows nothing about where the document came
// from. The caller is responsible for having received it from the party it trusts (for
// introspection: the configured endpoint, after checking "active"). The document's own
// "active" member is not read here.

// MaxTrustedClaimsBytes bounds a document given to ClaimsFromTrustedJSON.
const MaxTrustedClaimsBytes = 64 << 10

// trustedKeys is the (empty) key set of every trusted-claims Verifier: it marks them. With no
// keys and an empty algorithm allow-list, their Verify fails (alg_not_allowed) on every JWS.
var trustedKeys = &KeySet{}

// trustedKey is the key recorded in trusted claims (no kid).
var trustedKey = &key{index: -1}

// Failures of ClaimsFromTrustedJSON's structure stage.
var (
	errTrustedTooLarge = newErr(ErrTokenTooLarge, "claims document")
	errTrustedJSON     = newErr(ErrTokenMalformed, "claims json")
	errTrustedObj      = newErr(ErrTokenMalformed, "claims not a JSON object")
	errTrustedDeep     = newErr(ErrTokenMalformed, "claims nesting too deep")
	errTrustedDup      = newErr(ErrTokenMalformed, "claims duplicate member")
	errNotTrusted      = newErr(ErrKeyNotFound, "not a trusted-claims verifier")
)

// NewTrustedClaimsVerifier returns a Verifier for claims already verified by another party. It
// holds no keys and allows no algorithm: its Verify always fails (alg_not_allowed, or an earlier
// structure failure), and ClaimsFromTrustedJSON is its only
// way to accept. Policy.Algorithms must be empty and Policy.Cache nil (trusted claims are never
// put in a verified-token cache: the caller owns their caching). Issuers, Audiences,
// AudienceMatchAll, AllowMissingExp, Leeway, MaxLifetime, ScopeClaim and Name mean what they mean
// for Verify; MaxTokenBytes is unused.
func NewTrustedClaimsVerifier(p Policy) (*Verifier, error) {
	switch {
	case len(p.Algorithms) > 0:
		return nil, errors.New("jwtcore: trusted-claims verifier: algorithms given (no signature is checked)")
	case p.Cache != nil:
		return nil, errors.New("jwtcore: trusted-claims verifier: a verified-token cache cannot hold trusted claims")
	case p.Leeway < 0 || p.MaxLifetime < 0 || p.MaxTokenBytes < 0:
		return nil, errors.New("jwtcore: trusted-claims verifier: negative leeway, max lifetime or max token size")
	}
	v := &Verifier{keys: trustedKeys, p: p}
	v.p.Issuers = append([]string(nil), p.Issuers...)
	v.p.Audiences = nil
	for _, a := range p.Audiences {
		if !containsString(v.p.Audiences, a) {
			v.p.Audiences = append(v.p.Audiences, a)
		}
	}
	if len(v.p.Audiences) > maxAudiences {
		return nil, errors.New("jwtcore: trusted-claims verifier: more than 64 audiences")
	}
	v.maxBytes = MaxTrustedClaimsBytes
	v.leewayNs = int64(p.Leeway)
	v.lifeNs = int64(p.MaxLifetime)
	v.scopePath = p.ScopeClaim
	v.policyFP = v.p.fingerprint(v.maxBytes)
	return v, nil
}

// Trusted reports whether v was made by NewTrustedClaimsVerifier.
func (v *Verifier) Trusted() bool { return v.keys == trustedKeys }

// ClaimsFromTrustedJSON checks a claims document that another party verified (see
// NewTrustedClaimsVerifier) at time now and returns its claims view. The stages and their order
// are Verify's without the signature: size (token_too_large), strict JSON (token_malformed),
// issuer (claim_malformed, issuer_not_allowed), time (claim_malformed, token_expired,
// token_not_yet_valid, token_issued_in_future, token_lifetime_too_long), audience
// (claim_malformed, audience_not_allowed). The claims keep a copy of doc. On a Verifier made by
// NewVerifier it fails with key_not_found: keyed verifiers accept only signatures.
func (v *Verifier) ClaimsFromTrustedJSON(doc []byte, now time.Time) (*Claims, error) {
	if !v.Trusted() {
		return nil, errNotTrusted
	}
	if len(doc) > MaxTrustedClaimsBytes {
		return nil, errTrustedTooLarge
	}
	sc := getScratch()
	defer putScratch(sc)
	sc.pay = append(sc.pay[:0], doc...)
	if e := scanErr(sc.pjs.scan(sc.pay), errTrustedJSON, errTrustedObj, errTrustedDeep, errTrustedDup); e != nil {
		return nil, e
	}
	if e := v.checkIssuer(&sc.pjs); e != nil {
		return nil, e
	}
	exp, hasExp, e := v.checkTime(&sc.pjs, now.UnixNano())
	if e != nil {
		return nil, e
	}
	if e := v.checkAudience(&sc.pjs); e != nil {
		return nil, e
	}
	raw := make([]byte, len(sc.pay))
	copy(raw, sc.pay)
	return &Claims{raw: raw, str: unsafe.String(unsafe.SliceData(raw), len(raw)), v: v, key: trustedKey, exp: exp, hasExp: hasExp}, nil
}
