package jwtcore

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestVerifier_Verify_EachAlgHappyPath_Unit(t *testing.T) {
	ks := utAllKeysJWKS(t)
	for _, a := range AllAlgs() {
		t.Run(a.String(), func(t *testing.T) {
			v := utVerifier(t, ks, utPolicy(a))
			for _, kid := range []string{utKidFor[a.kind()], ""} {
				tok := utToken(t, a, kid, utStd())
				c, err := v.Verify(tok, utNow)
				utWantReason(t, err, nil)
				if c.VerifiedBy() != v || c.Subject() != "user-1" || c.KeyID() != utKidFor[a.kind()] {
					t.Fatalf("claims view: by=%p sub=%q kid=%q", c.VerifiedBy(), c.Subject(), c.KeyID())
				}
				// One flipped signature bit fails.
				b := []byte(tok)
				i := strings.LastIndexByte(tok, '.') + 3
				if b[i] == 'A' {
					b[i] = 'B'
				} else {
					b[i] = 'A'
				}
				_, err = v.Verify(string(b), utNow)
				utWantReason(t, err, ErrSignatureInvalid)
			}
		})
	}
}

func TestVerifier_Verify_PEMKeysPerAlg_Unit(t *testing.T) {
	k := utKeys(t)
	for _, a := range []Alg{RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA} {
		t.Run(a.String(), func(t *testing.T) {
			ks, err := ParsePEMKeys(utPEM(t, k.public(a)))
			if err != nil {
				t.Fatal(err)
			}
			v := utVerifier(t, ks, utPolicy(a))
			// A PEM key has no kid: it is a candidate for any kid.
			_, err = v.Verify(utToken(t, a, "some-kid", utStd()), utNow)
			utWantReason(t, err, nil)
		})
	}
}

func TestVerifier_Verify_HMACSecretForms_Unit(t *testing.T) {
	k := utKeys(t)
	for _, enc := range []string{"raw", "std", "url", "std-padded"} {
		t.Run(enc, func(t *testing.T) {
			var secret []byte
			switch enc {
			case "raw":
				secret = k.secret
			default:
				s := map[string]string{
					"std":        strings.TrimRight(b64std(k.secret), "="),
					"url":        utB64.EncodeToString(k.secret),
					"std-padded": b64std(k.secret),
				}[enc]
				var err error
				if secret, err = DecodeSecret(s); err != nil {
					t.Fatal(err)
				}
			}
			ks, err := NewHMACKeySet(secret)
			if err != nil {
				t.Fatal(err)
			}
			v := utVerifier(t, ks, utPolicy(HS256, HS384, HS512))
			for _, a := range []Alg{HS256, HS384, HS512} {
				_, err := v.Verify(utToken(t, a, "", utStd()), utNow)
				utWantReason(t, err, nil)
			}
		})
	}
}

