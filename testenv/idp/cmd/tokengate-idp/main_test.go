package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv/idp"
)

func Test_parseClient(t *testing.T) {
	tests := []struct {
		name    string
		spec    string
		want    idp.Client
		wantErr bool
	}{
		{name: "plain", spec: "demo:s3cret:read,write:api",
			want: idp.Client{ID: "demo", Secret: "s3cret", Scopes: []string{"read", "write"}, Audiences: []string{"api"}}},
		{name: "url audiences keep their colons", spec: `gw:s:inventory\:read:https://inventory.internal,https://b.example:8443/x`,
			want: idp.Client{ID: "gw", Secret: "s", Scopes: []string{"inventory:read"},
				Audiences: []string{"https://inventory.internal", "https://b.example:8443/x"}}},
		{name: "escaped colon in secret", spec: `a:p\:w:read`,
			want: idp.Client{ID: "a", Secret: "p:w", Scopes: []string{"read"}}},
		{name: "no scopes", spec: "a:b::api", want: idp.Client{ID: "a", Secret: "b", Audiences: []string{"api"}}},
		{name: "too few fields", spec: "a:b", wantErr: true},
		{name: "empty secret", spec: "a::read", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseClient(tc.spec)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func Test_buildClients(t *testing.T) {
	tests := []struct {
		name                  string
		jwt, opaque, introsp  []string
		wantIDs               []string
		wantIntrospect, wantE bool
	}{
		{name: "introspector marks an existing client", jwt: []string{"gw:x:read:api"}, introsp: []string{"gw:x"},
			wantIDs: []string{"gw"}, wantIntrospect: true},
		{name: "introspector adds a client", opaque: []string{"o:y:read:api"}, introsp: []string{"gw:x"},
			wantIDs: []string{"o", "gw"}},
		{name: "introspector with another secret", jwt: []string{"gw:x:read"}, introsp: []string{"gw:z"}, wantE: true},
		{name: "duplicate id", jwt: []string{"a:x:read"}, opaque: []string{"a:y:read"}, wantE: true},
		{name: "no clients", wantE: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildClients(tc.jwt, tc.opaque, tc.introsp)
			if (err != nil) != tc.wantE {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantE)
			}
			if err != nil {
				if strings.Contains(err.Error(), ":x") || strings.Contains(err.Error(), ":y") {
					t.Errorf("error %q shows a secret", err)
				}
				return
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !reflect.DeepEqual(ids, tc.wantIDs) || got[0].Introspect != tc.wantIntrospect || !got[len(got)-1].Introspect {
				t.Errorf("clients %+v", got)
			}
		})
	}
}

// Test_run starts the program on loopback ports, reads the printed URLs, gets a token and
// introspects it, uses the admin listener, and stops it by cancelling the context.
func Test_run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	client := &http.Client{Timeout: 10 * time.Second} // a hung server fails the test, not the 10-minute test timeout
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-admin-listen", "127.0.0.1:0",
			"-client", "demo:demo-secret:read,write:api", "-introspector", "gateway:gw-secret", "-token-lifetime", "2m"}, pw)
		pw.Close()
	}()
	lines := map[string]string{}
	sc := bufio.NewScanner(pr)
	for lines["admin"] == "" && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 {
			lines[f[0]] = f[len(f)-1]
		}
		if strings.Contains(sc.Text(), "secret") {
			t.Errorf("output shows a secret: %q", sc.Text())
		}
	}
	go io.Copy(io.Discard, pr)
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not stop")
		}
	}()
	if lines["token"] == "" || lines["jwks_uri"] == "" || lines["discovery"] == "" {
		t.Fatalf("printed %v: want token, jwks_uri and discovery URLs", lines)
	}
	res, err := client.Get(lines["discovery"])
	if err != nil {
		t.Fatal(err)
	}
	var d idp.Discovery
	err = json.NewDecoder(res.Body).Decode(&d)
	res.Body.Close()
	if err != nil || d.Issuer != lines["issuer"] || d.JWKSURI != lines["jwks_uri"] {
		t.Fatalf("discovery %+v (%v), printed %v", d, err, lines)
	}
	res, err = client.PostForm(lines["token"], url.Values{"grant_type": {"client_credentials"}, "scope": {"read"},
		"client_id": {"demo"}, "client_secret": {"demo-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	err = json.NewDecoder(res.Body).Decode(&tr)
	res.Body.Close()
	if err != nil || tr.AccessToken == "" || tr.ExpiresIn != 120 {
		t.Fatalf("token: %v %+v", err, tr)
	}
	req, _ := http.NewRequest(http.MethodPost, lines["introspect"], strings.NewReader(url.Values{"token": {tr.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("gateway", "gw-secret")
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	err = json.NewDecoder(res.Body).Decode(&m)
	res.Body.Close()
	if err != nil || m["active"] != true || m["scope"] != "read" {
		t.Fatalf("introspection %v (%v)", m, err)
	}
	res, err = client.Post(lines["admin"]+"down?mode=503&endpoint=jwks", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = client.Get(lines["jwks_uri"])
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("jwks after admin down: status %d, want 503", res.StatusCode)
	}
}
