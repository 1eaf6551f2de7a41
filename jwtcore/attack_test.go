package jwtcore

// Known attacks on JWT verifiers, one test each. Every attack token is built so that it would pass
// if the defence were missing (right issuer, audience and time window, and where possible a
// signature that is valid under the attacker's interpretation).

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"
)

// tvAttackVerifier verifies with the given JWKS and allow-list under the default claims policy.
func tvAttackVerifier(t *testing.T, jwks []byte, algs ...string) *Verifier {
	t.Helper()
	p := tvPolicy()
	p.Algorithms = tvAlgs(t, algs...)
	return tvMustVerifier(t, tvMustJWKS(t, jwks), p)
}

func TestAttack_AlgNone(t *testing.T) {
	v := tvDefaultVerifier(t) // every real algorithm allowed, every key type present
	payload := tvJSON(tvStdClaims())
	for _, name := range []string{"none", "None", "NONE", "nOnE"} {
		t.Run(name, func(t *testing.T) {
			if _, ok := ParseAlg(name); ok {
				t.Fatalf("ParseAlg(%q) = true", name)
			}
			in := tvB64.EncodeToString([]byte(`{"alg":"`+name+`","typ":"JWT"}`)) + "." + tvB64.EncodeToString([]byte(payload))
			// The RFC 7515 §A.5 shape: empty signature. Structure is checked first: malformed.
			_, err := v.Verify(in+".", tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
			// With some signature bytes present the header alg is what fails.
			_, err = v.Verify(in+"."+tvB64.EncodeToString([]byte("sig")), tvNow)
			tvWantReason(t, err, ErrAlgNotAllowed)
			// An HMAC over the input with an empty key: still not an algorithm.
			_, err = v.Verify(tvSignRaw(t, "HS256", []byte{}, `{"alg":"`+name+`"}`, payload), tvNow)
			tvWantReason(t, err, ErrAlgNotAllowed)
		})
	}
}

func TestAttack_AlgNameVariants(t *testing.T) {
	v := tvDefaultVerifier(t)
	for _, name := range []string{"hs256", "Hs256", "RS256 ", " RS256", "RS-256", "RS256\u0000", "ES256K", "HS1", "EdDSA2", "ed25519", ""} {
		t.Run(name, func(t *testing.T) {
			if _, ok := ParseAlg(name); ok {
				t.Fatalf("ParseAlg(%q) = true", name)
			}
			tok := tvSignRaw(t, "HS256", tvKeys(t).hmac, tvJSON(map[string]any{"alg": name, "kid": tvKid}), tvJSON(tvStdClaims()))
			_, err := v.Verify(tok, tvNow)
			tvWantReason(t, err, ErrAlgNotAllowed)
		})
	}
	// alg of the wrong JSON type is a malformed header, not an unknown name.
	for _, raw := range []string{`{"alg":256}`, `{"alg":["HS256"]}`, `{"alg":null}`, `{"alg":{"HS256":1}}`, `{"kid":"x"}`} {
		tok := tvSignRaw(t, "HS256", tvKeys(t).hmac, raw, tvJSON(tvStdClaims()))
		_, err := v.Verify(tok, tvNow)
		if err == nil || (ReasonOf(err) != ErrTokenMalformed && ReasonOf(err) != ErrAlgNotAllowed) {
			t.Errorf("header %s: got %v, want token_malformed or alg_not_allowed", raw, tvCode(err))
		}
	}
}

// TestAttack_HS256WithRSAPublicKey is the classic algorithm confusion: the verifier holds an RSA
// public key, the attacker signs HS256 using that public key's bytes as the HMAC secret. It must
// fail for every encoding of the public key an implementation might have used as "the key bytes".
func TestAttack_HS256WithRSAPublicKey(t *testing.T) {
	k := tvKeys(t)
	pemBytes := tvPEM(t, &k.rsa.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})
	jwk := tvJWK(&k.rsa.PublicKey, tvKid, "")
	secrets := map[string][]byte{
		"spki pem":          pemBytes,
		"spki pem trimmed":  []byte(strings.TrimSpace(string(pemBytes))),
		"spki der":          der,
		"pkcs1 der":         pkcs1,
		"pkcs1 pem":         pkcs1PEM,
		"jwk n (base64url)": []byte(jwk["n"].(string)),
		"jwk n (bytes)":     k.rsa.PublicKey.N.Bytes(),
		"jwk json":          []byte(tvJSON(jwk)),
	}
	pemKS, err := ParsePEMKeys(pemBytes)
	if err != nil {
		t.Fatalf("ParsePEMKeys: %v", err)
	}
	jwksKS := tvMustJWKS(t, tvJWKS(jwk))
	for ksName, ks := range map[string]*KeySet{"pem": pemKS, "jwks": jwksKS} {
		// The careless configuration: HS256 allowed next to RS256 though no symmetric key exists.
		// Refusing that configuration outright is a fine defence; otherwise Verify must refuse.
		p := tvPolicy()
		p.Algorithms = tvAlgs(t, "RS256", "HS256")
		careless, cerr := NewVerifier(ks, p)
		p.Algorithms = tvAlgs(t, "RS256")
		strict := tvMustVerifier(t, ks, p)
		for name, secret := range secrets {
			for _, kid := range []string{"", tvKid} {
				t.Run(ksName+"/"+name+"/kid="+kid, func(t *testing.T) {
					tok := tvSignRaw(t, "HS256", secret, tvHeader("HS256", kid), tvJSON(tvStdClaims()))
					_, err := strict.Verify(tok, tvNow)
					tvWantReason(t, err, ErrAlgNotAllowed)
					if cerr == nil {
						_, err := careless.Verify(tok, tvNow)
						tvWantReason(t, err, ErrKeyNotFound)
					}
				})
			}
		}
	}
	// Mixed key set: an HMAC secret under kid "hmac" and the RSA key under kid "rsa". The attack
	// token names the RSA kid but says HS256: the RSA key is not a candidate for HS256.
	mixed := tvMustJWKS(t, tvJWKS(tvJWK(k.hmac, "hmac", ""), tvJWK(&k.rsa.PublicKey, "rsa", "")))
	p := tvPolicy()
	p.Algorithms = tvAlgs(t, "RS256", "HS256")
	v := tvMustVerifier(t, mixed, p)
	for name, secret := range secrets {
		tok := tvSignRaw(t, "HS256", secret, tvHeader("HS256", "rsa"), tvJSON(tvStdClaims()))
		_, err := v.Verify(tok, tvNow)
		if err == nil {
			t.Fatalf("mixed set, %s: verified", name)
		}
		tvWantReason(t, err, ErrKeyNotFound)
	}
	// Control: the honest tokens of that set verify.
	_, err = v.Verify(tvSignRaw(t, "HS256", k.hmac, tvHeader("HS256", "hmac"), tvJSON(tvStdClaims())), tvNow)
	tvWantReason(t, err, nil)
	_, err = v.Verify(tvSignRaw(t, "RS256", k.rsa, tvHeader("RS256", "rsa"), tvJSON(tvStdClaims())), tvNow)
	tvWantReason(t, err, nil)
}

