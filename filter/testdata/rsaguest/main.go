// Command rsaguest is a benchmark reference, not part of tokengate: a
// proxy-wasm filter that, on every request, reads the authorization header
// (as dist/passthrough.wasm does) and verifies one fixed RSA-2048
// PKCS#1 v1.5 SHA-256 signature with crypto/rsa. Its per-request cost is the
// "bare RSA verify inside wasm" that tokengate's RS256 miss is compared with.
//
// Built by filter/bench_test.go at benchmark time:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o rsaguest.wasm ./testdata/rsaguest
//
// Plugin configuration: "<modulus hex> <signature hex> <message>" (e = 65537).
package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/tokengate/tokengate/internal/proxywasm"
)

func main() {}

func init() { proxywasm.SetVMContext(&vmContext{}) }

type vmContext struct{ types.DefaultVMContext }

func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }

type pluginContext struct {
	types.DefaultPluginContext
	pub *rsa.PublicKey
	sig []byte
	msg []byte
}

func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	cfg, err := proxywasm.GetPluginConfiguration()
	if err != nil {
		return types.OnPluginStartStatusFailed
	}
	f := strings.SplitN(string(cfg), " ", 3)
	if len(f) != 3 {
		return types.OnPluginStartStatusFailed
	}
	n, ok := new(big.Int).SetString(f[0], 16)
	sig, err := hex.DecodeString(f[1])
	if !ok || err != nil {
		return types.OnPluginStartStatusFailed
	}
	p.pub, p.sig, p.msg = &rsa.PublicKey{N: n, E: 65537}, sig, []byte(f[2])
	return types.OnPluginStartStatusOK
}

func (p *pluginContext) NewHttpContext(uint32) types.HttpContext { return &httpContext{p: p} }

type httpContext struct {
	types.DefaultHttpContext
	p *pluginContext
}

func (h *httpContext) OnHttpRequestHeaders(int, bool) types.Action {
	_, _ = proxywasm.GetHttpRequestHeader("authorization")
	sum := sha256.Sum256(h.p.msg)
	if rsa.VerifyPKCS1v15(h.p.pub, crypto.SHA256, sum[:], h.p.sig) != nil {
		_ = proxywasm.SendHttpResponse(500, nil, nil, -1)
		return types.ActionPause
	}
	return types.ActionContinue
}
