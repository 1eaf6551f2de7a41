package idp

import (
	"net/url"
	"testing"
)

func TestServer_RotateKey(t *testing.T) {
	tests := []struct {
		name          string
		keepOld       bool
		wantKids      int
		wantOldActive bool
	}{
		{name: "keep old key", keepOld: true, wantKids: 2, wantOldActive: true},
		{name: "drop old key", keepOld: false, wantKids: 1, wantOldActive: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ts := start(t)
			oldKid := s.CurrentKeyID()
			oldTok := token(t, ts, authBasic, jwtClient, nil).AccessToken
			newKid, err := s.RotateKey(tc.keepOld)
			if err != nil {
				t.Fatalf("RotateKey: %v", err)
			}
			if newKid == oldKid || s.CurrentKeyID() != newKid {
				t.Fatalf("kid %s -> %s (current %s): want a new current kid", oldKid, newKid, s.CurrentKeyID())
			}
			_, _, body := get(t, ts, PathJWKS)
			keys := parseJWKS(t, body)
			if len(keys) != tc.wantKids || keys[newKid] == nil || (keys[oldKid] != nil) != tc.keepOld {
				t.Fatalf("JWKS kids %v: want %d with the new kid, old kid present = %v", s.KeyIDs(), tc.wantKids, tc.keepOld)
			}
			if ids := s.KeyIDs(); ids[0] != newKid {
				t.Errorf("KeyIDs %v: want the current key first", ids)
			}
			newTok := token(t, ts, authBasic, jwtClient, url.Values{"scope": {"read"}}).AccessToken
			if d := verifyRS256(t, newTok, keys); d.header["kid"] != newKid {
				t.Errorf("new token kid %v, want %s", d.header["kid"], newKid)
			}
			if m := introspect(t, ts, newTok); m["active"] != true {
				t.Errorf("new token: %v, want active", m)
			}
			if m := introspect(t, ts, oldTok); m["active"] != tc.wantOldActive {
				t.Errorf("token signed by the old key: %v, want active = %v", m, tc.wantOldActive)
			}
		})
	}
}

func TestThumbprint_RFC7638(t *testing.T) {
	// RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
	const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	const want = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	pub := parseJWKS(t, []byte(`{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"x","e":"AQAB","n":"`+n+`"}]}`))["x"]
	if got := thumbprint(pub); got != want {
		t.Errorf("thumbprint = %s, want %s", got, want)
	}
}
