package jwtcore

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"time"
)

// DefaultLeeway is the customary clock-skew allowance. Policy.Leeway is not defaulted: callers
// pass DefaultLeeway explicitly (a zero Leeway means no skew allowance).
const DefaultLeeway = 60 * time.Second

// DefaultMaxTokenBytes bounds the token size when Policy.MaxTokenBytes is 0.
const DefaultMaxTokenBytes = 8192

// maxAudiences bounds Policy.Audiences.
const maxAudiences = 64

// maxAttempts bounds the keys tried for one token (signature verifications per token).
const maxAttempts = 8

// Policy is what a Verifier enforces. NewVerifier copies it; later changes have no effect.
type Policy struct {
	Algorithms       []Alg         // required allow-list; empty -> NewVerifier error
	Issuers          []string      // exact match against any; empty -> iss not checked (type still checked)
	Audiences        []string      // empty -> aud not checked (type still checked)
	AudienceMatchAll bool          // false: the token's aud must contain at least one of Audiences; true: all of them
	AllowMissingExp  bool          // zero value = exp required
	Leeway           time.Duration // applied to exp, nbf, iat
	MaxLifetime      time.Duration // 0 = no limit; exp-iat (or exp-now without iat) > MaxLifetime -> token_lifetime_too_long
	MaxTokenBytes    int           // 0 -> DefaultMaxTokenBytes
	ScopeClaim       string        // gjson path; "" -> "scope" (space-delimited) else "scp" (string or array)
	Cache            *Cache        // optional verified-token cache (may be shared by several verifiers)
	Name             string        // label (provider name) carried by Claims.VerifiedBy
}

// Verifier holds prepared keys and a policy. It is immutable and safe for concurrent use.
type Verifier struct {
	keys      *KeySet
	p         Policy
	allowed   [algEnd]bool
	maxBytes  int
	leewayNs  int64
	lifeNs    int64
	policyFP  [32]byte
	scopePath string
	headers   *headerMemo // header stage outcomes of verified tokens (hdrmemo.go)
}

// NewVerifier prepares a Verifier. It fails when keys is empty, the allow-list is empty or holds
// an invalid Alg, an allowed algorithm fits none of the keys (a configuration mistake such as
// HS256 with RSA keys), or a duration/size is negative. When p.Cache is set, the new Verifier
// becomes the cache's current verifier for p.Name (see Cache).
func NewVerifier(keys *KeySet, p Policy) (*Verifier, error) {
	if keys.Len() == 0 {
		return nil, errors.New("jwtcore: verifier: no keys")
	}
	if len(p.Algorithms) == 0 {
		return nil, errors.New("jwtcore: verifier: empty algorithm allow-list")
	}
	if p.Leeway < 0 || p.MaxLifetime < 0 || p.MaxTokenBytes < 0 {
		return nil, errors.New("jwtcore: verifier: negative leeway, max lifetime or max token size")
	}
	v := &Verifier{keys: keys, p: p, headers: &headerMemo{}}
	v.p.Algorithms = append([]Alg(nil), p.Algorithms...)
	v.p.Issuers = append([]string(nil), p.Issuers...)
	v.p.Audiences = nil
	for _, a := range p.Audiences { // deduplicated, so "all of" counts distinct audiences
		if !containsString(v.p.Audiences, a) {
			v.p.Audiences = append(v.p.Audiences, a)
		}
	}
	if len(v.p.Audiences) > maxAudiences {
		return nil, errors.New("jwtcore: verifier: more than 64 audiences")
	}
	for _, a := range p.Algorithms {
		if !a.valid() {
			return nil, errors.New("jwtcore: verifier: invalid algorithm " + a.String())
		}
		fits := false
		for _, k := range keys.keys {
			fits = fits || k.fits(a)
		}
		if !fits {
			return nil, errors.New("jwtcore: verifier: algorithm " + a.String() + " fits none of the keys")
		}
		v.allowed[a] = true
	}
	v.maxBytes = p.MaxTokenBytes
	if v.maxBytes == 0 {
		v.maxBytes = DefaultMaxTokenBytes
	}
	v.leewayNs = int64(p.Leeway)
	v.lifeNs = int64(p.MaxLifetime)
	v.scopePath = p.ScopeClaim
	v.policyFP = v.p.fingerprint(v.maxBytes)
	if p.Cache != nil {
		p.Cache.register(v)
	}
	return v, nil
}

// Name returns Policy.Name.
func (v *Verifier) Name() string { return v.p.Name }

// Keys returns the verifier's KeySet.
func (v *Verifier) Keys() *KeySet { return v.keys }

// fingerprint identifies everything in the policy that affects an accept decision, so the cache
// can tell whether a decision made by one Verifier holds for another.
func (p *Policy) fingerprint(maxBytes int) [32]byte {
	h := sha256.New()
	var b [8]byte
	num := func(n int64) {
		binary.BigEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	str := func(s string) {
		num(int64(len(s)))
		h.Write([]byte(s))
	}
	var algs [algEnd]bool
	for _, a := range p.Algorithms {
		algs[a] = true
	}
	for _, on := range algs {
		if on {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	num(int64(len(p.Issuers)))
	for _, s := range p.Issuers {
		str(s)
	}
	num(int64(len(p.Audiences)))
	for _, s := range p.Audiences {
		str(s)
	}
	flags := int64(0)
	if p.AudienceMatchAll {
		flags |= 1
	}
	if p.AllowMissingExp {
		flags |= 2
	}
	num(flags)
	num(int64(p.Leeway))
	num(int64(p.MaxLifetime))
	num(int64(maxBytes))
	str(p.ScopeClaim)
	str(p.Name)
	var fp [32]byte
	h.Sum(fp[:0])
	return fp
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
