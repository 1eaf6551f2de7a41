package jwtcore

import (
	"strings"
	"time"
	"unsafe"
)

// Verify runs the full fixed-order pipeline (see doc.go) on a compact JWS and returns the
// verified claims view, or an *Error wrapping exactly one Reason. now is the only clock.
// When Policy.Cache is set, a cached success for this exact token string is returned if it is
// still valid at now and was verified by v, or by a verifier with the same policy using a key
// v still holds.
func (v *Verifier) Verify(token string, now time.Time) (*Claims, error) {
	return v.verifyWith(token, now, nil)
}

// verifyWith is Verify; peeked, when not nil, holds token's payload already decoded and scanned
// (by Peek): it is used as the scratch, and the caller releases it.
func (v *Verifier) verifyWith(token string, now time.Time, peeked *scratch) (*Claims, error) {
	if token == "" {
		return nil, errMissing
	}
	if len(token) > v.maxBytes {
		return nil, errTooLarge
	}
	nowNs := now.UnixNano()
	if v.p.Cache != nil {
		if c, ok := v.p.Cache.lookup(token, nowNs, v); ok {
			return c, nil
		}
	}
	sc := peeked
	if sc == nil {
		sc = getScratch()
	}
	c, e := v.verify(sc, token, nowNs, peeked != nil)
	if peeked == nil {
		putScratch(sc)
	}
	if e != nil {
		return nil, e
	}
	if v.p.Cache != nil {
		v.p.Cache.insert(token, c, nowNs)
	}
	return c, nil
}

func (v *Verifier) verify(sc *scratch, token string, now int64, peeked bool) (*Claims, *Error) {
	mode := payloadJSON
	if peeked {
		mode = payloadScanned
	}
	j, e := parseJWS(sc, token, &v.allowed, mode, v.headers)
	if e != nil {
		return nil, e
	}
	cands := v.keys.candidates(j.alg, j.kid, j.hasKid, &sc.keyBuf)
	if len(cands) == 0 {
		return nil, errKeyNotFound
	}
	if e := v.checkIssuer(&sc.pjs); e != nil {
		return nil, e
	}
	exp, hasExp, e := v.checkTime(&sc.pjs, now)
	if e != nil {
		return nil, e
	}
	if e := v.checkAudience(&sc.pjs); e != nil {
		return nil, e
	}
	var signer *key
	for _, k := range cands {
		if k.verifySig(sc, j.alg, j.msg, sc.sig) {
			signer = k
			break
		}
	}
	if signer == nil {
		return nil, errSigInvalid
	}
	v.headers.remember(token[:strings.IndexByte(token, '.')], &j)
	return newClaims(sc.pay, v, signer, exp, hasExp), nil
}

func newClaims(payload []byte, v *Verifier, k *key, exp int64, hasExp bool) *Claims {
	raw := make([]byte, len(payload))
	copy(raw, payload)
	return &Claims{raw: raw, str: unsafe.String(unsafe.SliceData(raw), len(raw)), v: v, key: k, exp: exp, hasExp: hasExp}
}

// VerifyJWS checks only the signature of a compact JWS whose payload may be any bytes (it need
// not be JSON and no claim is read): structure, header, the allowed algorithms (nil or empty
// means every algorithm the keys fit), alg/key binding, kid selection and the signature.
// maxBytes <= 0 means DefaultMaxTokenBytes. It returns a copy of the decoded payload.
// Prefer Verifier.Verify for JWTs: VerifyJWS performs no time, issuer or audience checks.
func VerifyJWS(keys *KeySet, allowed []Alg, token string, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxTokenBytes
	}
	if token == "" {
		return nil, errMissing
	}
	if len(token) > maxBytes {
		return nil, errTooLarge
	}
	if keys.Len() == 0 {
		return nil, errKeyNotFound
	}
	var allow *[algEnd]bool
	if len(allowed) > 0 {
		allow = new([algEnd]bool)
		for _, a := range allowed {
			if a.valid() {
				allow[a] = true
			}
		}
	}
	sc := getScratch()
	defer putScratch(sc)
	j, e := parseJWS(sc, token, allow, payloadRaw, nil)
	if e != nil {
		return nil, e
	}
	cands := keys.candidates(j.alg, j.kid, j.hasKid, &sc.keyBuf)
	if len(cands) == 0 {
		return nil, errKeyNotFound
	}
	for _, k := range cands {
		if k.verifySig(sc, j.alg, j.msg, sc.sig) {
			return append([]byte{}, sc.pay...), nil
		}
	}
	return nil, errSigInvalid
}

// checkIssuer is the issuer stage: iss (and sub) must be strings when present; iss must be one
// of Policy.Issuers when that list is set.
func (v *Verifier) checkIssuer(pjs *jsonScan) *Error {
	raw, ok := pjs.member(memIss)
	var iss []byte
	if ok {
		if iss, ok = pjs.stringValue(raw); !ok {
			return errIssMalformed
		}
	}
	if raw, has := pjs.member(memSub); has {
		if _, isStr := pjs.stringValue(raw); !isStr {
			return errSubMalformed
		}
	}
	if len(v.p.Issuers) == 0 {
		return nil
	}
	if !ok {
		return errIssMissing
	}
	for _, want := range v.p.Issuers {
		if want == string(iss) {
			return nil
		}
	}
	return errIssNotAllowed
}

var (
	errSubMalformed = newErr(ErrClaimMalformed, "sub")
	errIssMissing   = newErr(ErrIssuerNotAllowed, "iss missing")
	errAudMissing   = newErr(ErrAudienceNotAllowed, "aud missing")
)

// checkAudience is the audience stage: aud must be a string or an array of strings when
// present; with Policy.Audiences set it must contain one of them (or all, AudienceMatchAll).
func (v *Verifier) checkAudience(pjs *jsonScan) *Error {
	raw, ok := pjs.member(memAud)
	if !ok {
		if len(v.p.Audiences) > 0 {
			return errAudMissing
		}
		return nil
	}
	var found [maxAudiences]bool
	matched := 0
	match := func(aud []byte) {
		for w, want := range v.p.Audiences {
			if !found[w] && want == string(aud) {
				found[w] = true
				matched++
			}
		}
	}
	switch raw[0] {
	case '"':
		aud, _ := pjs.stringValue(raw)
		match(aud)
	case '[':
		// The scanner validated the JSON, so the array walk needs no error handling
		// beyond the element type.
		for i := 1; ; {
			i = skipWS(raw, i)
			if raw[i] == ']' {
				break
			}
			if raw[i] != '"' {
				return errAudMalformed
			}
			end, _, _ := scanString(raw, i)
			aud, _ := pjs.stringValue(raw[i:end])
			match(aud)
			if i = skipWS(raw, end); raw[i] == ',' {
				i++
			}
		}
	default:
		return errAudMalformed
	}
	if len(v.p.Audiences) == 0 {
		return nil
	}
	if matched == 0 || (v.p.AudienceMatchAll && matched < len(v.p.Audiences)) {
		return errAudNotAllowed
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}
