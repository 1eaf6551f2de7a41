// Package jwtcore parses compact JWS/JWT tokens, verifies their signatures with prepared keys and
// validates their claims. It is the pure-Go core of tokengate and is usable on its own.
//
// # What it is
//
//   - Strict parsing: exactly three segments; unpadded, canonical base64url (RFC 4648 §5);
//     header and payload must be JSON objects (RFC 8259, UTF-8) nested at most MaxJSONDepth
//     levels, with no duplicate member names at any level (validated before any query);
//     every "crit" header is rejected (no JWS extension is implemented); jku, x5u, jwk and x5c
//     headers are ignored — keys named by a token are never fetched or trusted.
//   - Algorithms HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 (raw R||S of exact
//     length), EdDSA (Ed25519). "none" is not an Alg and can never verify. MACs compare in
//     constant time.
//   - Keys prepared once at load (ParsePEMKeys, ParseJWKS, NewHMACKeySet): validated (RSA >= 2048
//     bits, EC points on curve, HMAC secrets >= 32 bytes), indexed by kid, HMAC states pre-keyed.
//     A token verifies only if its alg is in the Policy allow-list AND fits the key's type AND
//     equals the JWK "alg" when there is one; this closes algorithm confusion by construction.
//   - Claims: iss, aud, exp, nbf, iat, lifetime and leeway in Verifier.Verify; scopes
//     (Claims.RequireScopes) and claim rules (ClaimRule.Check) as separate later steps.
//   - A bounded verified-token Cache.
//
// # What it is NOT
//
// No I/O (no key fetching, no JWKS refresh, no network, no files), no clock (time is always a
// parameter), no JWE (encrypted tokens are rejected as malformed), no token signing, no
// proxy-wasm knowledge. It depends only on the standard library and github.com/tidwall/gjson,
// and builds natively and for GOOS=wasip1.
//
// # Check order
//
// Verifier.Verify checks in this fixed order and reports the first failure; cheap checks come
// before any cryptography, so forged or stale tokens cost microseconds:
//
//  1. token_missing       empty token
//  2. token_too_large     len(token) > Policy.MaxTokenBytes (before any other work)
//     (a valid cache hit returns here)
//  3. token_malformed     structure: 3 segments, base64url of header, payload, signature (in that
//     order), non-empty signature, header JSON object, payload JSON object
//  4. token_malformed     header: alg present and a string, kid a string when present, no crit
//  5. alg_not_allowed     alg unknown, "none", or not in Policy.Algorithms
//  6. key_not_found       no key fits (kid, alg kind, JWK alg, HMAC length); a different kid is
//     never tried
//  7. issuer stage        claim_malformed (iss or sub not a string), issuer_not_allowed
//  8. time window         exp (claim_malformed when missing and required or not a number,
//     token_expired), nbf (token_not_yet_valid), iat (token_issued_in_future), lifetime
//     (token_lifetime_too_long); each claim's type is checked right before its value
//  9. audience stage      claim_malformed (aud not a string or array of strings),
//     audience_not_allowed
//  10. signature_invalid  at most 8 candidate keys are tried
//
// Then, by the caller: Claims.RequireScopes (insufficient_scope, claim_malformed) and
// ClaimRule.Check (claim_rule_failed, claim_malformed).
//
// # Time
//
// With leeway L: expired when now >= exp + L; not yet valid when now + L < nbf; issued in the
// future when now + L < iat. MaxLifetime bounds exp - iat (exp - now without iat). NumericDate
// is an integer or fractional JSON number of seconds; any other type is claim_malformed.
//
// # Errors
//
// Every failure is an *Error wrapping one *Reason from the closed vocabulary returned by
// Reasons(); use errors.Is(err, ErrTokenExpired) or ReasonOf(err).Code(). Details name the
// claim or header at fault, never token contents or secrets. Load errors (keys, policy) are
// plain errors naming the key, e.g. `key[2] (kid "abc"): rsa modulus is 1024 bits, need >= 2048`.
//
// # Usage
//
//	keys, err := jwtcore.ParseJWKS(jwksJSON)
//	v, err := jwtcore.NewVerifier(keys, jwtcore.Policy{
//		Algorithms: []jwtcore.Alg{jwtcore.RS256},
//		Issuers:    []string{"https://issuer.example/"},
//		Audiences:  []string{"api"},
//		Leeway:     jwtcore.DefaultLeeway,
//	})
//	claims, err := v.Verify(token, now)
//	if err == nil {
//		err = claims.RequireScopes([]string{"read"})
//	}
package jwtcore
