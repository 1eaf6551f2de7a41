package idp

import (
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/token/jwt"
)

// session is fosite's JWT session plus the RFC 7662 "token_type" member. Its JWT claims carry
// iss, sub, jti, iat and client_id for both token kinds, so introspection answers the same claims
// for JWT and opaque tokens.
type session struct {
	*oauth2.JWTSession
}

var (
	_ fosite.Session             = (*session)(nil)
	_ fosite.ExtraClaimsSession  = (*session)(nil)
	_ oauth2.JWTSessionContainer = (*session)(nil)
)

func newSession() *session {
	return &session{JWTSession: &oauth2.JWTSession{JWTClaims: &jwt.JWTClaims{}, JWTHeader: jwt.NewHeaders()}}
}

// Clone keeps the session's type (the embedded Clone would return the bare JWTSession).
func (s *session) Clone() fosite.Session {
	if s == nil || s.JWTSession == nil {
		return nil
	}
	return &session{JWTSession: s.JWTSession.Clone().(*oauth2.JWTSession)}
}

// GetExtraClaims adds token_type (RFC 7662 §2.2) to the JWT session's claims; fosite's
// introspection writer emits these next to its own members.
func (s *session) GetExtraClaims() map[string]interface{} {
	if s == nil || s.JWTSession == nil {
		return nil
	}
	m := s.JWTSession.GetExtraClaims()
	m["token_type"] = "Bearer"
	return m
}
