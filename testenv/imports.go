package testenv

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// pkind says how a host-call parameter is used; it drives the wasm type, the trace rendering and
// nothing else (each implementation reads its own parameters).
type pkind uint8

const (
	kU32      pkind = iota // a number
	kI64                   // a signed 64-bit number
	kMap                   // a MapType
	kBuf                   // a BufferType
	kLevel                 // a LogLevel
	kIn                    // pointer to input bytes; the next parameter is their size
	kInPairs               // pointer to serialized header pairs; the next parameter is their size
	kSize                  // size of the previous kIn/kInPairs
	kOut                   // pointer to a u32 the host writes
	kOut64                 // pointer to a u64 the host writes
	kOutData               // pointer to a pointer the host writes; the next parameter is kOutSize
	kOutPairs              // as kOutData, holding serialized header pairs
	kOutSize               // pointer to the size of the previous kOutData/kOutPairs
)

type param struct {
	name string
	kind pkind
}

// hostFunc is one host function the guest may import.
type hostFunc struct {
	module string
	name   string
	params []param
	result string // "status", "errno" or "" (no result)
	impl   func(vm *VM, st []uint64) uint32
	// allowInit and allowMalloc follow cpp-host's restricted-callback lists (see wasi.go).
	allowInit, allowMalloc bool
	quiet                  bool // not in the trap ring nor the trace (the Go runtime's clock/poll noise)
}

// hostFuncs is every host function testenv provides, env.proxy_* then wasi_snapshot_preview1.*.
var hostFuncs []*hostFunc

func init() {
	hostFuncs = append(hostFuncs, envFuncs()...)
	hostFuncs = append(hostFuncs, wasiFuncs()...)
}

func p(name string, kind pkind) param { return param{name, kind} }

// instantiateImports builds the env and wasi_snapshot_preview1 host modules of this runtime.
func (h *Host) instantiateImports(ctx context.Context) error {
	builders := map[string]interface {
		Instantiate(context.Context) (api.Module, error)
	}{}
	for _, module := range []string{"env", "wasi_snapshot_preview1"} {
		b := h.rt.NewHostModuleBuilder(module)
		for i, f := range hostFuncs {
			if f.module != module {
				continue
			}
			params := make([]api.ValueType, len(f.params))
			names := make([]string, len(f.params))
			for j, p := range f.params {
				params[j] = api.ValueTypeI32
				if p.kind == kI64 {
					params[j] = api.ValueTypeI64
				}
				names[j] = p.name
			}
			var results []api.ValueType
			var rnames []string
			if f.result != "" {
				results = []api.ValueType{api.ValueTypeI32}
				rnames = []string{f.result}
			}
			b.NewFunctionBuilder().
				WithGoModuleFunction(wrap(i, f), params, results).
				WithParameterNames(names...).
				WithResultNames(rnames...).
				Export(f.name)
		}
		builders[module] = b
	}
	for _, module := range []string{"env", "wasi_snapshot_preview1"} {
		if _, err := builders[module].Instantiate(ctx); err != nil {
			return fmt.Errorf("testenv: host module %s: %w", module, err)
		}
	}
	return nil
}

// restrictedError is the trap of a host call made where cpp-host forbids it.
type restrictedError struct {
	call  string
	phase phase
}

func (e restrictedError) Error() string {
	return fmt.Sprintf("restricted_callback: %s called during %s (Envoy allows only the calls on its "+
		"allow-list there and fails the VM)", e.call, e.phase)
}

// wrap adapts an implementation to wazero: finds the VM from the call's context, enforces the
// restricted-callback lists, records the ring and the trace.
func wrap(idx int, f *hostFunc) api.GoModuleFunc {
	full := f.module + "." + f.name
	return func(ctx context.Context, _ api.Module, st []uint64) {
		vm := ctx.Value(vmKey{}).(*VM)
		switch vm.phase {
		case phaseInit:
			if !f.allowInit {
				panic(restrictedError{full, vm.phase})
			}
		case phaseMalloc:
			if !f.allowMalloc {
				panic(restrictedError{full, vm.phase})
			}
		}
		vm.counts[idx]++
		ri := -1
		if !f.quiet {
			ri = vm.ring.hostCall(idx, st[:len(f.params)])
		}
		tracing := vm.h.trace.on && !f.quiet && f.module == "env" && vm.phase == phaseNone
		var saved [12]uint64
		if tracing {
			copy(saved[:], st[:len(f.params)])
			vm.h.trace.hostCall(vm, f, saved[:len(f.params)])
		}
		r := f.impl(vm, st)
		if f.result != "" {
			st[0] = uint64(r)
		}
		if ri >= 0 {
			vm.ring.setResult(ri, uint64(r))
		}
		if tracing {
			vm.h.trace.hostResult(vm, f, saved[:len(f.params)], r)
		}
	}
}
