package peer

import (
	"crypto/hmac"
	"crypto/sha512"
	"fmt"
	"strings"
	"time"
)

// corpus builds the requests of the differential for one Policy and key set, with times
// relative to now. Tokens meant to be valid or expired stay at least 30 s away from every
// time boundary (including the 60 s clock skew) unless the case is about that boundary.
type corpus struct {
	k    *Keys
	p    Policy
	now  int64
	seq  int
	reqs []Request
}

// Corpus returns the requests of the differential (more than 200).
func Corpus(k *Keys, p Policy, now time.Time) []Request {
	c := &corpus{k: k, p: p, now: now.Unix()}
	c.valid()
	c.times()
	c.issuers()
	c.audiences()
	c.signatures()
	c.algorithms()
	c.credentials()
	c.structure()
	c.paths()
	return c.reqs
}

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

func (c *corpus) add(name, method, target, auth string) {
	r := Request{Name: name, Method: method, Target: target}
	if auth != "\x00" {
		r.Headers = [][2]string{{"Authorization", auth}}
	}
	c.reqs = append(c.reqs, r)
}

// get adds a GET /api/items with "Bearer <tok>".
func (c *corpus) get(name, tok string) { c.add(name, "GET", "/api/items", "Bearer "+tok) }

// claims are an Auth0-like client-credentials payload from issuer iss.
func (c *corpus) claims(iss, scope string) map[string]any {
	c.seq++
	return map[string]any{
		"iss": iss, "sub": fmt.Sprintf("client-%d@clients", c.seq), "aud": c.p.Audience,
		"iat": c.now - 60, "exp": c.now + 3600, "scope": scope, "gty": "client-credentials",
	}
}

func (c *corpus) rsClaims(scope string) map[string]any { return c.claims(c.p.RSIssuer, scope) }
func (c *corpus) hsClaims(scope string) map[string]any { return c.claims(c.p.HSIssuer, scope) }

func (c *corpus) hs(input string) []byte { return SignHS256([]byte(c.k.HMAC), input) }

// rsRaw and hsRaw sign raw JSON texts.
func (c *corpus) rsRaw(hdr, payload string) string { return Compact(hdr, payload, c.k.SignRS256) }
func (c *corpus) hsRaw(hdr, payload string) string { return Compact(hdr, payload, c.hs) }

func (c *corpus) rs(claims map[string]any) string {
	return c.rsRaw(`{"alg":"RS256","typ":"JWT"}`, JSON(claims))
}
func (c *corpus) hsTok(claims map[string]any) string {
	return c.hsRaw(`{"alg":"HS256","typ":"JWT"}`, JSON(claims))
}

// valid: every method with every scope set, both algorithms (allowed exactly when the method's
// scope is one of the token's scopes, or, for HAProxy, a substring of them).
func (c *corpus) valid() {
	scopes := []string{"read", "write", "read write", "write read profile", "", "profile", "readonly", "read:all", "rewrite"}
	for _, sc := range scopes {
		rt := c.rs(c.rsClaims(sc))
		ht := c.hsTok(c.hsClaims(sc))
		for _, m := range methods {
			c.add(fmt.Sprintf("valid RS256 scope=%q %s", sc, m), m, "/api/items", "Bearer "+rt)
			c.add(fmt.Sprintf("valid HS256 scope=%q %s", sc, m), m, "/api/items/7", "Bearer "+ht)
		}
	}
	// no scope claim at all
	cl := c.rsClaims("")
	delete(cl, "scope")
	c.get("valid RS256 without scope claim", c.rs(cl))
	// scope as an array
	cl = c.rsClaims("")
	cl["scope"] = []string{"read", "write"}
	c.get("RS256 scope array", c.rs(cl))
	// the same token twice (tokengate's cache) and on the bare /api
	t := c.rs(c.rsClaims("read write"))
	c.get("valid RS256 first use", t)
	c.get("valid RS256 second use", t)
	c.add("valid RS256 on /api", "GET", "/api", "Bearer "+t)
	c.add("valid RS256 with query", "GET", "/api/items?limit=5", "Bearer "+t)
	// long-lived, extra claims, pretty-printed JSON, header extras both ignore
	cl = c.rsClaims("read")
	cl["exp"] = c.now + 10*365*86400
	c.get("valid RS256 exp in ten years", c.rs(cl))
	cl = c.rsClaims("read")
	cl["https://example.com/roles"] = []string{"admin"}
	cl["nested"] = map[string]any{"iss": "evil", "aud": "evil"}
	c.get("valid RS256 extra and nested claims", c.rs(cl))
	c.get("valid RS256 pretty JSON", c.rsRaw("{\n  \"alg\": \"RS256\",\n  \"typ\": \"JWT\"\n}",
		fmt.Sprintf("{\n  \"iss\": %q,\n  \"aud\": %q,\n  \"exp\": %d,\n  \"scope\": \"read\"\n}", c.p.RSIssuer, c.p.Audience, c.now+3600)))
	c.get("valid RS256 with kid", c.rsRaw(`{"alg":"RS256","typ":"JWT","kid":"some-key"}`, JSON(c.rsClaims("read"))))
	c.get("valid RS256 with jku and x5u (never fetched)", c.rsRaw(`{"alg":"RS256","jku":"https://evil.example/jwks","x5u":"https://evil.example/c"}`, JSON(c.rsClaims("read"))))
	c.get("valid HS256 without typ", c.hsRaw(`{"alg":"HS256"}`, JSON(c.hsClaims("read"))))
	cl = c.rsClaims("read")
	cl["pad"] = strings.Repeat("x", 4000)
	c.get("valid RS256 of 6 KB", c.rs(cl))
}

