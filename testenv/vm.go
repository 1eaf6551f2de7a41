package testenv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Exports the host calls, in the order of exportNames.
const (
	exInitialize = iota
	exMalloc
	exContextCreate
	exVMStart
	exConfigure
	exTick
	exRequestHeaders
	exRequestBody
	exRequestTrailers
	exResponseHeaders
	exResponseBody
	exResponseTrailers
	exHttpCallResponse
	exQueueReady
	exDone
	exLog
	exDelete
	numExports
)

var exportNames = [numExports]string{
	"_initialize", "proxy_on_memory_allocate", "proxy_on_context_create", "proxy_on_vm_start",
	"proxy_on_configure", "proxy_on_tick", "proxy_on_request_headers", "proxy_on_request_body",
	"proxy_on_request_trailers", "proxy_on_response_headers", "proxy_on_response_body",
	"proxy_on_response_trailers", "proxy_on_http_call_response", "proxy_on_queue_ready",
	"proxy_on_done", "proxy_on_log", "proxy_on_delete",
}

// exportParams names the parameters of each export, as the spec does; exportResult names its result
// ("" when it has none).
var exportParams = [numExports][]string{
	nil, {"memory_size"}, {"context_id", "parent_context_id"},
	{"root_context_id", "vm_configuration_size"}, {"root_context_id", "plugin_configuration_size"},
	{"root_context_id"},
	{"context_id", "num_headers", "end_of_stream"}, {"context_id", "body_buffer_length", "end_of_stream"},
	{"context_id", "num_trailers"},
	{"context_id", "num_headers", "end_of_stream"}, {"context_id", "body_buffer_length", "end_of_stream"},
	{"context_id", "num_trailers"},
	{"root_context_id", "callout_id", "num_headers", "body_size", "num_trailers"},
	{"root_context_id", "queue_id"},
	{"context_id"}, {"context_id"}, {"context_id"},
}

var exportResult = [numExports]string{
	"", "ptr", "", "ok", "ok", "", "action", "action", "action", "action", "action", "action", "", "",
	"done", "", "",
}

// exportDefault is what a missing optional export counts as: cpp-host skips the call and treats
// the stream callbacks as Continue and the start callbacks as success.
var exportDefault = [numExports]uint64{exVMStart: 1, exConfigure: 1, exDone: 1}

// phase restricts host calls, as cpp-host's setRestrictedCallback does.
type phase uint8

const (
	phaseNone   phase = iota
	phaseInit         // _initialize
	phaseMalloc       // proxy_on_memory_allocate
)

func (p phase) String() string {
	switch p {
	case phaseInit:
		return "_initialize"
	case phaseMalloc:
		return "proxy_on_memory_allocate"
	}
	return "callback"
}

type vmKey struct{}

// VM is one instance of the module: one Envoy worker's copy. It is re-created after a trap, which
// loses all guest state, as in Envoy.
type VM struct {
	h     *Host
	index int
	mu    sync.Mutex
	ctx   context.Context

	gen    int // bumped on every (re)start; streams of an older generation are dead
	mod    api.Module
	mem    api.Memory
	fns    [numExports]api.Function
	stack  [8]uint64
	mstack [1]uint64
	broken error // set by a trap until restartIfBroken re-creates the instance

	phase     phase
	depth     int
	rootID    uint32
	nextCtxID uint32
	effective uint32 // context the current host calls act on
	cb        int    // export of the current outermost callback
	cbStream  *Stream

	configReadable bool // buffer 7: only during the root context_create and on_configure
	streams        map[uint32]*Stream
	after          []func() // actions deferred until the outermost guest call returns
	draining       bool

	nextCallID uint32
	inflight   []*httpCall
	callResp   *httpResponse // during proxy_on_http_call_response
	lastStatus Status        // proxy_get_status
	lastMsg    string

	tickPeriod time.Duration
	nextTick   time.Time

	metricIDs  map[uint32]*metric
	nextMetric [3]uint32
	rootProps  map[string][]byte

	inboxMu sync.Mutex
	inbox   []uint32 // shared-queue tokens ready for this VM's root context

	ring   ring
	counts []uint64 // host calls made, by index in hostFuncs (kept across restarts)
	stdout lineBuffer
	stderr lineBuffer
}

