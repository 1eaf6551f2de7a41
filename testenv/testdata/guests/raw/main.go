// Command raw is a guest module for testenv's own tests that talks to the host through bare
// //go:wasmimport declarations, without the project's binding, so it can do what a well-behaved
// filter never does: call WASI directly with edge-case arguments, pass bad pointers, and call host
// functions where Envoy forbids them. Provenance: written for testenv; built by its tests with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared [-ldflags=-X=main.initMode=forbidden] ./testdata/guests/raw
//
// The request's number of headers selects the behaviour of proxy_on_request_headers (see below);
// every outcome is logged with proxy_log as "<what>=<result>".
package main

import (
	"strconv"
	"unsafe"
)

func main() {}

// initMode is set with -ldflags=-X=main.initMode=forbidden to make init call a host function that
// Envoy forbids during _initialize.
var initMode string

//go:wasmimport env proxy_log
func proxyLog(level uint32, msg *byte, size uint32) uint32

//go:wasmimport env proxy_get_current_time_nanoseconds
func proxyGetTime(ret *uint64) uint32

//go:wasmimport env proxy_get_header_map_value
func proxyGetHeader(mapType uint32, key *byte, keySize uint32, retData *uint32, retSize *uint32) uint32

//go:wasmimport env proxy_get_header_map_value
func proxyGetHeaderRaw(mapType, key, keySize, retData, retSize uint32) uint32

//go:wasmimport env proxy_set_effective_context
func proxySetEffectiveContext(id uint32) uint32

//go:wasmimport env proxy_get_header_map_size
func proxyGetHeaderMapSize(mapType uint32, ret *uint32) uint32

//go:wasmimport env proxy_get_buffer_status
func proxyGetBufferStatus(bufType uint32, size *uint32, flags *uint32) uint32

//go:wasmimport env proxy_get_log_level
func proxyGetLogLevel(ret *uint32) uint32

//go:wasmimport env proxy_done
func proxyDone() uint32

//go:wasmimport env proxy_get_status
func proxyGetStatus(code *uint32, msgData *uint32, msgSize *uint32) uint32

//go:wasmimport env proxy_call_foreign_function
func proxyCallForeignFunction(name *byte, nameSize uint32, args *byte, argsSize uint32, retData *uint32, retSize *uint32) uint32

//go:wasmimport env proxy_close_stream
func proxyCloseStream(streamType uint32) uint32

//go:wasmimport env proxy_continue_request
func proxyContinueRequest() uint32

//go:wasmimport env proxy_continue_stream
func proxyContinueStream(streamType uint32) uint32

//go:wasmimport env proxy_grpc_call
func proxyGrpcCall(svc *byte, svcSize uint32, svcName *byte, svcNameSize uint32, method *byte, methodSize uint32,
	md *byte, mdSize uint32, req *byte, reqSize uint32, timeout uint32, token *uint32) uint32

//go:wasmimport wasi_snapshot_preview1 random_get
func randomGet(buf *byte, n uint32) uint32

//go:wasmimport wasi_snapshot_preview1 fd_fdstat_set_flags
func fdFdstatSetFlags(fd, flags uint32) uint32

//go:wasmimport wasi_snapshot_preview1 fd_prestat_get
func fdPrestatGet(fd uint32, buf *byte) uint32

//go:wasmimport wasi_snapshot_preview1 clock_time_get
func clockTimeGet(id uint32, precision uint64, ret *uint64) uint32

//go:wasmimport wasi_snapshot_preview1 poll_oneoff
func pollOneoff(in, out *byte, n uint32, nevents *uint32) uint32

// Out-parameters live in package variables, never on a goroutine stack the runtime may move.
var (
	outU64              uint64
	outPtr, outSize     uint32
	outEvents           uint32
	randBuf             [65537]byte
	pollIn              [48]byte
	pollOut             [32]byte
	prestat             [8]byte
	pins                [][]byte
	restrictMallocCheck bool
)

func log(msg string) { proxyLog(2, unsafe.StringData(msg), uint32(len(msg))) }

func logResult(what string, r uint32) { log(what + "=" + strconv.FormatUint(uint64(r), 10)) }

func init() {
	if initMode == "forbidden" {
		proxyGetTime(&outU64) // Envoy traps: only logging, clocks and the like are allowed here
	}
}

//go:wasmexport proxy_abi_version_0_2_1
func abiVersion() {}

//go:wasmexport proxy_on_memory_allocate
func onMemoryAllocate(size uint32) *byte {
	if restrictMallocCheck {
		proxyGetTime(&outU64) // forbidden inside the allocator: Envoy traps
	}
	if size == 0 {
		size = 1
	}
	b := make([]byte, size)
	pins = append(pins, b) // never released: this guest only serves a few calls
	return &b[0]
}

