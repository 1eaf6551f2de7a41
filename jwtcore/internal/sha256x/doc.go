// Package sha256x is SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) written for Go's wasm
// backend, where crypto/sha256 has no assembly and its generic block function costs about three
// times as much per 64-byte block as this one (figures: jwtcore/RATIONALE.md).
//
// It offers exactly what jwtcore verifies with: Sum256 for the digest of a JWS signing input
// and HMAC, an HMAC-SHA-256 whose inner and outer chaining states are computed from the key
// once, so one MAC costs the message blocks plus one outer block, with no allocation.
//
// It is NOT a general hash package: there is no streaming hash.Hash, no SHA-224, no other
// hash. Natively jwtcore keeps crypto/sha256 and crypto/hmac (SHA-NI/AVX2 assembly); only its
// wasm build uses this package. Every operation is data-independent (no branches or table
// lookups on message or key bytes), so timing does not depend on the secret.
package sha256x