func newVM(h *Host, i int) *VM {
	vm := &VM{h: h, index: i, counts: make([]uint64, len(hostFuncs))}
	vm.ctx = context.WithValue(context.Background(), vmKey{}, vm)
	return vm
}

// Index is the worker number of the VM.
func (vm *VM) Index() int { return vm.index }

// RootContextID is the id of the root (plugin) context, the context http-call responses, ticks
// and queue notifications are delivered to.
func (vm *VM) RootContextID() uint32 { return vm.rootID }

// start instantiates the module and runs Envoy's start sequence. Called with vm.mu held (or before
// the VM is shared).
func (vm *VM) start() error {
	h := vm.h
	vm.gen++
	vm.broken = nil
	vm.phase, vm.depth, vm.effective, vm.cbStream = phaseNone, 0, 0, nil
	vm.streams = map[uint32]*Stream{}
	vm.after, vm.draining = nil, false
	vm.inflight, vm.callResp = nil, nil
	vm.nextCallID = 0
	vm.tickPeriod = 0
	vm.metricIDs = map[uint32]*metric{}
	vm.nextMetric = [3]uint32{uint32(MetricCounter), uint32(MetricGauge), uint32(MetricHistogram)}
	vm.rootProps = map[string][]byte{}
	vm.stdout.reset()
	vm.stderr.reset()
	vm.inboxMu.Lock()
	vm.inbox = nil
	vm.inboxMu.Unlock()

	name := fmt.Sprintf("vm%d.%d", vm.index, vm.gen)
	mod, err := h.rt.InstantiateModule(vm.ctx, h.compiled, wazero.NewModuleConfig().
		WithName(name).WithStartFunctions())
	if err != nil {
		return fmt.Errorf("testenv: vm%d: instantiate: %w", vm.index, err)
	}
	vm.mod = mod
	vm.mem = mod.Memory()
	for i, n := range exportNames {
		vm.fns[i] = mod.ExportedFunction(n)
	}
	if vm.fns[exMalloc] == nil {
		vm.fns[exMalloc] = mod.ExportedFunction("malloc")
	}

	// Envoy: _initialize (restricted), then root context, on_vm_start, on_configure.
	vm.rootID = 1
	vm.nextCtxID = 2
	vm.phase = phaseInit
	_, ok := vm.invoke(exInitialize)
	vm.phase = phaseNone
	if !ok {
		return vm.startError("_initialize trapped")
	}
	vm.configReadable = true
	if _, ok := vm.invoke(exContextCreate, uint64(vm.rootID), 0); !ok {
		return vm.startError("proxy_on_context_create(root) trapped")
	}
	vm.configReadable = false
	r, ok := vm.invoke(exVMStart, uint64(vm.rootID), uint64(len(h.cfg.vmConfig)))
	if !ok {
		return vm.startError("proxy_on_vm_start trapped")
	}
	if uint32(r) == 0 {
		return vm.startError("proxy_on_vm_start returned false")
	}
	vm.configReadable = true
	r, ok = vm.invoke(exConfigure, uint64(vm.rootID), uint64(len(h.cfg.pluginConfig)))
	vm.configReadable = false
	if !ok {
		return vm.startError("proxy_on_configure trapped")
	}
	if uint32(r) == 0 {
		return vm.startError("plugin start failed: proxy_on_configure returned false")
	}
	return nil
}