func TestVerifier_Verify_Reasons_Unit(t *testing.T) {
	k := utKeys(t)
	ks := utAllKeysJWKS(t)
	v := utVerifier(t, ks, Policy{Algorithms: []Alg{HS256, RS256, ES256}, Issuers: []string{"https://issuer.example/"},
		Audiences: []string{"api"}, Leeway: DefaultLeeway, MaxLifetime: 24 * time.Hour, MaxTokenBytes: 2048})
	hdr := func(h string) string { return utB64.EncodeToString([]byte(h)) }
	pay := utB64.EncodeToString([]byte(utJSON(t, utStd())))
	n := utNow.Unix()
	tests := []struct {
		name  string
		token string
		want  *Reason
	}{
		{name: "valid HS256", token: utToken(t, HS256, "oct", utStd())},
		{name: "valid RS256", token: utToken(t, RS256, "rsa", utStd())},
		{name: "empty", token: "", want: ErrTokenMissing},
		{name: "too large", token: strings.Repeat("a", 2049), want: ErrTokenTooLarge},
		{name: "two segments", token: hdr(`{"alg":"HS256"}`) + "." + pay, want: ErrTokenMalformed},
		{name: "four segments", token: utToken(t, HS256, "oct", utStd()) + ".x", want: ErrTokenMalformed},
		{name: "empty signature", token: hdr(`{"alg":"HS256"}`) + "." + pay + ".", want: ErrTokenMalformed},
		{name: "padded header", token: hdr(`{"alg":"HS256","x":1}`) + "=." + pay + ".AAAA", want: ErrTokenMalformed},
		{name: "header not JSON", token: hdr(`alg`) + "." + pay + ".AAAA", want: ErrTokenMalformed},
		{name: "header array", token: hdr(`["alg"]`) + "." + pay + ".AAAA", want: ErrTokenMalformed},
		{name: "payload not object", token: hdr(`{"alg":"HS256"}`) + "." + hdr(`"x"`) + ".AAAA", want: ErrTokenMalformed},
		{name: "payload trailing garbage", token: utRaw(t, HS256, k.secret, `{"alg":"HS256"}`, `{"exp":1}x`), want: ErrTokenMalformed},
		{name: "alg missing", token: utRaw(t, HS256, k.secret, `{"typ":"JWT"}`, utJSON(t, utStd())), want: ErrTokenMalformed},
		{name: "alg number", token: utRaw(t, HS256, k.secret, `{"alg":256}`, utJSON(t, utStd())), want: ErrTokenMalformed},
		{name: "kid number", token: utRaw(t, HS256, k.secret, `{"alg":"HS256","kid":1}`, utJSON(t, utStd())), want: ErrTokenMalformed},
		{name: "crit", token: utRaw(t, HS256, k.secret, `{"alg":"HS256","crit":["exp"],"exp":1}`, utJSON(t, utStd())), want: ErrTokenMalformed},
		{name: "duplicate alg", token: utRaw(t, HS256, k.secret, `{"alg":"HS256","alg":"none"}`, utJSON(t, utStd())), want: ErrTokenMalformed},
		{name: "alg none", token: hdr(`{"alg":"none"}`) + "." + pay + ".AAAA", want: ErrAlgNotAllowed},
		{name: "alg not in allow-list", token: utToken(t, HS512, "oct", utStd()), want: ErrAlgNotAllowed},
		{name: "alg lowercase", token: utRaw(t, HS256, k.secret, `{"alg":"hs256"}`, utJSON(t, utStd())), want: ErrAlgNotAllowed},
		{name: "unknown kid", token: utToken(t, HS256, "nope", utStd()), want: ErrKeyNotFound},
		{name: "kid of another key type", token: utRaw(t, HS256, k.secret, `{"alg":"HS256","kid":"rsa"}`, utJSON(t, utStd())), want: ErrKeyNotFound},
		{name: "iss wrong", token: utToken(t, HS256, "oct", utStd().with("iss", "https://evil.example/")), want: ErrIssuerNotAllowed},
		{name: "iss missing", token: utToken(t, HS256, "oct", utStd().with("iss", nil)), want: ErrIssuerNotAllowed},
		{name: "iss trailing slash differs", token: utToken(t, HS256, "oct", utStd().with("iss", "https://issuer.example")), want: ErrIssuerNotAllowed},
		{name: "iss number", token: utToken(t, HS256, "oct", utStd().with("iss", 1)), want: ErrClaimMalformed},
		{name: "sub object", token: utToken(t, HS256, "oct", utStd().with("sub", map[string]any{})), want: ErrClaimMalformed},
		{name: "expired", token: utToken(t, HS256, "oct", utStd().with("exp", n-61)), want: ErrTokenExpired},
		{name: "exp missing", token: utToken(t, HS256, "oct", utStd().with("exp", nil)), want: ErrClaimMalformed},
		{name: "exp string", token: utToken(t, HS256, "oct", utStd().with("exp", "9999999999")), want: ErrClaimMalformed},
		{name: "exp bool", token: utToken(t, HS256, "oct", utStd().with("exp", true)), want: ErrClaimMalformed},
		{name: "exp null", token: utRaw(t, HS256, k.secret, `{"alg":"HS256"}`, `{"iss":"https://issuer.example/","aud":"api","exp":null}`), want: ErrClaimMalformed},
		{name: "nbf future", token: utToken(t, HS256, "oct", utStd().with("nbf", n+61)), want: ErrTokenNotYetValid},
		{name: "nbf string", token: utToken(t, HS256, "oct", utStd().with("nbf", "0")), want: ErrClaimMalformed},
		{name: "iat future", token: utToken(t, HS256, "oct", utStd().with("iat", n+61)), want: ErrTokenIssuedInFuture},
		{name: "iat array", token: utToken(t, HS256, "oct", utStd().with("iat", []int{1})), want: ErrClaimMalformed},
		{name: "lifetime too long", token: utToken(t, HS256, "oct", utStd().with("exp", n+25*3600)), want: ErrTokenLifetimeTooLong},
		{name: "aud wrong", token: utToken(t, HS256, "oct", utStd().with("aud", "other")), want: ErrAudienceNotAllowed},
		{name: "aud missing", token: utToken(t, HS256, "oct", utStd().with("aud", nil)), want: ErrAudienceNotAllowed},
		{name: "aud empty array", token: utToken(t, HS256, "oct", utStd().with("aud", []string{})), want: ErrAudienceNotAllowed},
		{name: "aud array has it", token: utToken(t, HS256, "oct", utStd().with("aud", []string{"x", "api"}))},
		{name: "aud object", token: utToken(t, HS256, "oct", utStd().with("aud", map[string]any{"api": true})), want: ErrClaimMalformed},
		{name: "aud array with number", token: utToken(t, HS256, "oct", utStd().with("aud", []any{"api", 1})), want: ErrClaimMalformed},
		{name: "aud prefix is not a match", token: utToken(t, HS256, "oct", utStd().with("aud", "api2")), want: ErrAudienceNotAllowed},
		{name: "wrong signing key", token: utRaw(t, RS256, k.rsa2, `{"alg":"RS256","kid":"rsa"}`, utJSON(t, utStd())), want: ErrSignatureInvalid},
		{name: "ES256 signature too long", token: utResign(t, utToken(t, ES256, "p256", utStd()), func(s []byte) []byte { return append(s, 0) }), want: ErrSignatureInvalid},
		{name: "ES256 signature too short", token: utResign(t, utToken(t, ES256, "p256", utStd()), func(s []byte) []byte { return s[1:] }), want: ErrSignatureInvalid},
		{name: "ES256 signature as DER", token: utResign(t, utToken(t, ES256, "p256", utStd()), func(s []byte) []byte { return ecdsaDER(nil, s[:32], s[32:]) }), want: ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(tt.token, utNow)
			utWantReason(t, err, tt.want)
		})
	}
}

