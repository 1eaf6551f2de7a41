// Package filter is tokengate's proxy-wasm HTTP filter: it protects routes
// with JWTs verified in-process by package jwtcore, configured by the plugin
// JSON documented in README.md (issue 4).
//
// The package is split so that almost everything is ordinary Go that `go test`
// runs natively:
//
//   - config.go, config_provider.go, config_rules.go, jsonwalk.go: plugin JSON
//     -> *compiledConfig, once, at plugin start (parseConfig is pure; its
//     errors name the JSON path at fault). The schema is documented in
//     CONFIG.md, the decisions behind it in RATIONALE.md.
//   - request.go, path.go, match.go, extract.go: decide's input, request target
//     normalization, ordered rule matching, token extraction (header, query
//     parameter, cookie).
//   - decide.go: decide(cfg, req, now) Decision, the whole policy as a pure
//     function of plain values; it never calls the host.
//   - reasons.go, respond.go, claimheaders.go: the closed vocabulary of denial
//     reasons, RFC 6750 replies, and the headers forwarded upstream on allow.
//   - plugin.go, http.go, metrics.go: the only code that talks to the host,
//     through internal/proxywasm (the SDK's programming model). They gather
//     inputs, call decide, and apply the Decision; every host failure or
//     recovered panic denies with 500 (fail closed).
//   - introspection_*.go: RFC 7662 providers for opaque tokens (issue 6):
//     config, request/response codec, the shared-data cache (4-way buckets,
//     one shared.Slot each, keyed by SHA-256 of the token), the per-VM runtime
//     and the decide path. decide reads that cache (shared data get, never a
//     write or a call); a miss is a waiting Decision, like remote keys.
//   - outbound.go, oauthclient.go: what the outgoing calls share: an
//     http(s) URI checked and split for proxy_http_call, a JSON-object
//     response body, and the OAuth 2.0 client of introspection and
//     upstream_credentials (cluster, URI, client authentication of RFC 6749
//     §2.3.1, form-urlencoded POST, log description without the secret).
//   - upstreamcreds_*.go: upstream_credentials (issue 7), the gateway's own
//     OAuth 2.0 client credentials token for backends: config, token
//     request/response codec (RFC 6749 §2.3.1, §4.4, §5.1), a shared.Fetcher,
//     one background shared.Slot per entry (fetched once per proxy, refreshed
//     ahead of expiry from ticks), and decide's last step (set the header, or
//     wait with 503 upstream_token_unavailable as the fallback).
//
// What this package is NOT:
//
//   - not a JWT library: parsing, signatures, claims checks and the verified
//     token cache are jwtcore's;
//   - not an ABI binding: the proxy-wasm exports and imports live in
//     internal/proxywasm; cmd/tokengate-wasm is the main package of the .wasm;
//   - not a router: it never changes where a request goes, only whether it goes
//     and which headers (and normalized :path) it carries;
//   - not an authorization server: keys come from the plugin configuration or,
//     with remote_jwks, from the provider's JWKS (remote_jwks*.go, remote_keys.go),
//     fetched once per proxy through filter/internal/shared and Envoy shared data.
package filter
