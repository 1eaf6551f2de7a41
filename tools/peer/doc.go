// Package peer compares tokengate with HAProxy 2.6 (its reference peer for JWT decisions and
// speed) on the same inputs.
//
// What it is:
//
//   - a decision differential (TestPeer_Decisions): one corpus of requests (valid RS256 and
//     HS256 tokens, expired, wrong iss/aud, flipped signature bytes, alg none, HS/RS confusion,
//     missing token, wrong scheme, insufficient scope, ...) is sent to an `haproxy -db` subprocess
//     configured as in the seed documents (http_auth_bearer, jwt_header_query, jwt_payload_query,
//     jwt_verify, date()) and to dist/tokengate.wasm behind testenv's Gateway; allow/deny must
//     agree, and every disagreement must match one named Rule (rules.go) or the test fails;
//   - a speed reference (BenchmarkPeer_Speed): HAProxy's CPU per request read from
//     /proc/<pid>/stat, minus a no-JWT baseline, beside tokengate's per-request cost under
//     testenv, in the same run, as ratios.
//
// What it is NOT: part of `make test` (it needs the haproxy binary: `apt-get install haproxy`),
// a conformance suite for either side (jwtcore has its own), or a load test. It never modifies
// HAProxy's system configuration: everything runs from a temporary directory on loopback.
package peer