// Tokens failing two checks at once report the earlier one (order in doc.go).
func TestVerifier_Verify_CheckOrder_Unit(t *testing.T) {
	k := utKeys(t)
	ks := utAllKeysJWKS(t)
	v := utVerifier(t, ks, Policy{Algorithms: []Alg{HS256}, Issuers: []string{"https://issuer.example/"},
		Audiences: []string{"api"}, Leeway: DefaultLeeway, MaxLifetime: time.Hour, MaxTokenBytes: 4096})
	n := utNow.Unix()
	bad := utStd().with("iss", "evil", "exp", n-1000, "aud", "other")
	forged := func(c utClaims) string { // signed with the wrong key
		return utRaw(t, HS256, []byte(strings.Repeat("k", 64)), `{"alg":"HS256","kid":"oct"}`, utJSON(t, c))
	}
	tests := []struct {
		name  string
		token string
		want  *Reason
	}{
		{name: "too large beats malformed", token: strings.Repeat(".", 5000), want: ErrTokenTooLarge},
		{name: "malformed payload beats alg none", token: utB64.EncodeToString([]byte(`{"alg":"none"}`)) + ".e30x.AAAA", want: ErrTokenMalformed},
		{name: "crit beats alg none", token: utRaw(t, HS256, k.secret, `{"alg":"none","crit":["b64"],"b64":false}`, utJSON(t, utStd())), want: ErrTokenMalformed},
		{name: "alg beats kid", token: utRaw(t, HS256, k.secret, `{"alg":"RS384","kid":"nope"}`, utJSON(t, bad)), want: ErrAlgNotAllowed},
		{name: "kid beats issuer", token: utToken(t, HS256, "nope", bad), want: ErrKeyNotFound},
		{name: "issuer beats expiry", token: utToken(t, HS256, "oct", bad), want: ErrIssuerNotAllowed},
		{name: "expiry beats nbf", token: utToken(t, HS256, "oct", utStd().with("exp", n-1000, "nbf", n+1000)), want: ErrTokenExpired},
		{name: "nbf beats iat", token: utToken(t, HS256, "oct", utStd().with("nbf", n+1000, "iat", n+1000)), want: ErrTokenNotYetValid},
		{name: "iat beats lifetime", token: utToken(t, HS256, "oct", utStd().with("iat", n+1000, "exp", n+100000)), want: ErrTokenIssuedInFuture},
		{name: "lifetime beats audience", token: utToken(t, HS256, "oct", utStd().with("exp", n+100000, "aud", "other")), want: ErrTokenLifetimeTooLong},
		{name: "expiry beats audience", token: utToken(t, HS256, "oct", utStd().with("exp", n-1000, "aud", "other")), want: ErrTokenExpired},
		{name: "audience beats signature", token: forged(utStd().with("aud", "other")), want: ErrAudienceNotAllowed},
		{name: "expiry beats signature", token: forged(utStd().with("exp", n-1000)), want: ErrTokenExpired},
		{name: "signature last", token: forged(utStd()), want: ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(tt.token, utNow)
			utWantReason(t, err, tt.want)
		})
	}
}

