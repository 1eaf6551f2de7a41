package jwtcore

// Fuzz targets. `go test` runs the seeds (f.Add and testdata/fuzz/<Target>/) as ordinary tests;
// `go test -fuzz '^FuzzX$'` explores further (scripts/fuzz.sh runs every target for a duration).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzBase64URL compares jwtcore's strict decoder with encoding/base64.RawURLEncoding.Strict().
// They must agree on every input except where the standard library is laxer by design: it skips
// '\r' and '\n' anywhere in the input, which a JWS segment may never contain.
func FuzzBase64URL(f *testing.F) {
	for _, s := range []string{
		"", "A", "AA", "AAA", "AAAA", "AB", "AQ", "AR", "AQA", "AQB", "_-_-", "-_", "YQ", "YQ==", "YR",
		"eyJhbGciOiJIUzI1NiJ9", "a+b/", "ab\ncd", "ab\rcd", "ab cd", "ab=", "====", "\x00", "ÿ",
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "AAAAA", "AAAAAA", "A.B",
	} {
		f.Add(s)
	}
	ref := base64.RawURLEncoding.Strict()
	f.Fuzz(func(t *testing.T, s string) {
		got, err := AppendDecodeBase64URL(nil, s)
		want, refErr := ref.DecodeString(s)
		if strings.ContainsAny(s, "\r\n") {
			if err == nil {
				t.Fatalf("%q: accepted a segment containing CR or LF", s)
			}
		} else if (err == nil) != (refErr == nil) {
			t.Fatalf("%q: jwtcore err=%v, stdlib err=%v", s, err, refErr)
		} else if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("%q: jwtcore %x, stdlib %x", s, got, want)
		}
		if err != nil {
			tvWantReason(t, err, ErrTokenMalformed)
			// On error the caller's buffer is returned unchanged.
			pre := []byte("prefix")
			out, err2 := AppendDecodeBase64URL(pre, s)
			if err2 == nil || string(out) != "prefix" {
				t.Fatalf("%q: error path changed dst to %q (err %v)", s, out, err2)
			}
			return
		}
		// Accept implies canonical: re-encoding gives back exactly the input.
		if enc := base64.RawURLEncoding.EncodeToString(got); enc != s {
			t.Fatalf("%q decoded to %x which re-encodes to %q", s, got, enc)
		}
		if n, ok := Base64URLDecodedLen(len(s)); !ok || n != len(got) {
			t.Fatalf("%q: Base64URLDecodedLen = %d,%v, decoded %d bytes", s, n, ok, len(got))
		}
		// Appending keeps the prefix.
		out, err := AppendDecodeBase64URL([]byte("prefix"), s)
		if err != nil || string(out) != "prefix"+string(got) {
			t.Fatalf("%q: append form gave %q, %v", s, out, err)
		}
	})
}

// tvFuzzSeedTokens are structurally interesting tokens: valid ones of several algorithms, the RFC
// vectors, and the shapes of the attack tests.
func tvFuzzSeedTokens(tb testing.TB) []string {
	k := tvKeys(tb)
	std := tvJSON(tvStdClaims())
	seeds := []string{
		"", ".", "..", "...", "a.b.c", "a.b.c.d.e",
		tvToken(tb, "HS256", tvStdClaims()),
		tvToken(tb, "RS256", tvStdClaims()),
		tvToken(tb, "ES256", tvStdClaims()),
		tvToken(tb, "EdDSA", tvStdClaims()),
		tvToken(tb, "HS256", tvStdClaims().with("aud", []string{"x", tvAudience})),
		tvSignRaw(tb, "HS256", k.hmac, `{"alg":"none"}`, std),
		tvSignRaw(tb, "HS256", k.hmac, `{"alg":"HS256","crit":["b64"],"b64":false}`, std),
		tvSignRaw(tb, "HS256", k.hmac, `{"alg":"HS256","alg":"HS256"}`, std),
		tvSignRaw(tb, "HS256", k.hmac, tvHeader("HS256", tvKid), `{"exp":1,"exp":99999999999}`),
		tvSignRaw(tb, "HS256", k.hmac, tvHeader("HS256", tvKid), `{"exp":"1"}`),
		tvSignRaw(tb, "HS256", k.hmac, tvHeader("HS256", tvKid), `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`),
		tvSignRaw(tb, "HS256", tvPEM(tb, &k.rsa.PublicKey), tvHeader("HS256", tvKid), std),
	}
	h, p, s := tvSplit(tb, seeds[6])
	seeds = append(seeds, h+"."+p+".", h+"."+p+"."+s+"=", h+"."+strings.ReplaceAll(p, "_", "/")+"."+s)
	for _, v := range tvLoadVectors(tb) {
		seeds = append(seeds, v.Token)
	}
	return seeds
}

