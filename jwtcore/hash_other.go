//go:build !wasm || tokengate_stdsha

package jwtcore

import "crypto"

// Natively crypto/sha256 and crypto/hmac use SHA-NI/AVX2 assembly: the pooled, pre-keyed
// hash.Hash states are used for every algorithm (hash_wasm.go has the wasm path).

// fastMAC is empty natively.
type fastMAC struct{}

func (*fastMAC) prepare([]byte) {}

// mac computes the HMAC of msg under k with the hash of macs[i] into sc.sum.
func (k *key) mac(sc *scratch, i int, msg []byte) []byte { return k.pooledMAC(sc, i, msg) }

// digest hashes msg with h into sc.sum.
func digest(sc *scratch, h crypto.Hash, msg []byte) []byte { return pooledDigest(sc, h, msg) }