func TestAttack_KidPointsToOtherKeyType(t *testing.T) {
	k := tvKeys(t)
	jwks := tvJWKS(
		tvJWK(&k.rsa.PublicKey, "rsa", ""),
		tvJWK(&k.ec256.PublicKey, "ec", ""),
		tvJWK(k.ed.Public(), "ed", ""),
		tvJWK(k.hmac, "oct", ""),
		tvJWK(&k.ec384.PublicKey, "p384", ""),
	)
	ks := tvMustJWKS(t, jwks)
	p := tvPolicy()
	p.Algorithms = ks.Algs() // every algorithm some key fits
	v := tvMustVerifier(t, ks, p)
	cases := []struct {
		name, alg, kid string
		key            any
	}{
		{"ES256 signed by EC key, kid names RSA key", "ES256", "rsa", k.ec256},
		{"RS256 signed by RSA key, kid names EC key", "RS256", "ec", k.rsa},
		{"HS256 signed by secret, kid names Ed25519 key", "HS256", "ed", k.hmac},
		{"EdDSA signed by Ed key, kid names HMAC key", "EdDSA", "oct", k.ed},
		{"PS256 signed by RSA key, kid names HMAC key", "PS256", "oct", k.rsa},
		{"ES384 signed by P-384, kid names P-256 key", "ES384", "ec", k.ec384},
		{"ES256 signed by P-256, kid names P-384 key", "ES256", "p384", k.ec256},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := tvSignRaw(t, tc.alg, tc.key, tvHeader(tc.alg, tc.kid), tvJSON(tvStdClaims()))
			_, err := v.Verify(tok, tvNow)
			tvWantReason(t, err, ErrKeyNotFound)
		})
	}
	// A JWK that declares its alg binds it: PS256 or RS512 through the kid of an RSA key marked
	// alg RS256 must fail even though other keys make those algorithms configurable.
	bound := tvAttackVerifier(t, tvJWKS(
		tvJWK(&k.rsa.PublicKey, "rsa", "RS256"),
		tvJWK(&k.rsaOther.PublicKey, "rsa-ps", "PS256"),
		tvJWK(&k.rsaOther.PublicKey, "rsa-512", "RS512"),
	), "RS256", "PS256", "RS512")
	for _, alg := range []string{"PS256", "RS512"} {
		_, err := bound.Verify(tvSignRaw(t, alg, k.rsa, tvHeader(alg, "rsa"), tvJSON(tvStdClaims())), tvNow)
		tvWantReason(t, err, ErrKeyNotFound)
	}
	_, err := bound.Verify(tvSignRaw(t, "RS256", k.rsa, tvHeader("RS256", "rsa"), tvJSON(tvStdClaims())), tvNow)
	tvWantReason(t, err, nil)
}