// FuzzParse feeds arbitrary token strings to the unverified issuer peek and to Verify.
// Invariants: no panic; every failure is one reason of the vocabulary; the size bound and the
// three-segment rule are enforced; nothing the fuzzer invents verifies (it holds no key), and if
// something ever did, its claims must be a JSON object that passed every policy check.
func FuzzParse(f *testing.F) {
	for _, s := range tvFuzzSeedTokens(f) {
		f.Add(s)
	}
	v := tvDefaultVerifier(f)
	f.Fuzz(func(t *testing.T, token string) {
		iss, perr := UnsafeIssuerWithoutVerification(token, DefaultMaxTokenBytes)
		if perr != nil && ReasonOf(perr) == nil {
			t.Fatalf("UnsafeIssuerWithoutVerification: foreign error %v", perr)
		}
		if perr == nil && len(token) > DefaultMaxTokenBytes {
			t.Fatalf("peek accepted a %d-byte token (bound %d), iss %q", len(token), DefaultMaxTokenBytes, iss)
		}
		c, err := v.Verify(token, tvNow)
		if p, perr2 := Peek(token, DefaultMaxTokenBytes); (perr2 == nil) != (perr == nil) {
			t.Fatalf("Peek error %v, UnsafeIssuerWithoutVerification error %v", perr2, perr)
		} else if perr2 == nil {
			// One decode and scan of the payload decides exactly as two.
			c2, err2 := v.VerifyPeeked(&p, tvNow)
			if !reflect.DeepEqual(err2, err) || (c2 == nil) != (c == nil) {
				t.Fatalf("VerifyPeeked = %v, %v; Verify = %v, %v", c2, err2, c, err)
			}
		}
		switch {
		case token == "":
			tvWantReason(t, err, ErrTokenMissing)
			return
		case len(token) > DefaultMaxTokenBytes:
			tvWantReason(t, err, ErrTokenTooLarge)
			return
		case strings.Count(token, ".") != 2:
			tvWantReason(t, err, ErrTokenMalformed)
			return
		}
		if err != nil {
			if ReasonOf(err) == nil {
				t.Fatalf("Verify: foreign error %v", err)
			}
			if c != nil {
				t.Fatalf("Verify returned claims with error %v", err)
			}
			return
		}
		// Accepted: only a correctly signed seed can get here.
		tvCheckAccepted(t, c, tvNow)
		if perr != nil || iss != c.Issuer() {
			t.Fatalf("verified token with iss %q, peek gave %q, %v", c.Issuer(), iss, perr)
		}
	})
}

