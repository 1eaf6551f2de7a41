package jwtcore

import (
	"crypto"
	_ "crypto/sha256" // register SHA-256 for crypto.Hash
	_ "crypto/sha512" // register SHA-384/512 for crypto.Hash
)

// Alg is a JWS signature algorithm (RFC 7518 §3, RFC 8037 for EdDSA). The zero value is not
// an algorithm; "none" has no Alg value at all, so it can never verify.
type Alg uint8

// The supported algorithms.
const (
	HS256 Alg = iota + 1
	HS384
	HS512
	RS256
	RS384
	RS512
	PS256
	PS384
	PS512
	ES256
	ES384
	ES512
	EdDSA
	algEnd
)

var algNames = [algEnd]string{
	HS256: "HS256", HS384: "HS384", HS512: "HS512",
	RS256: "RS256", RS384: "RS384", RS512: "RS512",
	PS256: "PS256", PS384: "PS384", PS512: "PS512",
	ES256: "ES256", ES384: "ES384", ES512: "ES512",
	EdDSA: "EdDSA",
}

// AllAlgs returns every supported algorithm, in declaration order.
func AllAlgs() []Alg {
	out := make([]Alg, 0, algEnd-1)
	for a := HS256; a < algEnd; a++ {
		out = append(out, a)
	}
	return out
}

// ParseAlg maps an exact, case-sensitive JOSE algorithm name to an Alg. "none" (in any case),
// unknown and differently-cased names return false.
func ParseAlg(name string) (Alg, bool) {
	for a := HS256; a < algEnd; a++ {
		if algNames[a] == name {
			return a, true
		}
	}
	return 0, false
}

// String returns the JOSE name ("RS256"), or "Alg(n)" for an invalid value.
func (a Alg) String() string {
	if a.valid() {
		return algNames[a]
	}
	return "Alg(" + itoa(int(a)) + ")"
}

func (a Alg) valid() bool { return a >= HS256 && a < algEnd }

// keyKind is the kind of key an algorithm needs.
type keyKind uint8

const (
	kindNone keyKind = iota
	kindOct
	kindRSA
	kindP256
	kindP384
	kindP521
	kindEd25519
)

func (k keyKind) String() string {
	switch k {
	case kindOct:
		return "symmetric"
	case kindRSA:
		return "RSA"
	case kindP256:
		return "EC P-256"
	case kindP384:
		return "EC P-384"
	case kindP521:
		return "EC P-521"
	case kindEd25519:
		return "Ed25519"
	}
	return "unknown"
}

// kind returns the only key kind that alg may be used with.
func (a Alg) kind() keyKind {
	switch a {
	case HS256, HS384, HS512:
		return kindOct
	case RS256, RS384, RS512, PS256, PS384, PS512:
		return kindRSA
	case ES256:
		return kindP256
	case ES384:
		return kindP384
	case ES512:
		return kindP521
	case EdDSA:
		return kindEd25519
	}
	return kindNone
}

// hash returns the digest function of alg (0 for EdDSA, which signs the message itself).
func (a Alg) hash() crypto.Hash {
	switch a {
	case HS256, RS256, PS256, ES256:
		return crypto.SHA256
	case HS384, RS384, PS384, ES384:
		return crypto.SHA384
	case HS512, RS512, PS512, ES512:
		return crypto.SHA512
	}
	return 0
}

// itoa is a tiny strconv.Itoa for non-negative ints, avoiding fmt in hot paths.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
