package peer

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/tokengate/tokengate/testenv"
)

// ClockSkew is the clock_skew_seconds tokengate is configured with (its default).
const ClockSkew = 60

// TokengateConfig renders the plugin JSON equivalent to HAProxyConfig: one provider per issuer
// (RS256 with the PEM public key, HS256 with the shared secret), both with the audience and
// expiry required; /health open; /api needs "read" for GET/HEAD and "write" for the write
// methods from either provider (picked by iss); anything else is denied (no rule matches).
// cacheEntries sizes the verified-token cache (0 turns it off).
func TokengateConfig(p Policy, cacheEntries int) []byte {
	provider := func(iss, alg, keyField, key string) map[string]any {
		return map[string]any{
			"issuer":             iss,
			"audiences":          []string{p.Audience},
			"algorithms":         []string{alg},
			keyField:             key,
			"clock_skew_seconds": ClockSkew,
			"require_expiration": true,
			"scope_claim":        "scope",
		}
	}
	both := []string{"auth0", "internal"}
	return []byte(JSON(map[string]any{
		"providers": map[string]any{
			"auth0":    provider(p.RSIssuer, "RS256", "public_key_pem", string(p.PublicKeyPEM)),
			"internal": provider(p.HSIssuer, "HS256", "hmac_secret", p.HMACSecret),
		},
		"rules": []any{
			map[string]any{"match": map[string]any{"prefix": "/health"}, "allow": true},
			map[string]any{"match": map[string]any{"prefix": "/api", "methods": []string{"GET", "HEAD"}},
				"require": map[string]any{"any": both, "scopes": []string{"read"}}},
			map[string]any{"match": map[string]any{"prefix": "/api", "methods": []string{"POST", "PUT", "PATCH", "DELETE"}},
				"require": map[string]any{"any": both, "scopes": []string{"write"}}},
		},
		"www_authenticate_realm": "api",
		"cache":                  map[string]any{"max_entries": cacheEntries},
	}))
}

// WasmPath is dist/tokengate.wasm of the repository this module is nested in.
func WasmPath() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("..", "..", "dist", "tokengate.wasm")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "dist", "tokengate.wasm")
}

// ReadWasm reads dist/tokengate.wasm or says how to build it.
func ReadWasm() ([]byte, error) {
	path := WasmPath()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (build it with ./build.sh at the repository root)", path, err)
	}
	return b, nil
}

// NewGateway starts tokengate's .wasm under testenv with the real clock, in front of upstream.
// Close the Gateway, then the Host.
func NewGateway(wasm, pluginConfig []byte, upstream string) (*testenv.Gateway, *testenv.Host, error) {
	host, err := testenv.NewHost(wasm, testenv.RealClock(), testenv.Workers(1), testenv.PluginConfig(pluginConfig))
	if err != nil {
		return nil, nil, err
	}
	gw, err := testenv.NewGateway(host, upstream)
	if err != nil {
		host.Close()
		return nil, nil, err
	}
	return gw, host, nil
}
