package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"

	"github.com/tetratelabs/wazero"
)

// processCache is shared by every Host of the process that does not pass CompilationCache, so a
// test binary compiles each distinct module once however many Envs it creates.
var processCache = wazero.NewCompilationCache()

// envoyMaxMemoryPages is V8's --wasm-max-mem-pages as cpp-host sets it: 16384 pages of 64 KiB, 1 GiB.
const envoyMaxMemoryPages = 16384

// Host runs one proxy-wasm module the way Envoy does: compiled once, one VM per worker, sharing
// one shared-data store, one set of shared queues and one set of metrics. It is safe for
// concurrent use; each VM runs one guest call at a time.
type Host struct {
	cfg      *config
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	vms      []*VM
	clock    *Clock

	shared  sharedData
	queues  sharedQueues
	metrics metricStore
	logs    logStore
	trace   traceLog

	mu       sync.Mutex
	nextVM   int
	traps    []*TrapError
	misuses  []string
	calls    []HttpCall
	pending  []error // failures to report through failHook, outside any VM lock
	failHook func(error)
	closed   bool
}

// NewHost compiles wasm and starts the configured number of VMs: _initialize, the root context,
// proxy_on_vm_start and proxy_on_configure on each. A guest that refuses to start (false from
// proxy_on_vm_start or proxy_on_configure, or a trap) yields an error carrying the guest's logs.
func NewHost(wasm []byte, opts ...Option) (*Host, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cache := cfg.cache
	if cache == nil {
		cache = processCache
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().
		WithCompilationCache(cache).
		WithMemoryLimitPages(envoyMaxMemoryPages).
		WithCloseOnContextDone(false))
	h := &Host{cfg: cfg, rt: rt}
	h.clock = newClock(h, cfg.start, cfg.realClock)
	h.shared.init()
	h.queues.init()
	h.metrics.init()
	h.logs.max = cfg.maxLogs
	h.logs.w = cfg.logWriter
	h.trace.on = cfg.trace
	if err := h.instantiateImports(ctx); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("testenv: compile module: %w", err)
	}
	h.compiled = compiled
	if err := checkModule(compiled); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	for i := 0; i < cfg.workers; i++ {
		vm := newVM(h, i)
		h.vms = append(h.vms, vm)
		if err := vm.start(); err != nil {
			rt.Close(ctx)
			return nil, err
		}
	}
	// Deliver what the start sequence caused (an http call from proxy_on_configure, say) before
	// the first request, as a running Envoy would have by then.
	h.settleOthers(nil)
	if errs := h.takePending(); len(errs) > 0 {
		rt.Close(ctx)
		return nil, errors.Join(errs...)
	}
	return h, nil
}

func (c *config) validate() error {
	if c.workers < 1 || c.workers > 256 {
		return fmt.Errorf("testenv: option Workers(%d): want 1..256", c.workers)
	}
	for name, cl := range c.clusters {
		switch {
		case cl.handler == nil && cl.url == "":
			return fmt.Errorf("testenv: cluster[%q]: ClusterDelay without Cluster or ClusterURL", name)
		case cl.handler != nil && cl.url != "":
			return fmt.Errorf("testenv: cluster[%q]: both a handler and a URL", name)
		case cl.url != "":
			u, err := url.Parse(cl.url)
			if err != nil || u.Scheme != "http" || u.Host == "" {
				return fmt.Errorf("testenv: cluster[%q]: url %q: want http://host:port", name, cl.url)
			}
		}
	}
	return nil
}

// checkModule refuses modules Envoy would refuse, with a sentence naming what is missing.
func checkModule(m wazero.CompiledModule) error {
	ex := m.ExportedFunctions()
	switch {
	case ex["proxy_abi_version_0_2_1"] != nil, ex["proxy_abi_version_0_2_0"] != nil:
	case ex["proxy_abi_version_0_1_0"] != nil:
		return errors.New("testenv: module: proxy-wasm ABI 0.1.0 is not supported (want proxy_abi_version_0_2_1)")
	default:
		return errors.New("testenv: module: no proxy_abi_version_0_2_x export: not a proxy-wasm module " +
			"(a standard-Go build of the SDK exports only _initialize)")
	}
	if ex["proxy_on_memory_allocate"] == nil && ex["malloc"] == nil {
		return errors.New("testenv: module: neither proxy_on_memory_allocate nor malloc is exported")
	}
	if len(m.ExportedMemories()) == 0 {
		return errors.New("testenv: module: no exported memory")
	}
	return nil
}

// Close discards every VM and the runtime. Further use of the Host is an error.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.mu.Unlock()
	for _, vm := range h.vms {
		vm.mu.Lock()
		vm.broken = errHostClosed
	}
	err := h.rt.Close(context.Background())
	for _, vm := range h.vms {
		vm.mu.Unlock()
	}
	return err
}

var errHostClosed = errors.New("testenv: host closed")

