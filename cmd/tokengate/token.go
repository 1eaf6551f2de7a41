package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// tokenOptions are the inputs of `tokengate token`.
type tokenOptions struct {
	KeyFile     string
	KeyEncoding string
	Alg         string
	Kid         string
	Issuer      string
	Audiences   []string
	Subject     string
	Scope       string
	Exp         time.Duration
	NotBefore   time.Duration
	NoExp       bool
	Claims      []string
}

const tokenDescription = `Mints a signed JWT for testing a tokengate policy. The private key is a PEM file
(PKCS#1, PKCS#8 or SEC 1 EC; RSA at least 2048 bits) or, for HS*, a file holding the secret.
Claims: iat = now, exp = now + --exp, plus iss/aud/sub/scope when given and any --claim NAME=VALUE
(VALUE is taken as JSON when it parses as JSON - numbers, true, ["a","b"], {...} - else as a string).
The token is printed on stdout. These are test credentials: tokengate is not an identity provider.`

func cmdToken(args []string, stdout, stderr io.Writer, now time.Time) error {
	var o tokenOptions
	var auds, claims listFlag
	fs := newFlagSet("token", "--key FILE --alg ALG [flags]", tokenDescription, stderr)
	fs.StringVar(&o.KeyFile, "key", "", "private key PEM file, or HMAC secret file for HS* (required)")
	fs.StringVar(&o.KeyEncoding, "key-encoding", "raw", "for HS*: raw (file bytes, one trailing newline dropped) or base64 (base64/base64url text)")
	fs.StringVar(&o.Alg, "alg", "", "JWS algorithm: "+jwtmint.AlgNames()+" (required)")
	fs.StringVar(&o.Kid, "kid", "", "key id for the JWS header (omitted when empty)")
	fs.StringVar(&o.Issuer, "iss", "", "issuer claim")
	fs.Var(&auds, "aud", "audience claim; repeat for several (then aud is an array)")
	fs.StringVar(&o.Subject, "sub", "", "subject claim")
	fs.StringVar(&o.Scope, "scope", "", `space-separated scopes, e.g. "read write" (RFC 8693 scope claim)`)
	fs.DurationVar(&o.Exp, "exp", time.Hour, "lifetime: exp = now + this (negative gives an expired token)")
	fs.DurationVar(&o.NotBefore, "nbf", 0, "when not 0, nbf = now + this (positive gives a token not yet valid)")
	fs.BoolVar(&o.NoExp, "no-exp", false, "omit exp (tokengate rejects such tokens unless require_expiration is false)")
	fs.Var(&claims, "claim", "extra claim NAME=VALUE; repeatable")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o.Audiences, o.Claims = auds, claims
	if o.KeyFile == "" {
		return errors.New("--key is required")
	}
	if o.Alg == "" {
		return errors.New("--alg is required")
	}
	a, err := lookupAlg(o.Alg)
	if err != nil {
		return err
	}
	payload, err := buildClaims(o, now)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(o.KeyFile)
	if err != nil {
		return fmt.Errorf("--key: %w", err)
	}
	key, err := parseSigningKey(a, data, o.KeyEncoding)
	if err != nil {
		return err
	}
	tok, err := key.SignJWT(o.Kid, payload)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// reservedClaims are set by their own flags; --claim may not override them, so a command line says
// one thing once.
var reservedClaims = map[string]string{
	"iss": "--iss", "aud": "--aud", "sub": "--sub", "scope": "--scope",
	"exp": "--exp/--no-exp", "nbf": "--nbf", "iat": "(always now)",
}

// buildClaims returns the JSON payload for o at time now.
func buildClaims(o tokenOptions, now time.Time) ([]byte, error) {
	c := map[string]any{"iat": now.Unix()}
	if !o.NoExp {
		c["exp"] = now.Add(o.Exp).Unix()
	}
	if o.NotBefore != 0 {
		c["nbf"] = now.Add(o.NotBefore).Unix()
	}
	if o.Issuer != "" {
		c["iss"] = o.Issuer
	}
	switch len(o.Audiences) {
	case 0:
	case 1:
		c["aud"] = o.Audiences[0]
	default:
		c["aud"] = o.Audiences
	}
	if o.Subject != "" {
		c["sub"] = o.Subject
	}
	if o.Scope != "" {
		c["scope"] = strings.Join(strings.Fields(o.Scope), " ")
	}
	for _, kv := range o.Claims {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--claim %q: want NAME=VALUE", kv)
		}
		if flagName, reserved := reservedClaims[name]; reserved {
			return nil, fmt.Errorf("--claim %s: set it with %s", name, flagName)
		}
		if _, dup := c[name]; dup {
			return nil, fmt.Errorf("--claim %s: given twice", name)
		}
		c[name] = claimValue(value)
	}
	return json.Marshal(c)
}

// claimValue takes v as JSON when it is one complete JSON value (number, true, "text", [...], {...}),
// else as a plain string: --claim tenant=acme gives "acme", --claim n=3 gives 3.
func claimValue(v string) any {
	if json.Valid([]byte(v)) {
		return json.RawMessage(v)
	}
	return v
}