// times: expiry on both sides of the clock skew, nbf, iat, exp types.
func (c *corpus) times() {
	for _, alg := range []string{"RS256", "HS256"} {
		mint, claims := c.rs, c.rsClaims
		if alg == "HS256" {
			mint, claims = c.hsTok, c.hsClaims
		}
		for _, d := range []int64{-86400, -3600, -120, -90} {
			cl := claims("read write")
			cl["exp"] = c.now + d
			cl["iat"] = c.now + d - 3600
			c.get(fmt.Sprintf("%s expired %ds ago", alg, -d), mint(cl))
			c.add(fmt.Sprintf("%s expired %ds ago POST", alg, -d), "POST", "/api/items", "Bearer "+mint(cl))
		}
		cl := claims("read")
		cl["exp"] = c.now - 20 // inside tokengate's 60 s skew for the whole run
		c.get(alg+" expired 20s ago (inside the skew)", mint(cl))
		cl = claims("read")
		cl["exp"] = c.now + 45
		c.get(alg+" expires in 45s", mint(cl))
		cl = claims("read")
		cl["nbf"] = c.now + 3600
		c.get(alg+" nbf in an hour", mint(cl))
		cl = claims("read")
		cl["nbf"] = c.now - 3600
		c.get(alg+" nbf an hour ago", mint(cl))
		cl = claims("read")
		cl["iat"] = c.now + 3600
		c.get(alg+" iat in an hour", mint(cl))
		cl = claims("read")
		delete(cl, "exp")
		c.get(alg+" without exp", mint(cl))
		cl = claims("read")
		cl["exp"] = fmt.Sprint(c.now + 3600)
		c.get(alg+" exp as a string", mint(cl))
		cl = claims("read")
		cl["exp"] = fmt.Sprint(c.now - 3600)
		c.get(alg+" expired exp as a string", mint(cl))
		cl = claims("read")
		cl["exp"] = float64(c.now+3600) + 0.5
		c.get(alg+" fractional exp", mint(cl))
		cl = claims("read")
		cl["exp"] = nil
		c.get(alg+" exp null", mint(cl))
		cl = claims("read")
		cl["exp"] = true
		c.get(alg+" exp true", mint(cl))
		cl = claims("read")
		cl["exp"] = 0
		c.get(alg+" exp zero", mint(cl))
	}
}

