package jwtcore

import (
	"bytes"
	"encoding/pem"
	"strconv"
)

// ParsePEMKeys loads one or more PEM blocks: "PUBLIC KEY" (SPKI: RSA, EC P-256/384/521, Ed25519),
// "RSA PUBLIC KEY" (PKCS#1) and "CERTIFICATE" (X.509; its public key is used, the certificate's
// validity period and chain are NOT checked). PEM keys have no kid. Any other block type, text
// outside the blocks, or an invalid key fails the whole load with an error naming the block.
func ParsePEMKeys(pemBytes []byte) (*KeySet, error) {
	var keys []*key
	rest := pemBytes
	for i := 0; ; i++ {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		block, r := pem.Decode(rest)
		if block == nil {
			return nil, keyErr(i, "", false, "not a PEM block (text outside PEM blocks?)")
		}
		rest = r
		k := &key{index: i}
		var pub any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			pub, err = parseSPKI(block.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = parsePKCS1(block.Bytes)
		case "CERTIFICATE":
			pub, err = parseCertificatePublicKey(block.Bytes)
		default:
			return nil, keyErr(i, "", false, "PEM block type "+strconv.Quote(block.Type)+" is not supported (need PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)")
		}
		if err != nil {
			return nil, keyErr(i, "", false, block.Type+": "+err.Error())
		}
		if err := k.setPublic(pub); err != nil {
			return nil, keyErr(i, "", false, block.Type+": "+err.Error())
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, &loadError{"no PEM blocks found"}
	}
	return newKeySet(keys, nil)
}
