package jwtcore

import (
	"encoding/base64"
	"errors"
	"strings"
)

// NewHMACKeySet returns a KeySet holding one symmetric key without kid. The secret is copied.
// Secrets shorter than MinHMACKeyBytes (32) are rejected; HS384/HS512 additionally need 48/64
// bytes (RFC 7518 §3.2), otherwise those algorithms do not fit the key.
func NewHMACKeySet(secret []byte) (*KeySet, error) {
	if len(secret) == 0 {
		return nil, keyErr(0, "", false, "hmac secret is empty")
	}
	return newKeySet([]*key{{kind: kindOct, secret: append([]byte(nil), secret...)}}, nil)
}

// DecodeSecret decodes a base64 (standard) or base64url secret, with or without padding.
// Mixing the two alphabets, whitespace and non-canonical encodings are rejected.
func DecodeSecret(s string) ([]byte, error) {
	t := strings.TrimRight(s, "=")
	if t == "" {
		return nil, errors.New("jwtcore: secret: empty")
	}
	if len(s)-len(t) > 2 || (len(s) != len(t) && len(s)%4 != 0) {
		return nil, errors.New("jwtcore: secret: bad base64 padding")
	}
	if strings.ContainsAny(t, " \t\r\n") {
		return nil, errors.New("jwtcore: secret: contains whitespace")
	}
	url := strings.ContainsAny(t, "-_")
	std := strings.ContainsAny(t, "+/")
	if url && std {
		return nil, errors.New("jwtcore: secret: mixes base64 and base64url alphabets")
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	out, err := enc.Strict().DecodeString(t)
	if err != nil {
		return nil, errors.New("jwtcore: secret: invalid base64: " + err.Error())
	}
	return out, nil
}
