//go:build ignore

// genkeys writes keys.pem, the RSA test keys of package rsapub (generating them inside wasm
// at test time would take minutes). Run from jwtcore/internal/rsapub:
//
//	go run ./testdata/genkeys.go > testdata/keys.pem
//
// Six PKCS#1 private keys: 2048, 3072 and 4096 bits, each with e = 65537 and e = 3. The e = 3
// keys are built from crypto/rand primes p ≡ q ≡ 2 (mod 3), so 3 is invertible mod (p-1)(q-1).
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log"
	"math/big"
	"os"
	"strconv"
)

func main() {
	for _, bits := range []int{2048, 3072, 4096} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			log.Fatal(err)
		}
		write(k)
		write(e3Key(bits))
	}
}

func e3Key(bits int) *rsa.PrivateKey {
	three := big.NewInt(3)
	one := big.NewInt(1)
	prime := func() *big.Int {
		for {
			p, err := rand.Prime(rand.Reader, bits/2)
			if err != nil {
				log.Fatal(err)
			}
			if new(big.Int).Mod(p, three).Int64() == 2 {
				return p
			}
		}
	}
	for {
		p, q := prime(), prime()
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		pm, qm := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(pm, qm)
		d := new(big.Int).ModInverse(three, phi)
		if d == nil {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 3}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if err := k.Validate(); err != nil {
			log.Fatal(err)
		}
		return k
	}
}

func write(k *rsa.PrivateKey) {
	b := &pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Bits": strconv.Itoa(k.N.BitLen()), "E": strconv.Itoa(k.E)},
		Bytes:   x509.MarshalPKCS1PrivateKey(k),
	}
	if err := pem.Encode(os.Stdout, b); err != nil {
		log.Fatal(err)
	}
}
