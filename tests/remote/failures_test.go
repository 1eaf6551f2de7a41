package remote

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
	"github.com/tokengate/tokengate/testenv/idp"
)

// Every kind of fetch failure at start gives 503 jwks_unavailable (never an
// allow), counts tokengate.jwks_fetch_failed and logs why; the same failure
// after a good fetch keeps the last good set (stale) and requests pass.
func TestRemoteJWKS_FetchFailures(t *testing.T) {
	tests := []struct {
		name    string
		opts    []testenv.Option
		fault   func(srv *idp.Server)
		heal    func(srv *idp.Server)
		wantLog string
	}{
		{name: "connection refused",
			fault:   func(s *idp.Server) { s.SetDownMode(idp.DownClose, idp.EndpointJWKS) },
			heal:    func(s *idp.Server) { s.SetDownMode(idp.Up, idp.EndpointJWKS) },
			wantLog: "jwks: no response"},
		{name: "500",
			fault:   func(s *idp.Server) { s.SetFailStatus(500, idp.EndpointJWKS) },
			heal:    func(s *idp.Server) { s.SetFailStatus(0, idp.EndpointJWKS) },
			wantLog: "jwks: status 500"},
		{name: "malformed JSON",
			fault:   func(s *idp.Server) { s.SetMalformed(true, idp.EndpointJWKS) },
			heal:    func(s *idp.Server) { s.SetMalformed(false, idp.EndpointJWKS) },
			wantLog: "jwks: jwks:"},
		{name: "a key that fails to load",
			fault: func(s *idp.Server) {
				s.SetOverride(&idp.Override{ContentType: "application/json", Body: weakJWKS(t)}, idp.EndpointJWKS)
			},
			heal:    func(s *idp.Server) { s.SetOverride(nil, idp.EndpointJWKS) },
			wantLog: "1024 bits"},
		{name: "timeout", opts: []testenv.Option{testenv.ClusterDelay("idp", 5*time.Second)},
			fault:   func(*idp.Server) {},
			heal:    nil, // the cluster stays slow: checked only at start
			wantLog: "jwks: status 504"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/at start", func(t *testing.T) {
			env, srv := setup(t, 2, defaultJWKS(), tc.opts...) // timeout 3 s
			tc.fault(srv)
			read := token(t, srv, "read")
			s := get(env, 0, read) // before the first tick: paused on the fetch
			env.Clock().Advance(4 * time.Second)
			expect(t, "first request", outcome(t, s), "503 jwks_unavailable")
			// A later request is refused at once during the backoff, or waits
			// for the retry the backoff allows (and gets 503 when it fails).
			s2 := get(env, 1, read)
			env.Clock().Advance(4 * time.Second)
			expect(t, "next request", outcome(t, s2), "503 jwks_unavailable")
			if metric(env, "tokengate.jwks_fetch_failed") < 1 {
				t.Fatal("jwks_fetch_failed not counted")
			}
			if !logged(env, tc.wantLog) {
				t.Fatalf("no log with %q:\n%s", tc.wantLog, strings.Join(env.LogMessages(testenv.LogWarn), "\n"))
			}
			if tc.heal == nil {
				return
			}
			tc.heal(srv)
			env.Clock().Advance(10 * time.Second)
			expect(t, "healed", outcome(t, get(env, 0, read)), "allowed")
		})
		if tc.heal == nil {
			continue
		}
		t.Run(tc.name+"/after a good fetch", func(t *testing.T) {
			env, srv := setup(t, 2, defaultJWKS())
			start(env)
			read := token(t, srv, "read")
			tc.fault(srv)
			env.Clock().Advance(601 * time.Second) // refresh due: it fails
			if metric(env, "tokengate.jwks_fetch_failed") < 1 {
				t.Fatal("the refresh did not fail")
			}
			for vm := 0; vm < 2; vm++ {
				expect(t, "stale keys", outcome(t, get(env, vm, read)), "allowed")
			}
		})
	}
}

// weakJWKS is a JWKS whose only key is RSA-1024: jwtcore refuses to load it.
func weakJWKS(t *testing.T) []byte {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": "weak", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}}})
	return b
}
