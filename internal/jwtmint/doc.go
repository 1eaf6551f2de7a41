// Package jwtmint makes signed compact JWS/JWT tokens and the keys to sign them, for tests and for the
// `tokengate token` / `tokengate keygen` commands. It uses the standard library only.
//
// It signs with any of the 13 JOSE algorithms tokengate accepts (HS256/384/512, RS256/384/512,
// PS256/384/512, ES256/384/512, EdDSA; RFC 7518 §3, RFC 8037) from an HMAC secret or any
// crypto.Signer; reads private keys from PEM (PKCS#1, SEC 1, PKCS#8); generates keys; renders public
// keys as PEM, JWK and JWKS; and computes RFC 7638 thumbprints. VerifyCompact checks a minted token
// with code written apart from the signer, so tests can see what they made.
//
// What it is NOT: an identity provider, a JWT validator (no claims, no policy: that is jwtcore), or
// anything the filter links. It does not judge key strength when signing: an empty HMAC secret or a
// 1024-bit RSA key signs, so tests can make tokens a verifier must refuse (CheckKey is the strict
// check the CLI applies to keys it is given). It must never import jwtcore: jwtcore's tests import it.
package jwtmint
