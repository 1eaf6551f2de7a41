package main

import (
	"net/http"

	"github.com/tokengate/tokengate/internal/demo"
)

// tokenSteps get the tokens the API steps use: one per client authentication method.
var tokenSteps = []tokenStep{
	{What: "a token with scope read, client credentials with client_secret_basic (-u id:secret)",
		Var: "READ_TOKEN", ClientID: "demo", Secret: "demo-secret", Scope: "read"},
	{What: "a token with scopes read and write, client_secret_post (id and secret in the form)",
		Var: "WRITE_TOKEN", ClientID: "admin", Secret: "admin-secret", Scope: "read write", Post: true},
}

// apiSteps call the API through the gateway with those tokens (config.json's rules).
var apiSteps = []demo.Step{
	{What: "read scope on GET: allowed; the upstream sees x-jwt-sub and x-jwt-scope, not the token",
		Method: "GET", Path: "/api/items", TokenVar: "READ_TOKEN", WantStatus: http.StatusOK},
	{What: "POST without the write scope: 403 insufficient_scope", Method: "POST", Path: "/api/items",
		TokenVar: "READ_TOKEN", WantStatus: http.StatusForbidden},
	{What: "DELETE without the write scope: 403 insufficient_scope", Method: "DELETE", Path: "/api/items/1",
		TokenVar: "READ_TOKEN", WantStatus: http.StatusForbidden},
	{What: "POST with the write scope: allowed", Method: "POST", Path: "/api/items",
		TokenVar: "WRITE_TOKEN", WantStatus: http.StatusOK},
	{What: `no token: 401 with WWW-Authenticate: Bearer realm="api"`, Method: "GET", Path: "/api/items",
		WantStatus: http.StatusUnauthorized},
}
