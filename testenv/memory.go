package testenv

import (
	"bytes"
	"unsafe"
)

// Guest memory access for host calls. Views returned by api.Memory.Read go stale when the guest
// grows its memory (which any call into the guest, malloc included, may do), so everything kept is
// copied and memory is re-read after every malloc.

// readBytes returns a view of guest memory; ok is false if the range is out of bounds.
func (vm *VM) readBytes(ptr, size uint32) ([]byte, bool) {
	if size == 0 {
		return nil, true
	}
	return vm.mem.Read(ptr, size)
}

// readString copies size bytes at ptr into a string.
func (vm *VM) readString(ptr, size uint32) (string, bool) {
	b, ok := vm.readBytes(ptr, size)
	return string(b), ok
}

// copyBytes copies size bytes at ptr.
func (vm *VM) copyBytes(ptr, size uint32) ([]byte, bool) {
	b, ok := vm.readBytes(ptr, size)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}

func (vm *VM) writeU32(ptr, v uint32) bool { return vm.mem.WriteUint32Le(ptr, v) }

// returnU32 hands v to the guest in the out-parameter at ptr: Ok, or InvalidMemoryAccess when ptr
// is outside guest memory.
func (vm *VM) returnU32(fn string, ptr, v uint32) uint32 {
	if !vm.writeU32(ptr, v) {
		return vm.badMemory(fn, ptr)
	}
	return uint32(StatusOk)
}

func (vm *VM) writeU64(ptr uint32, v uint64) bool { return vm.mem.WriteUint64Le(ptr, v) }

// returnBytes hands data to the guest as Envoy does: allocate with proxy_on_memory_allocate (a
// re-entrant call, restricted), copy, then write the pointer and size to the out-parameters. Empty
// data is written as 0/0 without allocating. A guest allocator returning 0 or an out-of-range
// pointer gives InvalidMemoryAccess.
func (vm *VM) returnBytes(fn string, data []byte, ptrPtr, sizePtr uint32) uint32 {
	if len(data) == 0 {
		if !vm.writeU32(ptrPtr, 0) || !vm.writeU32(sizePtr, 0) {
			return vm.badMemory(fn, ptrPtr)
		}
		return uint32(StatusOk)
	}
	// Check the out-parameters before allocating, so a bad pointer does not leak an allocation.
	if _, ok := vm.mem.Read(ptrPtr, 4); !ok {
		return vm.badMemory(fn, ptrPtr)
	}
	if _, ok := vm.mem.Read(sizePtr, 4); !ok {
		return vm.badMemory(fn, sizePtr)
	}
	if vm.h.cfg.decoyAllocs {
		decoy := bytes.Repeat([]byte{'#'}, len(data)+3)
		if d := vm.malloc(uint32(len(decoy))); d == 0 || !vm.mem.Write(d, decoy) {
			vm.h.misuse(vm, "%s: proxy_on_memory_allocate(%d) returned unusable pointer %d", fn, len(decoy), d)
			return uint32(StatusInvalidMemoryAccess)
		}
	}
	addr := vm.malloc(uint32(len(data)))
	if addr == 0 || !vm.mem.Write(addr, data) {
		vm.h.misuse(vm, "%s: proxy_on_memory_allocate(%d) returned unusable pointer %d", fn, len(data), addr)
		return uint32(StatusInvalidMemoryAccess)
	}
	if !vm.writeU32(ptrPtr, addr) || !vm.writeU32(sizePtr, uint32(len(data))) {
		return vm.badMemory(fn, ptrPtr)
	}
	return uint32(StatusOk)
}

func (vm *VM) returnString(fn, s string, ptrPtr, sizePtr uint32) uint32 {
	// returnBytes only reads the bytes (it copies them into guest memory): no need to copy s.
	return vm.returnBytes(fn, unsafe.Slice(unsafe.StringData(s), len(s)), ptrPtr, sizePtr)
}

// viewString returns guest bytes as a string WITHOUT copying; it must not outlive the host call
// (and no call into the guest may happen while it is used: memory may move when it grows).
func (vm *VM) viewString(ptr, size uint32) (string, bool) {
	b, ok := vm.readBytes(ptr, size)
	if !ok || len(b) == 0 {
		return "", ok
	}
	return unsafe.String(&b[0], len(b)), true
}

// badMemory records an out-of-bounds pointer and returns InvalidMemoryAccess, as cpp-host does.
func (vm *VM) badMemory(fn string, ptr uint32) uint32 {
	vm.h.misuse(vm, "%s: pointer %d is outside guest memory (%d bytes)", fn, ptr, vm.mem.Size())
	return uint32(StatusInvalidMemoryAccess)
}

// badArg records a misuse and returns BadArgument.
func (vm *VM) badArg(format string, args ...any) uint32 {
	vm.h.misuse(vm, format, args...)
	return uint32(StatusBadArgument)
}