func TestAttack_JWEFiveSegments(t *testing.T) {
	v := tvDefaultVerifier(t)
	h := tvB64.EncodeToString([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"` + tvKid + `"}`))
	seg := tvB64.EncodeToString([]byte("0123456789abcdef"))
	for _, tok := range []string{
		strings.Join([]string{h, seg, seg, seg, seg}, "."),
		strings.Join([]string{h, "", seg, seg, seg}, "."), // direct encryption: empty encrypted key
		tvToken(t, "HS256", tvStdClaims()) + "." + seg,    // a valid JWS with extra segments
		tvToken(t, "HS256", tvStdClaims()) + ".",
		"." + tvToken(t, "HS256", tvStdClaims()),
		"....",
	} {
		_, err := v.Verify(tok, tvNow)
		tvWantReason(t, err, ErrTokenMalformed)
	}
}

func TestAttack_EmptySignature(t *testing.T) {
	v := tvDefaultVerifier(t)
	for _, alg := range tvAllAlgNames {
		h, p, _ := tvSplit(t, tvToken(t, alg, tvStdClaims()))
		_, err := v.Verify(h+"."+p+".", tvNow)
		tvWantReason(t, err, ErrTokenMalformed)
	}
	// Empty header or payload segments are malformed as well.
	h, p, s := tvSplit(t, tvToken(t, "HS256", tvStdClaims()))
	for _, tok := range []string{"." + p + "." + s, h + ".." + s, "..", "."} {
		_, err := v.Verify(tok, tvNow)
		tvWantReason(t, err, ErrTokenMalformed)
	}
}

// tvTokenWith returns a correctly signed HS256 token whose payload and signature segments both
// contain a character from chars and have a length that is not a multiple of 4 (so padding them
// is possible), by varying a jti claim.
func tvTokenWith(t *testing.T, chars string) string {
	t.Helper()
	for i := 0; i < 10000; i++ {
		// '~', '?' and '>' are the ASCII bytes whose low six bits encode to '-' or '_'; vary
		// their alignment until both segments contain one.
		tok := tvToken(t, "HS256", tvStdClaims().with("jti", strings.Repeat("~", i%5)+"?>~"+tvJSON(i)))
		_, p, s := tvSplit(t, tok)
		if strings.ContainsAny(p, chars) && strings.ContainsAny(s, chars) && len(p)%4 != 0 && len(s)%4 != 0 {
			return tok
		}
	}
	t.Fatalf("no token with %q found", chars)
	return ""
}

func TestAttack_NonCanonicalBase64(t *testing.T) {
	v := tvDefaultVerifier(t)
	tok := tvTokenWith(t, "-_")
	if _, err := v.Verify(tok, tvNow); err != nil {
		t.Fatalf("control token: %v", err)
	}
	h, p, s := tvSplit(t, tok)
	pad := func(x string) string { return x + strings.Repeat("=", (4-len(x)%4)%4) }
	std := func(x string) string { return strings.NewReplacer("-", "+", "_", "/").Replace(x) }
	cases := map[string]string{
		"padded payload":            h + "." + pad(p) + "." + s,
		"padded signature":          h + "." + p + "." + pad(s),
		"standard alphabet payload": h + "." + std(p) + "." + s,
		"standard alphabet sig":     h + "." + p + "." + std(s),
		"space in payload":          h + "." + p[:4] + " " + p[4:] + "." + s,
		"newline in signature":      h + "." + p + "." + s[:8] + "\n" + s[8:],
		"tab before header":         "\t" + tok,
		"trailing newline":          tok + "\n",
		"trailing space":            tok + " ",
		"length 1 mod 4 signature":  h + "." + p + "." + s[:len(s)-len(s)%4] + "A",
		"percent-encoded char":      h + "." + p + "." + s[:5] + "%41" + s[6:],
		"non-ascii in payload":      h + "." + p[:3] + "é" + p[3:] + "." + s,
		"nul byte in signature":     h + "." + p + "." + s[:3] + "\x00" + s[3:],
	}
	// Non-canonical trailing bits: the last character of a segment whose length is 2 or 3 mod 4
	// carries unused low bits; setting one of them decodes to the same bytes in lenient decoders.
	for name, seg := range map[string]int{"payload": 1, "signature": 2} {
		parts := strings.Split(tok, ".")
		x := parts[seg]
		last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", x[len(x)-1])
		parts[seg] = x[:len(x)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last|1])
		if last|1 == last { // low bit already set: flip the other unused bit instead
			parts[seg] = x[:len(x)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1])
		}
		cases["non-canonical trailing bits in "+name] = strings.Join(parts, ".")
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			if bad == tok {
				t.Fatalf("mutation did not change the token")
			}
			_, err := v.Verify(bad, tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
		})
	}
}

// TestAttack_DuplicateMembers: gjson reads the first of duplicate members, most libraries the
// last. Whichever one is valid, a token with duplicates of a member we act on must be rejected.
func TestAttack_DuplicateMembers(t *testing.T) {
	v := tvDefaultVerifier(t)
	k := tvKeys(t)
	valid := tvNow.Add(10 * time.Minute).Unix()
	expired := tvNow.Add(-time.Hour).Unix()
	base := `"iss":"` + tvIssuer + `","aud":"` + tvAudience + `","iat":` + tvJSON(tvNow.Unix()-60)
	payloads := map[string]string{
		"exp valid then expired":   `{` + base + `,"exp":` + tvJSON(valid) + `,"exp":` + tvJSON(expired) + `}`,
		"exp expired then valid":   `{` + base + `,"exp":` + tvJSON(expired) + `,"exp":` + tvJSON(valid) + `}`,
		"iss ours then evil":       `{"iss":"` + tvIssuer + `","iss":"evil","aud":"` + tvAudience + `","exp":` + tvJSON(valid) + `}`,
		"iss evil then ours":       `{"iss":"evil","iss":"` + tvIssuer + `","aud":"` + tvAudience + `","exp":` + tvJSON(valid) + `}`,
		"aud twice":                `{"iss":"` + tvIssuer + `","aud":"other","aud":"` + tvAudience + `","exp":` + tvJSON(valid) + `}`,
		"scope twice":              `{` + base + `,"exp":` + tvJSON(valid) + `,"scope":"read","scope":"admin"}`,
		"nbf twice":                `{` + base + `,"exp":` + tvJSON(valid) + `,"nbf":0,"nbf":` + tvJSON(valid) + `}`,
		"escaped duplicate exp":    `{` + base + `,"exp":` + tvJSON(valid) + `,"e\u0078p":` + tvJSON(expired) + `}`,
		"duplicate in nested obj":  `{` + base + `,"exp":` + tvJSON(valid) + `,"ctx":{"role":"user","role":"admin"}}`,
		"duplicate unused member":  `{` + base + `,"exp":` + tvJSON(valid) + `,"x":1,"x":2}`,
		"exp valid then exp = str": `{` + base + `,"exp":` + tvJSON(valid) + `,"exp":"never"}`,
	}
	for name, payload := range payloads {
		t.Run("payload/"+name, func(t *testing.T) {
			_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, tvHeader("HS256", tvKid), payload), tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
		})
	}
	headers := map[string]string{
		"alg none then HS256":   `{"alg":"none","alg":"HS256","kid":"` + tvKid + `"}`,
		"alg HS256 then none":   `{"alg":"HS256","alg":"none","kid":"` + tvKid + `"}`,
		"alg HS256 twice":       `{"alg":"HS256","alg":"HS256","kid":"` + tvKid + `"}`,
		"kid twice":             `{"alg":"HS256","kid":"other","kid":"` + tvKid + `"}`,
		"escaped duplicate alg": `{"alg":"HS256","\u0061lg":"RS256","kid":"` + tvKid + `"}`,
	}
	for name, header := range headers {
		t.Run("header/"+name, func(t *testing.T) {
			_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, header, tvJSON(tvStdClaims())), tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
		})
	}
}

func TestAttack_ExpAsString(t *testing.T) {
	v := tvDefaultVerifier(t)
	for _, exp := range []any{"1700000600", "", "9999999999", "1e10", []int64{tvNow.Unix() + 600}, nil, true, map[string]int{"$date": 1}} {
		_, err := v.Verify(tvToken(t, "HS256", tvStdClaims().with("exp", exp)), tvNow)
		if err == nil {
			t.Errorf("exp %#v: verified", exp)
			continue
		}
		tvWantReason(t, err, ErrClaimMalformed)
	}
}

func TestAttack_AudAsObject(t *testing.T) {
	v := tvDefaultVerifier(t)
	for _, aud := range []any{
		map[string]any{tvAudience: true},
		map[string]any{"aud": tvAudience},
		[]any{tvAudience, map[string]any{"x": 1}},
		[]any{tvAudience, 7},
		[]any{[]string{tvAudience}},
		true,
	} {
		_, err := v.Verify(tvToken(t, "HS256", tvStdClaims().with("aud", aud)), tvNow)
		if err == nil {
			t.Errorf("aud %#v: verified", aud)
			continue
		}
		tvWantReason(t, err, ErrClaimMalformed)
	}
}

func TestAttack_OneMiBToken(t *testing.T) {
	v := tvDefaultVerifier(t)
	big := tvToken(t, "HS256", tvStdClaims().with("pad", strings.Repeat("A", 1<<20)))
	if len(big) < 1<<20 {
		t.Fatalf("token is only %d bytes", len(big))
	}
	_, err := v.Verify(big, tvNow)
	tvWantReason(t, err, ErrTokenTooLarge)
	// The size check comes before any work: no allocation proportional to the token.
	allocs := testing.AllocsPerRun(20, func() { _, _ = v.Verify(big, tvNow) })
	if allocs > 1 {
		t.Errorf("rejecting a 1 MiB token allocates %.0f times per call, want <= 1", allocs)
	}
	// 1 MiB of garbage without dots, and 1 MiB of dots.
	for _, tok := range []string{strings.Repeat("a", 1<<20), strings.Repeat(".", 1<<20)} {
		_, err := v.Verify(tok, tvNow)
		tvWantReason(t, err, ErrTokenTooLarge)
	}
	// Also the unsafe issuer peek is bounded.
	if _, err := UnsafeIssuerWithoutVerification(big, DefaultMaxTokenBytes); err == nil {
		t.Errorf("UnsafeIssuerWithoutVerification accepted a 1 MiB token")
	} else {
		tvWantReason(t, err, ErrTokenTooLarge)
	}
}

// TestAttack_DeeplyNestedJSON: 100k '[' in a claim. The verifier is configured to accept a 1 MiB
// token so the nesting reaches the JSON parser; it must return a reason, not crash or recurse.
func TestAttack_DeeplyNestedJSON(t *testing.T) {
	k := tvKeys(t)
	p := tvPolicy()
	p.MaxTokenBytes = 1 << 20
	v := tvMustVerifier(t, tvMustJWKS(t, tvAllKeysJWKS(t)), p)
	const depth = 100_000
	std := tvJSON(tvStdClaims())
	open := strings.Repeat("[", depth)
	balanced := open + strings.Repeat("]", depth)
	objs := strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	payloads := map[string]string{
		"unclosed arrays":  std[:len(std)-1] + `,"deep":` + open + `}`,
		"balanced arrays":  std[:len(std)-1] + `,"deep":` + balanced + `}`,
		"nested objects":   std[:len(std)-1] + `,"deep":` + objs + `}`,
		"depth 33 arrays":  std[:len(std)-1] + `,"deep":` + strings.Repeat("[", 33) + strings.Repeat("]", 33) + `}`,
		"top-level arrays": balanced,
	}
	for name, payload := range payloads {
		t.Run("payload/"+name, func(t *testing.T) {
			_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, tvHeader("HS256", tvKid), payload), tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
		})
	}
	t.Run("header", func(t *testing.T) {
		_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, `{"alg":"HS256","x":`+balanced+`}`, std), tvNow)
		tvWantReason(t, err, ErrTokenMalformed)
	})
	t.Run("moderate nesting is fine", func(t *testing.T) {
		ok := std[:len(std)-1] + `,"deep":` + strings.Repeat("[", 8) + strings.Repeat("]", 8) + `}`
		_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, tvHeader("HS256", tvKid), ok), tvNow)
		tvWantReason(t, err, nil)
	})
	t.Run("jwks", func(t *testing.T) {
		if _, err := ParseJWKS([]byte(`{"keys":[` + balanced + `]}`)); err == nil {
			t.Fatalf("ParseJWKS accepted 100k nested arrays")
		}
		if _, err := ParseJWKS([]byte(`{"keys":` + open)); err == nil {
			t.Fatalf("ParseJWKS accepted unclosed nesting")
		}
	})
}

func TestAttack_CritHeader(t *testing.T) {
	v := tvDefaultVerifier(t)
	k := tvKeys(t)
	for name, header := range map[string]string{
		"unknown param":        `{"alg":"HS256","kid":"` + tvKid + `","crit":["http://example.invalid/UNDEFINED"],"http://example.invalid/UNDEFINED":true}`,
		"unknown, not present": `{"alg":"HS256","kid":"` + tvKid + `","crit":["exp"]}`,
		"b64 false (RFC 7797)": `{"alg":"HS256","kid":"` + tvKid + `","b64":false,"crit":["b64"]}`,
		"empty list":           `{"alg":"HS256","kid":"` + tvKid + `","crit":[]}`,
		"not a list":           `{"alg":"HS256","kid":"` + tvKid + `","crit":"exp"}`,
		"list of non-strings":  `{"alg":"HS256","kid":"` + tvKid + `","crit":[1]}`,
		"names a std param":    `{"alg":"HS256","kid":"` + tvKid + `","crit":["alg"]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, header, tvJSON(tvStdClaims())), tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
		})
	}
}

