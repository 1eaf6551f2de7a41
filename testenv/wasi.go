package testenv

import (
	"crypto/rand"
	"fmt"
)

// The WASI shim: wasi_snapshot_preview1 as proxy-wasm-cpp-host (>= PR #533, April 2026) gives it
// to a module inside Envoy, not as a general-purpose WASI. What differs from wazero's own WASI, and
// why it matters: poll_oneoff returns 0 events at once (a guest time.Sleep busy-spins instead of
// really sleeping), stdout/stderr go to the plugin log, there are no files, no arguments and no
// environment, proc_exit traps, and during _initialize and proxy_on_memory_allocate only the calls
// on cpp-host's allow-lists may be made; anything else traps with "restricted_callback".

// initAllowed is cpp-host's allow-list while _initialize runs (WasmBase::startVm): logging,
// arguments, environment, preopens, clocks and randomness, plus what PR #533 added so the Go
// runtime can start (fd_fdstat_get, fd_fdstat_set_flags, sched_yield, poll_oneoff).
var initAllowed = map[string]bool{
	"fd_write": true, "args_sizes_get": true, "args_get": true, "environ_sizes_get": true,
	"environ_get": true, "fd_prestat_get": true, "fd_prestat_dir_name": true,
	"clock_time_get": true, "random_get": true,
	"fd_fdstat_get": true, "fd_fdstat_set_flags": true, "sched_yield": true, "poll_oneoff": true,
}

// mallocAllowed is cpp-host's allow-list while proxy_on_memory_allocate runs
// (WasmBase::allocMemory): logging and the clock, plus poll_oneoff since PR #533.
var mallocAllowed = map[string]bool{"fd_write": true, "clock_time_get": true, "poll_oneoff": true}

func wasiFuncs() []*hostFunc {
	w := func(name string, impl func(*VM, []uint64) uint32, params ...param) *hostFunc {
		return &hostFunc{module: "wasi_snapshot_preview1", name: name, params: params, result: "errno",
			impl: impl, allowInit: initAllowed[name], allowMalloc: mallocAllowed[name]}
	}
	quiet := func(f *hostFunc) *hostFunc { f.quiet = true; return f }
	exit := w("proc_exit", wasiProcExit, p("rval", kU32))
	exit.result = ""
	return []*hostFunc{
		// fd_write is quiet: what the guest wrote is in the logs and in trap reports already.
		quiet(w("fd_write", wasiFdWrite, p("fd", kU32), p("iovs", kU32), p("iovs_len", kU32), p("result.nwritten", kU32))),
		w("fd_read", wasiNosys, p("fd", kU32), p("iovs", kU32), p("iovs_len", kU32), p("result.nread", kU32)),
		w("fd_seek", wasiNosys, p("fd", kU32), p("offset", kI64), p("whence", kU32), p("result.newoffset", kU32)),
		w("fd_close", wasiNosys, p("fd", kU32)),
		w("fd_fdstat_get", wasiFdFdstatGet, p("fd", kU32), p("result.stat", kU32)),
		w("fd_fdstat_set_flags", wasiNosys, p("fd", kU32), p("flags", kU32)),
		w("fd_prestat_get", wasiBadf, p("fd", kU32), p("result.prestat", kU32)),
		w("fd_prestat_dir_name", wasiBadf, p("fd", kU32), p("path", kU32), p("path_len", kU32)),
		w("args_sizes_get", wasiSizesZero, p("result.argc", kU32), p("result.argv_len", kU32)),
		w("args_get", wasiSuccess, p("argv", kU32), p("argv_buf", kU32)),
		w("environ_sizes_get", wasiSizesZero, p("result.environc", kU32), p("result.environv_len", kU32)),
		w("environ_get", wasiSuccess, p("environ", kU32), p("environ_buf", kU32)),
		quiet(w("clock_time_get", wasiClockTimeGet, p("id", kU32), p("precision", kI64), p("result.timestamp", kU32))),
		w("random_get", wasiRandomGet, p("buf", kU32), p("buf_len", kU32)),
		quiet(w("sched_yield", wasiSuccess)),
		quiet(w("poll_oneoff", wasiPollOneoff, p("in", kU32), p("out", kU32), p("nsubscriptions", kU32),
			p("result.nevents", kU32))),
		exit,
	}
}

