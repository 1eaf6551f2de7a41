package idp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ory/fosite"
)

// Client is an OAuth 2.0 client registered with the server.
type Client struct {
	ID     string
	Secret string
	// Scopes the client may be granted; a token request without "scope" gets all of them.
	Scopes []string
	// Audiences the client may be granted; a token request without "audience" gets all of them.
	Audiences []string
	// Opaque makes the server issue opaque (HMAC) access tokens instead of JWTs.
	Opaque bool
	// Introspect allows the client to call the introspection endpoint.
	Introspect bool
}

func (c Client) validate() error {
	switch {
	case c.ID == "":
		return errors.New("idp: client: empty id")
	case c.Secret == "":
		return fmt.Errorf("idp: client[%s]: empty secret", c.ID)
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \"\\") {
			return fmt.Errorf("idp: client[%s] scope[%q]: empty or holds a space, quote or backslash", c.ID, s)
		}
	}
	for _, a := range c.Audiences {
		if a == "" || strings.ContainsAny(a, " ") {
			return fmt.Errorf("idp: client[%s] audience[%q]: empty or holds a space", c.ID, a)
		}
	}
	return nil
}

// client is the fosite.Client stored in fosite's MemoryStore: a confidential DefaultClient allowed
// the client_credentials grant, plus this server's token kind and introspection permission.
type client struct {
	*fosite.DefaultClient
	opaque     bool
	introspect bool
}

func newClient(ctx context.Context, h fosite.Hasher, c Client) (*client, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	hash, err := h.Hash(ctx, []byte(c.Secret))
	if err != nil {
		return nil, fmt.Errorf("idp: client[%s]: hash secret: %w", c.ID, err)
	}
	return &client{
		DefaultClient: &fosite.DefaultClient{
			ID:            c.ID,
			Secret:        hash,
			Scopes:        append([]string(nil), c.Scopes...),
			Audience:      append([]string(nil), c.Audiences...),
			GrantTypes:    []string{"client_credentials"},
			ResponseTypes: []string{},
		},
		opaque:     c.Opaque,
		introspect: c.Introspect,
	}, nil
}