func TestVerifier_Verify_TimeBoundaries_Unit(t *testing.T) {
	n := utNow.Unix()
	const L = 60
	v := utVerifier(t, utAllKeysJWKS(t), Policy{Algorithms: []Alg{HS256}, Leeway: L * time.Second})
	v0 := utVerifier(t, utAllKeysJWKS(t), Policy{Algorithms: []Alg{HS256}}) // no leeway
	base := utClaims{"exp": n + 3600}
	tests := []struct {
		name string
		v    *Verifier
		c    utClaims
		want *Reason
	}{
		{name: "exp = now-L+1", v: v, c: utClaims{"exp": n - L + 1}},
		{name: "exp = now-L", v: v, c: utClaims{"exp": n - L}, want: ErrTokenExpired},
		{name: "exp = now-L-1", v: v, c: utClaims{"exp": n - L - 1}, want: ErrTokenExpired},
		{name: "no leeway exp = now+1", v: v0, c: utClaims{"exp": n + 1}},
		{name: "no leeway exp = now", v: v0, c: utClaims{"exp": n}, want: ErrTokenExpired},
		{name: "exp float just valid", v: v0, c: utClaims{"exp": float64(n) + 0.5}},
		{name: "exp float just expired", v: v0, c: utClaims{"exp": float64(n) - 0.5}, want: ErrTokenExpired},
		{name: "exp exponent form", v: v0, c: utClaims{"exp": json.Number("1.8e9")}},
		{name: "exp huge saturates to far future", v: v0, c: utClaims{"exp": json.Number("1e400")}},
		{name: "exp negative", v: v0, c: utClaims{"exp": -5}, want: ErrTokenExpired},
		{name: "nbf = now+L-1", v: v, c: base.with("nbf", n+L-1)},
		{name: "nbf = now+L", v: v, c: base.with("nbf", n+L)},
		{name: "nbf = now+L+1", v: v, c: base.with("nbf", n+L+1), want: ErrTokenNotYetValid},
		{name: "no leeway nbf = now", v: v0, c: base.with("nbf", n)},
		{name: "no leeway nbf = now+1", v: v0, c: base.with("nbf", n+1), want: ErrTokenNotYetValid},
		{name: "iat = now+L", v: v, c: base.with("iat", n+L)},
		{name: "iat = now+L+1", v: v, c: base.with("iat", n+L+1), want: ErrTokenIssuedInFuture},
		{name: "no leeway iat = now+1", v: v0, c: base.with("iat", n+1), want: ErrTokenIssuedInFuture},
		{name: "iat float", v: v0, c: base.with("iat", float64(n)-0.25)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.v.Verify(utToken(t, HS256, "", tt.c), utNow)
			utWantReason(t, err, tt.want)
		})
	}
}