// TestAttack_EmbeddedKeyHeaders: jku, x5u, jwk and x5c are never used to find or trust a key.
// A token signed with the attacker's key that carries that key in its own header must fail; an
// honest token that carries the same headers verifies with the configured key as usual.
func TestAttack_EmbeddedKeyHeaders(t *testing.T) {
	v := tvDefaultVerifier(t)
	k := tvKeys(t)
	attacker := k.rsaOther
	attackerJWK := tvJWK(&attacker.PublicKey, tvKid, "RS256")
	der, err := x509.MarshalPKIXPublicKey(&attacker.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	extra := map[string]any{
		"jwk": attackerJWK,
		"jku": "https://attacker.invalid/jwks.json",
		"x5u": "https://attacker.invalid/cert.pem",
		"x5c": []string{tvB64.EncodeToString(der)}, // not even a certificate: must not matter
	}
	for name, val := range extra {
		for _, kid := range []string{tvKid, ""} {
			h := map[string]any{"alg": "RS256", name: val}
			if kid != "" {
				h["kid"] = kid
			}
			t.Run(name+"/kid="+kid, func(t *testing.T) {
				forged := tvSignRaw(t, "RS256", attacker, tvJSON(h), tvJSON(tvStdClaims()))
				_, err := v.Verify(forged, tvNow)
				tvWantReason(t, err, ErrSignatureInvalid)
				honest := tvSignRaw(t, "RS256", k.rsa, tvJSON(h), tvJSON(tvStdClaims()))
				_, err = v.Verify(honest, tvNow)
				tvWantReason(t, err, nil)
			})
		}
	}
	// Embedded HMAC key: jwk {"kty":"oct"} naming a secret the attacker chose.
	h := tvJSON(map[string]any{"alg": "HS256", "kid": tvKid, "jwk": map[string]any{"kty": "oct", "k": tvB64.EncodeToString([]byte("attacker"))}})
	_, err = v.Verify(tvSignRaw(t, "HS256", []byte("attacker"), h, tvJSON(tvStdClaims())), tvNow)
	tvWantReason(t, err, ErrSignatureInvalid)
}

func TestAttack_KidValues(t *testing.T) {
	k := tvKeys(t)
	v := tvAttackVerifier(t, tvJWKS(tvJWK(&k.rsa.PublicKey, "good", "")), "RS256")
	for name, header := range map[string]string{
		"kid number": `{"alg":"RS256","kid":1}`,
		"kid array":  `{"alg":"RS256","kid":["good"]}`,
		"kid object": `{"alg":"RS256","kid":{"good":1}}`,
		"kid null":   `{"alg":"RS256","kid":null}`,
		"kid bool":   `{"alg":"RS256","kid":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(tvSignRaw(t, "RS256", k.rsa, header, tvJSON(tvStdClaims())), tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
		})
	}
	for name, kid := range map[string]string{
		"path traversal": "../../../../dev/null",
		"sql":            "good' OR '1'='1",
		"case":           "GOOD",
		"prefix":         "goo",
		"trailing space": "good ",
		"nul suffix":     "good\u0000",
		"empty":          "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(tvSignRaw(t, "RS256", k.rsa, tvJSON(map[string]any{"alg": "RS256", "kid": kid}), tvJSON(tvStdClaims())), tvNow)
			if err == nil {
				t.Fatalf("kid %q matched key \"good\"", kid)
			}
			if r := ReasonOf(err); r != ErrKeyNotFound && r != ErrTokenMalformed {
				t.Fatalf("kid %q: got %v, want key_not_found (or token_malformed)", kid, tvCode(err))
			}
		})
	}
}

// TestAttack_ECDSASignatureEncoding: JWS ECDSA signatures are raw R||S of exact length; a DER
// signature (what crypto/ecdsa.SignASN1 emits) or a padded/truncated one must be rejected.
func TestAttack_ECDSASignatureEncoding(t *testing.T) {
	v := tvDefaultVerifier(t)
	tok := tvToken(t, "ES256", tvStdClaims())
	h, p, s := tvSplit(t, tok)
	sig, _ := tvB64.DecodeString(s)
	der := tvECDSAToDER(sig)
	for name, bad := range map[string][]byte{
		"der":            der,
		"leading zero":   append([]byte{0}, sig...),
		"trailing zero":  append(append([]byte{}, sig...), 0),
		"truncated":      sig[:63],
		"r only":         sig[:32],
		"zero r and s":   make([]byte, 64),
		"s = r":          append(append([]byte{}, sig[:32]...), sig[:32]...),
		"halves swapped": append(append([]byte{}, sig[32:]...), sig[:32]...),
		"es512 length":   append(append([]byte{}, sig...), make([]byte, 132-64)...),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(h+"."+p+"."+tvB64.EncodeToString(bad), tvNow)
			tvWantReason(t, err, ErrSignatureInvalid)
		})
	}
}

// tvECDSAToDER converts a raw R||S signature into ASN.1 DER (SEQUENCE of two INTEGERs).
func tvECDSAToDER(sig []byte) []byte {
	enc := func(b []byte) []byte {
		for len(b) > 1 && b[0] == 0 {
			b = b[1:]
		}
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return append([]byte{0x02, byte(len(b))}, b...)
	}
	half := len(sig) / 2
	body := append(enc(sig[:half]), enc(sig[half:])...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

// TestAttack_WeakOrInvalidKeys: keys that would make forgery easy are refused at load time, with an
// error naming the key.
func TestAttack_WeakOrInvalidKeys(t *testing.T) {
	k := tvKeys(t)
	ec := tvJWK(&k.ec256.PublicKey, "ec-bad", "")
	ec["y"] = ec["x"] // almost surely not on the curve
	rsaJWK := tvJWK(&k.rsa.PublicKey, "rsa-small", "")
	rsaJWK["n"] = tvB64.EncodeToString(k.rsa.PublicKey.N.Bytes()[:128]) // 1024-bit modulus
	rsaE1 := tvJWK(&k.rsa.PublicKey, "rsa-e1", "")
	rsaE1["e"] = "AQ" // e = 1: signature == message
	for name, jwk := range map[string]map[string]any{
		"ec point not on curve": ec,
		"rsa 1024 bits":         rsaJWK,
		"rsa e = 1":             rsaE1,
		"oct empty":             {"kty": "oct", "k": "", "kid": "oct-empty"},
		"ec wrong crv":          {"kty": "EC", "crv": "P-192", "x": ec["x"], "y": ec["x"], "kid": "p192"},
		"okp X25519":            {"kty": "OKP", "crv": "X25519", "x": tvB64.EncodeToString(make([]byte, 32)), "kid": "x25519"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseJWKS(tvJWKS(jwk))
			if err == nil {
				t.Fatalf("ParseJWKS accepted %s", name)
			}
			if kid := jwk["kid"].(string); !strings.Contains(err.Error(), kid) && !strings.Contains(err.Error(), "key[0]") {
				t.Errorf("error %q names neither the kid %q nor the index", err, kid)
			}
		})
	}
}

// TestAttack_JSONSmuggling: bytes after the JSON value, a byte-order mark, or invalid UTF-8 make
// different parsers see different claims; all are malformed.
func TestAttack_JSONSmuggling(t *testing.T) {
	v := tvDefaultVerifier(t)
	k := tvKeys(t)
	std := tvJSON(tvStdClaims())
	for name, payload := range map[string]string{
		"trailing object":   std + `{"iss":"evil"}`,
		"trailing garbage":  std + `x`,
		"bom":               "\ufeff" + std,
		"invalid utf-8":     std[:len(std)-1] + `,"n":"` + "\xff\xfe" + `"}`,
		"comment":           std[:len(std)-1] + `/*x*/}`,
		"single quotes":     strings.ReplaceAll(std, `"`, `'`),
		"trailing comma":    std[:len(std)-1] + `,}`,
		"nan":               std[:len(std)-1] + `,"x":NaN}`,
		"leading zero exp":  strings.Replace(std, `"exp":`, `"exp":0`, 1),
		"unescaped control": std[:len(std)-1] + `,"x":"a` + "\x01" + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, tvHeader("HS256", tvKid), payload), tvNow)
			tvWantReason(t, err, ErrTokenMalformed)
		})
	}
	// JSON whitespace around the object is legal JSON and must not change the decision.
	_, err := v.Verify(tvSignRaw(t, "HS256", k.hmac, " \r\n"+tvHeader("HS256", tvKid)+"\t", " "+std+"\n"), tvNow)
	tvWantReason(t, err, nil)
	// Escapes are decoded before comparison: "\/" is "/" in JSON.
	esc := strings.ReplaceAll(std, `https://issuer.example/`, `https:\/\/issuer.example\/`)
	_, err = v.Verify(tvSignRaw(t, "HS256", k.hmac, tvHeader("HS256", tvKid), esc), tvNow)
	tvWantReason(t, err, nil)
	// A NUL byte inside the issuer is not the issuer.
	_, err = v.Verify(tvToken(t, "HS256", tvStdClaims().with("iss", tvIssuer+"\x00")), tvNow)
	tvWantReason(t, err, ErrIssuerNotAllowed)
}

