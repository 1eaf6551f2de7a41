package jwtmint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// VerifyCompact checks a compact JWS the way a test wants to see what it minted, with code written
// apart from Sign (no Alg table, no Key): it splits the token, requires unpadded base64url segments
// and JSON objects, checks the header's alg is wantAlg, and verifies the signature with key (an HMAC
// secret []byte or a public key). It returns the decoded header and payload. It checks no claim and
// applies no policy: that is jwtcore's job.
func VerifyCompact(token, wantAlg string, key any) (hdr, payload map[string]any, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("token has %d parts, want 3", len(parts))
	}
	segs := make([][]byte, 3)
	for i, p := range parts {
		if strings.ContainsAny(p, "=+/") {
			return nil, nil, fmt.Errorf("part %d is not unpadded base64url: %q", i, p)
		}
		if segs[i], err = base64.RawURLEncoding.DecodeString(p); err != nil {
			return nil, nil, fmt.Errorf("part %d: %w", i, err)
		}
	}
	if err := json.Unmarshal(segs[0], &hdr); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	if err := json.Unmarshal(segs[1], &payload); err != nil {
		return nil, nil, fmt.Errorf("payload: %w", err)
	}
	if hdr["alg"] != wantAlg {
		return nil, nil, fmt.Errorf("header alg = %v, want %s", hdr["alg"], wantAlg)
	}
	if err := verifySignature(wantAlg, key, []byte(parts[0]+"."+parts[1]), segs[2]); err != nil {
		return nil, nil, err
	}
	return hdr, payload, nil
}

func verifySignature(alg string, key any, input, sig []byte) error {
	hashes := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	h := hashes[alg[max(0, len(alg)-3):]]
	digest := func() []byte { d := h.New(); d.Write(input); return d.Sum(nil) }
	wrongKey := fmt.Errorf("%s: cannot verify with a %T", alg, key)
	ok := false
	switch {
	case strings.HasPrefix(alg, "HS") && h != 0:
		secret, isSecret := key.([]byte)
		if !isSecret {
			return wrongKey
		}
		m := hmac.New(h.New, secret)
		m.Write(input)
		ok = hmac.Equal(m.Sum(nil), sig)
	case (strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")) && h != 0:
		pub, isRSA := key.(*rsa.PublicKey)
		if !isRSA {
			return wrongKey
		}
		if alg[0] == 'R' {
			ok = rsa.VerifyPKCS1v15(pub, h, digest(), sig) == nil
		} else {
			ok = rsa.VerifyPSS(pub, h, digest(), sig, &rsa.PSSOptions{SaltLength: h.Size()}) == nil
		}
	case strings.HasPrefix(alg, "ES") && h != 0:
		pub, isEC := key.(*ecdsa.PublicKey)
		if !isEC {
			return wrongKey
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return fmt.Errorf("%s signature is %d bytes, want %d (R||S)", alg, len(sig), 2*size)
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		ok = ecdsa.Verify(pub, digest(), r, s)
	case alg == "EdDSA":
		pub, isEd := key.(ed25519.PublicKey)
		if !isEd {
			return wrongKey
		}
		ok = ed25519.Verify(pub, input, sig)
	default:
		return fmt.Errorf("no verifier for %q", alg)
	}
	if !ok {
		return fmt.Errorf("%s signature does not verify", alg)
	}
	return nil
}
