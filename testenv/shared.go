package testenv

import "sync"

// sharedData is the process-wide key/value store of proxy_get/set_shared_data, shared by every VM
// as in Envoy (cpp-host's SharedData, one namespace per vm_id; a Host runs one vm_id).
type sharedData struct {
	mu      sync.Mutex
	entries map[string]sharedEntry
	lastCas uint32
}

type sharedEntry struct {
	value []byte
	cas   uint32
}

func (d *sharedData) init() { d.entries = map[string]sharedEntry{} }

// nextCas skips 0, which means "no CAS check".
func (d *sharedData) nextCas() uint32 {
	d.lastCas++
	if d.lastCas == 0 {
		d.lastCas++
	}
	return d.lastCas
}

// SharedData returns a copy of the shared-data store: key -> value.
func (h *Host) SharedData() map[string][]byte {
	h.shared.mu.Lock()
	defer h.shared.mu.Unlock()
	out := make(map[string][]byte, len(h.shared.entries))
	for k, e := range h.shared.entries {
		out[k] = append([]byte(nil), e.value...)
	}
	return out
}

// SetSharedData stores a value as a guest's proxy_set_shared_data without CAS would; it returns
// the new CAS.
func (h *Host) SetSharedData(key string, value []byte) uint32 {
	h.shared.mu.Lock()
	defer h.shared.mu.Unlock()
	cas := h.shared.nextCas()
	h.shared.entries[key] = sharedEntry{append([]byte(nil), value...), cas}
	return cas
}

// proxy_get_shared_data: NotFound for a missing key; else the value and its CAS.
func hostGetSharedData(vm *VM, st []uint64) uint32 {
	const fn = "proxy_get_shared_data"
	key, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory(fn, uint32(st[0]))
	}
	d := &vm.h.shared
	d.mu.Lock()
	e, found := d.entries[key]
	d.mu.Unlock()
	if !found {
		return uint32(StatusNotFound)
	}
	if !vm.writeU32(uint32(st[4]), e.cas) {
		return vm.badMemory(fn, uint32(st[4]))
	}
	return vm.returnBytes(fn, e.value, uint32(st[2]), uint32(st[3]))
}

// proxy_set_shared_data: a non-zero CAS that differs from the stored one is CasMismatch (a missing
// key accepts any CAS, as cpp-host does); every successful set gets a new CAS.
func hostSetSharedData(vm *VM, st []uint64) uint32 {
	const fn = "proxy_set_shared_data"
	key, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory(fn, uint32(st[0]))
	}
	val, ok := vm.copyBytes(uint32(st[2]), uint32(st[3]))
	if !ok {
		return vm.badMemory(fn, uint32(st[2]))
	}
	cas := uint32(st[4])
	d := &vm.h.shared
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, found := d.entries[key]; found && cas != 0 && cas != e.cas {
		return uint32(StatusCasMismatch)
	}
	d.entries[key] = sharedEntry{val, d.nextCas()}
	return uint32(StatusOk)
}

// sharedQueues are cpp-host's SharedQueue: named per (vm_id, name), a token per queue, and
// proxy_on_queue_ready delivered to the root context of the VM that registered the queue last.
type sharedQueues struct {
	mu     sync.Mutex
	byName map[[2]string]uint32
	queues map[uint32]*sharedQueue
	last   uint32
}

type sharedQueue struct {
	owner *VM
	items [][]byte
}

func (q *sharedQueues) init() {
	q.byName = map[[2]string]uint32{}
	q.queues = map[uint32]*sharedQueue{}
}

func hostRegisterSharedQueue(vm *VM, st []uint64) uint32 {
	const fn = "proxy_register_shared_queue"
	name, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory(fn, uint32(st[0]))
	}
	q := &vm.h.queues
	q.mu.Lock()
	key := [2]string{vm.h.cfg.vmID, name}
	tok, found := q.byName[key]
	if !found {
		q.last++
		tok = q.last
		q.byName[key] = tok
		q.queues[tok] = &sharedQueue{}
	}
	q.queues[tok].owner = vm
	q.mu.Unlock()
	return vm.returnU32(fn, uint32(st[2]), tok)
}

func hostResolveSharedQueue(vm *VM, st []uint64) uint32 {
	const fn = "proxy_resolve_shared_queue"
	vmID, ok := vm.readString(uint32(st[0]), uint32(st[1]))
	if !ok {
		return vm.badMemory(fn, uint32(st[0]))
	}
	name, ok := vm.readString(uint32(st[2]), uint32(st[3]))
	if !ok {
		return vm.badMemory(fn, uint32(st[2]))
	}
	q := &vm.h.queues
	q.mu.Lock()
	tok, found := q.byName[[2]string{vmID, name}]
	q.mu.Unlock()
	if !found {
		return uint32(StatusNotFound)
	}
	return vm.returnU32(fn, uint32(st[4]), tok)
}

// maxQueueItems bounds a shared queue; beyond it enqueue is refused with InternalFailure (Envoy's
// queues are unbounded; a test that needs more is most likely looping).
const maxQueueItems = 1 << 16

func hostEnqueueSharedQueue(vm *VM, st []uint64) uint32 {
	const fn = "proxy_enqueue_shared_queue"
	tok := uint32(st[0])
	val, ok := vm.copyBytes(uint32(st[1]), uint32(st[2]))
	if !ok {
		return vm.badMemory(fn, uint32(st[1]))
	}
	q := &vm.h.queues
	q.mu.Lock()
	sq := q.queues[tok]
	if sq == nil {
		q.mu.Unlock()
		return uint32(StatusNotFound)
	}
	if len(sq.items) >= maxQueueItems {
		q.mu.Unlock()
		vm.h.misuse(vm, "%s(%d): queue holds %d items; refused", fn, tok, maxQueueItems)
		return uint32(StatusInternalFailure)
	}
	sq.items = append(sq.items, val)
	owner := sq.owner
	q.mu.Unlock()
	if owner != nil {
		owner.notifyQueue(tok)
	}
	return uint32(StatusOk)
}

func hostDequeueSharedQueue(vm *VM, st []uint64) uint32 {
	const fn = "proxy_dequeue_shared_queue"
	tok := uint32(st[0])
	q := &vm.h.queues
	q.mu.Lock()
	sq := q.queues[tok]
	if sq == nil {
		q.mu.Unlock()
		return uint32(StatusNotFound)
	}
	if len(sq.items) == 0 {
		q.mu.Unlock()
		return uint32(StatusEmpty)
	}
	val := sq.items[0]
	sq.items = sq.items[1:]
	q.mu.Unlock()
	return vm.returnBytes(fn, val, uint32(st[1]), uint32(st[2]))
}
