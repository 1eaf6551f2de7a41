package jwtcore

import (
	"time"

	"github.com/tidwall/gjson"
)

// Claims is the verified payload of a token: immutable, safe to share between goroutines and to
// keep in a Cache. It is only ever produced by a successful verification.
type Claims struct {
	raw    []byte
	str    string // the same bytes as raw, viewed as a string for gjson (never modified)
	v      *Verifier
	key    *key
	exp    int64 // unix nanoseconds
	hasExp bool
}

// Raw returns the decoded payload JSON. Do not modify it.
func (c *Claims) Raw() []byte { return c.raw }

// Get queries the payload with a gjson path (https://github.com/tidwall/gjson/blob/master/SYNTAX.md).
// Paths come from configuration, never from a request.
func (c *Claims) Get(path string) gjson.Result { return gjson.Get(c.str, path) }

// VerifiedBy returns the Verifier that accepted the token.
func (c *Claims) VerifiedBy() *Verifier { return c.v }

// KeyID returns the kid of the key that verified the signature, or "" when that key has none.
func (c *Claims) KeyID() string { return c.key.kid }

// Issuer returns the iss claim ("" when absent). Its type was checked during verification.
func (c *Claims) Issuer() string { return c.Get("iss").Str }

// Subject returns the sub claim ("" when absent). Its type was checked during verification.
func (c *Claims) Subject() string { return c.Get("sub").Str }

// Expiry returns exp, or the zero Time when the token has none.
func (c *Claims) Expiry() time.Time {
	if !c.hasExp {
		return time.Time{}
	}
	return time.Unix(0, c.exp)
}

// withVerifier returns a copy owned by v (sharing the immutable payload), for cache adoption.
func (c *Claims) withVerifier(v *Verifier, k *key) *Claims {
	cp := *c
	cp.v, cp.key = v, k
	return &cp
}