// TestAttack_ShortHMACKey: RFC 7518 §3.2 wants an HMAC key at least as long as the hash output.
// A 32-byte secret can serve HS256 but must never be used for HS384/HS512 (where it would give a
// weaker MAC than the header promises), and shorter secrets are refused at load.
func TestAttack_ShortHMACKey(t *testing.T) {
	secret := tvKeys(t).hmac[:32]
	ks, err := NewHMACKeySet(secret)
	if err != nil {
		t.Fatalf("NewHMACKeySet(32 bytes): %v", err)
	}
	p := tvPolicy()
	p.Algorithms = tvAlgs(t, "HS256", "HS512")
	if _, err := NewVerifier(ks, p); err == nil {
		t.Errorf("NewVerifier allowed HS512 with a 32-byte secret")
	}
	p.Algorithms = tvAlgs(t, "HS256")
	v := tvMustVerifier(t, ks, p)
	_, err = v.Verify(tvSignRaw(t, "HS256", secret, tvHeader("HS256", ""), tvJSON(tvStdClaims())), tvNow)
	tvWantReason(t, err, nil)
	for _, alg := range []string{"HS384", "HS512"} {
		_, err = v.Verify(tvSignRaw(t, alg, secret, tvHeader(alg, ""), tvJSON(tvStdClaims())), tvNow)
		tvWantReason(t, err, ErrAlgNotAllowed)
	}
	// The same secret in a JWKS next to a 64-byte one: HS512 tokens signed with the short secret
	// find no fitting key under its kid.
	long := tvKeys(t).hmac
	jks := tvMustJWKS(t, tvJWKS(tvJWK(secret, "short", ""), tvJWK(long, "long", "")))
	p.Algorithms = tvAlgs(t, "HS256", "HS512")
	jv := tvMustVerifier(t, jks, p)
	_, err = jv.Verify(tvSignRaw(t, "HS512", secret, tvHeader("HS512", "short"), tvJSON(tvStdClaims())), tvNow)
	tvWantReason(t, err, ErrKeyNotFound)
	_, err = jv.Verify(tvSignRaw(t, "HS512", long, tvHeader("HS512", "long"), tvJSON(tvStdClaims())), tvNow)
	tvWantReason(t, err, nil)
	for _, n := range []int{1, 16, 31} { // doc: secrets shorter than MinHMACKeyBytes are rejected
		if _, err := NewHMACKeySet(long[:n]); err == nil {
			t.Errorf("NewHMACKeySet accepted a %d-byte secret", n)
		}
		if _, err := ParseJWKS(tvJWKS(tvJWK(long[:n], "k", ""))); err == nil {
			t.Errorf("ParseJWKS accepted a %d-byte oct key", n)
		}
	}
	if _, err := NewHMACKeySet(nil); err == nil {
		t.Errorf("NewHMACKeySet(nil) succeeded")
	}
}