func wasiSuccess(vm *VM, st []uint64) uint32 { return errnoSuccess }
func wasiNosys(vm *VM, st []uint64) uint32   { return errnoNosys }
func wasiBadf(vm *VM, st []uint64) uint32    { return errnoBadf }

func wasiSizesZero(vm *VM, st []uint64) uint32 {
	if !vm.writeU32(uint32(st[0]), 0) || !vm.writeU32(uint32(st[1]), 0) {
		return errnoFault
	}
	return errnoSuccess
}

// fd_write: fds 1 and 2 go to the plugin log at info and error; other fds are EBADF.
func wasiFdWrite(vm *VM, st []uint64) uint32 {
	fd, iovs, n, out := uint32(st[0]), uint32(st[1]), uint32(st[2]), uint32(st[3])
	if fd != 1 && fd != 2 {
		return errnoBadf
	}
	total := uint32(0)
	for i := uint32(0); i < n; i++ {
		ptr, ok1 := vm.mem.ReadUint32Le(iovs + 8*i)
		size, ok2 := vm.mem.ReadUint32Le(iovs + 8*i + 4)
		if !ok1 || !ok2 {
			return errnoFault
		}
		b, ok := vm.readBytes(ptr, size)
		if !ok {
			return errnoFault
		}
		if fd == 1 {
			vm.stdout.write(vm, "stdout", b)
		} else {
			vm.stderr.write(vm, "stderr", b)
		}
		total += size
	}
	if !vm.writeU32(out, total) {
		return errnoFault
	}
	return errnoSuccess
}

// fd_fdstat_get: fds 1 and 2 only, a character device with the FD_WRITE right.
func wasiFdFdstatGet(vm *VM, st []uint64) uint32 {
	fd, out := uint32(st[0]), uint32(st[1])
	if fd != 1 && fd != 2 {
		return errnoBadf
	}
	const filetypeCharacterDevice, rightFdWrite = 2, 1 << 6
	var buf [24]byte
	buf[0] = filetypeCharacterDevice
	buf[8] = rightFdWrite
	if !vm.mem.Write(out, buf[:]) {
		return errnoFault
	}
	return errnoSuccess
}

// clock_time_get: clock 0 is the host clock's wall time, clock 1 a monotonic clock that moves
// with real time and with every Advance (see Clock); other clocks are EINVAL.
func wasiClockTimeGet(vm *VM, st []uint64) uint32 {
	var v uint64
	switch uint32(st[0]) {
	case 0:
		v = uint64(vm.h.clock.Now().UnixNano())
	case 1:
		v = vm.h.clock.monotonic()
	default:
		return errnoInval
	}
	if !vm.writeU64(uint32(st[2]), v) {
		return errnoFault
	}
	return errnoSuccess
}

// random_get: at most 64 KiB per call, as cpp-host enforces.
func wasiRandomGet(vm *VM, st []uint64) uint32 {
	ptr, n := uint32(st[0]), uint32(st[1])
	if n > 64<<10 {
		return errnoInval
	}
	b, ok := vm.readBytes(ptr, n)
	if !ok {
		return errnoFault
	}
	_, _ = rand.Read(b)
	return errnoSuccess
}

// poll_oneoff: no event ever fires; nevents = 0 at once (cpp-host >= #533).
func wasiPollOneoff(vm *VM, st []uint64) uint32 {
	if !vm.writeU32(uint32(st[3]), 0) {
		return errnoFault
	}
	return errnoSuccess
}

// proc_exit traps, as in Envoy: a proxy-wasm module has no process to exit.
func wasiProcExit(vm *VM, st []uint64) uint32 {
	panic(fmt.Errorf("proc_exit(%d): a proxy-wasm module cannot exit; Envoy fails the VM", uint32(st[0])))
}
