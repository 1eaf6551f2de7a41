package jwtcore

// Differential test against github.com/golang-jwt/jwt/v5 (test-only dependency): thousands of
// random valid and invalid tokens, and the accept/reject decisions must agree. Every disagreement
// must be explained by a named, documented difference in which jwtcore is the stricter (or more
// precise) side; an unexplained disagreement fails the test.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	jwt "github.com/golang-jwt/jwt/v5"
)

const (
	tvDiffLeeway = 30 * time.Second
	tvDiffIssuer = "https://idp.example/"
	tvDiffAud    = "api://orders"
)

// tvDiffKey is one key known to both verifiers.
type tvDiffKey struct {
	kid  string
	alg  string // the algorithm family the key serves: HS256, RS256 or ES256
	sign any    // private key / secret
	pub  any    // what golang-jwt's keyfunc returns
}

// tvDiffSetup is the shared configuration: the same keys and the same policy for both libraries.
type tvDiffSetup struct {
	keys    []tvDiffKey
	core    *Verifier
	ref     *jwt.Parser
	now     time.Time
	methods []string
}

func tvNewDiffSetup(t testing.TB) *tvDiffSetup {
	k := tvKeys(t)
	s := &tvDiffSetup{
		now:     tvNow,
		methods: []string{"HS256", "RS256", "ES256"},
		keys: []tvDiffKey{
			{kid: "hmac-1", alg: "HS256", sign: k.hmac, pub: k.hmac},
			{kid: "rsa-1", alg: "RS256", sign: k.rsa, pub: &k.rsa.PublicKey},
			{kid: "ec-1", alg: "ES256", sign: k.ec256, pub: &k.ec256.PublicKey},
		},
	}
	var jwks []map[string]any
	for _, dk := range s.keys {
		jwks = append(jwks, tvJWK(tvPublicOf(dk.sign), dk.kid, ""))
	}
	s.core = tvMustVerifier(t, tvMustJWKS(t, tvJWKS(jwks...)), Policy{
		Algorithms: tvAlgs(t, s.methods...),
		Issuers:    []string{tvDiffIssuer},
		Audiences:  []string{tvDiffAud},
		Leeway:     tvDiffLeeway,
	})
	s.ref = jwt.NewParser(
		jwt.WithValidMethods(s.methods),
		jwt.WithIssuer(tvDiffIssuer),
		jwt.WithAudience(tvDiffAud),
		jwt.WithLeeway(tvDiffLeeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(func() time.Time { return s.now }),
	)
	return s
}

// keyfunc gives golang-jwt jwtcore's key-selection rule: with a kid, only the key with that kid
// (and only if its type fits the alg); without a kid, every key whose type fits the alg.
func (s *tvDiffSetup) keyfunc(tok *jwt.Token) (any, error) {
	alg := tok.Method.Alg()
	fits := func(dk tvDiffKey) bool { return dk.alg[:2] == alg[:2] }
	if raw, ok := tok.Header["kid"]; ok {
		kid, ok := raw.(string)
		if !ok {
			return nil, errors.New("kid is not a string")
		}
		for _, dk := range s.keys {
			if dk.kid == kid && fits(dk) {
				return dk.pub, nil
			}
		}
		return nil, errors.New("no key")
	}
	var set jwt.VerificationKeySet
	for _, dk := range s.keys {
		if fits(dk) {
			set.Keys = append(set.Keys, dk.pub)
		}
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("no key")
	}
	return set, nil
}

// tvDiffCase is one generated token and what was done to it.
type tvDiffCase struct {
	token   string
	recipe  string // human description of how the token was made
	header  string // header JSON as signed (before encoded-form mutations)
	payload string // payload JSON as signed
}

// tvDiffGen makes random tokens from a seeded generator (reproducible).
type tvDiffGen struct {
	t   testing.TB
	r   *rand.Rand
	s   *tvDiffSetup
	now int64
}

func (g *tvDiffGen) pick(n int) int { return g.r.IntN(n) }

// timeValue returns a JSON value for a time claim around anchor: mostly integers at varied distances
// (including exactly at the leeway edges ± 1 s), sometimes fractional, sometimes huge or mistyped.
func (g *tvDiffGen) timeValue(anchor int64) string {
	l := int64(tvDiffLeeway / time.Second)
	switch g.pick(20) {
	case 0:
		return `"` + fmt.Sprint(anchor) + `"` // string: malformed
	case 1:
		return fmt.Sprintf("%d.%d", anchor+int64(g.pick(5))-2, 1+g.pick(9)) // fractional near anchor
	case 2:
		return []string{"1e300", "-1e300", "99999999999999999999", "null", "true", "[1]", "{}", "1.5e9", "-0"}[g.pick(9)]
	case 3, 4, 5:
		edge := []int64{-l - 1, -l, -l + 1, l - 1, l, l + 1, -1, 0, 1}[g.pick(9)]
		return fmt.Sprint(anchor + edge)
	}
	return fmt.Sprint(anchor + int64(g.r.IntN(4*3600)) - 2*3600)
}

// validClaims builds a payload that satisfies the policy (with harmless variations).
func (g *tvDiffGen) validClaims() string {
	var members []string
	add := func(name, value string) { members = append(members, `"`+name+`":`+value) }
	add("iss", `"`+tvDiffIssuer+`"`)
	if g.pick(2) == 0 {
		add("aud", `"`+tvDiffAud+`"`)
	} else {
		add("aud", `["api://a","`+tvDiffAud+`"]`)
	}
	add("exp", fmt.Sprint(g.now+int64(1+g.pick(3600))))
	if g.pick(2) == 0 {
		add("iat", fmt.Sprint(g.now-int64(g.pick(600))))
	}
	if g.pick(3) == 0 {
		add("nbf", fmt.Sprint(g.now-int64(g.pick(600))))
	}
	add("sub", `"user-`+fmt.Sprint(g.pick(1000))+`"`)
	g.r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	return "{" + strings.Join(members, ",") + "}"
}

// claims builds a payload JSON object with random variations of iss, aud, exp, nbf, iat.
func (g *tvDiffGen) claims() string {
	var members []string
	add := func(name, value string) { members = append(members, `"`+name+`":`+value) }
	switch g.pick(10) {
	case 0:
		add("iss", `"https://other.example/"`)
	case 1: // missing
	case 2:
		add("iss", `7`)
	case 3:
		add("iss", `""`)
	default:
		add("iss", `"`+tvDiffIssuer+`"`)
	}
	switch g.pick(12) {
	case 0:
		add("aud", `"api://other"`)
	case 1: // missing
	case 2:
		add("aud", `["api://a","`+tvDiffAud+`"]`)
	case 3:
		add("aud", `["api://a","api://b"]`)
	case 4:
		add("aud", `{"`+tvDiffAud+`":true}`)
	case 5:
		add("aud", `[]`)
	case 6:
		add("aud", `["`+tvDiffAud+`",5]`)
	default:
		add("aud", `"`+tvDiffAud+`"`)
	}
	if g.pick(12) != 0 {
		add("exp", g.timeValue(g.now+int64(g.pick(2)*1800)))
	}
	if g.pick(3) == 0 {
		add("nbf", g.timeValue(g.now-int64(g.pick(2)*600)))
	}
	if g.pick(2) == 0 {
		add("iat", g.timeValue(g.now-int64(g.pick(2)*600)))
	}
	add("sub", `"user-`+fmt.Sprint(g.pick(1000))+`"`)
	if g.pick(25) == 0 { // duplicate member: jwtcore rejects, golang-jwt keeps the last
		dup := []string{"exp", "iss", "aud", "sub", "nbf"}[g.pick(5)]
		add(dup, []string{`"x"`, fmt.Sprint(g.now + 600), `"` + tvDiffIssuer + `"`, `"` + tvDiffAud + `"`, fmt.Sprint(g.now - 7200)}[g.pick(5)])
	}
	g.r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	return "{" + strings.Join(members, ",") + "}"
}

func (g *tvDiffGen) header(alg, kid string, withKid bool) string {
	h := `{"alg":"` + alg + `","typ":"JWT"`
	if withKid {
		h += `,"kid":"` + kid + `"`
	}
	return h + "}"
}

var tvB64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// next produces one case: a signed token, then (usually) one mutation.
func (g *tvDiffGen) next() tvDiffCase {
	dk := g.s.keys[g.pick(len(g.s.keys))]
	alg, kid, withKid := dk.alg, dk.kid, g.pick(4) != 0
	var recipe []string
	signKey := dk.sign
	clean := g.pick(2) == 0 // half the cases: a valid token, possibly mutated below
	keyGame := 14
	if clean {
		keyGame = 1000
	}
	switch g.pick(keyGame) {
	case 0: // kid of another key
		other := g.s.keys[(g.pick(2)+1+indexOfKid(g.s.keys, kid))%len(g.s.keys)]
		kid, withKid = other.kid, true
		recipe = append(recipe, "kid of another key type")
	case 1:
		kid, withKid = "unknown-kid", true
		recipe = append(recipe, "unknown kid")
	case 2: // signed by a key the verifiers do not hold
		signKey = map[string]any{"HS256": []byte(strings.Repeat("k", 64)), "RS256": tvKeys(g.t).rsaOther, "ES256": tvWrongKeyForTB(g.t, "ES256")}[alg]
		recipe = append(recipe, "foreign key")
	case 3: // algorithm confusion: HS256 using the RSA public key PEM as secret
		if alg == "RS256" {
			signKey, alg = tvPEM(g.t, tvPublicOf(dk.sign)), "HS256"
			recipe = append(recipe, "HS256 with RSA PEM as secret")
		}
	case 4: // alg outside the allow-list, signed properly with a fitting key
		switch alg {
		case "HS256":
			alg = []string{"HS384", "HS512"}[g.pick(2)]
		case "RS256":
			alg = []string{"PS256", "RS384"}[g.pick(2)]
		}
		recipe = append(recipe, "alg outside allow-list: "+alg)
	}
	header := g.header(alg, kid, withKid)
	payload := g.claims()
	if clean {
		payload = g.validClaims()
	}
	tok := tvSignRaw(g.t, alg, signKey, header, payload)
	c := tvDiffCase{token: tok, header: header, payload: payload}

	parts := strings.Split(tok, ".")
	mutation := g.pick(10)
	if clean && g.pick(2) == 0 {
		mutation = -1 // leave it intact
	}
	switch mutation {
	case 0: // replace one encoded character with another alphabet character
		seg := g.pick(3)
		b := []byte(parts[seg])
		if len(b) > 0 {
			i := g.pick(len(b))
			b[i] = tvB64Alphabet[g.pick(64)]
			parts[seg] = string(b)
			recipe = append(recipe, fmt.Sprintf("char %d of %s replaced", i, tvSegNames[seg]))
		}
	case 1: // replace one encoded character with an arbitrary byte
		seg := g.pick(3)
		b := []byte(parts[seg])
		if len(b) > 0 {
			i := g.pick(len(b))
			const odd = "=+/. \n\r\t%~!\x00\x7f\xff"
			b[i] = odd[g.pick(len(odd))]
			parts[seg] = string(b)
			recipe = append(recipe, fmt.Sprintf("byte %d of %s set to %q", i, tvSegNames[seg], b[i]))
		}
	case 2: // swap the header alg without re-signing
		newAlg := []string{"HS256", "RS256", "ES256", "none", "HS512", "PS256"}[g.pick(6)]
		parts[0] = tvB64.EncodeToString([]byte(g.header(newAlg, kid, withKid)))
		recipe = append(recipe, "header alg swapped to "+newAlg)
	case 3: // truncate or extend the signature
		if g.pick(2) == 0 && len(parts[2]) > 4 {
			parts[2] = parts[2][:len(parts[2])-4]
			recipe = append(recipe, "signature truncated")
		} else {
			parts[2] += "AAAA"
			recipe = append(recipe, "signature extended")
		}
	case 4: // flip one decoded payload byte (re-encoded canonically, so only the content changes)
		raw, _ := tvB64.DecodeString(parts[1])
		if len(raw) > 0 {
			i := g.pick(len(raw))
			raw[i] ^= byte(1 << g.pick(8))
			parts[1] = tvB64.EncodeToString(raw)
			recipe = append(recipe, fmt.Sprintf("payload byte %d flipped", i))
		}
	}
	c.token = strings.Join(parts, ".")
	if len(recipe) == 0 {
		recipe = append(recipe, "as generated")
	}
	c.recipe = strings.Join(recipe, "; ")
	return c
}

func indexOfKid(keys []tvDiffKey, kid string) int {
	for i, k := range keys {
		if k.kid == kid {
			return i
		}
	}
	return 0
}

// tvWrongKeyForTB is tvWrongKeyFor for a testing.TB.
func tvWrongKeyForTB(tb testing.TB, alg string) any {
	t, ok := tb.(*testing.T)
	if ok {
		return tvWrongKeyFor(t, alg)
	}
	tb.Fatalf("tvWrongKeyForTB needs *testing.T")
	return nil
}

// ---- classification of legitimate differences ----

// A tvDiffReason names one documented way in which jwtcore and golang-jwt v5 legitimately decide
// differently. detect says whether the case has the property; coreRejects says in which direction
// the difference is allowed (true: jwtcore rejects and golang-jwt accepts).
type tvDiffReason struct {
	name        string
	why         string
	coreRejects bool
	detect      func(c tvDiffCase) bool
}

var tvDiffReasons = []tvDiffReason{
	{
		name:        "duplicate_member",
		why:         "jwtcore rejects duplicate JSON member names (RFC 7519 §4 permits it; gjson reads the first, encoding/json the last); golang-jwt keeps the last",
		coreRejects: true,
		detect:      func(c tvDiffCase) bool { return tvHasDuplicateMember(c.payload) || tvHasDuplicateMember(c.header) },
	},
	{
		name:        "numeric_date_overflow_ref",
		why:         "golang-jwt converts a NumericDate beyond int64 seconds with an overflowing int64(float) (1e300 becomes a date in the past); jwtcore saturates (far future for exp)",
		coreRejects: false,
		detect:      func(c tvDiffCase) bool { return tvHasHugeTime(c.payload) },
	},
	{
		name:        "numeric_date_overflow_core",
		why:         "the same overflow, other direction: a huge nbf/iat is far future for jwtcore (reject), but wraps into the past for golang-jwt (accept)",
		coreRejects: true,
		detect:      func(c tvDiffCase) bool { return tvHasHugeTime(c.payload) },
	},
	{
		name:        "fractional_numeric_date_truncation",
		why:         "golang-jwt truncates fractional NumericDates to whole seconds (TimePrecision); jwtcore compares at nanosecond precision, which matters within 1 s of a leeway edge",
		coreRejects: true,
		detect:      func(c tvDiffCase) bool { return tvHasFractionalTime(c.payload) },
	},
	{
		name:        "fractional_numeric_date_truncation_accept",
		why:         "the same truncation, other direction (an exp just inside the edge is truncated to just outside by golang-jwt)",
		coreRejects: false,
		detect:      func(c tvDiffCase) bool { return tvHasFractionalTime(c.payload) },
	},
	{
		name:        "invalid_utf8",
		why:         "jwtcore rejects JSON that is not UTF-8 (RFC 8259 §8.1); encoding/json substitutes U+FFFD",
		coreRejects: true,
		detect:      func(c tvDiffCase) bool { return tvDecodedInvalidUTF8(c.token) },
	},
	{
		name:        "base64_ignored_newline",
		why:         "encoding/base64 (even Strict) skips \\r and \\n inside a segment; jwtcore rejects any character outside the base64url alphabet",
		coreRejects: true,
		detect:      func(c tvDiffCase) bool { return strings.ContainsAny(c.token, "\r\n") },
	},
}

func tvHasDuplicateMember(doc string) bool {
	dec := json.NewDecoder(strings.NewReader(doc))
	type frame struct {
		obj  bool
		seen map[string]bool
		key  bool // next string token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				if top != nil && top.obj {
					top.key = true
				}
				stack = append(stack, &frame{obj: true, seen: map[string]bool{}, key: true})
				continue
			case '[':
				if top != nil && top.obj {
					top.key = true
				}
				stack = append(stack, &frame{})
				continue
			default:
				stack = stack[:len(stack)-1]
				continue
			}
		case string:
			if top != nil && top.obj && top.key {
				if top.seen[v] {
					return true
				}
				top.seen[v] = true
				top.key = false
				continue
			}
		}
		if top != nil && top.obj {
			top.key = true
		}
	}
}

