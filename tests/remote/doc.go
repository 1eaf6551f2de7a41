// Package remote holds tokengate's integration tests against a real OAuth 2.0
// authorization server: the filter module (dist/tokengate.wasm) hosted by
// testenv with several VMs, and the fosite-based server of testenv/idp
// attached as cluster "idp", both in-process, on testenv's fake clock.
//
// It is its own Go module (replace directives point at this repository and at
// testenv/idp) so that fosite and its dependencies never enter the root
// go.mod: the filter, jwtcore and testenv stay lean. See RATIONALE.md, "Why
// do the remote tests live in their own module?".
//
// What it is NOT: not a place for filter logic or unit tests (those are in
// filter/, natively, with a stub IdP); not an Envoy test (no Envoy binary is
// run here); not a benchmark. Every test needs dist/tokengate.wasm (./build.sh)
// and fails, never skips, without it.
package remote
