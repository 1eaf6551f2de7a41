package jwtcore

import (
	"encoding/binary"
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
	top    []byte // index of the top-level members (topMembers); nil: query with gjson only
}

// Raw returns the decoded payload JSON. Do not modify it.
func (c *Claims) Raw() []byte { return c.raw }

// Get queries the payload with a gjson path (https://github.com/tidwall/gjson/blob/master/SYNTAX.md).
// Paths come from configuration, never from a request.
//
// A path that is a plain member name ([A-Za-z0-9_-]+) is answered from the index of top-level
// members the verification's scan recorded (unique: duplicates are rejected), with the Result
// gjson.Get gives (FuzzVerify and TestClaims_Get compare them); inside wasm that avoids parsing
// the payload again (~0.8 µs for 200 bytes).
func (c *Claims) Get(path string) gjson.Result {
	if c.top == nil || !plainMemberName(path) {
		return gjson.Get(c.str, path)
	}
	for p := 0; p+topMemberSize <= len(c.top); p += topMemberSize {
		ns, ne := binary.LittleEndian.Uint32(c.top[p:]), binary.LittleEndian.Uint32(c.top[p+4:])
		if c.str[ns:ne] == path {
			vs, ve := binary.LittleEndian.Uint32(c.top[p+8:]), binary.LittleEndian.Uint32(c.top[p+12:])
			r := gjson.Parse(c.str[vs:ve])
			r.Index = int(vs)
			return r
		}
	}
	return gjson.Result{}
}

// plainMemberName reports whether a gjson path is a member name and nothing else.
func plainMemberName(path string) bool {
	if path == "" {
		return false
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// topMemberSize is the size of one entry of Claims.top: four little-endian uint32 offsets into
// the payload, name start and end (the name is written without escapes), value start and end.
const topMemberSize = 16

// topMemberCount is how many top-level members s recorded for the payload it scanned, or 0 when
// one of their names is written with escapes (gjson then answers every query).
func topMemberCount(s *jsonScan) int {
	n := 0
	for i := range s.keys {
		if k := &s.keys[i]; k.obj == s.root {
			if k.inBuf {
				return 0
			}
			n++
		}
	}
	return n
}

// appendTopMembers appends the index entries of the top-level members s recorded.
func appendTopMembers(dst []byte, s *jsonScan) []byte {
	for i := range s.keys {
		if k := &s.keys[i]; k.obj == s.root {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(k.start))
			dst = binary.LittleEndian.AppendUint32(dst, uint32(k.end))
			dst = binary.LittleEndian.AppendUint32(dst, uint32(k.vStart))
			dst = binary.LittleEndian.AppendUint32(dst, uint32(k.vEnd))
		}
	}
	return dst
}

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