func (vm *VM) startError(what string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "testenv: vm%d: %s", vm.index, what)
	if vm.broken != nil {
		fmt.Fprintf(&b, ": %v", vm.broken)
	}
	b.WriteString("\nguest logs:\n")
	for _, l := range vm.h.logs.forVM(vm.index, 50) {
		b.WriteString("  " + l.String() + "\n")
	}
	if tail := vm.stderr.tail(); tail != "" {
		b.WriteString("guest stderr:\n" + tail + "\n")
	}
	b.WriteString("last ABI calls:\n" + vm.ring.render())
	if vm.mod != nil {
		_ = vm.mod.Close(context.Background())
		vm.mod = nil
		vm.mem = nil
	}
	return errors.New(b.String())
}

// invoke makes one call into the guest. An outermost call (depth 0) sets the effective context to
// the callback's context id and, once it returns, runs the deferred actions, as Envoy's
// DeferAfterCallActions does. ok is false if the guest trapped (the VM is then broken).
func (vm *VM) invoke(ex int, args ...uint64) (result uint64, ok bool) {
	if vm.broken != nil || vm.mod == nil {
		return 0, false
	}
	f := vm.fns[ex]
	if f == nil {
		return exportDefault[ex], true
	}
	n := copy(vm.stack[:], args)
	size := n
	if exportResult[ex] != "" && size == 0 {
		size = 1
	}
	outer := vm.depth == 0
	prevCb, prevEff := vm.cb, vm.effective
	if n > 0 {
		vm.effective = uint32(args[0])
	}
	vm.cb = ex
	vm.depth++
	ri := vm.ring.guestCall(ex, args)
	if vm.h.trace.on {
		vm.h.trace.guestCall(ex, args)
	}
	err := f.CallWithStack(vm.ctx, vm.stack[:size])
	vm.depth--
	vm.cb, vm.effective = prevCb, prevEff
	if err != nil {
		vm.trapped(err, exportNames[ex])
		return 0, false
	}
	if exportResult[ex] != "" {
		result = vm.stack[0]
	}
	vm.ring.setResult(ri, result)
	if vm.h.trace.on {
		vm.h.trace.guestResult(ex, result)
	}
	if outer {
		vm.effective = 0
		vm.drainAfter()
	}
	return result, true
}

// defer queues an action for when the outermost guest call returns.
func (vm *VM) deferAction(f func()) { vm.after = append(vm.after, f) }

func (vm *VM) drainAfter() {
	if vm.draining {
		return
	}
	vm.draining = true
	for i := 0; i < len(vm.after) && vm.broken == nil; i++ {
		vm.after[i]()
	}
	vm.after = vm.after[:0]
	vm.draining = false
}

// malloc calls proxy_on_memory_allocate from inside a host call, with host calls restricted as
// cpp-host restricts them. A trap inside it panics, which wazero turns into a trap of the
// outermost call.
func (vm *VM) malloc(size uint32) uint32 {
	prev := vm.phase
	vm.phase = phaseMalloc
	vm.mstack[0] = uint64(size)
	err := vm.fns[exMalloc].CallWithStack(vm.ctx, vm.mstack[:])
	vm.phase = prev
	if err != nil {
		panic(err)
	}
	return uint32(vm.mstack[0])
}

// TrapError describes a guest trap: where, why, what the guest wrote to stderr and the last ABI
// crossings before it.
type TrapError struct {
	VM     int
	Where  string // the export that was running
	Err    error
	Stderr string
	Calls  string // the last ABI calls, oldest first, in wazero's logging form
	Logs   []Log
}

func (e *TrapError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vm%d: guest trapped in %s: %v", e.VM, e.Where, e.Err)
	if e.Stderr != "" {
		b.WriteString("\nguest stderr:\n" + e.Stderr)
	}
	if len(e.Logs) > 0 {
		b.WriteString("\nlast guest logs:\n")
		for _, l := range e.Logs {
			b.WriteString("  " + l.String() + "\n")
		}
	}
	b.WriteString("\nlast ABI calls:\n" + e.Calls)
	return b.String()
}

func (e *TrapError) Unwrap() error { return e.Err }