// issuers: wrong, missing, swapped between the two providers, typed wrong, escaped.
func (c *corpus) issuers() {
	for _, iss := range []any{"https://evil.example/", "https://myaccount.auth0.com", "HTTPS://MYACCOUNT.AUTH0.COM/",
		c.p.RSIssuer + " ", "", nil, 42, []string{c.p.RSIssuer}} {
		cl := c.rsClaims("read")
		cl["iss"] = iss
		c.get(fmt.Sprintf("RS256 iss=%v", JSON(iss)), c.rs(cl))
		cl = c.hsClaims("read")
		cl["iss"] = iss
		c.get(fmt.Sprintf("HS256 iss=%v", JSON(iss)), c.hsTok(cl))
	}
	cl := c.rsClaims("read")
	delete(cl, "iss")
	c.get("RS256 without iss", c.rs(cl))
	c.get("RS256 token with the HS256 issuer", c.rs(c.hsClaims("read")))
	c.get("HS256 token with the RS256 issuer", c.hsTok(c.rsClaims("read")))
	esc := strings.ReplaceAll(c.p.RSIssuer, "/", `\/`)
	c.get("RS256 iss with escaped slashes", c.rsRaw(`{"alg":"RS256"}`,
		fmt.Sprintf(`{"iss":"%s","aud":%q,"exp":%d,"scope":"read"}`, esc, c.p.Audience, c.now+3600)))
	c.get("RS256 iss with a \\u escape", c.rsRaw(`{"alg":"RS256"}`,
		fmt.Sprintf(`{"iss":"%s","aud":%q,"exp":%d,"scope":"read"}`, strings.Replace(c.p.RSIssuer, "h", `\u0068`, 1), c.p.Audience, c.now+3600)))
	c.get("RS256 duplicate iss, evil first", c.rsRaw(`{"alg":"RS256"}`,
		fmt.Sprintf(`{"iss":"https://evil.example/","iss":%q,"aud":%q,"exp":%d,"scope":"read"}`, c.p.RSIssuer, c.p.Audience, c.now+3600)))
	c.get("RS256 duplicate iss, evil last", c.rsRaw(`{"alg":"RS256"}`,
		fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"scope":"read","iss":"https://evil.example/"}`, c.p.RSIssuer, c.p.Audience, c.now+3600)))
	c.get("RS256 duplicate exp, expired last", c.rsRaw(`{"alg":"RS256"}`,
		fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"scope":"read","exp":%d}`, c.p.RSIssuer, c.p.Audience, c.now+3600, c.now-3600)))
	c.get("HS256 duplicate scope, read last", c.hsRaw(`{"alg":"HS256"}`,
		fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"scope":"write","scope":"read"}`, c.p.HSIssuer, c.p.Audience, c.now+3600)))
	c.get("RS256 duplicate alg in header", c.rsRaw(`{"alg":"RS256","alg":"none"}`, JSON(c.rsClaims("read"))))
	c.get("RS256 duplicate member in a nested object", c.rsRaw(`{"alg":"RS256"}`,
		fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"scope":"read","ctx":{"a":1,"a":2}}`, c.p.RSIssuer, c.p.Audience, c.now+3600)))
}

// audiences: wrong, missing, arrays.
func (c *corpus) audiences() {
	for _, aud := range []any{"https://other.example", c.p.Audience + "/", "", nil, 1,
		[]string{c.p.Audience}, []string{"https://other.example", c.p.Audience}, []string{"https://other.example"}, []string{}} {
		cl := c.rsClaims("read")
		cl["aud"] = aud
		c.get(fmt.Sprintf("RS256 aud=%s", JSON(aud)), c.rs(cl))
		cl = c.hsClaims("read")
		cl["aud"] = aud
		c.get(fmt.Sprintf("HS256 aud=%s", JSON(aud)), c.hsTok(cl))
	}
	cl := c.rsClaims("read")
	delete(cl, "aud")
	c.get("RS256 without aud", c.rs(cl))
}

// replaceAt returns s with the base64url character at i replaced by the character whose 6-bit
// value differs in bit.
func replaceAt(s string, i int, bit uint) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	v := strings.IndexByte(alphabet, s[i])
	if v < 0 {
		return s[:i] + "A" + s[i+1:]
	}
	return s[:i] + string(alphabet[v^(1<<bit)]) + s[i+1:]
}

