package jwtcore

import "strings"

// UnsafeIssuerWithoutVerification returns the iss claim of a token WITHOUT verifying anything
// but its shape: it exists only to route a token to the provider (Verifier) that will verify
// it. Never make an access decision from its result. It applies the size bound (maxBytes <= 0
// means DefaultMaxTokenBytes), requires three segments, strict base64url and a JSON-object
// payload without duplicate members. It returns "" and no error when iss is absent.
func UnsafeIssuerWithoutVerification(token string, maxBytes int) (string, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxTokenBytes
	}
	if token == "" {
		return "", errMissing
	}
	if len(token) > maxBytes {
		return "", errTooLarge
	}
	d1 := strings.IndexByte(token, '.')
	if d1 < 0 {
		return "", errSegments
	}
	d2 := strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 || strings.IndexByte(token[d1+1+d2+1:], '.') >= 0 {
		return "", errSegments
	}
	sc := getScratch()
	defer putScratch(sc)
	var ok bool
	if sc.pay, ok = appendB64(sc.pay[:0], token[d1+1:d1+1+d2]); !ok {
		return "", errPayloadB64
	}
	if e := scanErr(sc.pjs.scan(sc.pay), errPayloadJSON, errPayloadObj, errPayloadDeep, errPayloadDup); e != nil {
		return "", e
	}
	raw, ok := sc.pjs.top("iss")
	if !ok {
		return "", nil
	}
	iss, ok := sc.pjs.stringValue(raw)
	if !ok {
		return "", errIssMalformed
	}
	return string(iss), nil
}