// TestAttack_CacheCannotLaunderTokens: the verified-token cache must never turn a token that the
// asking verifier would reject into a success — not after a key rotation, not for a verifier with
// another policy sharing the cache, not past exp, and failures are never cached.
func TestAttack_CacheCannotLaunderTokens(t *testing.T) {
	k := tvKeys(t)
	cache := NewCache(64, 1<<20, time.Hour)
	mk := func(name string, pub any, aud string) *Verifier {
		p := tvPolicy()
		p.Algorithms = tvAlgs(t, "RS256")
		p.Audiences = []string{aud}
		p.Cache = cache
		p.Name = name
		return tvMustVerifier(t, tvMustJWKS(t, tvJWKS(tvJWK(pub, tvKid, ""))), p)
	}
	old := mk("idp", &k.rsa.PublicKey, tvAudience)
	tok := tvToken(t, "RS256", tvStdClaims())
	if _, err := old.Verify(tok, tvNow); err != nil {
		t.Fatal(err)
	}
	if cache.Len() != 1 {
		t.Fatalf("cache.Len() = %d, want 1", cache.Len())
	}
	// Failures are not cached (and a forged token stays forged on the second try).
	forged := tvSignRaw(t, "RS256", k.rsaOther, tvHeader("RS256", tvKid), tvJSON(tvStdClaims()))
	for i := 0; i < 2; i++ {
		_, err := old.Verify(forged, tvNow)
		tvWantReason(t, err, ErrSignatureInvalid)
	}
	if cache.Len() != 1 {
		t.Fatalf("a failure was cached: Len() = %d", cache.Len())
	}

	// Another provider sharing the cache, with another audience, must not be served the entry.
	other := mk("other-idp", &k.rsa.PublicKey, "api://someone-else")
	_, err := other.Verify(tok, tvNow)
	tvWantReason(t, err, ErrAudienceNotAllowed)

	// Key rotation: the same provider now trusts only rsaOther. The cached success verified with
	// the removed key must not be served, by Verify or by Cache.Get.
	rotated := mk("idp", &k.rsaOther.PublicKey, tvAudience)
	_, err = rotated.Verify(tok, tvNow)
	tvWantReason(t, err, ErrSignatureInvalid)
	if _, ok := cache.Get(tok, tvNow); ok {
		t.Errorf("Cache.Get served a token verified with a key that was rotated out")
	}

	// Past exp: never served, and Verify then applies exp + leeway as usual.
	fresh := mk("idp", &k.rsa.PublicKey, tvAudience)
	if _, err := fresh.Verify(tok, tvNow); err != nil {
		t.Fatal(err)
	}
	exp := time.Unix(tvStdClaims()["exp"].(int64), 0)
	if _, ok := cache.Get(tok, exp); ok {
		t.Errorf("Cache.Get served the token at exp")
	}
	_, err = fresh.Verify(tok, exp.Add(DefaultLeeway+time.Second))
	tvWantReason(t, err, ErrTokenExpired)
	// Before the insert time (a clock going backwards) it is not served either: nbf/iat apply.
	_, err = fresh.Verify(tok, tvNow.Add(-time.Hour))
	tvWantReason(t, err, ErrTokenNotYetValid)
}

