//go:build !wasm

package jwtcore

// sameToken reports whether a == b (natively the runtime's comparison is already word-wise).
func sameToken(a, b string) bool { return a == b }