//go:wasmexport proxy_on_context_create
func onContextCreate(id, parent uint32) {}

//go:wasmexport proxy_on_vm_start
func onVMStart(id, size uint32) uint32 { return 1 }

//go:wasmexport proxy_on_configure
func onConfigure(id, size uint32) uint32 { return 1 }

//go:wasmexport proxy_on_request_headers
func onRequestHeaders(id, numHeaders, eos uint32) uint32 {
	switch numHeaders {
	case 1:
		logResult("random_get(65537)", randomGet(&randBuf[0], 65537))
		logResult("random_get(65536)", randomGet(&randBuf[0], 65536))
	case 2:
		logResult("fd_fdstat_set_flags(1)", fdFdstatSetFlags(1, 0))
	case 3:
		logResult("fd_prestat_get(3)", fdPrestatGet(3, &prestat[0]))
	case 4:
		logResult("clock_time_get(2)", clockTimeGet(2, 1, &outU64))
		logResult("clock_time_get(0)", clockTimeGet(0, 1, &outU64))
		log("realtime=" + strconv.FormatUint(outU64, 10))
	case 5:
		outEvents = 99
		logResult("poll_oneoff", pollOneoff(&pollIn[0], &pollOut[0], 1, &outEvents))
		logResult("nevents", outEvents)
	case 6:
		restrictMallocCheck = true
		key := "x"
		proxyGetHeader(0, unsafe.StringData(key), 1, &outPtr, &outSize)
	case 7:
		msg := "bad level"
		logResult("proxy_log(9)", proxyLog(9, unsafe.StringData(msg), uint32(len(msg))))
	case 8:
		logResult("get_header(key out of bounds)", proxyGetHeaderRaw(0, 0xffff_ff00, 64, 0, 0))
		key := "a"
		logResult("get_header(out-param out of bounds)",
			proxyGetHeaderRaw(0, uint32(uintptr(unsafe.Pointer(unsafe.StringData(key)))), 1, 0xffff_fff0, 0xffff_fff4))
	case 9:
		logResult("set_effective_context(999)", proxySetEffectiveContext(999))
	case 10:
		logResult("get_header_map_size", proxyGetHeaderMapSize(0, &outSize))
		logResult("size", outSize)
		logResult("get_buffer_status(vm_configuration)", proxyGetBufferStatus(6, &outSize, &outPtr))
		logResult("buffer size", outSize)
		logResult("get_buffer_status(plugin_configuration)", proxyGetBufferStatus(7, &outSize, &outPtr))
		logResult("get_log_level", proxyGetLogLevel(&outSize))
		logResult("level", outSize)
		logResult("proxy_done", proxyDone())
		logResult("get_status", proxyGetStatus(&outSize, &outPtr, &outEvents))
		name := "f"
		logResult("call_foreign_function", proxyCallForeignFunction(unsafe.StringData(name), 1, nil, 0, &outPtr, &outSize))
		logResult("continue_stream(3)", proxyContinueStream(3))
		logResult("continue_stream(2)", proxyContinueStream(2))
		logResult("continue_stream(7)", proxyContinueStream(7))
		svc := "svc"
		logResult("grpc_call", proxyGrpcCall(unsafe.StringData(svc), 3, unsafe.StringData(svc), 3,
			unsafe.StringData(svc), 3, nil, 0, nil, 0, 1000, &outPtr))
	case 11:
		logResult("close_stream(0)", proxyCloseStream(0))
	case 12:
		// ABI 0.1's continue_request, called inside the callback that then stops: the deferred
		// continue applies once the callback has returned Pause.
		logResult("continue_request", proxyContinueRequest())
		return 1
	case 13:
		// How many allocations the host made to return one header value, which one it named, and
		// what the other one holds (DecoyAllocations).
		before, key := len(pins), "x"
		logResult("get_header(x)", proxyGetHeader(0, unsafe.StringData(key), 1, &outPtr, &outSize))
		log("value=" + unsafe.String((*byte)(unsafe.Pointer(uintptr(outPtr))), outSize))
		log("allocs=" + strconv.Itoa(len(pins)-before))
		for _, p := range pins[before:] {
			if uintptr(unsafe.Pointer(&p[0])) != uintptr(outPtr) {
				log("other=" + string(p))
			}
		}
	}
	return 0
}

//go:wasmexport proxy_on_done
func onDone(id uint32) uint32 { return 1 }

//go:wasmexport proxy_on_log
func onLog(id uint32) {}

//go:wasmexport proxy_on_delete
func onDelete(id uint32) {}