// trapped records a trap and marks the VM broken. Every live stream of the VM fails with Envoy's
// 503 "wasm_fail_stream" local reply. restartIfBroken re-creates the instance.
func (vm *VM) trapped(err error, where string) {
	vm.stdout.flush(vm, "stdout")
	vm.stderr.flush(vm, "stderr")
	te := &TrapError{VM: vm.index, Where: where, Err: err, Stderr: vm.stderr.tail(),
		Calls: vm.ring.render(), Logs: vm.h.logs.forVM(vm.index, 10)}
	vm.broken = te
	vm.after = vm.after[:0]
	vm.h.mu.Lock()
	vm.h.traps = append(vm.h.traps, te)
	vm.h.mu.Unlock()
	if vm.h.trace.on {
		vm.h.trace.line(fmt.Sprintf("<== trap in %s: %v", where, firstLine(err.Error())))
	}
	for _, s := range vm.streams {
		s.failStream(te)
	}
	if !vm.h.cfg.tolerateTraps {
		vm.h.fail(te)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// restartIfBroken discards a trapped instance and starts a new one, as Envoy does after a VM
// failure. Called with vm.mu held, outside any guest call.
func (vm *VM) restartIfBroken() {
	if vm.broken == nil || vm.depth > 0 || vm.broken == errHostClosed {
		return
	}
	if vm.mod != nil {
		_ = vm.mod.Close(context.Background())
		vm.mod = nil
	}
	if err := vm.start(); err != nil {
		// The module cannot even start again: leave the VM broken; every stream on it fails.
		vm.broken = err
		vm.h.fail(fmt.Errorf("testenv: vm%d: restart after trap failed: %w", vm.index, err))
		return
	}
	vm.settle() // e.g. an http call made by proxy_on_configure
}

// NewStream creates an HTTP stream on this VM: proxy_on_context_create(id, root).
func (vm *VM) NewStream() *Stream {
	vm.mu.Lock()
	vm.restartIfBroken()
	s := &Stream{vm: vm, gen: vm.gen, id: vm.nextCtxID}
	s.req.name, s.resp.name = "request", "response"
	vm.nextCtxID++
	if vm.broken != nil {
		s.failStream(vm.broken)
	} else {
		vm.streams[s.id] = s
		vm.invoke(exContextCreate, uint64(s.id), uint64(vm.rootID))
	}
	vm.finish()
	return s
}

// finish ends a public operation: runs the VM's event loop, restarts it after a trap, releases it,
// lets the other VMs catch up and reports failures. Called with vm.mu held.
func (vm *VM) finish() {
	vm.settle()
	vm.restartIfBroken()
	vm.mu.Unlock()
	vm.h.settleOthers(vm)
	vm.h.reportPending()
}

// settle runs the event loop of this VM: shared-queue notifications, then http-call responses
// whose time has come (unless ManualHttpCalls). It reports whether it delivered anything.
func (vm *VM) settle() bool {
	did := false
	for i := 0; i < 10000 && vm.broken == nil; i++ {
		if tok, ok := vm.popInbox(); ok {
			vm.invoke(exQueueReady, uint64(vm.rootID), uint64(tok))
			did = true
			continue
		}
		if !vm.h.cfg.manualCalls {
			if c := vm.dueCall(vm.h.clock.Now()); c != nil {
				vm.deliver(c)
				did = true
				continue
			}
		}
		return did
	}
	return did
}

func (vm *VM) popInbox() (uint32, bool) {
	vm.inboxMu.Lock()
	defer vm.inboxMu.Unlock()
	if len(vm.inbox) == 0 {
		return 0, false
	}
	t := vm.inbox[0]
	vm.inbox = vm.inbox[1:]
	return t, true
}

func (vm *VM) notifyQueue(token uint32) {
	vm.inboxMu.Lock()
	vm.inbox = append(vm.inbox, token)
	vm.inboxMu.Unlock()
}

// effectiveStream returns the stream host calls act on, nil for the root context.
func (vm *VM) effectiveStream() *Stream {
	if vm.effective == vm.rootID {
		return nil
	}
	return vm.streams[vm.effective]
}
