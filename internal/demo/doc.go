// Package demo holds what the two demos and `tokengate run` share: the gateway server (the real
// .wasm hosted by testenv's Gateway on a TCP listener, with one log line per request), the echo
// upstream, and the printed-and-self-checked request steps.
//
// Users: cmd/tokengate (`run`, and `demo`, the offline demo with a locally generated key) and
// tools/demo (what `make run` starts: the fosite IdP, remote_jwks with discovery).
//
// What it is NOT: a production proxy or server. No TLS, no HTTP/2, no hostile-client hardening, no
// access log beyond one line per request (method, path without query, status, denial reason; never
// a token or a header value other than the x-jwt-* claims the filter set).
package demo
