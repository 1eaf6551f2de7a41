package testenv

// buffer finds the buffer a buffer host call acts on, following Envoy:
//   - request/response body (0/1): the body being delivered, during its callback and while the
//     stream is stopped in it; empty (but present) otherwise, and then not writable;
//   - http-call response body (4): only during proxy_on_http_call_response;
//   - VM configuration (6): always;
//   - plugin configuration (7): only during the root proxy_on_context_create and proxy_on_configure;
//   - anything else: NotFound.
func (vm *VM) buffer(bt BufferType) (ro []byte, rw *[]byte, found bool) {
	switch bt {
	case BufferRequestBody, BufferResponseBody:
		s := vm.effectiveStream()
		if s == nil {
			return nil, nil, true
		}
		d := &s.req
		if bt == BufferResponseBody {
			d = &s.resp
		}
		if d.bodyAvailable() {
			return d.body, &d.body, true
		}
		return nil, nil, true
	case BufferHttpCallResponse:
		if vm.callResp == nil {
			return nil, nil, false
		}
		return vm.callResp.body, nil, true
	case BufferVMConfiguration:
		return vm.h.cfg.vmConfig, nil, true
	case BufferPluginConfig:
		if !vm.configReadable {
			return nil, nil, false
		}
		return vm.h.cfg.pluginConfig, nil, true
	}
	return nil, nil, false
}

// proxy_get_buffer_bytes clamps start and max_size to the buffer; nothing to return writes 0/0.
func hostGetBufferBytes(vm *VM, st []uint64) uint32 {
	const fn = "proxy_get_buffer_bytes"
	bt := BufferType(st[0])
	start, max := uint64(uint32(st[1])), uint64(uint32(st[2]))
	data, _, found := vm.buffer(bt)
	if !found {
		if bt == BufferPluginConfig {
			vm.h.misuse(vm, "%s(%s): only readable in the root proxy_on_context_create and "+
				"proxy_on_configure (NotFound)", fn, bt)
		}
		return uint32(StatusNotFound)
	}
	n := uint64(len(data))
	if start > n {
		start = n
	}
	end := start + max
	if end > n {
		end = n
	}
	return vm.returnBytes(fn, data[start:end], uint32(st[3]), uint32(st[4]))
}

func hostGetBufferStatus(vm *VM, st []uint64) uint32 {
	const fn = "proxy_get_buffer_status"
	data, _, found := vm.buffer(BufferType(st[0]))
	if !found {
		return uint32(StatusNotFound)
	}
	if !vm.writeU32(uint32(st[1]), uint32(len(data))) {
		return vm.badMemory(fn, uint32(st[1]))
	}
	if !vm.writeU32(uint32(st[2]), 0) {
		return vm.badMemory(fn, uint32(st[2]))
	}
	return uint32(StatusOk)
}

// proxy_set_buffer_bytes follows Envoy's Buffer::copyFrom: start 0 drains `size` bytes and
// prepends the data (so start 0, size >= length replaces everything); start >= length appends;
// anything else is BadArgument. Buffers that are not live bodies give NotFound.
func hostSetBufferBytes(vm *VM, st []uint64) uint32 {
	const fn = "proxy_set_buffer_bytes"
	bt := BufferType(st[0])
	start, size := uint64(uint32(st[1])), uint64(uint32(st[2]))
	data, ok := vm.copyBytes(uint32(st[3]), uint32(st[4]))
	if !ok {
		return vm.badMemory(fn, uint32(st[3]))
	}
	_, rw, _ := vm.buffer(bt)
	if rw == nil {
		vm.h.misuse(vm, "%s(%s): not a buffer that can be written here (NotFound)", fn, bt)
		return uint32(StatusNotFound)
	}
	cur := *rw
	switch {
	case start == 0:
		if size > uint64(len(cur)) {
			size = uint64(len(cur))
		}
		*rw = append(data, cur[size:]...)
	case start >= uint64(len(cur)):
		*rw = append(cur, data...)
	default:
		return vm.badArg("%s(%s): start %d inside a %d-byte buffer: only prepend (0) or append "+
			"(>= length) are possible", fn, bt, start, len(cur))
	}
	return uint32(StatusOk)
}
