// Command tokengate-wasm is the main package of dist/tokengate.wasm, the
// tokengate proxy-wasm filter (package filter), built with standard Go:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o dist/tokengate.wasm ./cmd/tokengate-wasm
//
// (./build.sh does this). The module is a WASI reactor: main never runs as a
// program; the host calls _initialize, which runs init below, then the
// proxy-wasm callbacks exported by internal/proxywasm.
package main

import (
	"github.com/tokengate/tokengate/filter"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

func main() {}

func init() {
	proxywasm.SetVMContext(filter.NewVMContext())
}
