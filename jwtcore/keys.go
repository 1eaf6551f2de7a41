package jwtcore

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"
	"strconv"
	"sync"
)

// Key size limits enforced at load time.
const (
	MinRSABits      = 2048 // smaller moduli are rejected
	MaxRSABits      = 8192 // larger moduli are rejected (verification cost is a DoS lever)
	MinHMACKeyBytes = 32   // RFC 7518 §3.2: a key at least as long as the hash output; HS384/HS512 need 48/64
	maxKeys         = 256  // keys per KeySet
)

// key is one prepared, immutable verification key.
type key struct {
	index  int
	kid    string
	hasKid bool
	alg    Alg // the JWK "alg" member; 0 when absent (any algorithm of the key's kind)
	kind   keyKind
	rsa    *rsa.PublicKey
	ec     *ecdsa.PublicKey
	ed     ed25519.PublicKey
	secret []byte
	macs   [3]*sync.Pool // pre-keyed HMAC states for HS256/384/512 (nil when the secret is too short)
	fast   fastMAC       // HS256 prepared for the wasm build's own SHA-256 (empty natively)
	frsa   fastRSA       // RS256/384/512 prepared for the wasm build's own RSA (empty natively)
	fp     [32]byte      // identity of (kind, kid, alg, key material); used by the cache
}

// fits reports whether alg may be used with k: the algorithm's key kind, the JWK alg binding and,
// for HMAC, the RFC 7518 minimum key length. This is the only place alg/key binding is decided.
func (k *key) fits(a Alg) bool {
	if a.kind() != k.kind || (k.alg != 0 && k.alg != a) {
		return false
	}
	if k.kind == kindOct {
		return len(k.secret) >= a.hash().Size()
	}
	return true
}

func keyLabel(index int, kid string, hasKid bool) string {
	s := "key[" + strconv.Itoa(index) + "]"
	if hasKid {
		s += " (kid " + strconv.Quote(kid) + ")"
	}
	return s
}

func (k *key) label() string { return keyLabel(k.index, k.kid, k.hasKid) }

// KeySet is an immutable set of prepared verification keys, indexed by kid. Build it with
// ParsePEMKeys, ParseJWKS or NewHMACKeySet; it is safe for concurrent use.
type KeySet struct {
	keys    []*key
	byKid   map[string][]*key
	noKid   []*key
	fps     map[[32]byte]*key
	skipped []string
}

// Len returns the number of usable keys.
func (ks *KeySet) Len() int {
	if ks == nil {
		return 0
	}
	return len(ks.keys)
}

