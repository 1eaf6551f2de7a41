// Command tokengate is the developer's companion to the tokengate proxy-wasm filter.
//
//	tokengate token   mint a signed test JWT from a private key or an HMAC secret
//	tokengate keygen  write a key pair (private PEM, public PEM, JWKS) or an HMAC secret
//	tokengate run     serve HTTP through dist/tokengate.wasm hosted by testenv, in front of an upstream
//	tokengate demo    keygen + echo upstream + run, and print curl commands that are allowed and denied
//
// What it is NOT: `run` and `demo` are for trying a policy without Envoy. They host the real .wasm the
// way Envoy's proxy-wasm host does (testenv), but they are not a production proxy: no TLS, no
// connection limits or timeouts tuned for hostile clients, no HTTP/2, no hot reload, no access log
// beyond one line per request. Put the .wasm in Envoy (envoy.yaml) or Istio for real traffic. Likewise,
// `token` and `keygen` make test credentials; they are not an identity provider.
//
// Only the standard library and this repository's packages are used. Keys and signatures come from
// internal/jwtmint (standard library only); verification lives in jwtcore. The gateway server, the
// echo upstream and the self-checked demo steps live in internal/demo, shared with tools/demo (the
// `make run` demo with the fosite IdP and remote_jwks; `tokengate demo` is the offline variant).
package main