// tvCheckAccepted re-validates an accepted token's claims with encoding/json, independently of
// gjson and jwtcore's scanner: a JSON object without duplicate members, iss and aud as configured,
// exp/nbf/iat numbers inside the window.
func tvCheckAccepted(t *testing.T, c *Claims, now time.Time) {
	t.Helper()
	raw := c.Raw()
	if !json.Valid(raw) {
		t.Fatalf("accepted payload is not valid JSON: %q", raw)
	}
	if tvHasDuplicateMember(string(raw)) {
		t.Fatalf("accepted payload has duplicate members: %q", raw)
	}
	// UseNumber: RFC 8259 numbers have no range limit (1e400 is valid JSON), float64 does.
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		t.Fatalf("accepted payload is not a JSON object: %v", err)
	}
	if m["iss"] != tvIssuer {
		t.Fatalf("accepted iss %#v", m["iss"])
	}
	switch aud := m["aud"].(type) {
	case string:
		if aud != tvAudience {
			t.Fatalf("accepted aud %q", aud)
		}
	case []any:
		found := false
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				t.Fatalf("accepted aud array with %#v", a)
			}
			found = found || s == tvAudience
		}
		if !found {
			t.Fatalf("accepted aud %v", aud)
		}
	default:
		t.Fatalf("accepted aud %#v", m["aud"])
	}
	secs := float64(now.UnixNano()) / 1e9
	leeway := DefaultLeeway.Seconds()
	exp, ok := tvNumber(m["exp"])
	if !ok {
		t.Fatalf("accepted exp %#v", m["exp"])
	}
	if !(secs < exp+leeway) {
		t.Fatalf("accepted exp %v at %v", exp, secs)
	}
	for _, name := range []string{"nbf", "iat"} {
		if x, present := m[name]; present {
			f, ok := tvNumber(x)
			if !ok || math.IsNaN(f) || secs+leeway < f {
				t.Fatalf("accepted %s %#v at %v", name, x, secs)
			}
		}
	}
	if got := c.Expiry(); got.IsZero() {
		t.Fatalf("accepted token has zero Expiry()")
	}
}

// FuzzVerify signs arbitrary header and payload JSON with the real HMAC key, so the fuzzer gets
// past the signature and explores header parsing, key selection and every claim check. An
// accepted token must satisfy the policy when re-checked with encoding/json (tvCheckAccepted),
// its header must be a duplicate-free object naming HS256, and a one-bit change of its signature
// must be rejected as signature_invalid.
func FuzzVerify(f *testing.F) {
	std := tvJSON(tvStdClaims())
	hdr := tvHeader("HS256", tvKid)
	for _, s := range [][2]string{
		{hdr, std},
		{`{"alg":"HS256"}`, std},
		{`{"alg":"HS256","kid":"other"}`, std},
		{`{"alg":"HS256","crit":["x"],"x":1}`, std},
		{`{"alg":"HS256","alg":"none"}`, std},
		{`{"alg":"none"}`, std},
		{`{"alg":"RS256","kid":"` + tvKid + `"}`, std},
		{hdr, `{"iss":"` + tvIssuer + `","aud":"` + tvAudience + `","exp":1700000600.5}`},
		{hdr, `{"iss":"` + tvIssuer + `","aud":["` + tvAudience + `"],"exp":1700000600,"nbf":1700000060,"iat":1700000060}`},
		{hdr, `{"iss":"` + tvIssuer + `","aud":"` + tvAudience + `","exp":"1700000600"}`},
		{hdr, `{"iss":"` + tvIssuer + `","aud":"` + tvAudience + `","exp":1700000600,"exp":1}`},
		{hdr, `{"iss":"` + tvIssuer + `","aud":{"x":1},"exp":1700000600}`},
		{hdr, `{"iss":"` + tvIssuer + `","aud":"` + tvAudience + `","exp":1e300}`},
		{hdr, `{"iss":"` + tvIssuer + `","aud":"` + tvAudience + `","exp":1700000600,"n":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`},
		{hdr, "\ufeff" + std},
		{hdr, `{"iss":"` + tvIssuer + `","aud":"` + tvAudience + `","exp":1E+400}`},
		{hdr, std + " "},
		{hdr, `{"iss":"https:\/\/issuer.example\/","aud":"` + tvAudience + `","exp":1700000600}`},
	} {
		f.Add(s[0], s[1])
	}
	k := tvKeys(f)
	v := tvDefaultVerifier(f)
	cold := *v // the same verifier without the memo of verified header segments
	cold.headers = nil
	f.Fuzz(func(t *testing.T, header, payload string) {
		tok := tvSignRaw(t, "HS256", k.hmac, header, payload)
		c, err := v.Verify(tok, tvNow)
		if c2, err2 := cold.Verify(tok, tvNow); !reflect.DeepEqual(err2, err) || (c2 == nil) != (c == nil) {
			t.Fatalf("with remembered headers: %v, %v; without: %v, %v", c, err, c2, err2)
		}
		if err != nil {
			if ReasonOf(err) == nil {
				t.Fatalf("foreign error %v", err)
			}
			return
		}
		var h map[string]any
		if json.Unmarshal([]byte(header), &h) != nil || tvHasDuplicateMember(header) {
			t.Fatalf("accepted header %q", header)
		}
		if h["alg"] != "HS256" {
			t.Fatalf("accepted header alg %#v", h["alg"])
		}
		if _, has := h["crit"]; has {
			t.Fatalf("accepted a crit header %q", header)
		}
		if kid, has := h["kid"]; has && kid != tvKid {
			t.Fatalf("accepted kid %#v", kid)
		}
		tvCheckAccepted(t, c, tvNow)
		if string(c.Raw()) != payload {
			t.Fatalf("Raw() = %q, want the signed payload %q", c.Raw(), payload)
		}
		_, err = v.Verify(tvFlipDecoded(t, tok, 2, 0, 0x01), tvNow)
		tvWantReason(t, err, ErrSignatureInvalid)
	})
}

