package peer

import (
	"fmt"
	"strings"
)

// Policy is the one access policy both peers enforce, written once and rendered as an
// haproxy.cfg (HAProxyConfig) and as tokengate's plugin JSON (TokengateConfig).
type Policy struct {
	RSIssuer string // issuer of RS256 tokens (Auth0 in seed 001)
	HSIssuer string // issuer of HS256 tokens (an internal service with a shared secret)
	Audience string // the API identifier; both issuers must name it in aud

	PublicKeyPEM []byte // RS256 verification key (SPKI PEM)
	HMACSecret   string // HS256 shared secret, used as raw bytes by both peers
}

// HAProxyAddrs are where the rendered configuration listens and forwards.
type HAProxyAddrs struct {
	API     string // frontend of the decision differential (host:port)
	Bench   string // frontend of the speed reference (host:port); "" leaves it out
	Backend string // the upstream of the API frontend (host:port)
	PubKey  string // path of the PEM file holding Policy.PublicKeyPEM
}

// checks renders the seed documents' JWT checks (001: Auth0 blog, 002: FusionAuth guide) for two
// algorithms: the token comes from http_auth_bearer, header and payload fields are read with
// jwt_header_query/jwt_payload_query into variables, the algorithm is pinned per issuer, the
// signature is checked with jwt_verify (PEM public key for RS256, the secret for HS256), expiry
// is `exp - date() <= 0` as in seed 002, and the scope is matched as in seed 001 (substring:
// `-m sub read` for GET/HEAD, `-m sub write` for the write methods). sigCond gates the
// signature checks (the bench frontend uses it to measure the claims-only cost).
func checks(p Policy, a HAProxyAddrs, sigCond string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, "    "+format+"\n", args...) }
	w("http-request deny content-type 'text/plain' string 'Missing Authorization HTTP header' unless { req.hdr(authorization) -m found }")
	w("http-request set-var(txn.alg) http_auth_bearer,jwt_header_query('$.alg')")
	w("http-request set-var(txn.iss) http_auth_bearer,jwt_payload_query('$.iss')")
	w("http-request set-var(txn.aud) http_auth_bearer,jwt_payload_query('$.aud')")
	w("http-request set-var(txn.exp) http_auth_bearer,jwt_payload_query('$.exp','int')")
	w("http-request set-var(txn.scope) http_auth_bearer,jwt_payload_query('$.scope')")
	w("acl alg_rs var(txn.alg) -m str RS256")
	w("acl alg_hs var(txn.alg) -m str HS256")
	w("http-request deny content-type 'text/plain' string 'Unsupported JWT signing algorithm' unless alg_rs || alg_hs")
	w("http-request deny content-type 'text/plain' string 'Invalid JWT issuer' if alg_rs !{ var(txn.iss) -m str %s }", p.RSIssuer)
	w("http-request deny content-type 'text/plain' string 'Invalid JWT issuer' if alg_hs !{ var(txn.iss) -m str %s }", p.HSIssuer)
	w("http-request deny content-type 'text/plain' string 'Invalid JWT audience' unless { var(txn.aud) -m str %s }", p.Audience)
	w("http-request deny content-type 'text/plain' string 'Invalid JWT signature' if %s alg_rs !{ http_auth_bearer,jwt_verify(txn.alg,\"%s\") -m int 1 }", sigCond, a.PubKey)
	w("http-request deny content-type 'text/plain' string 'Invalid JWT signature' if %s alg_hs !{ http_auth_bearer,jwt_verify(txn.alg,\"%s\") -m int 1 }", sigCond, p.HMACSecret)
	w("http-request set-var(txn.now) date()")
	w("http-request deny content-type 'text/plain' string 'JWT has expired' if { var(txn.exp),sub(txn.now) -m int le 0 }")
	w("http-request deny content-type 'text/plain' string 'Insufficient scope' if { method GET HEAD } !{ var(txn.scope) -m sub read }")
	w("http-request deny content-type 'text/plain' string 'Insufficient scope' if { method POST PUT PATCH DELETE } !{ var(txn.scope) -m sub write }")
	return b.String()
}

// HAProxyConfig renders the haproxy.cfg of a run. The API frontend mirrors tokengate's rules:
// /health (and below) is open, /api (and below) needs a token as the seeds check it, any other
// path or method is denied.
func HAProxyConfig(p Policy, a HAProxyAddrs) string {
	var b strings.Builder
	b.WriteString(`global

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s

frontend fe_api
`)
	fmt.Fprintf(&b, "    bind %s\n", a.API)
	b.WriteString(`    http-request allow if { path /health } || { path_beg /health/ }
    http-request deny content-type 'text/plain' string 'No route' unless { path /api } || { path_beg /api/ }
    http-request deny content-type 'text/plain' string 'No route' unless { method GET HEAD POST PUT PATCH DELETE }
`)
	b.WriteString(checks(p, a, ""))
	b.WriteString("    default_backend be_app\n\nbackend be_app\n")
	fmt.Fprintf(&b, "    server app %s\n", a.Backend)
	if a.Bench != "" {
		b.WriteString("\nfrontend fe_bench\n")
		fmt.Fprintf(&b, "    bind %s\n", a.Bench)
		b.WriteString("    acl p_claims path /claims\n")
		b.WriteString("    http-request return status 200 content-type text/plain string ok if { path /none }\n")
		b.WriteString(checks(p, a, "!p_claims"))
		b.WriteString("    http-request return status 200 content-type text/plain string ok\n")
	}
	return b.String()
}