func TestVerifier_Verify_LifetimeAndMissingExp_Unit(t *testing.T) {
	n := utNow.Unix()
	ks := utAllKeysJWKS(t)
	tests := []struct {
		name string
		p    Policy
		c    utClaims
		want *Reason
	}{
		{name: "missing exp allowed", p: Policy{AllowMissingExp: true}, c: utClaims{"sub": "x"}},
		{name: "missing exp required", p: Policy{}, c: utClaims{"sub": "x"}, want: ErrClaimMalformed},
		{name: "lifetime exactly max", p: Policy{MaxLifetime: time.Hour}, c: utClaims{"iat": n, "exp": n + 3600}},
		{name: "lifetime max+1", p: Policy{MaxLifetime: time.Hour}, c: utClaims{"iat": n, "exp": n + 3601}, want: ErrTokenLifetimeTooLong},
		{name: "lifetime without iat uses now", p: Policy{MaxLifetime: time.Hour}, c: utClaims{"exp": n + 3000}},
		{name: "lifetime without iat too long", p: Policy{MaxLifetime: time.Hour}, c: utClaims{"exp": n + 3700}, want: ErrTokenLifetimeTooLong},
		{name: "lifetime with missing exp", p: Policy{MaxLifetime: time.Hour, AllowMissingExp: true}, c: utClaims{"iat": n}, want: ErrTokenLifetimeTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.Algorithms = []Alg{HS256}
			v := utVerifier(t, ks, tt.p)
			_, err := v.Verify(utToken(t, HS256, "", tt.c), utNow)
			utWantReason(t, err, tt.want)
		})
	}
}

func TestVerifier_Verify_Audience_Unit(t *testing.T) {
	ks := utAllKeysJWKS(t)
	tests := []struct {
		name string
		all  bool
		aud  any
		want *Reason
	}{
		{name: "any-of string", aud: "b"},
		{name: "any-of array", aud: []string{"z", "a"}},
		{name: "any-of none", aud: []string{"z"}, want: ErrAudienceNotAllowed},
		{name: "all-of both", all: true, aud: []string{"b", "a", "z"}},
		{name: "all-of one missing", all: true, aud: []string{"a", "a"}, want: ErrAudienceNotAllowed},
		{name: "all-of string", all: true, aud: "a", want: ErrAudienceNotAllowed},
		{name: "case differs", aud: "A", want: ErrAudienceNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := utVerifier(t, ks, Policy{Algorithms: []Alg{HS256}, Audiences: []string{"a", "b", "a"}, AudienceMatchAll: tt.all})
			_, err := v.Verify(utToken(t, HS256, "", utClaims{"exp": utNow.Unix() + 60, "aud": tt.aud}), utNow)
			utWantReason(t, err, tt.want)
		})
	}
	// JSON escapes in aud are decoded before comparison.
	v := utVerifier(t, ks, Policy{Algorithms: []Alg{HS256}, Audiences: []string{"api"}})
	tok := utRaw(t, HS256, utKeys(t).secret, `{"alg":"HS256"}`, `{"exp":1900000000,"aud":["x","\u0061pi"]}`)
	_, err := v.Verify(tok, utNow)
	utWantReason(t, err, nil)
}

// Alg/key binding: kid selection, JWK alg, key kind.
func TestVerifier_Verify_KeySelection_Unit(t *testing.T) {
	k := utKeys(t)
	rsaA := utJWK(t, &k.rsa.PublicKey, "A", "")
	rsaB := utJWK(t, &k.rsa2.PublicKey, "B", "")
	rsaNoKid := utJWK(t, &k.rsa2.PublicKey, "", "")
	rs384Only := utJWK(t, &k.rsa.PublicKey, "C", "RS384")
	signB := func(kid string) string { // signed by rsa2, the key behind "B" and rsaNoKid
		h := `{"alg":"RS256"}`
		if kid != "" {
			h = `{"alg":"RS256","kid":"` + kid + `"}`
		}
		return utRaw(t, RS256, k.rsa2, h, utJSON(t, utStd()))
	}
	tests := []struct {
		name  string
		keys  []map[string]any
		token string
		want  *Reason
	}{
		{name: "kid selects its key", keys: []map[string]any{rsaA, rsaB}, token: signB("B")},
		{name: "other kid is never tried", keys: []map[string]any{rsaA, rsaB}, token: signB("A"), want: ErrSignatureInvalid},
		{name: "unknown kid", keys: []map[string]any{rsaA, rsaB}, token: signB("Z"), want: ErrKeyNotFound},
		{name: "unknown kid falls back to key without kid", keys: []map[string]any{rsaA, rsaNoKid}, token: signB("Z")},
		{name: "no kid tries all compatible keys", keys: []map[string]any{rsaA, rsaB}, token: signB("")},
		{name: "JWK alg binds", keys: []map[string]any{rs384Only, rsaB}, token: utRaw(t, RS256, k.rsa, `{"alg":"RS256","kid":"C"}`, utJSON(t, utStd())), want: ErrKeyNotFound},
		{name: "JWK alg matches", keys: []map[string]any{rs384Only, rsaA}, token: utRaw(t, RS384, k.rsa, `{"alg":"RS384","kid":"C"}`, utJSON(t, utStd()))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseJWKS(utJWKS(t, tt.keys...))
			if err != nil {
				t.Fatal(err)
			}
			v := utVerifier(t, ks, utPolicy(RS256, RS384))
			_, err = v.Verify(tt.token, utNow)
			utWantReason(t, err, tt.want)
		})
	}
}