// TestAttack_ConcurrentVerify runs honest and forged tokens through one cached verifier from
// several goroutines (meaningful under -race): every decision must be the single-threaded one.
func TestAttack_ConcurrentVerify(t *testing.T) {
	p := tvPolicy()
	p.Cache = NewCache(8, 1<<16, time.Minute) // small: forces eviction while others read
	p.Name = "concurrent"
	v := tvMustVerifier(t, tvMustJWKS(t, tvAllKeysJWKS(t)), p)
	type item struct {
		tok  string
		want *Reason
	}
	var items []item
	for i, alg := range []string{"HS256", "RS256", "ES256", "EdDSA", "PS256", "HS512"} {
		c := tvStdClaims().with("jti", tvJSON(i))
		items = append(items,
			item{tvToken(t, alg, c), nil},
			item{tvToken(t, alg, c.with("aud", "nope")), ErrAudienceNotAllowed},
			item{tvFlipDecoded(t, tvToken(t, alg, c), 2, 3, 0x10), ErrSignatureInvalid},
		)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				it := items[(i*7+g)%len(items)]
				_, err := v.Verify(it.tok, tvNow)
				if ReasonOf(err) != it.want || (it.want == nil) != (err == nil) {
					done <- fmt.Errorf("goroutine %d item %d: got %v, want %v", g, (i*7+g)%len(items), tvCode(err), it.want)
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
