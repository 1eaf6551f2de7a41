//go:build wasm && !tokengate_stdsha

package jwtcore

import (
	"crypto"

	"github.com/tokengate/tokengate/jwtcore/internal/sha256x"
)

// Inside wasm crypto/sha256 has no assembly and its generic block function is about three times
// slower than internal/sha256x's, which is shaped for Go's wasm backend (RATIONALE.md, "Own
// SHA-256 inside wasm"). So the wasm build computes HS256 MACs with a pre-keyed sha256x.HMAC and
// SHA-256 digests with sha256x.Sum256; SHA-384/512 keep the pooled crypto/sha512 states. Building
// with -tags tokengate_stdsha selects the native path instead (to measure the difference).

// fastMAC is the key's HMAC-SHA-256 prepared by sha256x: the inner and outer chaining states,
// as secret as the key itself.
type fastMAC struct{ hs256 *sha256x.HMAC }

func (f *fastMAC) prepare(secret []byte) { f.hs256 = sha256x.NewHMAC(secret) }

// mac computes the HMAC of msg under k with the hash of macs[i] into sc.sum.
func (k *key) mac(sc *scratch, i int, msg []byte) []byte {
	if i == 0 && k.fast.hs256 != nil {
		s := k.fast.hs256.Sum(msg)
		sc.sum = append(sc.sum[:0], s[:]...)
		return sc.sum
	}
	return k.pooledMAC(sc, i, msg)
}

// digest hashes msg with h into sc.sum.
func digest(sc *scratch, h crypto.Hash, msg []byte) []byte {
	if h == crypto.SHA256 {
		s := sha256x.Sum256(msg)
		sc.sum = append(sc.sum[:0], s[:]...)
		return sc.sum
	}
	return pooledDigest(sc, h, msg)
}
