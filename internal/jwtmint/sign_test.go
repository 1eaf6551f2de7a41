package jwtmint

import (
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestKey_SignJWT_RoundTrip signs for every algorithm and verifies twice: with VerifyCompact and with
// golang-jwt, an independent implementation.
func TestKey_SignJWT_RoundTrip(t *testing.T) {
	if got := len(Algs()); got != 13 {
		t.Fatalf("Algs() has %d algorithms, want 13", got)
	}
	for _, a := range Algs() {
		t.Run(a.Name, func(t *testing.T) {
			key := testKey(t, a)
			k, err := NewKey(a.Name, key)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := k.SignJWT("k1", []byte(`{"sub":"user-1","n":3}`))
			if err != nil {
				t.Fatal(err)
			}
			hdr, claims, err := VerifyCompact(tok, a.Name, verifyKey(key))
			if err != nil {
				t.Fatalf("VerifyCompact: %v", err)
			}
			if len(hdr) != 3 || hdr["kid"] != "k1" || hdr["typ"] != "JWT" {
				t.Errorf("header = %v, want alg, kid k1 and typ JWT", hdr)
			}
			if claims["sub"] != "user-1" || claims["n"] != float64(3) {
				t.Errorf("claims = %v", claims)
			}
			parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return verifyKey(key), nil },
				jwt.WithValidMethods([]string{a.Name}))
			if err != nil || !parsed.Valid {
				t.Fatalf("golang-jwt rejects the token: %v", err)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name, alg, kid, want string
	}{
		{name: "with kid", alg: "RS256", kid: "k", want: `{"alg":"RS256","kid":"k","typ":"JWT"}`},
		{name: "no kid", alg: "HS256", want: `{"alg":"HS256","typ":"JWT"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Header(tc.alg, tc.kid)); got != tc.want {
				t.Errorf("Header = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestKey_Compact_ExactBytes checks that Compact signs the bytes it is given, whatever they are
// (odd JSON is what attack tests need), and that a weak key still signs.
func TestKey_Compact_ExactBytes(t *testing.T) {
	k, err := NewKey("HS256", []byte{})
	if err != nil {
		t.Fatalf("empty HMAC secret: %v", err)
	}
	hdr, payload := ` {"alg":"HS256","alg":"none"}`, `[1,`
	tok, err := k.Compact([]byte(hdr), []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != B64.EncodeToString([]byte(hdr)) || parts[1] != B64.EncodeToString([]byte(payload)) {
		t.Fatalf("token %q does not carry the exact header and payload", tok)
	}
	sig, err := k.Sign([]byte(parts[0] + "." + parts[1]))
	if err != nil || parts[2] != B64.EncodeToString(sig) {
		t.Fatalf("signature segment %q, Sign gives %x (%v)", parts[2], sig, err)
	}
}

func TestNewKey_Errors(t *testing.T) {
	tests := []struct {
		name    string
		alg     string
		key     any
		wantErr string
	}{
		{name: "alg none", alg: "none", key: []byte("s"), wantErr: `alg "none": want one of HS256`},
		{name: "secret for RS256", alg: "RS256", key: []byte("s"), wantErr: "RS256 needs an RSA private key, the key is an HMAC secret"},
		{name: "RSA key for HS256", alg: "HS256", key: "RS256", wantErr: "HS256 needs an HMAC secret, the key is an RSA private key"},
		{name: "RSA key for ES256", alg: "ES256", key: "RS256", wantErr: "ES256 needs an EC private key, the key is an RSA private key"},
		{name: "P-384 key for ES256", alg: "ES256", key: "ES384", wantErr: "ES256 needs a P-256 key, the key is on P-384"},
		{name: "Ed25519 key for PS256", alg: "PS256", key: "EdDSA", wantErr: "PS256 needs an RSA private key, the key is an Ed25519 private key"},
		{name: "not a key", alg: "EdDSA", key: 42, wantErr: "EdDSA needs an Ed25519 private key, the key is a int"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			if name, ok := key.(string); ok {
				key = testSigner(t, name)
			}
			_, err := NewKey(tc.alg, key)
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestKey_Sign_RefusesMismatch checks that Sign itself refuses a key of another curve or type even
// when the Key was built by hand (an ES256 signature from a P-384 key would not fit R||S).
func TestKey_Sign_RefusesMismatch(t *testing.T) {
	tests := []struct {
		name string
		key  Key
	}{
		{name: "P-384 key as ES256", key: Key{Alg: mustAlg(t, "ES256"), Signer: testSigner(t, "ES384")}},
		{name: "RSA key as EdDSA", key: Key{Alg: mustAlg(t, "EdDSA"), Signer: testSigner(t, "RS256")}},
		{name: "no key", key: Key{Alg: mustAlg(t, "RS256")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if sig, err := tc.key.Sign([]byte("x")); err == nil {
				t.Fatalf("Sign = %x, want an error", sig)
			}
		})
	}
}

// TestVerifyCompact_Rejects checks that the test verifier is not a rubber stamp.
func TestVerifyCompact_Rejects(t *testing.T) {
	rs, err := NewKey("RS256", testKey(t, mustAlg(t, "RS256")))
	if err != nil {
		t.Fatal(err)
	}
	good, err := rs.SignJWT("", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	pub := rs.Signer.Public()
	dot := strings.LastIndexByte(good, '.')
	sig, _ := B64.DecodeString(good[dot+1:])
	sig[0] ^= 1
	tests := []struct {
		name, token, alg string
		key              any
		wantErr          string
	}{
		{name: "good", token: good, alg: "RS256", key: pub},
		{name: "flipped signature bit", token: good[:dot+1] + B64.EncodeToString(sig), alg: "RS256", key: pub, wantErr: "does not verify"},
		{name: "other alg expected", token: good, alg: "PS256", key: pub, wantErr: "header alg = RS256, want PS256"},
		{name: "padded segment", token: good + "=", alg: "RS256", key: pub, wantErr: "not unpadded base64url"},
		{name: "two parts", token: good[:dot], alg: "RS256", key: pub, wantErr: "token has 2 parts"},
		{name: "secret for RSA", token: good, alg: "RS256", key: []byte("s"), wantErr: "cannot verify with a []uint8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := VerifyCompact(tc.token, tc.alg, tc.key)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("VerifyCompact: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestKeyError_Is(t *testing.T) {
	_, err := NewKey("ES256", []byte("s"))
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Alg.Name != "ES256" || ke.Have != "an HMAC secret" {
		t.Fatalf("error %v: want a *KeyError for ES256 holding an HMAC secret", err)
	}
}
