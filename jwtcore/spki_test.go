package jwtcore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Test_parseSPKI_matchesX509 checks the asn1-only decoders against crypto/x509 (which the tests
// may use; the package must not) on freshly generated keys and certificates of every supported type.
func Test_parseSPKI_matchesX509(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name   string
		pub    any
		signer any
	}{
		{"rsa-2048", &rsaKey.PublicKey, rsaKey},
		{"ec-p256", &p256.PublicKey, p256},
		{"ec-p384", &p384.PublicKey, p384},
		{"ec-p521", &p521.PublicKey, p521},
		{"ed25519", edPub, edPriv},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spki, err := x509.MarshalPKIXPublicKey(tc.pub)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseSPKI(spki)
			if err != nil {
				t.Fatalf("parseSPKI: %v", err)
			}
			if !publicKeysEqual(got, tc.pub) {
				t.Fatalf("parseSPKI: key differs from the one encoded")
			}
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(42),
				Subject:      pkix.Name{CommonName: "tokengate test"},
				NotBefore:    time.Unix(1_700_000_000, 0),
				NotAfter:     time.Unix(1_800_000_000, 0),
				DNSNames:     []string{"idp.example.com"}, // extensions present ([3])
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, tc.pub, tc.signer)
			if err != nil {
				t.Fatal(err)
			}
			got, err = parseCertificatePublicKey(der)
			if err != nil {
				t.Fatalf("parseCertificatePublicKey: %v", err)
			}
			if !publicKeysEqual(got, tc.pub) {
				t.Fatalf("parseCertificatePublicKey: key differs from the certificate's")
			}
		})
	}
	t.Run("pkcs1", func(t *testing.T) {
		got, err := parsePKCS1(x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(&rsaKey.PublicKey) {
			t.Fatal("parsePKCS1: key differs")
		}
	})
}

func publicKeysEqual(a, b any) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	ea, ok := a.(equaler)
	return ok && ea.Equal(b)
}

// Test_parseSPKI_rejects feeds malformed DER: every case must return an error, never panic.
func Test_parseSPKI_rejects(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&p256.PublicKey)
	offCurve := append([]byte(nil), ecDER...)
	offCurve[len(offCurve)-1] ^= 1 // last byte of Y: the point leaves the curve
	tests := []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"trailing data", append(append([]byte(nil), good...), 0)},
		{"truncated", good[:len(good)-3]},
		{"not a sequence", []byte{0x02, 0x01, 0x01}},
		{"ec point off curve", offCurve},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseSPKI(tc.der); err == nil {
				t.Fatal("accepted malformed SubjectPublicKeyInfo")
			}
			if _, err := parseCertificatePublicKey(tc.der); err == nil {
				t.Fatal("accepted malformed certificate")
			}
		})
	}
}

// TestDeps_NoNetOrX509 guards the reason spki.go exists: crypto/x509 imports net, whose
// initialisation makes a wasip1 module import WASI path_filestat_get, which Envoy does not provide.
func TestDeps_NoNetOrX509(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch pkg {
		case "net", "crypto/x509", "os/exec":
			t.Errorf("jwtcore links %s on wasip1; Envoy could not load the module", pkg)
		}
	}
}