// An RSA public key's PEM bytes used as an HMAC secret: the HS256 token has no key to bind to.
func TestVerifier_Verify_AlgConfusionByConstruction_Unit(t *testing.T) {
	k := utKeys(t)
	pemBytes := utPEM(t, &k.rsa.PublicKey)
	ks, err := ParsePEMKeys(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewVerifier(ks, utPolicy(RS256, HS256)); err == nil {
		t.Fatal("NewVerifier accepted HS256 with only an RSA key")
	}
	v := utVerifier(t, ks, utPolicy(RS256))
	_, err = v.Verify(utRaw(t, HS256, pemBytes, `{"alg":"HS256"}`, utJSON(t, utStd())), utNow)
	utWantReason(t, err, ErrAlgNotAllowed)
	// Even with HS256 allowed through a second (oct) key, the RSA key is never used as a secret.
	mixed, err := ParseJWKS(utJWKS(t, utJWK(t, &k.rsa.PublicKey, "", ""), utJWK(t, k.secret, "", "")))
	if err != nil {
		t.Fatal(err)
	}
	v = utVerifier(t, mixed, utPolicy(RS256, HS256))
	_, err = v.Verify(utRaw(t, HS256, pemBytes, `{"alg":"HS256"}`, utJSON(t, utStd())), utNow)
	utWantReason(t, err, ErrSignatureInvalid)
}

func TestVerifier_Verify_AttemptBound_Unit(t *testing.T) {
	k := utKeys(t)
	var jwks []map[string]any
	for i := 0; i < 9; i++ {
		s := make([]byte, 32)
		s[0] = byte(i + 1)
		jwks = append(jwks, utJWK(t, s, "", ""))
	}
	jwks = append(jwks, utJWK(t, k.secret, "", "")) // the real key is the 10th
	ks, err := ParseJWKS(utJWKS(t, jwks...))
	if err != nil {
		t.Fatal(err)
	}
	v := utVerifier(t, ks, Policy{Algorithms: []Alg{HS256}})
	_, err = v.Verify(utToken(t, HS256, "", utClaims{"exp": utNow.Unix() + 60}), utNow)
	utWantReason(t, err, ErrSignatureInvalid)
}

func TestNewVerifier(t *testing.T) {
	ks := utAllKeysJWKS(t)
	hmacOnly, err := NewHMACKeySet(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ks   *KeySet
		p    Policy
		ok   bool
	}{
		{name: "ok", ks: ks, p: Policy{Algorithms: []Alg{RS256}}, ok: true},
		{name: "nil keys", ks: nil, p: Policy{Algorithms: []Alg{RS256}}},
		{name: "empty allow-list", ks: ks, p: Policy{}},
		{name: "invalid alg", ks: ks, p: Policy{Algorithms: []Alg{0}}},
		{name: "alg fits no key", ks: hmacOnly, p: Policy{Algorithms: []Alg{HS256, RS256}}},
		{name: "HS512 with 32-byte secret", ks: hmacOnly, p: Policy{Algorithms: []Alg{HS512}}},
		{name: "negative leeway", ks: ks, p: Policy{Algorithms: []Alg{RS256}, Leeway: -1}},
		{name: "negative max bytes", ks: ks, p: Policy{Algorithms: []Alg{RS256}, MaxTokenBytes: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(tt.ks, tt.p)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && v.Name() != tt.p.Name {
				t.Fatal("name not kept")
			}
		})
	}
}

func TestVerifier_Verify_PolicyIsCopied_Unit(t *testing.T) {
	ks := utAllKeysJWKS(t)
	p := utPolicy(HS256)
	v := utVerifier(t, ks, p)
	p.Issuers[0] = "https://evil.example/"
	p.Algorithms[0] = RS256
	_, err := v.Verify(utToken(t, HS256, "", utStd()), utNow)
	utWantReason(t, err, nil)
}

func TestVerifier_Verify_DefaultMaxBytes_Unit(t *testing.T) {
	v := utVerifier(t, utAllKeysJWKS(t), Policy{Algorithms: []Alg{HS256}})
	_, err := v.Verify(strings.Repeat("a", DefaultMaxTokenBytes+1), utNow)
	utWantReason(t, err, ErrTokenTooLarge)
	big := utToken(t, HS256, "", utClaims{"exp": utNow.Unix() + 60, "pad": strings.Repeat("x", 5000)})
	_, err = v.Verify(big, utNow)
	utWantReason(t, err, nil)
}

// Per-token work is allocation-light: only the result (Claims and its payload copy) is allocated
// for HMAC; early rejections allocate nothing.
func TestVerifier_Verify_Allocations_Unit(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	v := utVerifier(t, utAllKeysJWKS(t), utPolicy(HS256, ES256, RS256))
	good := utToken(t, HS256, "oct", utStd())
	expired := utToken(t, HS256, "oct", utStd().with("exp", utNow.Unix()-3600))
	forged := utResign(t, good, func(s []byte) []byte { s[0] ^= 1; return s })
	tests := []struct {
		name  string
		token string
		max   float64
	}{
		{name: "HS256 success", token: good, max: 2},
		{name: "expired", token: expired, max: 0},
		{name: "bad signature", token: forged, max: 0},
		{name: "malformed", token: "a.b.c", max: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _ = v.Verify(tt.token, utNow) // warm the pools
			got := testing.AllocsPerRun(200, func() { _, _ = v.Verify(tt.token, utNow) })
			if got > tt.max {
				t.Fatalf("allocs/op = %v, want <= %v", got, tt.max)
			}
		})
	}
}