func (h *Host) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// VM returns worker i's VM (0-based).
func (h *Host) VM(i int) *VM {
	if i < 0 || i >= len(h.vms) {
		h.failf("VM(%d): only %d workers", i, len(h.vms))
		return nil
	}
	return h.vms[i]
}

// Workers is the number of VMs.
func (h *Host) Workers() int { return len(h.vms) }

// NewStream creates an HTTP stream on the next VM, round-robin across workers as Envoy spreads
// connections over its workers.
func (h *Host) NewStream() *Stream {
	h.mu.Lock()
	vm := h.vms[h.nextVM%len(h.vms)]
	h.nextVM++
	h.mu.Unlock()
	return vm.NewStream()
}

// Clock returns the host clock.
func (h *Host) Clock() *Clock { return h.clock }

// Traps returns every trap seen so far, oldest first.
func (h *Host) Traps() []*TrapError {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*TrapError(nil), h.traps...)
}

// Misuses returns every ABI misuse the guest committed (bad pointers, calls in the wrong phase or
// context, unknown ids), each a sentence naming the host call. The guest got the status Envoy
// returns; this list is for tests that want none.
func (h *Host) Misuses() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.misuses...)
}

func (h *Host) misuse(vm *VM, format string, args ...any) {
	msg := fmt.Sprintf("vm%d: ", vm.index) + fmt.Sprintf(format, args...)
	h.mu.Lock()
	if len(h.misuses) < 1000 {
		h.misuses = append(h.misuses, msg)
	}
	h.mu.Unlock()
}

// OnFailure sets a function that receives every failure the Host cannot return as a value: guest
// traps (unless TolerateTraps), a VM that cannot restart, a panicking cluster handler, misuse of
// the Stream or Clock API. It is called outside any VM lock, on the goroutine that drove the
// Host. New (the testing Env) uses it to fail the test; a CLI can log.
func (h *Host) OnFailure(f func(error)) {
	h.mu.Lock()
	h.failHook = f
	h.mu.Unlock()
}

// failf reports a misuse of testenv by its caller (or an unrecoverable host failure).
func (h *Host) failf(format string, args ...any) {
	h.fail(fmt.Errorf("testenv: "+format, args...))
	h.reportPending()
}

// fail queues err for the failure hook; reportPending delivers it once no VM lock is held.
func (h *Host) fail(err error) {
	h.mu.Lock()
	h.pending = append(h.pending, err)
	h.mu.Unlock()
}

func (h *Host) takePending() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	errs := h.pending
	h.pending = nil
	return errs
}

func (h *Host) reportPending() {
	h.mu.Lock()
	errs := h.pending
	h.pending = nil
	hook := h.failHook
	h.mu.Unlock()
	if hook == nil {
		return
	}
	for _, err := range errs {
		hook(err)
	}
}

// GuestMemory returns the size in bytes of VM i's linear memory.
func (h *Host) GuestMemory(i int) uint32 {
	vm := h.VM(i)
	if vm == nil {
		return 0
	}
	vm.mu.Lock()
	defer vm.mu.Unlock()
	if vm.mem == nil {
		return 0
	}
	return vm.mem.Size()
}

// settleOthers runs the event loop of every VM but skip (events another VM caused, such as a
// shared-queue enqueue). A concurrent host (the Gateway) leaves that to Poll.
func (h *Host) settleOthers(skip *VM) {
	if h.cfg.concurrent {
		return
	}
	for round := 0; round < 100; round++ {
		busy := false
		for _, vm := range h.vms {
			if vm == skip && round == 0 {
				continue
			}
			vm.mu.Lock()
			if vm.settle() {
				busy = true
			}
			vm.restartIfBroken()
			vm.mu.Unlock()
		}
		if !busy {
			return
		}
	}
}

// importNames lists the host functions the module imports, "module.name" each, sorted by wazero.
func importNames(m wazero.CompiledModule) []string {
	var out []string
	for _, f := range m.ImportedFunctions() {
		mod, name, _ := f.Import()
		out = append(out, mod+"."+name)
	}
	return out
}

// HostCallCounts returns how many times each host function was called, summed over the VMs and
// across restarts, keyed "module.name" ("env.proxy_log"); functions never called are absent. It
// counts every call, also those the trace leaves out (the Go runtime's clock and poll calls), so
// a test can assert that a path makes exactly the host calls it should, without a trace.
func (h *Host) HostCallCounts() map[string]uint64 {
	out := map[string]uint64{}
	for _, vm := range h.vms {
		vm.mu.Lock()
		for i, n := range vm.counts {
			if n > 0 {
				f := hostFuncs[i]
				out[f.module+"."+f.name] += n
			}
		}
		vm.mu.Unlock()
	}
	return out
}

// ImportedFunctions lists the host functions the module imports ("env.proxy_log", ...).
func (h *Host) ImportedFunctions() []string { return importNames(h.compiled) }

// ExportedFunctions lists the functions the module exports.
func (h *Host) ExportedFunctions() []string {
	var out []string
	for name := range h.compiled.ExportedFunctions() {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
