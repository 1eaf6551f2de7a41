package testenv

import (
	"strings"
	"unicode"
)

// proxy_continue_stream: request (0) and response (1) are deferred until the outermost guest call
// returns, and the headers of that direction become unreadable at once (Envoy drops its pointer to
// them). Downstream (2) is Ok and does nothing; upstream (3) is Unimplemented. On the root context
// there is no stream: Envoy returns Ok and nothing happens, which is how a filter that forgot
// proxy_set_effective_context in proxy_on_http_call_response hangs its request; testenv records it.
func hostContinueStream(vm *VM, st []uint64) uint32 {
	return continueStream(vm, "proxy_continue_stream", uint32(st[0]))
}

func hostContinueRequest(vm *VM, st []uint64) uint32 {
	return continueStream(vm, "proxy_continue_request", streamRequest)
}

func hostContinueResponse(vm *VM, st []uint64) uint32 {
	return continueStream(vm, "proxy_continue_response", streamResponse)
}

func continueStream(vm *VM, fn string, which uint32) uint32 {
	switch which {
	case streamRequest, streamResponse:
	case streamDownstream:
		return uint32(StatusOk)
	case streamUpstream:
		return uint32(StatusUnimplemented)
	default:
		return vm.badArg("%s(%d): not a stream type", fn, which)
	}
	s := vm.effectiveStream()
	if s == nil {
		vm.h.misuse(vm, "%s(%d) on the root context: there is no stream to continue; Envoy ignores it "+
			"(call proxy_set_effective_context with the stream's id first)", fn, which)
		return uint32(StatusOk)
	}
	d := &s.req
	if which == streamResponse {
		d = &s.resp
	}
	d.live = false
	vm.deferAction(func() { s.resume(d) })
	return uint32(StatusOk)
}

// proxy_close_stream: deferred; the stream is reset (no more callbacks but done/log/delete).
func hostCloseStream(vm *VM, st []uint64) uint32 {
	which := uint32(st[0])
	if which > streamUpstream {
		return vm.badArg("proxy_close_stream(%d): not a stream type", which)
	}
	s := vm.effectiveStream()
	if s == nil {
		vm.h.misuse(vm, "proxy_close_stream(%d) on the root context: no stream; ignored", which)
		return uint32(StatusOk)
	}
	vm.deferAction(func() {
		if s.usable() {
			s.ended, s.reset = true, true
		}
	})
	return uint32(StatusOk)
}

// proxy_send_local_response: deferred; the stream stops at once (Envoy forces
// StopAllIterationAndWatermark) and the reply is encoded after the outermost guest call returns.
// Whitespace in the details becomes '_'. On the root context Envoy has no stream to answer and
// drops the reply (Ok); a second reply for the same stream is dropped too. Both are recorded.
func hostSendLocalResponse(vm *VM, st []uint64) uint32 {
	const fn = "proxy_send_local_response"
	code := uint32(st[0])
	details, ok := vm.readString(uint32(st[1]), uint32(st[2]))
	if !ok {
		return vm.badMemory(fn, uint32(st[1]))
	}
	body, ok := vm.copyBytes(uint32(st[3]), uint32(st[4]))
	if !ok {
		return vm.badMemory(fn, uint32(st[3]))
	}
	raw, ok := vm.readBytes(uint32(st[5]), uint32(st[6]))
	if !ok {
		return vm.badMemory(fn, uint32(st[5]))
	}
	extra, ok := decodePairs(raw)
	if !ok {
		return vm.badArg("%s: malformed header pairs (%d bytes)", fn, len(raw))
	}
	s := vm.effectiveStream()
	if s == nil {
		vm.h.misuse(vm, "%s(%d) on the root context: there is no stream to answer; Envoy drops it "+
			"(call proxy_set_effective_context with the stream's id first)", fn, code)
		return uint32(StatusOk)
	}
	if s.localPending || s.local != nil || !s.usable() {
		vm.h.misuse(vm, "%s(%d) on stream %d, which already has a local reply or has ended; dropped",
			fn, code, s.id)
		return uint32(StatusOk)
	}
	lr := &LocalResponse{
		StatusCode: int(code),
		Headers:    localReplyHeaders(code, extra, body),
		Body:       body,
		Details:    strings.Map(underscoreSpace, details),
		GrpcStatus: int32(uint32(st[7])),
	}
	s.localPending = true
	vm.deferAction(func() { s.sendLocal(lr) })
	return uint32(StatusOk)
}

func underscoreSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return '_'
	}
	return r
}
