// Command wasmrun runs a wasip1 command module under wazero, the engine testenv
// uses, so that guest code can be measured where it runs: in wasm.
//
//	GOOS=wasip1 GOARCH=wasm go test -c -o /tmp/filter.test ./filter
//	go run ./internal/tools/wasmrun /tmp/filter.test -test.run '^$' -test.bench BenchmarkDecide
//
// `make bench-wasm` does this for the filter and jwtcore. Imports from the
// module "env" (the proxy-wasm host functions the binding declares) are
// answered with zeros: a test binary never calls them, it only links them.
// The host's root directory is mounted as the guest's, and the working
// directory is passed as PWD, so tests find their testdata.
//
// It is a development tool, not part of tokengate.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wasmrun MODULE.wasm [ARGS...]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1], os.Args[1:]))
}

func run(path string, args []string) int {
	ctx := context.Background()
	bin, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmrun:", err)
		return 1
	}
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	mod, err := r.CompileModule(ctx, bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmrun: compile:", err)
		return 1
	}
	if err := stubEnv(ctx, r, mod); err != nil {
		fmt.Fprintln(os.Stderr, "wasmrun: env imports:", err)
		return 1
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmrun:", err)
		return 1
	}
	cfg := wazero.NewModuleConfig().WithArgs(args...).WithEnv("PWD", wd).
		WithStdout(os.Stdout).WithStderr(os.Stderr).
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/")).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	_, err = r.InstantiateModule(ctx, mod, cfg)
	if exit, ok := err.(*sys.ExitError); ok {
		return int(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmrun:", err)
		return 1
	}
	return 0
}

// stubEnv defines every function the module imports from "env" as one that
// returns zeros.
func stubEnv(ctx context.Context, r wazero.Runtime, mod wazero.CompiledModule) error {
	b := r.NewHostModuleBuilder("env")
	n := 0
	for _, f := range mod.ImportedFunctions() {
		module, name, _ := f.Import()
		if module != "env" {
			continue
		}
		results := len(f.ResultTypes())
		zero := api.GoModuleFunc(func(_ context.Context, _ api.Module, stack []uint64) {
			clear(stack[:results])
		})
		b.NewFunctionBuilder().WithGoModuleFunction(zero, f.ParamTypes(), f.ResultTypes()).Export(name)
		n++
	}
	if n == 0 {
		return nil
	}
	_, err := b.Instantiate(ctx)
	return err
}
