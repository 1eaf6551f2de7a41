package idp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite/token/jwt"
)

// rsaBits is the size of generated signing keys.
const rsaBits = 2048

// signingKey is one RS256 key with its RFC 7638 thumbprint as kid.
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

func newSigningKey(priv *rsa.PrivateKey) (*signingKey, error) {
	if priv == nil {
		var err error
		if priv, err = rsa.GenerateKey(rand.Reader, rsaBits); err != nil {
			return nil, fmt.Errorf("idp: generate signing key: %w", err)
		}
	}
	if priv.N.BitLen() < 2048 {
		return nil, fmt.Errorf("idp: signing key[%d bits]: need at least 2048", priv.N.BitLen())
	}
	return &signingKey{kid: thumbprint(&priv.PublicKey), priv: priv}, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// thumbprint is the RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key: the hash
// of the required members e, kty, n in lexicographic order with no whitespace.
func thumbprint(pub *rsa.PublicKey) string {
	e := big.NewInt(int64(pub.E)).Bytes()
	canon := `{"e":"` + b64(e) + `","kty":"RSA","n":"` + b64(pub.N.Bytes()) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return b64(sum[:])
}

// jwk is one published key (RFC 7517 §4, RFC 7518 §6.3.1).
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// keyRing holds the current signing key and the keys published in the JWKS (current first).
// Only published keys verify tokens at introspection.
type keyRing struct {
	mu        sync.RWMutex
	current   *signingKey
	published []*signingKey
}

func newKeyRing(priv *rsa.PrivateKey) (*keyRing, error) {
	k, err := newSigningKey(priv)
	if err != nil {
		return nil, err
	}
	return &keyRing{current: k, published: []*signingKey{k}}, nil
}

// rotate installs a new current key; keepOld keeps every previously published key in the JWKS.
func (r *keyRing) rotate(priv *rsa.PrivateKey, keepOld bool) (string, error) {
	k, err := newSigningKey(priv)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	pub := []*signingKey{k}
	if keepOld {
		pub = append(pub, r.published...)
	}
	r.current, r.published = k, pub
	return k.kid, nil
}

func (r *keyRing) signer() *signingKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.current
}

func (r *keyRing) lookup(kid string) *signingKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range r.published {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

func (r *keyRing) kids() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, len(r.published))
	for i, k := range r.published {
		out[i] = k.kid
	}
	return out
}

// jwks renders the published keys as a JWK Set (RFC 7517 §5).
func (r *keyRing) jwks() []byte {
	r.mu.RLock()
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(r.published))}
	for _, k := range r.published {
		pub := &k.priv.PublicKey
		set.Keys = append(set.Keys, jwk{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: k.kid,
			N: b64(pub.N.Bytes()), E: b64(big.NewInt(int64(pub.E)).Bytes())})
	}
	r.mu.RUnlock()
	b, _ := json.Marshal(set) // cannot fail: strings only
	return b
}

// ringSigner is fosite's jwt.Signer over the key ring: tokens are signed by the current key with
// its kid in the header, and decoded with the published key their kid names. Signing and
// verification are fosite's (go-jose); only the key choice is ours.
type ringSigner struct{ ring *keyRing }

var _ jwt.Signer = ringSigner{}

func (s ringSigner) Generate(ctx context.Context, claims jwt.MapClaims, header jwt.Mapper) (string, string, error) {
	k := s.ring.signer()
	h := jwt.NewHeaders()
	if header != nil {
		for name, v := range header.ToMap() {
			h.Add(name, v)
		}
	}
	h.Add("kid", k.kid)
	key := &jose.JSONWebKey{Key: k.priv, KeyID: k.kid, Algorithm: string(jose.RS256), Use: "sig"}
	ds := &jwt.DefaultSigner{GetPrivateKey: func(context.Context) (interface{}, error) { return key, nil }}
	return ds.Generate(ctx, claims, h)
}

// timeBits are the claim checks fosite's JWT library makes with the wall clock; the server checks
// expiry with its own clock instead (see tokenStrategy.ValidateAccessToken).
const timeBits = jwt.ValidationErrorExpired | jwt.ValidationErrorIssuedAt | jwt.ValidationErrorNotValidYet

var errUnknownKid = errors.New("idp: token kid names no published key")

// Decode verifies the token's RS256 signature with the published key named by its kid. Errors
// from fosite's wall-clock time checks are ignored (the signature was verified before them).
func (s ringSigner) Decode(_ context.Context, token string) (*jwt.Token, error) {
	t, err := jwt.ParseWithClaims(token, jwt.MapClaims{}, func(t *jwt.Token) (interface{}, error) {
		if t.Method != jose.RS256 {
			return nil, fmt.Errorf("idp: token alg[%s]: only RS256 is issued", t.Method)
		}
		kid, _ := t.Header["kid"].(string)
		k := s.ring.lookup(kid)
		if k == nil {
			return nil, errUnknownKid
		}
		return &k.priv.PublicKey, nil
	})
	var ve *jwt.ValidationError
	if err != nil && errors.As(err, &ve) && ve.Errors != 0 && ve.Errors&^timeBits == 0 {
		return t, nil
	}
	return t, err
}

func (s ringSigner) Validate(ctx context.Context, token string) (string, error) {
	if _, err := s.Decode(ctx, token); err != nil {
		return "", err
	}
	return s.GetSignature(ctx, token)
}

func (s ringSigner) Hash(ctx context.Context, in []byte) ([]byte, error) {
	return (&jwt.DefaultSigner{}).Hash(ctx, in)
}

func (s ringSigner) GetSignature(ctx context.Context, token string) (string, error) {
	return (&jwt.DefaultSigner{}).GetSignature(ctx, token)
}

func (s ringSigner) GetSigningMethodLength(ctx context.Context) int {
	return (&jwt.DefaultSigner{}).GetSigningMethodLength(ctx)
}
