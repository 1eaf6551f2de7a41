package rsapub

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"sync"
	"testing"
)

// testKey is one key of testdata/keys.pem (see testdata/genkeys.go) with its prepared form.
type testKey struct {
	name string
	priv *rsa.PrivateKey
	pub  *PublicKey
}

var (
	keysOnce sync.Once
	keys     []testKey
	keysErr  error
)

// loadKeys returns the six test keys (2048/3072/4096 bits × e = 65537/3), failing the test
// when the file is missing or a key does not prepare.
func loadKeys(tb testing.TB) []testKey {
	tb.Helper()
	keysOnce.Do(func() {
		data, err := os.ReadFile("testdata/keys.pem")
		if err != nil {
			keysErr = err
			return
		}
		for {
			var b *pem.Block
			b, data = pem.Decode(data)
			if b == nil {
				break
			}
			priv, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				keysErr = err
				return
			}
			pub, err := NewPublicKey(priv.N, priv.E)
			if err != nil {
				keysErr = err
				return
			}
			keys = append(keys, testKey{name: b.Headers["Bits"] + "-e" + b.Headers["E"], priv: priv, pub: pub})
		}
	})
	if keysErr != nil {
		tb.Fatalf("testdata/keys.pem: %v", keysErr)
	}
	if len(keys) != 6 {
		tb.Fatalf("testdata/keys.pem holds %d keys, want 6", len(keys))
	}
	return keys
}

// hashes pairs each Hash with its crypto.Hash.
var hashes = []struct {
	h  Hash
	ch crypto.Hash
}{
	{SHA256, crypto.SHA256},
	{SHA384, crypto.SHA384},
	{SHA512, crypto.SHA512},
}

// stdVerify is the reference: crypto/rsa's PKCS#1 v1.5 verification.
func stdVerify(pub *rsa.PublicKey, ch crypto.Hash, digest, sig []byte) bool {
	return rsa.VerifyPKCS1v15(pub, ch, digest, sig) == nil
}
