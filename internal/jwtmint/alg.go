package jwtmint

import (
	"crypto"
	"strings"

	// Register the hash functions the JWS algorithms use.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// Alg describes one JWS algorithm of RFC 7518 §3.1 (and RFC 8037 for EdDSA).
type Alg struct {
	Name  string
	Kind  Kind        // which key type signs it
	Hash  crypto.Hash // 0 for EdDSA (Ed25519 hashes internally)
	Curve string      // for ES*: the NIST curve the key must be on
	Size  int         // for ES*: bytes per coordinate in the R||S signature (RFC 7518 §3.4)
}

// Kind is the key type an algorithm signs with.
type Kind int

// The key kinds.
const (
	KindHMAC Kind = iota + 1
	KindRSA
	KindRSAPSS
	KindEC
	KindEd25519
)

// String names the key a kind needs, as error messages say it ("an RSA private key").
func (k Kind) String() string {
	switch k {
	case KindHMAC:
		return "an HMAC secret"
	case KindRSA, KindRSAPSS:
		return "an RSA private key"
	case KindEC:
		return "an EC private key"
	case KindEd25519:
		return "an Ed25519 private key"
	}
	return "unknown key kind"
}

var algs = []Alg{
	{Name: "HS256", Kind: KindHMAC, Hash: crypto.SHA256},
	{Name: "HS384", Kind: KindHMAC, Hash: crypto.SHA384},
	{Name: "HS512", Kind: KindHMAC, Hash: crypto.SHA512},
	{Name: "RS256", Kind: KindRSA, Hash: crypto.SHA256},
	{Name: "RS384", Kind: KindRSA, Hash: crypto.SHA384},
	{Name: "RS512", Kind: KindRSA, Hash: crypto.SHA512},
	{Name: "PS256", Kind: KindRSAPSS, Hash: crypto.SHA256},
	{Name: "PS384", Kind: KindRSAPSS, Hash: crypto.SHA384},
	{Name: "PS512", Kind: KindRSAPSS, Hash: crypto.SHA512},
	{Name: "ES256", Kind: KindEC, Hash: crypto.SHA256, Curve: "P-256", Size: 32},
	{Name: "ES384", Kind: KindEC, Hash: crypto.SHA384, Curve: "P-384", Size: 48},
	{Name: "ES512", Kind: KindEC, Hash: crypto.SHA512, Curve: "P-521", Size: 66},
	{Name: "EdDSA", Kind: KindEd25519},
}

// Algs returns the 13 algorithms, HMAC first, in the order of RFC 7518 §3.1 (EdDSA last).
func Algs() []Alg { return append([]Alg(nil), algs...) }

// LookupAlg finds an algorithm by its exact JOSE name. "none" is deliberately absent.
func LookupAlg(name string) (Alg, bool) {
	for _, a := range algs {
		if a.Name == name {
			return a, true
		}
	}
	return Alg{}, false
}

// AlgNames lists the algorithm names, comma separated, for messages and help texts.
func AlgNames() string {
	names := make([]string, len(algs))
	for i, a := range algs {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}
