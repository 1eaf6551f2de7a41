package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// tokenStep is a client credentials request the demo prints as a curl command that sets a shell
// variable, and sends once itself.
type tokenStep struct {
	What     string
	Var      string // shell variable the token goes to
	ClientID string
	Secret   string
	Scope    string
	Post     bool // client_secret_post (id and secret in the form); otherwise client_secret_basic
}

// form is the request body, encoded as curl sends its -d arguments.
func (s tokenStep) form() []string {
	f := []string{"grant_type=client_credentials", "scope=" + url.QueryEscape(s.Scope)}
	if s.Post {
		f = append(f, "client_id="+url.QueryEscape(s.ClientID), "client_secret="+url.QueryEscape(s.Secret))
	}
	return f
}

// Curl is the step as a shell command setting s.Var from the token endpoint at tokenURL.
func (s tokenStep) Curl(tokenURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s=$(curl -s", s.Var)
	if !s.Post {
		fmt.Fprintf(&b, " -u %s:%s", s.ClientID, s.Secret)
	}
	for _, kv := range s.form() {
		b.WriteString(" -d " + kv)
	}
	fmt.Fprintf(&b, " %s | jq -r .access_token)", tokenURL)
	return b.String()
}

// maxTokenResponse bounds what the demo reads of a token response.
const maxTokenResponse = 64 << 10

// Do sends the request and returns the status and, on 200, the access token.
func (s tokenStep) Do(ctx context.Context, c *http.Client, tokenURL string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(strings.Join(s.form(), "&")))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !s.Post {
		req.SetBasicAuth(s.ClientID, s.Secret)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp.StatusCode, "", err
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return resp.StatusCode, "", fmt.Errorf("token response without access_token (%v)", err)
	}
	return resp.StatusCode, tr.AccessToken, nil
}
