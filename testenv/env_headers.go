package testenv

import "strings"

// headerMap finds the map a header host call acts on, following Envoy:
//   - request/response headers are live from their callback until the stream continues past them
//     (Continue from the callback, or proxy_continue_stream); after that BadArgument;
//   - in proxy_on_log every map the stream received is readable again (a map never received gives
//     NotFound) and none is writable;
//   - trailers are live during their own callback;
//   - http-call response maps are readable from any context during proxy_on_http_call_response.
//
// status is 0 when m is usable.
func (vm *VM) headerMap(fn string, mt MapType, write bool) (m *hmap, status uint32) {
	switch mt {
	case MapHttpCallHeaders, MapHttpCallTrailers:
		if vm.callResp == nil {
			return nil, vm.badArg("%s(%s): only available during proxy_on_http_call_response", fn, mt)
		}
		if write {
			return nil, vm.badArg("%s(%s): http-call response maps are read-only", fn, mt)
		}
		if mt == MapHttpCallHeaders {
			return &vm.callResp.headers, 0
		}
		return &vm.callResp.trailers, 0
	case MapRequestHeaders, MapRequestTrailers, MapResponseHeaders, MapResponseTrailers:
	default:
		return nil, vm.badArg("%s(%s): not a map testenv (or Envoy's HTTP filter) provides", fn, mt)
	}
	s := vm.effectiveStream()
	if s == nil {
		return nil, vm.badArg("%s(%s): called on the root context, which has no stream "+
			"(use proxy_set_effective_context first)", fn, mt)
	}
	d := &s.req
	if mt == MapResponseHeaders || mt == MapResponseTrailers {
		d = &s.resp
	}
	trailers := mt == MapRequestTrailers || mt == MapResponseTrailers
	if s.inLog {
		if write {
			return nil, vm.badArg("%s(%s): maps are read-only in proxy_on_log", fn, mt)
		}
		if trailers {
			if !d.trlSeen {
				return nil, uint32(StatusNotFound)
			}
			return &d.trl, 0
		}
		if !d.seen {
			return nil, uint32(StatusNotFound)
		}
		return &d.headers, 0
	}
	if trailers {
		if !d.trlLive {
			return nil, vm.badArg("%s(%s): trailers are only available during their own callback", fn, mt)
		}
		return &d.trl, 0
	}
	if !d.live {
		if d.seen {
			return nil, vm.badArg("%s(%s): no longer available: the stream continued past the headers "+
				"(Envoy returns BadArgument; read them before continuing, or in proxy_on_log)", fn, mt)
		}
		return nil, vm.badArg("%s(%s): not available: the %s headers have not arrived", fn, mt, d.name)
	}
	return &d.headers, 0
}

func hostGetHeaderMapValue(vm *VM, st []uint64) uint32 {
	const fn = "proxy_get_header_map_value"
	key, ok := vm.viewString(uint32(st[1]), uint32(st[2])) // not kept: no copy
	if !ok {
		return vm.badMemory(fn, uint32(st[1]))
	}
	m, status := vm.headerMap(fn, MapType(st[0]), false)
	if status != 0 {
		return status
	}
	v, found := m.getFold(key)
	if !found {
		return uint32(StatusNotFound)
	}
	return vm.returnString(fn, v, uint32(st[3]), uint32(st[4]))
}

// proxy_get_header_map_pairs: an unavailable map gives Ok with 0/0, as in Envoy.
func hostGetHeaderMapPairs(vm *VM, st []uint64) uint32 {
	const fn = "proxy_get_header_map_pairs"
	m, status := vm.headerMap(fn, MapType(st[0]), false)
	if status == uint32(StatusBadArgument) || status == uint32(StatusNotFound) {
		return vm.returnBytes(fn, nil, uint32(st[1]), uint32(st[2]))
	}
	return vm.returnBytes(fn, encodePairs(*m), uint32(st[1]), uint32(st[2]))
}

func hostSetHeaderMapPairs(vm *VM, st []uint64) uint32 {
	const fn = "proxy_set_header_map_pairs"
	raw, ok := vm.readBytes(uint32(st[1]), uint32(st[2]))
	if !ok {
		return vm.badMemory(fn, uint32(st[1]))
	}
	pairs, ok := decodePairs(raw)
	if !ok {
		return vm.badArg("%s: malformed header pairs (%d bytes)", fn, len(raw))
	}
	m, status := vm.headerMap(fn, MapType(st[0]), true)
	if status != 0 {
		return status
	}
	*m = newHmap(pairs)
	return uint32(StatusOk)
}

func hostGetHeaderMapSize(vm *VM, st []uint64) uint32 {
	const fn = "proxy_get_header_map_size"
	m, status := vm.headerMap(fn, MapType(st[0]), false)
	if status != 0 {
		return status
	}
	return vm.returnU32(fn, uint32(st[1]), uint32(m.byteSize()))
}

func hostAddHeaderMapValue(vm *VM, st []uint64) uint32 {
	return headerWrite(vm, "proxy_add_header_map_value", st, (*hmap).add)
}

func hostReplaceHeaderMapValue(vm *VM, st []uint64) uint32 {
	return headerWrite(vm, "proxy_replace_header_map_value", st, (*hmap).replace)
}

func headerWrite(vm *VM, fn string, st []uint64, op func(*hmap, string, string)) uint32 {
	key, ok := vm.readString(uint32(st[1]), uint32(st[2]))
	if !ok {
		return vm.badMemory(fn, uint32(st[1]))
	}
	val, ok := vm.readString(uint32(st[3]), uint32(st[4]))
	if !ok {
		return vm.badMemory(fn, uint32(st[3]))
	}
	m, status := vm.headerMap(fn, MapType(st[0]), true)
	if status != 0 {
		return status
	}
	op(m, strings.ToLower(key), val)
	return uint32(StatusOk)
}

func hostRemoveHeaderMapValue(vm *VM, st []uint64) uint32 {
	const fn = "proxy_remove_header_map_value"
	key, ok := vm.readString(uint32(st[1]), uint32(st[2]))
	if !ok {
		return vm.badMemory(fn, uint32(st[1]))
	}
	m, status := vm.headerMap(fn, MapType(st[0]), true)
	if status != 0 {
		return status
	}
	m.remove(strings.ToLower(key))
	return uint32(StatusOk)
}
