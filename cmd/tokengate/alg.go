package main

import (
	"crypto"
	"fmt"
	"strings"

	// Register the hash functions the JWS algorithms use.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// alg describes one JWS algorithm of RFC 7518 §3.1 (and RFC 8037 for EdDSA) that tokengate can sign with.
type alg struct {
	Name  string
	Kind  keyKind     // which key type signs it
	Hash  crypto.Hash // 0 for EdDSA (Ed25519 hashes internally)
	Curve string      // for ES*: the NIST curve the key must be on
	Size  int         // for ES*: bytes per coordinate in the R||S signature (RFC 7518 §3.4)
}

type keyKind int

const (
	kindHMAC keyKind = iota + 1
	kindRSA
	kindRSAPSS
	kindEC
	kindEd25519
)

func (k keyKind) String() string {
	switch k {
	case kindHMAC:
		return "an HMAC secret"
	case kindRSA, kindRSAPSS:
		return "an RSA private key"
	case kindEC:
		return "an EC private key"
	case kindEd25519:
		return "an Ed25519 private key"
	}
	return "unknown key kind"
}

var algs = []alg{
	{Name: "HS256", Kind: kindHMAC, Hash: crypto.SHA256},
	{Name: "HS384", Kind: kindHMAC, Hash: crypto.SHA384},
	{Name: "HS512", Kind: kindHMAC, Hash: crypto.SHA512},
	{Name: "RS256", Kind: kindRSA, Hash: crypto.SHA256},
	{Name: "RS384", Kind: kindRSA, Hash: crypto.SHA384},
	{Name: "RS512", Kind: kindRSA, Hash: crypto.SHA512},
	{Name: "PS256", Kind: kindRSAPSS, Hash: crypto.SHA256},
	{Name: "PS384", Kind: kindRSAPSS, Hash: crypto.SHA384},
	{Name: "PS512", Kind: kindRSAPSS, Hash: crypto.SHA512},
	{Name: "ES256", Kind: kindEC, Hash: crypto.SHA256, Curve: "P-256", Size: 32},
	{Name: "ES384", Kind: kindEC, Hash: crypto.SHA384, Curve: "P-384", Size: 48},
	{Name: "ES512", Kind: kindEC, Hash: crypto.SHA512, Curve: "P-521", Size: 66},
	{Name: "EdDSA", Kind: kindEd25519},
}

// lookupAlg finds an algorithm by its exact JOSE name. "none" is deliberately absent.
func lookupAlg(name string) (alg, error) {
	for _, a := range algs {
		if a.Name == name {
			return a, nil
		}
	}
	return alg{}, fmt.Errorf("--alg %q: want one of %s", name, algNames())
}

func algNames() string {
	names := make([]string, len(algs))
	for i, a := range algs {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}
