package idp

import "strings"

// Endpoint names one of the server's HTTP endpoints, for hit counters and fault injection.
type Endpoint string

// The server's endpoints.
const (
	EndpointToken      Endpoint = "token"      // POST PathToken
	EndpointIntrospect Endpoint = "introspect" // POST PathIntrospect
	EndpointRevoke     Endpoint = "revoke"     // POST PathRevoke
	EndpointJWKS       Endpoint = "jwks"       // GET PathJWKS
	EndpointDiscovery  Endpoint = "discovery"  // GET PathDiscovery
)

// Paths of the endpoints, relative to the issuer URL (its path, if any, is a prefix).
const (
	PathToken      = "/oauth2/token"
	PathIntrospect = "/oauth2/introspect"
	PathRevoke     = "/oauth2/revoke"
	PathJWKS       = "/.well-known/jwks.json"
	PathDiscovery  = "/.well-known/openid-configuration"
)

// Endpoints lists every endpoint, in a fixed order.
func Endpoints() []Endpoint {
	return []Endpoint{EndpointToken, EndpointIntrospect, EndpointRevoke, EndpointJWKS, EndpointDiscovery}
}

// Path returns the endpoint's path ("" for an unknown endpoint).
func (e Endpoint) Path() string {
	switch e {
	case EndpointToken:
		return PathToken
	case EndpointIntrospect:
		return PathIntrospect
	case EndpointRevoke:
		return PathRevoke
	case EndpointJWKS:
		return PathJWKS
	case EndpointDiscovery:
		return PathDiscovery
	}
	return ""
}

// ParseEndpoint maps a name ("token", "jwks", …) to its Endpoint.
func ParseEndpoint(name string) (Endpoint, bool) {
	for _, e := range Endpoints() {
		if string(e) == name {
			return e, true
		}
	}
	return "", false
}

// endpointFor maps a request path (already stripped of the issuer's path prefix) to an endpoint.
func endpointFor(path string) (Endpoint, bool) {
	path = strings.TrimSuffix(path, "/")
	for _, e := range Endpoints() {
		if e.Path() == path {
			return e, true
		}
	}
	return "", false
}
