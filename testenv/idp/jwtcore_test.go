package idp

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/tokengate/tokengate/jwtcore"
)

// TestServer_JWTCoreInterop verifies the IdP's access tokens with the filter's own JWT core
// (jwtcore.ParseJWKS on the served JWKS, then a Verifier), so the two agree on the token format.
func TestServer_JWTCoreInterop(t *testing.T) {
	clock := &fakeClock{t: time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)}
	s, ts := start(t, WithClock(clock.Now), WithTokenLifespan(5*time.Minute))
	verifier := func(t *testing.T, audiences ...string) *jwtcore.Verifier {
		t.Helper()
		_, _, body := get(t, ts, PathJWKS)
		keys, err := jwtcore.ParseJWKS(body)
		if err != nil {
			t.Fatalf("jwtcore.ParseJWKS: %v", err)
		}
		v, err := jwtcore.NewVerifier(keys, jwtcore.Policy{
			Algorithms: []jwtcore.Alg{jwtcore.RS256},
			Issuers:    []string{s.Issuer()},
			Audiences:  audiences,
			Leeway:     0,
		})
		if err != nil {
			t.Fatalf("jwtcore.NewVerifier: %v", err)
		}
		return v
	}
	tok := token(t, ts, authPost, jwtClient, url.Values{"scope": {"read inventory:read"}, "audience": {"https://inventory.internal"}}).AccessToken

	tests := []struct {
		name      string
		audiences []string
		at        time.Time
		scopes    []string
		want      error // nil = verifies and has the scopes
	}{
		{name: "verifies", audiences: []string{"https://inventory.internal"}, at: clock.Now(), scopes: []string{"read", "inventory:read"}},
		{name: "missing scope", audiences: []string{"https://inventory.internal"}, at: clock.Now(), scopes: []string{"write"},
			want: jwtcore.ErrInsufficientScope},
		{name: "other audience", audiences: []string{"api"}, at: clock.Now(), want: jwtcore.ErrAudienceNotAllowed},
		{name: "expired at exp", audiences: []string{"https://inventory.internal"}, at: clock.Now().Add(5 * time.Minute),
			want: jwtcore.ErrTokenExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := verifier(t, tc.audiences...).Verify(tok, tc.at)
			if err == nil {
				err = c.RequireScopes(tc.scopes)
			}
			if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && (c.Subject() != jwtClient.ID || c.KeyID() != s.CurrentKeyID() || c.Get("client_id").Str != jwtClient.ID) {
				t.Errorf("sub %q kid %q client_id %q", c.Subject(), c.KeyID(), c.Get("client_id").Str)
			}
		})
	}

	t.Run("rotation without the old key", func(t *testing.T) {
		if _, err := s.RotateKey(false); err != nil {
			t.Fatal(err)
		}
		v := verifier(t)
		if _, err := v.Verify(tok, clock.Now()); !errors.Is(err, jwtcore.ErrKeyNotFound) {
			t.Errorf("old token against the rotated JWKS: %v, want key_not_found", err)
		}
		fresh := token(t, ts, authBasic, jwtClient, nil).AccessToken
		if _, err := v.Verify(fresh, clock.Now()); err != nil {
			t.Errorf("new token: %v", err)
		}
	})
}
