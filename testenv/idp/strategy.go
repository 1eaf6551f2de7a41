package idp

import (
	"context"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/x/errorsx"
)

// opaquePrefix is the prefix fosite's HMACSHAStrategy puts on access tokens.
const opaquePrefix = "ory_at_"

// tokenStrategy is the server's fosite CoreStrategy. Access tokens are made by fosite's
// DefaultJWTStrategy (JWT clients) or HMACSHAStrategy (opaque clients); refresh tokens and
// authorization codes, never issued here, are left to the HMAC strategy. Validation re-uses
// fosite's pieces (ringSigner.Decode for JWTs, the HMAC strategy's Enigma for opaque tokens) but
// checks expiry with the server's clock, because fosite's own Validate* methods read time.Now.
type tokenStrategy struct {
	*oauth2.HMACSHAStrategy
	jwt *oauth2.DefaultJWTStrategy
	now func() time.Time
}

var _ oauth2.CoreStrategy = (*tokenStrategy)(nil)

// isJWT tells a compact JWS (three segments) from fosite's opaque "ory_at_key.sig".
func isJWT(token string) bool { return strings.Count(token, ".") == 2 }

func (s *tokenStrategy) AccessTokenSignature(ctx context.Context, token string) string {
	if isJWT(token) {
		return s.jwt.AccessTokenSignature(ctx, token)
	}
	return s.HMACSHAStrategy.AccessTokenSignature(ctx, token)
}

func (s *tokenStrategy) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	if c, ok := r.GetClient().(*client); ok && c.opaque {
		return s.HMACSHAStrategy.GenerateAccessToken(ctx, r)
	}
	return s.jwt.GenerateAccessToken(ctx, r)
}

// ValidateAccessToken fails closed: a session without an expiry, an expiry at or before the
// server's now, a bad signature or an unknown kid all make the token inactive.
func (s *tokenStrategy) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	exp := r.GetSession().GetExpiresAt(fosite.AccessToken)
	if exp.IsZero() || !s.now().Before(exp) {
		return errorsx.WithStack(fosite.ErrTokenExpired.WithHintf("Access token expired at '%s'.", exp))
	}
	if isJWT(token) {
		if _, err := s.jwt.Signer.Decode(ctx, token); err != nil {
			return errorsx.WithStack(fosite.ErrTokenSignatureMismatch.WithWrap(err))
		}
		return nil
	}
	return s.Enigma.Validate(ctx, strings.TrimPrefix(token, opaquePrefix))
}
