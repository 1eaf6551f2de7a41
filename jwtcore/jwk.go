package jwtcore

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"math/big"
	"strconv"

	"github.com/tidwall/gjson"
)

// ParseJWKS loads a JWK Set ({"keys":[...]}, RFC 7517 §5) or a single JWK object. Supported:
// kty RSA (n, e), EC (crv P-256/P-384/P-521, x, y), OKP (crv Ed25519, x) and oct (k), with the
// optional members kid, alg and use. Skipped (listed by KeySet.Skipped): keys with a use other
// than "sig", key_ops without "verify", an alg jwtcore does not verify, and unknown kty or crv.
// Unknown members are ignored; x5c/x5u are never used. A malformed key fails the whole load with
// an error naming it, e.g. `key[2] (kid "abc"): rsa modulus is 1024 bits, need >= 2048`.
func ParseJWKS(jwks []byte) (*KeySet, error) {
	var s jsonScan
	switch s.scan(jwks) {
	case scanOK:
	case scanNotObject:
		return nil, &loadError{"jwks: not a JSON object"}
	case scanTooDeep:
		return nil, &loadError{"jwks: JSON nested deeper than " + strconv.Itoa(MaxJSONDepth)}
	case scanDuplicate:
		return nil, &loadError{"jwks: duplicate JSON member name"}
	default:
		return nil, &loadError{"jwks: invalid JSON"}
	}
	root := gjson.ParseBytes(jwks)
	list := root.Get("keys")
	var entries []gjson.Result
	switch {
	case list.Exists() && list.IsArray():
		entries = list.Array()
	case list.Exists():
		return nil, &loadError{"jwks: \"keys\" is not an array"}
	case root.Get("kty").Exists():
		entries = []gjson.Result{root}
	default:
		return nil, &loadError{"jwks: no \"keys\" array and no \"kty\""}
	}
	if len(entries) > maxKeys {
		return nil, &loadError{"jwks: too many keys: " + strconv.Itoa(len(entries)) + " > " + strconv.Itoa(maxKeys)}
	}
	var keys []*key
	var skipped []string
	for i, e := range entries {
		k, skip, err := parseJWK(i, e)
		if err != nil {
			return nil, err
		}
		if skip != "" {
			skipped = append(skipped, skip)
			continue
		}
		keys = append(keys, k)
	}
	return newKeySet(keys, skipped)
}

// parseJWK returns a key, or a non-empty skip note, or an error.
func parseJWK(i int, e gjson.Result) (*key, string, error) {
	if !e.IsObject() {
		return nil, "", keyErr(i, "", false, "not a JSON object")
	}
	k := &key{index: i}
	if kid := e.Get("kid"); kid.Exists() {
		if kid.Type != gjson.String {
			return nil, "", keyErr(i, "", false, "kid is not a string")
		}
		k.kid, k.hasKid = kid.Str, true
	}
	fail := func(why string) (*key, string, error) { return nil, "", keyErr(i, k.kid, k.hasKid, why) }
	skip := func(why string) (*key, string, error) { return nil, keyLabel(i, k.kid, k.hasKid) + ": " + why, nil }

	str := func(name string) (string, bool, error) {
		r := e.Get(name)
		if !r.Exists() {
			return "", false, nil
		}
		if r.Type != gjson.String {
			return "", false, keyErr(i, k.kid, k.hasKid, name+" is not a string")
		}
		return r.Str, true, nil
	}
	kty, ok, err := str("kty")
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return fail("kty is missing")
	}
	use, hasUse, err := str("use")
	if err != nil {
		return nil, "", err
	}
	if hasUse && use != "sig" {
		return skip("use " + strconv.Quote(use) + " is not \"sig\"")
	}
	if ops := e.Get("key_ops"); ops.Exists() {
		if !ops.IsArray() {
			return fail("key_ops is not an array")
		}
		verify := false
		for _, op := range ops.Array() {
			if op.Type != gjson.String {
				return fail("key_ops has a non-string member")
			}
			verify = verify || op.Str == "verify"
		}
		if !verify {
			return skip("key_ops does not include \"verify\"")
		}
	}
	algName, hasAlg, err := str("alg")
	if err != nil {
		return nil, "", err
	}
	if hasAlg {
		a, ok := ParseAlg(algName)
		if !ok {
			return skip("alg " + strconv.Quote(algName) + " is not a supported signature algorithm")
		}
		k.alg = a
	}
	b64 := func(name string) ([]byte, error) {
		v, ok, err := str(name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, keyErr(i, k.kid, k.hasKid, name+" is missing")
		}
		out, ok := appendB64(nil, v)
		if !ok || len(out) == 0 {
			return nil, keyErr(i, k.kid, k.hasKid, name+" is not valid unpadded base64url")
		}
		return out, nil
	}
	switch kty {
	case "RSA":
		n, err := b64("n")
		if err != nil {
			return nil, "", err
		}
		eb, err := b64("e")
		if err != nil {
			return nil, "", err
		}
		if len(eb) > 4 {
			return fail("rsa public exponent is too large")
		}
		exp := 0
		for _, b := range eb {
			exp = exp<<8 | int(b)
		}
		k.kind, k.rsa = kindRSA, &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	case "EC":
		crv, _, err := str("crv")
		if err != nil {
			return nil, "", err
		}
		var curve elliptic.Curve
		var ec ecdh.Curve
		switch crv {
		case "P-256":
			k.kind, curve, ec = kindP256, elliptic.P256(), ecdh.P256()
		case "P-384":
			k.kind, curve, ec = kindP384, elliptic.P384(), ecdh.P384()
		case "P-521":
			k.kind, curve, ec = kindP521, elliptic.P521(), ecdh.P521()
		default:
			return skip("EC crv " + strconv.Quote(crv) + " is not supported")
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err := b64("x")
		if err != nil {
			return nil, "", err
		}
		y, err := b64("y")
		if err != nil {
			return nil, "", err
		}
		if len(x) != size || len(y) != size {
			return fail("EC " + crv + " coordinates must be " + strconv.Itoa(size) + " bytes each")
		}
		pt := append(append([]byte{4}, x...), y...)
		if _, err := ec.NewPublicKey(pt); err != nil {
			return fail("EC point is not on curve " + crv)
		}
		k.ec = &ecdsa.PublicKey{Curve: curve, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	case "OKP":
		crv, _, err := str("crv")
		if err != nil {
			return nil, "", err
		}
		if crv != "Ed25519" {
			return skip("OKP crv " + strconv.Quote(crv) + " is not supported")
		}
		x, err := b64("x")
		if err != nil {
			return nil, "", err
		}
		if len(x) != ed25519.PublicKeySize {
			return fail("Ed25519 x must be 32 bytes")
		}
		k.kind, k.ed = kindEd25519, ed25519.PublicKey(x)
	case "oct":
		s, err := b64("k")
		if err != nil {
			return nil, "", err
		}
		k.kind, k.secret = kindOct, s
	default:
		return skip("kty " + strconv.Quote(kty) + " is not supported")
	}
	if k.alg != 0 && k.alg.kind() != k.kind {
		return fail("alg " + k.alg.String() + " does not fit kty " + kty)
	}
	return k, "", nil
}
