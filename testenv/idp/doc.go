// Package idp is a small, real OAuth 2.0 authorization server for tokengate's tests and demo,
// built on github.com/ory/fosite (the OAuth 2.0 engine of Ory Hydra).
//
// # What it is
//
//   - POST /oauth2/token: the client credentials grant (RFC 6749 §4.4) with client_secret_basic
//     and client_secret_post (RFC 6749 §2.3.1), parsed, authenticated and answered by fosite,
//     including its RFC 6749 §5.2 error responses. "JWT clients" receive RS256 access tokens in
//     the RFC 9068 profile (header typ "at+jwt" and kid; claims iss, aud, sub, client_id, scope,
//     exp, iat, jti); "opaque clients" receive fosite's HMAC tokens ("ory_at_…"). The
//     "scope" and "audience" form parameters are checked by fosite's exact-match scope and
//     audience strategies against the client's allowed sets; when a client asks for none, it is
//     granted all of its allowed scopes / audiences (RFC 6749 §3.3 lets a server choose a default).
//   - POST /oauth2/introspect: RFC 7662 through fosite's introspection handler, for JWT and opaque
//     tokens it issued; active:false for unknown, expired, revoked or foreign tokens. Callers
//     authenticate with client_secret_basic or client_secret_post and must be clients marked
//     Introspect.
//   - POST /oauth2/revoke: RFC 7009 through fosite's revocation handler.
//   - GET /.well-known/jwks.json and GET /.well-known/openid-configuration (discovery metadata,
//     every URL derived from the issuer).
//   - Test controls on *Server: RotateKey, SetDelay, SetDown/SetDownMode (closed connection or
//     503), SetFailStatus, SetMalformed, SetOverride, Hits/Requests, Revoke, SetClock, SetIssuer,
//     SetTokenLifespan, SetJWKSMaxAge, Reset; AdminHandler exposes them over HTTP for the
//     standalone program (cmd/tokengate-idp), only when its -admin-listen flag is given.
//
// # What it is NOT
//
// A test and demo server, not an identity provider: no users, no login, no consent, no
// authorization code / implicit / refresh / device flows, no OpenID Connect ID tokens, no TLS
// (put it behind httptest.NewTLSServer if needed), and in-memory storage only (fosite's
// MemoryStore: every issued token stays in memory until the process ends). Client secrets are
// bcrypt-hashed with the minimum cost so tests stay fast.
//
// # Time
//
// The server's clock (WithClock, SetClock) sets iat, exp, the introspection "iat"/"exp" and the
// expiry checks of introspection, so a clock far from the real time works. fosite reads
// time.Now in a few places; the server overrides each: the client credentials handler's
// provisional expiry and expires_in are replaced after fosite computes them, the request
// timestamp (introspection "iat") is set from the clock, and token validation (tokenStrategy)
// re-does fosite's checks with the clock: signature through fosite's JWT parser (whose
// wall-clock time-claim errors are ignored) or fosite's HMAC Enigma, then expiry.
//
// # Notes for clients of this server
//
//   - client_secret_basic credentials are form-urlencoded before Base64 (RFC 6749 §2.3.1) and
//     fosite decodes them: a client must encode an id or secret holding '%', '+', ':' or spaces.
//   - "aud" is always a JSON array in tokens and introspection answers, even with one audience.
//   - The token response's token_type is fosite's lower-case "bearer"; introspection's
//     token_type is "Bearer".
//   - Hits counts every request that reached an endpoint, faulted or not. A Go http.Client
//     retries an idempotent request once when a reused keep-alive connection is closed, so one
//     GET against a DownClose endpoint can count two hits; RoundTrip never retries.
package idp