// signatures: single-character flips in each segment, truncation, foreign keys.
func (c *corpus) signatures() {
	for _, alg := range []string{"RS256", "HS256"} {
		t := c.rs(c.rsClaims("read write"))
		if alg == "HS256" {
			t = c.hsTok(c.hsClaims("read write"))
		}
		h, p, s := splitToken(t)
		for _, i := range []int{0, 1, len(s) / 2, len(s) - 2, len(s) - 1} {
			for _, bit := range []uint{0, 5} {
				c.get(fmt.Sprintf("%s signature char %d bit %d flipped", alg, i, bit), h+"."+p+"."+replaceAt(s, i, bit))
			}
		}
		for _, i := range []int{2, len(p) / 2, len(p) - 1} {
			c.get(fmt.Sprintf("%s payload char %d flipped", alg, i), h+"."+replaceAt(p, i, 1)+"."+s)
		}
		c.get(alg+" header char 3 flipped", replaceAt(h, 3, 2)+"."+p+"."+s)
		c.get(alg+" signature truncated by 4", h+"."+p+"."+s[:len(s)-4])
		c.get(alg+" signature doubled", h+"."+p+"."+s+s)
		c.get(alg+" signature empty", h+"."+p+".")
		c.get(alg+" signature with '=' padding", h+"."+p+"."+s+"=")
		c.get(alg+" signature in standard base64", h+"."+p+"."+strings.NewReplacer("-", "+", "_", "/").Replace(s)+"+/")
		c.get(alg+" payload of another token", h+"."+splitPayload(c.rs(c.rsClaims("read")))+"."+s)
	}
	// signed by another RSA key / another secret
	other, err := NewKeys()
	if err != nil {
		panic(err)
	}
	c.get("RS256 signed by another key", Compact(`{"alg":"RS256"}`, JSON(c.rsClaims("read")), other.SignRS256))
	c.get("HS256 signed with another secret", Compact(`{"alg":"HS256"}`, JSON(c.hsClaims("read")),
		func(in string) []byte { return SignHS256([]byte(other.HMAC), in) }))
	c.get("HS256 signed with the secret's hex decoded", Compact(`{"alg":"HS256"}`, JSON(c.hsClaims("read")),
		func(in string) []byte { return SignHS256([]byte(c.k.HMAC[:32]), in) }))
}

// algorithms: none, confusion, algorithms outside the allow-list.
func (c *corpus) algorithms() {
	pl := JSON(c.rsClaims("read write"))
	rsSig := splitSig(c.rsRaw(`{"alg":"RS256"}`, pl))
	for _, hdr := range []string{`{"alg":"none"}`, `{"alg":"None"}`, `{"alg":"NONE"}`, `{"alg":"none","typ":"JWT"}`} {
		c.get("unsigned "+hdr, Compact(hdr, pl, nil))
		c.get("unsigned "+hdr+" with an RS256 signature", Compact(hdr, pl, nil)+rsSig)
	}
	for _, hdr := range []string{`{}`, `{"alg":null}`, `{"alg":256}`, `{"alg":"rs256"}`, `{"alg":"RS256 "}`, `{"alg":["RS256"]}`, `{"typ":"JWT"}`} {
		c.get("header "+hdr+" signed RS256", c.rsRaw(hdr, pl))
	}
	// HS/RS confusion: HMAC keyed with the RSA public key (PEM text, and DER inside it)
	pem := c.k.PublicPEM()
	confuse := func(in string) []byte { return SignHS256(pem, in) }
	c.get("HS256 keyed with the RS256 public PEM, RS issuer", Compact(`{"alg":"HS256"}`, pl, confuse))
	c.get("HS256 keyed with the RS256 public PEM, HS issuer", Compact(`{"alg":"HS256"}`, JSON(c.hsClaims("read")), confuse))
	c.get("RS256 header over an HMAC signature", Compact(`{"alg":"RS256"}`, pl, c.hs))
	c.get("HS256 header over an RSA signature", Compact(`{"alg":"HS256"}`, JSON(c.hsClaims("read")), c.k.SignRS256))
	// other algorithms, correctly signed where the key can do them
	c.get("HS512 with the shared secret", Compact(`{"alg":"HS512"}`, JSON(c.hsClaims("read")), func(in string) []byte {
		m := hmac.New(sha512.New, []byte(c.k.HMAC))
		m.Write([]byte(in))
		return m.Sum(nil)
	}))
	for _, a := range []string{"RS384", "RS512", "PS256", "ES256", "EdDSA", "HS384"} {
		c.get(a+" header, RS256 signature", Compact(`{"alg":"`+a+`"}`, pl, c.k.SignRS256))
	}
	c.get("RS256 with crit", c.rsRaw(`{"alg":"RS256","crit":["exp"],"exp":1}`, pl))
	c.get("RS256 header not an object", c.rsRaw(`["RS256"]`, pl))
}