// Algs returns the algorithms that at least one key can verify, in Alg order.
func (ks *KeySet) Algs() []Alg {
	var out []Alg
	for a := HS256; a < algEnd; a++ {
		for _, k := range ks.keys {
			if k.fits(a) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// Skipped describes the JWKS entries that were ignored at load (e.g. `use: enc` keys or key types
// jwtcore does not verify with), one line each, naming the key. Never contains key material.
func (ks *KeySet) Skipped() []string { return append([]string(nil), ks.skipped...) }

// KeyIDs returns the kids of the keys that have one, in load order (duplicates kept).
func (ks *KeySet) KeyIDs() []string {
	var out []string
	for _, k := range ks.keys {
		if k.hasKid {
			out = append(out, k.kid)
		}
	}
	return out
}

// byFingerprint returns the key of ks with the given identity, or nil.
func (ks *KeySet) byFingerprint(fp [32]byte) *key { return ks.fps[fp] }

// loadError is a key-load failure naming the key.
type loadError struct{ msg string }

func (e *loadError) Error() string { return "jwtcore: " + e.msg }

func keyErr(index int, kid string, hasKid bool, why string) error {
	return &loadError{keyLabel(index, kid, hasKid) + ": " + why}
}

var errNoKeys = errors.New("jwtcore: no usable keys")

// newKeySet validates, fingerprints and indexes keys.
func newKeySet(keys []*key, skipped []string) (*KeySet, error) {
	if len(keys) == 0 {
		if len(skipped) > 0 {
			return nil, &loadError{"no usable keys (skipped: " + joinSemi(skipped) + ")"}
		}
		return nil, errNoKeys
	}
	if len(keys) > maxKeys {
		return nil, &loadError{"too many keys: " + strconv.Itoa(len(keys)) + " > " + strconv.Itoa(maxKeys)}
	}
	ks := &KeySet{keys: keys, byKid: map[string][]*key{}, fps: map[[32]byte]*key{}, skipped: skipped}
	for _, k := range keys {
		if err := k.prepare(); err != nil {
			return nil, err
		}
		if k.hasKid {
			ks.byKid[k.kid] = append(ks.byKid[k.kid], k)
		} else {
			ks.noKid = append(ks.noKid, k)
		}
		if _, dup := ks.fps[k.fp]; !dup {
			ks.fps[k.fp] = k
		}
	}
	return ks, nil
}

func joinSemi(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

// prepare validates the key material, computes the fingerprint, pre-keys HMAC states and, in the
// wasm build, converts RSA keys for internal/rsapub (rsa_wasm.go).
func (k *key) prepare() error {
	fail := func(why string) error { return keyErr(k.index, k.kid, k.hasKid, why) }
	h := sha256.New()
	var b [8]byte
	h.Write([]byte{byte(k.kind), byte(k.alg)})
	if k.hasKid {
		binary.BigEndian.PutUint64(b[:], uint64(len(k.kid)))
		h.Write(b[:])
		h.Write([]byte(k.kid))
	} else {
		h.Write([]byte{0xff})
	}
	if k.alg != 0 && k.alg.kind() != k.kind {
		return fail("alg " + k.alg.String() + " does not fit a " + k.kind.String() + " key")
	}
	switch k.kind {
	case kindRSA:
		if k.rsa == nil || k.rsa.N == nil {
			return fail("missing RSA modulus")
		}
		bits := k.rsa.N.BitLen()
		if bits < MinRSABits {
			return fail("rsa modulus is " + strconv.Itoa(bits) + " bits, need >= " + strconv.Itoa(MinRSABits))
		}
		if bits > MaxRSABits {
			return fail("rsa modulus is " + strconv.Itoa(bits) + " bits, max " + strconv.Itoa(MaxRSABits))
		}
		if k.rsa.E < 3 || k.rsa.E&1 == 0 || int64(k.rsa.E) > 1<<31-1 {
			return fail("rsa public exponent " + strconv.Itoa(k.rsa.E) + " is invalid")
		}
		if k.rsa.N.Bit(0) == 0 {
			return fail("rsa modulus is even")
		}
		h.Write(k.rsa.N.Bytes())
		binary.BigEndian.PutUint64(b[:], uint64(k.rsa.E))
		h.Write(b[:])
		if err := k.frsa.prepare(k.rsa); err != nil {
			return fail(err.Error())
		}
	case kindP256, kindP384, kindP521:
		if k.ec == nil || k.ec.X == nil || k.ec.Y == nil {
			return fail("missing EC point")
		}
		want := map[keyKind]elliptic.Curve{kindP256: elliptic.P256(), kindP384: elliptic.P384(), kindP521: elliptic.P521()}[k.kind]
		if k.ec.Curve != want {
			return fail("EC curve does not match")
		}
		size := (want.Params().BitSize + 7) / 8
		pt := make([]byte, 1+2*size)
		pt[0] = 4
		k.ec.X.FillBytes(pt[1 : 1+size])
		k.ec.Y.FillBytes(pt[1+size:])
		h.Write(pt)
	case kindEd25519:
		if len(k.ed) != ed25519.PublicKeySize {
			return fail("ed25519 public key is " + strconv.Itoa(len(k.ed)) + " bytes, need 32")
		}
		h.Write(k.ed)
	case kindOct:
		if len(k.secret) < MinHMACKeyBytes {
			return fail("hmac secret is " + strconv.Itoa(len(k.secret)) + " bytes, need >= " + strconv.Itoa(MinHMACKeyBytes))
		}
		if k.alg != 0 && len(k.secret) < k.alg.hash().Size() {
			return fail("hmac secret is " + strconv.Itoa(len(k.secret)) + " bytes, " + k.alg.String() + " needs >= " + strconv.Itoa(k.alg.hash().Size()))
		}
		h.Write(k.secret)
		for i, a := range [3]Alg{HS256, HS384, HS512} {
			if !k.fits(a) {
				continue
			}
			secret, newHash := k.secret, hashFunc(a)
			k.macs[i] = &sync.Pool{New: func() any { return hmac.New(newHash, secret) }}
			if a == HS256 {
				k.fast.prepare(secret)
			}
		}
	default:
		return fail("unsupported key type")
	}
	h.Sum(k.fp[:0])
	return nil
}

func hashFunc(a Alg) func() hash.Hash {
	switch a.hash().Size() {
	case 32:
		return sha256.New
	case 48:
		return sha512.New384
	default:
		return sha512.New
	}
}

// kindOfPublicKey classifies a parsed public key and stores it in k.
func (k *key) setPublic(pub any) error {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		k.kind, k.rsa = kindRSA, p
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P256():
			k.kind = kindP256
		case elliptic.P384():
			k.kind = kindP384
		case elliptic.P521():
			k.kind = kindP521
		default:
			return errors.New("unsupported EC curve")
		}
		k.ec = p
	case ed25519.PublicKey:
		k.kind, k.ed = kindEd25519, p
	default:
		return errors.New("unsupported public key type")
	}
	return nil
}
