package jwtcore

import (
	"bytes"
	"crypto"
	"strings"
	"testing"
)

// TestKey_MAC compares the build's MAC and digest paths (sha256x for SHA-256 in wasm, the pooled
// crypto states natively) with the pooled crypto/hmac and crypto/sha256 states on real signing
// inputs, and checks that verifySig accepts the right MAC and rejects a one-bit change. Run it
// under wasm (wasmrun) for the comparison to cover internal/sha256x.
func TestKey_MAC(t *testing.T) {
	secret := tvKeys(t).hmac
	ks, err := NewHMACKeySet(secret)
	if err != nil {
		t.Fatal(err)
	}
	k := ks.keys[0]
	tests := []struct {
		name string
		alg  Alg
	}{
		{name: "HS256", alg: HS256},
		{name: "HS384", alg: HS384},
		{name: "HS512", alg: HS512},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := tvToken(t, tc.name, tvStdClaims())
			dot := strings.LastIndexByte(token, '.')
			msg := []byte(token[:dot])
			sig, err := AppendDecodeBase64URL(nil, token[dot+1:])
			if err != nil {
				t.Fatal(err)
			}
			i := hashIndex(tc.alg.hash())
			sc := new(scratch)
			got := append([]byte(nil), k.mac(sc, i, msg)...)
			want := append([]byte(nil), k.pooledMAC(sc, i, msg)...)
			if !bytes.Equal(got, want) || !bytes.Equal(got, sig) {
				t.Fatalf("mac = %x, pooled crypto/hmac = %x, token signature = %x", got, want, sig)
			}
			if !k.verifySig(sc, tc.alg, msg, sig) {
				t.Errorf("verifySig rejects the token's own signature")
			}
			sig[len(sig)-1] ^= 1
			if k.verifySig(sc, tc.alg, msg, sig) {
				t.Errorf("verifySig accepts a signature with its last bit flipped")
			}
		})
	}
}

// TestDigest_Pooled compares digest with the pooled crypto states for each hash and lengths
// around the block boundaries and a typical RS256 signing input.
func TestDigest_Pooled(t *testing.T) {
	msg := bytes.Repeat([]byte("eyJhbGciOiJSUzI1NiJ9."), 40)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 600, len(msg)} {
			sc := new(scratch)
			got := append([]byte(nil), digest(sc, h, msg[:n])...)
			want := pooledDigest(sc, h, msg[:n])
			if !bytes.Equal(got, want) {
				t.Errorf("%v len %d: digest = %x, pooled = %x", h, n, got, want)
			}
		}
	}
}
