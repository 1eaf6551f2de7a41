package jwtcore

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"math/big"
)

// This file decodes the three public-key encodings PEM blocks carry — SubjectPublicKeyInfo
// (RFC 5280 §4.1.2.7, RFC 5480, RFC 8410), PKCS#1 RSAPublicKey (RFC 8017 §A.1.1) and an X.509
// certificate's subjectPublicKeyInfo — with encoding/asn1 alone.
//
// Why not crypto/x509: it imports net, whose package initialisation reads files, so a wasip1
// module linking it imports WASI path_open/path_filestat_get. Envoy's wasm host does not provide
// path_filestat_get and refuses to load such a module. crypto/x509 also adds about 1.1 MB.

var (
	oidPublicKeyRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1} // rsaEncryption, RFC 3279 §2.3.1
	oidPublicKeyEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}     // id-ecPublicKey, RFC 5480 §2.1.1
	oidPublicKeyEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}             // id-Ed25519, RFC 8410 §3
	oidCurveP256        = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}  // secp256r1, RFC 5480 §2.1.1.1
	oidCurveP384        = asn1.ObjectIdentifier{1, 3, 132, 0, 34}           // secp384r1
	oidCurveP521        = asn1.ObjectIdentifier{1, 3, 132, 0, 35}           // secp521r1
)

type asn1AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type asn1SubjectPublicKeyInfo struct {
	Algorithm asn1AlgorithmIdentifier
	PublicKey asn1.BitString
}

type asn1RSAPublicKey struct {
	Modulus  *big.Int
	Exponent *big.Int
}

// asn1Certificate decodes only what is needed to reach subjectPublicKeyInfo; everything else is
// kept raw and not interpreted (validity, chain and signature are not checked: see ParsePEMKeys).
type asn1Certificate struct {
	TBS                asn1TBSCertificate
	SignatureAlgorithm asn1.RawValue
	Signature          asn1.BitString
}

type asn1TBSCertificate struct {
	Version         int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber    asn1.RawValue
	Signature       asn1.RawValue
	Issuer          asn1.RawValue
	Validity        asn1.RawValue
	Subject         asn1.RawValue
	PublicKey       asn1.RawValue
	IssuerUniqueID  asn1.RawValue `asn1:"optional,tag:1"`
	SubjectUniqueID asn1.RawValue `asn1:"optional,tag:2"`
	Extensions      asn1.RawValue `asn1:"optional,explicit,tag:3"`
}

// unmarshalExact decodes der into v and rejects trailing bytes.
func unmarshalExact(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return errors.New("invalid DER: " + err.Error())
	}
	if len(rest) != 0 {
		return errors.New("trailing data after DER structure")
	}
	return nil
}

// parseSPKI decodes a DER SubjectPublicKeyInfo into *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey.
func parseSPKI(der []byte) (any, error) {
	var info asn1SubjectPublicKeyInfo
	if err := unmarshalExact(der, &info); err != nil {
		return nil, err
	}
	if info.PublicKey.BitLength%8 != 0 {
		return nil, errors.New("public key bit string is not whole bytes")
	}
	keyBytes := info.PublicKey.Bytes
	alg := info.Algorithm
	switch {
	case alg.Algorithm.Equal(oidPublicKeyRSA):
		// RFC 3279 §2.3.1: the parameters MUST be NULL (tolerate absent, as many encoders do).
		if len(alg.Parameters.FullBytes) != 0 && alg.Parameters.Tag != asn1.TagNull {
			return nil, errors.New("rsa algorithm parameters must be NULL")
		}
		return parsePKCS1(keyBytes)
	case alg.Algorithm.Equal(oidPublicKeyEC):
		var curveOID asn1.ObjectIdentifier
		if err := unmarshalExact(alg.Parameters.FullBytes, &curveOID); err != nil {
			return nil, errors.New("ec parameters are not a named curve")
		}
		var curve elliptic.Curve
		switch {
		case curveOID.Equal(oidCurveP256):
			curve = elliptic.P256()
		case curveOID.Equal(oidCurveP384):
			curve = elliptic.P384()
		case curveOID.Equal(oidCurveP521):
			curve = elliptic.P521()
		default:
			return nil, errors.New("unsupported EC curve " + curveOID.String())
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, keyBytes)
		if err != nil {
			return nil, errors.New("ec point is invalid or not on the curve")
		}
		return pub, nil
	case alg.Algorithm.Equal(oidPublicKeyEd25519):
		// RFC 8410 §3: the parameters MUST be absent.
		if len(alg.Parameters.FullBytes) != 0 {
			return nil, errors.New("ed25519 algorithm parameters must be absent")
		}
		if len(keyBytes) != ed25519.PublicKeySize {
			return nil, errors.New("ed25519 public key must be 32 bytes")
		}
		return ed25519.PublicKey(append([]byte(nil), keyBytes...)), nil
	default:
		return nil, errors.New("unsupported public key algorithm " + alg.Algorithm.String())
	}
}

// parsePKCS1 decodes a DER RSAPublicKey. Size and exponent rules are applied later, when the
// key is prepared, with the other key formats.
func parsePKCS1(der []byte) (*rsa.PublicKey, error) {
	var k asn1RSAPublicKey
	if err := unmarshalExact(der, &k); err != nil {
		return nil, err
	}
	if k.Modulus == nil || k.Modulus.Sign() <= 0 {
		return nil, errors.New("rsa modulus must be positive")
	}
	if k.Exponent == nil || k.Exponent.Sign() <= 0 || !k.Exponent.IsInt64() || k.Exponent.Int64() > 1<<31-1 {
		return nil, errors.New("rsa public exponent is out of range")
	}
	return &rsa.PublicKey{N: k.Modulus, E: int(k.Exponent.Int64())}, nil
}

// parseCertificatePublicKey returns the public key of a DER X.509 certificate.
func parseCertificatePublicKey(der []byte) (any, error) {
	var cert asn1Certificate
	if err := unmarshalExact(der, &cert); err != nil {
		return nil, err
	}
	return parseSPKI(cert.TBS.PublicKey.FullBytes)
}
