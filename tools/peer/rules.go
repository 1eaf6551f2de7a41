package peer

// Decision is what a peer did with a request: forwarded it upstream, or answered it itself.
type Decision string

const (
	Allow Decision = "allow"
	Deny  Decision = "deny"
)

// Rule names one legitimate difference between tokengate and HAProxy configured as in the
// seeds. A rule excuses a disagreement only when its fact holds for the request AND each peer
// decided as the rule says; any other disagreement fails the differential.
type Rule struct {
	Name      string
	Why       string
	Applies   func(Facts) bool
	Tokengate Decision
	HAProxy   Decision
}

// Rules are every known difference. Each must be observed at least once by the differential
// (so this list cannot keep a difference that no longer exists).
var Rules = []Rule{
	{
		Name:      "tokengate-clock-skew",
		Why:       "tokengate accepts exp within clock_skew_seconds (60 s) in the past; the seed's `exp - date() <= 0` has none",
		Applies:   func(f Facts) bool { return f.ExpInLeeway },
		Tokengate: Allow, HAProxy: Deny,
	},
	{
		Name:      "haproxy-ignores-nbf",
		Why:       "the seed configuration never reads nbf; tokengate rejects a token not yet valid (RFC 7519 §4.1.5)",
		Applies:   func(f Facts) bool { return f.NbfFuture },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name:      "haproxy-ignores-iat",
		Why:       "the seed configuration never reads iat; tokengate rejects a token issued in the future (beyond the skew)",
		Applies:   func(f Facts) bool { return f.IatFuture },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name: "haproxy-exp-optional",
		Why: "jwt_payload_query('$.exp','int') yields nothing for a missing or non-numeric exp and a string is converted, " +
			"so the seed's expiry deny never fires; tokengate requires a numeric exp (require_expiration)",
		Applies:   func(f Facts) bool { return f.ExpNotNumber },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name:      "tokengate-rejects-duplicate-members",
		Why:       "tokengate rejects JSON with repeated member names (RFC 7515 §4: MUST reject or use a lexically last parser); HAProxy's JSON query takes the first",
		Applies:   func(f Facts) bool { return f.DuplicateMember },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name:      "tokengate-rejects-noncanonical-base64",
		Why:       "tokengate requires canonical base64url (zero padding bits); HAProxy's decoder ignores the padding bits, so the same signature bytes verify",
		Applies:   func(f Facts) bool { return f.NonCanonicalBase64 },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name:      "tokengate-rejects-crit",
		Why:       "tokengate rejects every crit header (it implements no JWS extension, RFC 7515 §4.1.11); the seed configuration ignores it",
		Applies:   func(f Facts) bool { return f.Crit },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name:      "tokengate-max-token-bytes",
		Why:       "tokengate refuses tokens over max_token_bytes (8192 by default) before any work; HAProxy takes what fits its buffer",
		Applies:   func(f Facts) bool { return f.TokenLarger },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name:      "haproxy-aud-array",
		Why:       "RFC 7519 §4.1.3 allows aud as an array; HAProxy 2.6's jwt_payload_query returns nothing for an array, so `-m str` fails",
		Applies:   func(f Facts) bool { return f.AudArray },
		Tokengate: Allow, HAProxy: Deny,
	},
	{
		Name:      "haproxy-scope-array",
		Why:       "tokengate reads a scope claim given as an array of strings; HAProxy 2.6's jwt_payload_query returns nothing for an array, so `-m sub` fails",
		Applies:   func(f Facts) bool { return f.ScopeArray },
		Tokengate: Allow, HAProxy: Deny,
	},
	{
		Name: "tokengate-rejects-invalid-json",
		Why: "tokengate requires header and payload to be one valid JSON object (RFC 7519 §7.2); HAProxy's JSON query still finds " +
			"members in a truncated text or one with trailing bytes (and exp then goes unchecked)",
		Applies:   func(f Facts) bool { return f.InvalidJSON },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name: "haproxy-authorization-list",
		Why: "http_auth_bearer reads Authorization as a comma-separated list and takes the first element, so \"Bearer <jwt>,x\" " +
			"verifies <jwt>; tokengate takes the whole value (RFC 7235: the header has one credentials) and the ',' is not base64url",
		Applies:   func(f Facts) bool { return f.CommaInCredential },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name:      "haproxy-json-escapes",
		Why:       "tokengate compares claims after JSON unescaping (\"https:\\/\\/...\" is https://...); HAProxy 2.6's JSON query leaves the \\/ escape undecoded, so the issuer does not match",
		Applies:   func(f Facts) bool { return f.JSONEscape },
		Tokengate: Allow, HAProxy: Deny,
	},
	{
		Name:      "haproxy-scope-substring",
		Why:       "the seed matches scopes with `-m sub read`, so \"readonly\" grants read; tokengate matches whole space-separated scopes (RFC 6749 §3.3)",
		Applies:   func(f Facts) bool { return f.ScopeSubstringOnly },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name: "haproxy-path-not-normalized-bypass",
		Why: "HAProxy routes on the raw path, so /health/../api/x takes the open /health route and /api/%2e%2e/health goes upstream with a token; " +
			"tokengate normalizes first (RFC 3986 §5.2.4: /api/x needs a token) and rejects encoded '.' or '/' (400 path_invalid)",
		Applies:   func(f Facts) bool { return f.PathNotNormal },
		Tokengate: Deny, HAProxy: Allow,
	},
	{
		Name: "tokengate-path-normalized-open",
		Why: "tokengate normalizes /api/../health to /health (open) and //api/x to /api/x and forwards the normalized path; " +
			"HAProxy matches the raw path (a token on /api/../health, no route for //api/x)",
		Applies:   func(f Facts) bool { return f.PathNotNormal },
		Tokengate: Allow, HAProxy: Deny,
	},
}

// Classify returns the rules that excuse tokengate deciding tg and HAProxy hp on a request with
// facts f; nil when the peers agree. A disagreement with no rule is a failure of the
// differential.
func Classify(f Facts, tg, hp Decision) (agree bool, rules []string) {
	if tg == hp {
		return true, nil
	}
	for _, r := range Rules {
		if r.Tokengate == tg && r.HAProxy == hp && r.Applies(f) {
			rules = append(rules, r.Name)
		}
	}
	return false, rules
}