// FuzzParseJWKS loads arbitrary documents as a JWK Set. Invariants: no panic; an accepted set was
// valid JSON and has keys; loading is deterministic; a verifier can be built for the set's
// algorithms; and the set verifies nothing the fuzzer signed with a key it does not hold.
func FuzzParseJWKS(f *testing.F) {
	k := tvKeys(f)
	f.Add(string(tvAllKeysJWKS(f)))
	f.Add(string(tvJWKS(tvJWK(&k.rsa.PublicKey, "a", "RS256"))))
	f.Add(string(tvJWKS(tvJWK(&k.ec521.PublicKey, "", "ES512"))))
	f.Add(`{"keys":[{"kty":"oct","k":"` + tvB64.EncodeToString(k.hmac) + `","use":"sig"}]}`)
	f.Add(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`)
	f.Add(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`)
	f.Add(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + tvB64.EncodeToString(make([]byte, 32)) + `"}]}`)
	f.Add(`{"keys":[{"kty":"RSA","use":"enc","n":"x","e":"AQAB"}]}`)
	f.Add(`{"keys":[]}`)
	f.Add(`{"keys":{}}`)
	f.Add(`{"kty":"oct","k":"` + tvB64.EncodeToString(k.hmac) + `"}`)
	f.Add(`{"keys":[{"kty":"oct","k":"x","kty":"RSA"}]}`)
	f.Add(`[` + strings.Repeat("[", 100) + `]`)
	for _, v := range tvLoadVectors(f) {
		f.Add(string(v.JWKS))
	}
	probe := tvToken(f, "HS256", tvStdClaims()) // signed by the process HMAC key
	f.Fuzz(func(t *testing.T, doc string) {
		ks, err := ParseJWKS([]byte(doc))
		if err != nil {
			if ks != nil {
				t.Fatalf("ParseJWKS returned a key set with error %v", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line load error %q", err)
			}
			return
		}
		if !json.Valid([]byte(doc)) {
			t.Fatalf("accepted invalid JSON %q", doc)
		}
		if ks.Len() == 0 {
			t.Fatalf("accepted a set with no keys")
		}
		again, err := ParseJWKS([]byte(doc))
		if err != nil || again.Len() != ks.Len() {
			t.Fatalf("reload differs: %v, %d vs %d", err, again.Len(), ks.Len())
		}
		algs := ks.Algs()
		if len(algs) == 0 {
			t.Fatalf("a set of %d keys fits no algorithm", ks.Len())
		}
		v, err := NewVerifier(ks, Policy{Algorithms: algs, Leeway: DefaultLeeway, AllowMissingExp: true})
		if err != nil {
			t.Fatalf("NewVerifier(ks.Algs()): %v", err)
		}
		// The fuzzer can type the process HMAC secret only by chance of a base64url collision:
		// treat acceptance as a finding unless the document literally contains that secret.
		if _, err := v.Verify(probe, tvNow); err == nil && !strings.Contains(doc, tvB64.EncodeToString(k.hmac)) {
			t.Fatalf("a fuzzed key set verified a token signed with a secret it does not contain")
		}
	})
}

// tvNumber converts a json.Number to float64; out-of-range values become ±Inf (still numbers).
func tvNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}