func tvTimeClaims(payload string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal([]byte(payload), &m)
	return m
}

func tvHasHugeTime(payload string) bool {
	for _, name := range []string{"exp", "nbf", "iat"} {
		if raw, ok := tvTimeClaims(payload)[name]; ok {
			if f, ok := tvNumber(json.Number(raw)); ok && math.Abs(f) > 1e15 {
				return true
			}
		}
	}
	return false
}

func tvHasFractionalTime(payload string) bool {
	for _, name := range []string{"exp", "nbf", "iat"} {
		var f float64
		if raw, ok := tvTimeClaims(payload)[name]; ok && json.Unmarshal(raw, &f) == nil && f != math.Trunc(f) {
			return true
		}
	}
	return false
}

func tvDecodedInvalidUTF8(token string) bool {
	for i, seg := range strings.Split(token, ".") {
		if i > 1 {
			break
		}
		raw, err := tvB64.DecodeString(seg)
		if err == nil && !utf8.Valid(raw) {
			return true
		}
	}
	return false
}

func TestDifferential_GolangJWT(t *testing.T) {
	s := tvNewDiffSetup(t)
	g := &tvDiffGen{t: t, r: rand.New(rand.NewPCG(7515, 7519)), s: s, now: s.now.Unix()}
	n := 6000
	if testing.Short() {
		n = 1500 // with this seed the first duplicate-member case comes after token 1000
	}
	var agreeAccept, agreeReject int
	classified := map[string]int{}
	var failures []string
	for i := 0; i < n; i++ {
		c := g.next()
		_, coreErr := s.core.Verify(c.token, s.now)
		if coreErr != nil && ReasonOf(coreErr) == nil {
			t.Fatalf("case %d: jwtcore error outside the vocabulary: %v", i, coreErr)
		}
		_, refErr := s.ref.Parse(c.token, s.keyfunc)
		coreOK, refOK := coreErr == nil, refErr == nil
		switch {
		case coreOK && refOK:
			agreeAccept++
			continue
		case !coreOK && !refOK:
			agreeReject++
			continue
		}
		explained := ""
		for _, r := range tvDiffReasons {
			if r.coreRejects == !coreOK && r.detect(c) {
				explained = r.name
				break
			}
		}
		if explained != "" {
			classified[explained]++
			continue
		}
		failures = append(failures, fmt.Sprintf("case %d (%s): jwtcore=%s golang-jwt=%v\n  header  %s\n  payload %s\n  token   %s",
			i, c.recipe, tvCode(coreErr), refErr, c.header, c.payload, c.token))
	}
	for _, f := range failures {
		t.Errorf("unexplained disagreement:\n%s", f)
	}
	names := make([]string, 0, len(classified))
	for name := range classified {
		names = append(names, name)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, name := range names {
		fmt.Fprintf(&buf, "  %-42s %4d\n", name, classified[name])
	}
	t.Logf("%d tokens: %d both accept, %d both reject, %d classified differences, %d unexplained\n%s",
		n, agreeAccept, agreeReject, n-agreeAccept-agreeReject-len(failures), len(failures), buf.String())
	// The generator must produce a real mix, or the agreement means nothing.
	if agreeAccept < n/10 || agreeReject < n/10 {
		t.Errorf("unbalanced corpus: %d accepted, %d rejected of %d", agreeAccept, agreeReject, n)
	}
	if classified["duplicate_member"] == 0 {
		t.Errorf("no duplicate-member case was generated; the classification is untested")
	}
}

// TestDifferential_ReasonsAreExercised checks each classification against a hand-made token, so
// a classification cannot be dead code that happens to match nothing.
func TestDifferential_ReasonsAreExercised(t *testing.T) {
	s := tvNewDiffSetup(t)
	k := tvKeys(t)
	now := s.now.Unix()
	h := `{"alg":"HS256","kid":"hmac-1"}`
	std := `"iss":"` + tvDiffIssuer + `","aud":"` + tvDiffAud + `"`
	cases := []struct {
		reason  string
		payload string
		token   func(string) string
	}{
		{"duplicate_member", `{` + std + `,"exp":` + fmt.Sprint(now-3600) + `,"exp":` + fmt.Sprint(now+600) + `}`, nil},
		{"numeric_date_overflow_ref", `{` + std + `,"exp":1e300}`, nil},
		{"numeric_date_overflow_core", `{` + std + `,"exp":` + fmt.Sprint(now+600) + `,"nbf":1e300}`, nil},
		{"fractional_numeric_date_truncation", `{` + std + `,"exp":` + fmt.Sprint(now+600) + `,"nbf":` + fmt.Sprint(now+30) + `.5}`, nil},
		{"fractional_numeric_date_truncation_accept", `{` + std + `,"exp":` + fmt.Sprint(now-30) + `.5}`, nil},
		{"invalid_utf8", `{` + std + `,"exp":` + fmt.Sprint(now+600) + `,"name":"` + "\xff" + `"}`, nil},
		{"base64_ignored_newline", `{` + std + `,"exp":` + fmt.Sprint(now+600) + `}`, func(tok string) string {
			i := strings.LastIndexByte(tok, '.') + 5 // inside the signature segment
			return tok[:i] + "\n" + tok[i:]
		}},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			var reason *tvDiffReason
			for i := range tvDiffReasons {
				if tvDiffReasons[i].name == tc.reason {
					reason = &tvDiffReasons[i]
				}
			}
			if reason == nil {
				t.Fatalf("no classification %s", tc.reason)
			}
			tok := tvSignRaw(t, "HS256", k.hmac, h, tc.payload)
			if tc.token != nil {
				tok = tc.token(tok)
			}
			c := tvDiffCase{token: tok, header: h, payload: tc.payload}
			if !reason.detect(c) {
				t.Fatalf("detector does not fire on its own example")
			}
			_, coreErr := s.core.Verify(tok, s.now)
			_, refErr := s.ref.Parse(tok, s.keyfunc)
			if (coreErr == nil) == (refErr == nil) {
				t.Fatalf("no difference: jwtcore=%s golang-jwt=%v (classification may be obsolete)", tvCode(coreErr), refErr)
			}
			if reason.coreRejects != (coreErr != nil) {
				t.Fatalf("difference in the other direction: jwtcore=%s golang-jwt=%v", tvCode(coreErr), refErr)
			}
		})
	}
}
