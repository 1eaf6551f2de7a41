package testenv

import (
	"strings"
	"time"
)

// proxy_log: a level above critical is BadArgument, as in cpp-host.
func hostLog(vm *VM, st []uint64) uint32 {
	level := LogLevel(st[0])
	msg, ok := vm.readString(uint32(st[1]), uint32(st[2]))
	if !ok {
		return vm.badMemory("proxy_log", uint32(st[1]))
	}
	if level > LogCritical {
		return vm.badArg("proxy_log: level %d is not a log level", level)
	}
	vm.log(level, "proxy_log", msg)
	return uint32(StatusOk)
}

func hostGetLogLevel(vm *VM, st []uint64) uint32 {
	return vm.returnU32("proxy_get_log_level", uint32(st[0]), uint32(vm.h.cfg.logLevel))
}

// proxy_get_current_time_nanoseconds: wall time of the host clock.
func hostGetCurrentTime(vm *VM, st []uint64) uint32 {
	if !vm.writeU64(uint32(st[0]), uint64(vm.h.clock.Now().UnixNano())) {
		return vm.badMemory("proxy_get_current_time_nanoseconds", uint32(st[0]))
	}
	return uint32(StatusOk)
}

// proxy_set_tick_period_milliseconds: applies to the root context whatever the calling context;
// 0 disables. The first tick comes one period after the call, then every period (Envoy re-arms
// its timer after each proxy_on_tick).
func hostSetTickPeriod(vm *VM, st []uint64) uint32 {
	period := time.Duration(uint32(st[0])) * time.Millisecond
	vm.tickPeriod = period
	if period > 0 {
		vm.nextTick = vm.h.clock.Now().Add(period)
	}
	return uint32(StatusOk)
}

// proxy_set_effective_context: an unknown id is BadArgument. The effective context is reset when
// the outermost guest call returns.
func hostSetEffectiveContext(vm *VM, st []uint64) uint32 {
	id := uint32(st[0])
	if id != vm.rootID {
		// A stream stays addressable until its proxy_on_delete has returned.
		if vm.streams[id] == nil {
			return vm.badArg("proxy_set_effective_context(%d): no such context", id)
		}
	}
	vm.effective = id
	return uint32(StatusOk)
}

// proxy_done: only meaningful after proxy_on_done returned false for a root context being shut
// down, which testenv never does; Ok as in the notes on Envoy.
func hostDone(vm *VM, st []uint64) uint32 { return uint32(StatusOk) }

// proxy_get_status: the outcome of the http call whose response is being delivered.
func hostGetStatus(vm *VM, st []uint64) uint32 {
	if !vm.writeU32(uint32(st[0]), uint32(vm.lastStatus)) {
		return vm.badMemory("proxy_get_status", uint32(st[0]))
	}
	return vm.returnString("proxy_get_status", vm.lastMsg, uint32(st[1]), uint32(st[2]))
}

func hostClearRouteCache(vm *VM, st []uint64) uint32 { return uint32(StatusOk) }

// proxy_call_foreign_function: no foreign function is registered, so NotFound.
func hostCallForeignFunction(vm *VM, st []uint64) uint32 {
	name, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory("proxy_call_foreign_function", uint32(st[0]))
	}
	vm.h.misuse(vm, "proxy_call_foreign_function(%q): no foreign function registered (NotFound)", name)
	return uint32(StatusNotFound)
}

func hostGrpcUnimplemented(vm *VM, st []uint64) uint32 {
	vm.h.misuse(vm, "proxy_grpc_*: testenv does not emulate gRPC (Unimplemented)")
	return uint32(StatusUnimplemented)
}

// Properties. The path is a sequence of segments separated by NUL ("request\x00path").

// proxy_get_property serves the properties listed in envoy-host.md; anything else is NotFound.
func hostGetProperty(vm *VM, st []uint64) uint32 {
	raw, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory("proxy_get_property", uint32(st[0]))
	}
	path := propertyPath(raw)
	v, found := vm.property(path)
	if !found {
		return uint32(StatusNotFound)
	}
	return vm.returnBytes("proxy_get_property", v, uint32(st[2]), uint32(st[3]))
}

// proxy_set_property stores a value readable by later proxy_get_property calls of the same
// context (the stream's, or the root's).
func hostSetProperty(vm *VM, st []uint64) uint32 {
	raw, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory("proxy_set_property", uint32(st[0]))
	}
	val, ok := vm.copyBytes(uint32(st[2]), uint32(st[3]))
	if !ok {
		return vm.badMemory("proxy_set_property", uint32(st[2]))
	}
	path := propertyPath(raw)
	if s := vm.effectiveStream(); s != nil {
		if s.props == nil {
			s.props = map[string][]byte{}
		}
		s.props[path] = val
	} else {
		vm.rootProps[path] = val
	}
	return uint32(StatusOk)
}

func propertyPath(raw string) string {
	return strings.ReplaceAll(strings.TrimRight(raw, "\x00"), "\x00", ".")
}

func (vm *VM) property(path string) ([]byte, bool) {
	s := vm.effectiveStream()
	if s != nil {
		if v, ok := s.props[path]; ok {
			return v, true
		}
	}
	if v, ok := vm.rootProps[path]; ok {
		return v, true
	}
	cfg := vm.h.cfg
	switch path {
	case "plugin_name":
		return []byte(cfg.pluginName), true
	case "plugin_root_id":
		return []byte(cfg.rootID), true
	case "plugin_vm_id":
		return []byte(cfg.vmID), true
	}
	if s == nil || !strings.HasPrefix(path, "request.") || !s.req.seen {
		return nil, false
	}
	// request.* come from the request headers as the stream holds them, which Envoy keeps for the
	// stream's whole life (they are readable in on_log too).
	hdr := s.req.headers
	get := func(k string) ([]byte, bool) {
		v, ok := hdr.get(k)
		return []byte(v), ok
	}
	switch path {
	case "request.path":
		return get(":path")
	case "request.url_path":
		v, ok := hdr.get(":path")
		if i := strings.IndexByte(v, '?'); i >= 0 {
			v = v[:i]
		}
		return []byte(v), ok
	case "request.method":
		return get(":method")
	case "request.host":
		return get(":authority")
	case "request.scheme":
		return get(":scheme")
	case "request.id":
		return get("x-request-id")
	case "request.useragent":
		return get("user-agent")
	case "request.referer":
		return get("referer")
	}
	return nil, false
}
