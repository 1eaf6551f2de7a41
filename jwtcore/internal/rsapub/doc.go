// Package rsapub verifies RSASSA-PKCS1-v1_5 signatures (RFC 8017 §8.2.2) with a public key
// prepared once: the modulus as 64-bit limbs, -n⁻¹ mod 2^64 and R² mod n (R = 2^(64·limbs))
// are computed at key load, so a verification is only the Montgomery exponentiation s^e mod n
// and a comparison. It exists for jwtcore's wasm build, where crypto/rsa has no assembly,
// emulates every 64×64→128-bit multiplication and converts the public key on every call
// (figures: jwtcore/RATIONALE.md, "Own RSA verification inside wasm").
//
// The check never parses the decrypted block: it builds the expected encoding
// EM = 0x00 0x01 FF…FF 0x00 || DigestInfo || digest (EMSA-PKCS1-v1_5, RFC 8017 §9.2) and
// compares all k bytes of s^e mod n with it, which leaves no room for the known PKCS#1 v1.5
// parsing forgeries (short padding, trailing garbage, lax DigestInfo or parameters).
//
// It is NOT a general RSA package: no signing, no private keys, no PSS, no encryption, and
// only SHA-256, SHA-384 and SHA-512 DigestInfo. Everything it handles is public (key,
// signature, digest), so its timing depends on public data only and it makes no attempt
// at constant time. Keys must be odd moduli of at least 2048 bits (at most MaxBits) with an
// odd public exponent 3 <= e < 2^31.
package rsapub