// credentials: missing token, other schemes, spacing and case of the scheme.
func (c *corpus) credentials() {
	t := c.rs(c.rsClaims("read write"))
	c.add("no Authorization GET", "GET", "/api/items", "\x00")
	c.add("no Authorization POST", "POST", "/api/items", "\x00")
	c.add("no Authorization DELETE", "DELETE", "/api/items/3", "\x00")
	for i, a := range []string{"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNzd29yZA==", "Basic " + t, "Token " + t,
		"JWT " + t, t, "Bearer: " + t, "Bearer" + t, "Bearer " + t + " " + t, "Bearer " + t + ",foo"} {
		name := a
		if len(name) > 24 {
			name = name[:24] + "..."
		}
		c.add(fmt.Sprintf("Authorization #%d %q", i, name), "GET", "/api/items", a)
	}
	c.add("scheme lower case", "GET", "/api/items", "bearer "+t)
	c.add("scheme upper case", "GET", "/api/items", "BEARER "+t)
	c.add("scheme mixed case POST", "POST", "/api/items", "BeArEr "+t)
	c.add("two spaces after the scheme", "GET", "/api/items", "Bearer  "+t)
	c.add("trailing space", "GET", "/api/items", "Bearer "+t+" ")
}

// structure: malformed compact serializations and sizes.
func (c *corpus) structure() {
	t := c.rs(c.rsClaims("read"))
	h, p, s := splitToken(t)
	for name, tok := range map[string]string{
		"two segments":           h + "." + p,
		"four segments":          t + "." + s,
		"empty header segment":   "." + p + "." + s,
		"empty payload segment":  h + ".." + s,
		"three dots":             "...",
		"not base64":             "!!!." + p + "." + s,
		"header not JSON":        B64([]byte("RS256")) + "." + p + "." + s,
		"whitespace inside":      h + ". " + p + "." + s,
		"payload is an array":    c.rsRaw(`{"alg":"RS256"}`, `["read"]`),
		"payload is null":        c.rsRaw(`{"alg":"RS256"}`, `null`),
		"payload trailing junk":  c.rsRaw(`{"alg":"RS256"}`, JSON(c.rsClaims("read"))+"x"),
		"payload truncated JSON": c.rsRaw(`{"alg":"RS256"}`, strings.TrimSuffix(JSON(c.rsClaims("read")), "}")),
		"JWE-like five segments": h + "." + p + "." + s + "." + s + "." + s,
	} {
		c.get(name, tok)
	}
	cl := c.rsClaims("read")
	cl["pad"] = strings.Repeat("x", 7000)
	c.get("RS256 of 9.5 KB", c.rs(cl))
	cl = c.hsClaims("read")
	cl["pad"] = strings.Repeat("y", 6500)
	c.get("HS256 of 8.9 KB", c.hsTok(cl))
	// payload whose base64url has non-zero padding bits (length 1 mod 3 leaves 4 of them)
	for n := 0; n < 3; n++ {
		cl = c.hsClaims("read")
		cl["n"] = strings.Repeat("z", n)
		pj := JSON(cl)
		if len(pj)%3 == 1 {
			enc := B64([]byte(pj))
			bad := replaceAt(enc, len(enc)-1, 0)
			hdr := B64([]byte(`{"alg":"HS256"}`))
			c.get("HS256 payload with non-zero padding bits", hdr+"."+bad+"."+B64(c.hs(hdr+"."+bad)))
		}
	}
}

// paths: open and protected routes, normalization, unknown routes and methods.
func (c *corpus) paths() {
	t := c.rs(c.rsClaims("read write"))
	for _, target := range []string{"/health", "/health/live", "/api/../health", "/api/./../health/x", "/health/../api/items",
		"/health/./../api", "/healthz", "/", "/apix", "/API/items", "/api%2Fitems", "/api/%2e%2e/health", "//api/items"} {
		c.add("no token "+target, "GET", target, "\x00")
		c.add("token "+target, "GET", target, "Bearer "+t)
	}
	c.add("token /api//items", "GET", "/api//items", "Bearer "+t)
	c.add("token OPTIONS", "OPTIONS", "/api/items", "Bearer "+t)
	c.add("no token OPTIONS", "OPTIONS", "/api/items", "\x00")
}

func splitToken(t string) (h, p, s string) {
	parts := strings.SplitN(t, ".", 3)
	return parts[0], parts[1], parts[2]
}

func splitPayload(t string) string { _, p, _ := splitToken(t); return p }
func splitSig(t string) string     { _, _, s := splitToken(t); return s }
