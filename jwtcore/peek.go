package jwtcore

import "time"

// UnsafeIssuerWithoutVerification returns the iss claim of a token WITHOUT verifying anything
// but its shape: it exists only to route a token to the provider (Verifier) that will verify
// it. Never make an access decision from its result. It applies the size bound (maxBytes <= 0
// means DefaultMaxTokenBytes), requires three segments, strict base64url and a JSON-object
// payload without duplicate members. It returns "" and no error when iss is absent.
func UnsafeIssuerWithoutVerification(token string, maxBytes int) (string, error) {
	p, err := Peek(token, maxBytes)
	if err != nil {
		return "", err
	}
	iss := p.UnsafeIssuer()
	p.Release()
	return iss, nil
}

// Peeked is a token whose shape was checked and whose payload was decoded and scanned by Peek,
// kept for one Verifier.VerifyPeeked of the same token, which then decodes and scans the payload
// no second time (in wasm that is ~40% of a HS256 verification besides the MAC).
// Its issuer is UNVERIFIED: use it only to choose the Verifier.
type Peeked struct {
	token string
	iss   []byte   // the decoded iss, in sc's buffers (nil when absent)
	sc    *scratch // nil once released
}

// Peek does what UnsafeIssuerWithoutVerification does, with the same errors, and keeps the
// decoded payload. Release the result (or pass it to VerifyPeeked, which releases it) when done;
// one that is dropped instead is only garbage. The zero Peeked (returned with an error) holds
// nothing.
func Peek(token string, maxBytes int) (Peeked, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxTokenBytes
	}
	if token == "" {
		return Peeked{}, errMissing
	}
	if len(token) > maxBytes {
		return Peeked{}, errTooLarge
	}
	d1, d2, ok := splitDots(token)
	if !ok {
		return Peeked{}, errSegments
	}
	sc := getScratch()
	if sc.pay, ok = appendB64(sc.pay[:0], token[d1+1:d2]); !ok {
		putScratch(sc)
		return Peeked{}, errPayloadB64
	}
	if e := scanErr(sc.pjs.scan(sc.pay), errPayloadJSON, errPayloadObj, errPayloadDeep, errPayloadDup); e != nil {
		putScratch(sc)
		return Peeked{}, e
	}
	p := Peeked{token: token, sc: sc}
	if raw, ok := sc.pjs.member(memIss); ok {
		iss, ok := sc.pjs.stringValue(raw)
		if !ok {
			putScratch(sc)
			return Peeked{}, errIssMalformed
		}
		p.iss = iss
	}
	return p, nil
}

// UnsafeIssuer is the token's iss claim, UNVERIFIED ("" when absent). It is a copy; p must not
// have been released.
func (p *Peeked) UnsafeIssuer() string { return string(p.iss) }

// UnsafeIssuerBytes is UnsafeIssuer without the copy: the bytes live in p's working memory and
// are valid only until p is released or passed to VerifyPeeked (which releases it). For a
// lookup such as providers[string(p.UnsafeIssuerBytes())], which Go makes without allocating.
func (p *Peeked) UnsafeIssuerBytes() []byte { return p.iss }

// Release returns p's working memory; p must not be used afterwards. Releasing twice is harmless.
func (p *Peeked) Release() {
	if p != nil && p.sc != nil {
		putScratch(p.sc)
		p.sc = nil
	}
}

// VerifyPeeked is Verify(token, now) for the token p was made from, reusing p's decoded payload;
// it releases p. A released p fails with an internal error (ErrTokenMalformed): never reuse one.
func (v *Verifier) VerifyPeeked(p *Peeked, now time.Time) (*Claims, error) {
	if p == nil || p.sc == nil {
		return nil, errPeekedReleased
	}
	defer p.Release()
	return v.verifyWith(p.token, now, p.sc)
}

var errPeekedReleased = newErr(ErrTokenMalformed, "peeked token used twice")
