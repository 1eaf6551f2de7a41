package jwtcore

import "strings"

// jws is a structurally valid compact JWS whose header passed the header stage. Its slices point
// into the scratch and must not outlive it.
type jws struct {
	msg    []byte // signing input: ASCII(BASE64URL(header) || '.' || BASE64URL(payload))
	alg    Alg
	kid    []byte
	hasKid bool
}

var (
	errHeaderDup   = newErr(ErrTokenMalformed, "header duplicate member")
	errHeaderDeep  = newErr(ErrTokenMalformed, "header nesting too deep")
	errHeaderObj   = newErr(ErrTokenMalformed, "header not a JSON object")
	errPayloadDup  = newErr(ErrTokenMalformed, "payload duplicate member")
	errPayloadDeep = newErr(ErrTokenMalformed, "payload nesting too deep")
	errPayloadObj  = newErr(ErrTokenMalformed, "payload not a JSON object")
)

func scanErr(r scanResult, invalid, obj, deep, dup *Error) *Error {
	switch r {
	case scanOK:
		return nil
	case scanNotObject:
		return obj
	case scanTooDeep:
		return deep
	case scanDuplicate:
		return dup
	}
	return invalid
}

// payloadMode says what parseJWS does with the payload segment.
type payloadMode uint8

const (
	payloadRaw     payloadMode = iota // decode it; any bytes (signature-only use)
	payloadJSON                       // decode it and scan it as a JSON object into sc.pjs
	payloadScanned                    // Peek already did both, for this token, into sc.pay and sc.pjs
)

// parseJWS runs the structure stage (segments, base64url, JSON) and the header stage (alg and
// kid types, crit, alg allow-list). allowed == nil allows every algorithm. payload says what
// is done with the payload segment (payloadRaw: it may be arbitrary bytes). A header segment
// known (nil: none) remembers from a verified token is not decoded, scanned or checked again:
// its outcome is reused, and only the allow-list is applied (at the same point as otherwise).
func parseJWS(sc *scratch, token string, allowed *[algEnd]bool, payload payloadMode, known *headerMemo) (jws, *Error) {
	var j jws
	d1, d2, ok := splitDots(token)
	if !ok {
		return j, errSegments
	}
	sc.tok = append(sc.tok[:0], token...)
	kh := known.lookup(token[:d1])
	if kh == nil {
		if sc.hdr, ok = appendB64(sc.hdr[:0], token[:d1]); !ok {
			return j, errHeaderB64
		}
	}
	if payload != payloadScanned {
		if sc.pay, ok = appendB64(sc.pay[:0], token[d1+1:d2]); !ok {
			return j, errPayloadB64
		}
	}
	if d2 == len(token)-1 {
		return j, errSigEmpty
	}
	if sc.sig, ok = appendB64(sc.sig[:0], token[d2+1:]); !ok {
		return j, errSigB64
	}
	if kh == nil {
		if e := scanErr(sc.hjs.scan(sc.hdr), errHeaderJSON, errHeaderObj, errHeaderDeep, errHeaderDup); e != nil {
			return j, e
		}
	}
	if payload == payloadJSON {
		if e := scanErr(sc.pjs.scan(sc.pay), errPayloadJSON, errPayloadObj, errPayloadDeep, errPayloadDup); e != nil {
			return j, e
		}
	}
	j.msg = sc.tok[:d2]
	if kh != nil {
		if allowed != nil && !allowed[kh.alg] {
			return j, errAlgNotAllowed
		}
		j.alg, j.kid, j.hasKid = kh.alg, kh.kid, kh.hasKid
		return j, nil
	}

	// Header stage: well-formedness first, then the allow-list decision.
	raw, ok := sc.hjs.member(memAlg)
	if !ok {
		return j, errHeaderAlgType
	}
	algName, ok := sc.hjs.stringValue(raw)
	if !ok {
		return j, errHeaderAlgType
	}
	if raw, ok := sc.hjs.member(memKid); ok {
		if j.kid, ok = sc.hjs.stringValue(raw); !ok {
			return j, errHeaderKidType
		}
		j.hasKid = true
	}
	if _, ok := sc.hjs.member(memCrit); ok {
		// jwtcore implements no JWS extension, so every critical parameter is unknown
		// (RFC 7515 §4.1.11: the token must be rejected).
		return j, errHeaderCrit
	}
	a, ok := algFromBytes(algName)
	if !ok || (allowed != nil && !allowed[a]) {
		return j, errAlgNotAllowed
	}
	j.alg = a
	return j, nil
}

// splitDots returns the offsets of the two '.' of a compact JWS, and false unless there are
// exactly two. (strings.IndexByte is assembly even in wasm: 3x faster there than a byte loop,
// and than 8 bytes per step in Go.)
func splitDots(token string) (d1, d2 int, ok bool) {
	if d1 = strings.IndexByte(token, '.'); d1 < 0 {
		return 0, 0, false
	}
	rest := token[d1+1:]
	if d2 = strings.IndexByte(rest, '.'); d2 < 0 || strings.IndexByte(rest[d2+1:], '.') >= 0 {
		return 0, 0, false
	}
	return d1, d1 + 1 + d2, true
}

func algFromBytes(b []byte) (Alg, bool) {
	for a := HS256; a < algEnd; a++ {
		if algNames[a] == string(b) {
			return a, true
		}
	}
	return 0, false
}

// stringValue returns the decoded bytes of a raw JSON string value (a view into the scanned data
// or into the scanner's buffer), or false when raw is not a string.
func (s *jsonScan) stringValue(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' {
			start := len(s.buf)
			s.buf = unescapeJSON(s.buf, body)
			return s.buf[start:len(s.buf):len(s.buf)], true
		}
	}
	return body, true
}

// candidates returns the keys to try for a token, bounded by maxAttempts. With a kid: the keys
// with that kid, then the keys without kid; a key with another kid is never tried. Without a kid:
// every key. Only keys that fit alg (kind, JWK alg, HMAC length) are returned.
func (ks *KeySet) candidates(a Alg, kid []byte, hasKid bool, buf *[maxAttempts]*key) []*key {
	out := buf[:0]
	add := func(list []*key) {
		for _, k := range list {
			if len(out) == maxAttempts {
				return
			}
			if k.fits(a) {
				out = append(out, k)
			}
		}
	}
	if hasKid {
		add(ks.byKid[string(kid)])
		add(ks.noKid)
	} else {
		add(ks.keys)
	}
	return out
}
