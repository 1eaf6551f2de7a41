package jwtcore

import (
	"reflect"
	"strings"
	"testing"
)

// TestVerifier_headerMemo: a header segment is remembered only once a token carrying it
// verified, and tokens reusing a remembered header decide exactly as with a fresh Verifier.
func TestVerifier_headerMemo(t *testing.T) {
	k := utKeys(t)
	ks := utAllKeysJWKS(t)
	warm := utVerifier(t, ks, utPolicy(HS256, RS256))
	good := utToken(t, HS256, "oct", utStd())
	seg := good[:strings.IndexByte(good, '.')]
	hdr := tvHeader("HS256", "oct")
	std := utJSON(t, utStd())

	bad := good[:len(good)-2] + "AA"
	if _, err := warm.Verify(bad, utNow); err == nil {
		t.Fatal("a bad signature verified")
	}
	if warm.headers.lookup(seg) != nil {
		t.Fatal("the header of a token that failed verification was remembered")
	}
	if _, err := warm.Verify(good, utNow); err != nil {
		t.Fatal(err)
	}
	if h := warm.headers.lookup(seg); h == nil || h.alg != HS256 || string(h.kid) != "oct" || !h.hasKid {
		t.Fatalf("remembered %+v for the verified header", h)
	}

	tests := []struct {
		name  string
		token string
	}{
		{name: "valid", token: utToken(t, HS256, "oct", utStd().with("sub", "other"))},
		{name: "bad signature", token: bad},
		{name: "expired", token: utToken(t, HS256, "oct", utStd().with("exp", utNow.Unix()-3600))},
		{name: "wrong audience", token: utToken(t, HS256, "oct", utStd().with("aud", "x"))},
		{name: "payload not JSON", token: utRaw(t, HS256, k.secret, hdr, `{"iss":`)},
		{name: "payload duplicate member", token: utRaw(t, HS256, k.secret, hdr, `{"iss":"a","iss":"b"}`)},
		{name: "payload bad base64", token: seg + ".e!." + good[strings.LastIndexByte(good, '.')+1:]},
		{name: "empty signature", token: good[:strings.LastIndexByte(good, '.')+1]},
		{name: "signature bad base64", token: good + "!"},
		{name: "signed with another key type", token: utRaw(t, RS256, k.rsa, hdr, std)},
		{name: "other header", token: utToken(t, RS256, "rsa", utStd())},
		{name: "other header, alg none", token: utRaw(t, HS256, k.secret, `{"alg":"none"}`, std)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := utVerifier(t, ks, utPolicy(HS256, RS256))
			wc, werr := warm.Verify(tt.token, utNow)
			fc, ferr := fresh.Verify(tt.token, utNow)
			if !reflect.DeepEqual(werr, ferr) {
				t.Fatalf("remembered header: %v; fresh verifier: %v", werr, ferr)
			}
			if (wc == nil) != (fc == nil) || wc != nil && string(wc.Raw()) != string(fc.Raw()) {
				t.Fatalf("remembered header: claims %v; fresh verifier: %v", wc, fc)
			}
		})
	}
}

// TestHeaderMemo_bounds: at most headerMemoSlots segments, none longer than maxMemoHeaderLen,
// and a nil memo remembers nothing.
func TestHeaderMemo_bounds(t *testing.T) {
	var m headerMemo
	j := &jws{alg: HS256, kid: []byte("k"), hasKid: true}
	for i := 0; i < 3*headerMemoSlots; i++ {
		m.remember(strings.Repeat("h", i+1), j)
	}
	n := 0
	for i := 0; i < 3*headerMemoSlots; i++ {
		if m.lookup(strings.Repeat("h", i+1)) != nil {
			n++
		}
	}
	if n != headerMemoSlots {
		t.Fatalf("%d segments remembered, want %d", n, headerMemoSlots)
	}
	long := strings.Repeat("h", maxMemoHeaderLen+1)
	m.remember(long, j)
	if m.lookup(long) != nil {
		t.Fatal("an over-long header segment was remembered")
	}
	var nilMemo *headerMemo
	nilMemo.remember("abc", j)
	if nilMemo.lookup("abc") != nil {
		t.Fatal("a nil memo remembered")
	}
}