func TestVerifyJWS(t *testing.T) {
	k := utKeys(t)
	ks := utAllKeysJWKS(t)
	payload := "It’s a dangerous business, not JSON"
	tok := utRaw(t, ES256, k.p256, `{"alg":"ES256","kid":"p256"}`, payload)
	got, err := VerifyJWS(ks, []Alg{ES256}, tok, 0)
	utWantReason(t, err, nil)
	if string(got) != payload {
		t.Fatalf("payload %q", got)
	}
	_, err = VerifyJWS(ks, []Alg{RS256}, tok, 0)
	utWantReason(t, err, ErrAlgNotAllowed)
	_, err = VerifyJWS(ks, nil, tok[:len(tok)-3]+"AAA", 0)
	utWantReason(t, err, ErrSignatureInvalid)
	_, err = VerifyJWS(ks, nil, tok, 10)
	utWantReason(t, err, ErrTokenTooLarge)
	// The header must still be a JSON object.
	_, err = VerifyJWS(ks, nil, utRaw(t, ES256, k.p256, `alg`, payload), 0)
	utWantReason(t, err, ErrTokenMalformed)
}

func TestUnsafeIssuerWithoutVerification(t *testing.T) {
	k := utKeys(t)
	tests := []struct {
		name  string
		token string
		want  string
		err   *Reason
	}{
		{name: "iss", token: utToken(t, HS256, "", utStd()), want: "https://issuer.example/"},
		{name: "no iss", token: utToken(t, HS256, "", utClaims{"sub": "x"}), want: ""},
		{name: "escaped iss", token: utRaw(t, HS256, k.secret, `{"alg":"HS256"}`, `{"iss":"a\/b"}`), want: "a/b"},
		{name: "iss number", token: utToken(t, HS256, "", utClaims{"iss": 5}), err: ErrClaimMalformed},
		{name: "duplicate iss", token: utRaw(t, HS256, k.secret, `{"alg":"HS256"}`, `{"iss":"a","iss":"b"}`), err: ErrTokenMalformed},
		{name: "empty", token: "", err: ErrTokenMissing},
		{name: "too large", token: strings.Repeat("a", 100), err: ErrTokenTooLarge},
		{name: "segments", token: "a.b", err: ErrTokenMalformed},
		{name: "four segments", token: "a.b.c.d", err: ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := 0
			if tt.name == "too large" {
				max = 50
			}
			got, err := UnsafeIssuerWithoutVerification(tt.token, max)
			utWantReason(t, err, tt.err)
			if got != tt.want {
				t.Fatalf("iss = %q want %q", got, tt.want)
			}
		})
	}
}
