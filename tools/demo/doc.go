// Command demo is what `make run` starts: the seed documents' flow against a real OAuth 2 server.
//
//	cd tools/demo && go run .    (after ./build.sh; `make run` does both)
//
// It starts, in one process, the fosite authorization server of testenv/idp on 127.0.0.1:9090
// (clients "demo" with scope read and "admin" with scopes read and write, audience "api"), an echo
// upstream on 127.0.0.1:9000, and the gateway on 127.0.0.1:8080: the real dist/tokengate.wasm
// hosted by testenv's Gateway, exactly as `tokengate run` serves it, with config.json (this
// directory; the issuer filled in) whose provider takes its keys from remote_jwks through OIDC
// discovery on cluster "idp". It prints curl commands (a token with client credentials, then API
// calls allowed and denied), sends each once itself and shows the status next to the announced one,
// then logs one line per request (never a token) until Ctrl-C. Flags change the addresses.
//
// It is its own module (fosite's dependencies never reach the filter's go.mod) and imports the
// repository through a replace directive. `tokengate demo` (cmd/tokengate) is the offline variant
// with a locally generated key; both share internal/demo.
//
// What it is NOT: a production proxy or identity provider. No TLS, fixed demo secrets, in-memory
// tokens; see testenv/idp and cmd/tokengate for what each part leaves out.
package main
