package testenv

import (
	"os"
	"testing"
)

// BenchmarkPassthroughRaw is the same-run reference for BenchmarkPassthrough: the same six guest
// calls on dist/passthrough.wasm through the same host functions, but without the Stream layer
// (locks, event loop, bookkeeping). BenchmarkPassthrough / BenchmarkPassthroughRaw is testenv's
// own overhead.
func BenchmarkPassthroughRaw(b *testing.B) {
	wasm, err := os.ReadFile("../dist/passthrough.wasm")
	if err != nil {
		b.Fatalf("../dist/passthrough.wasm is missing (%v): run ./build.sh first", err)
	}
	h, err := NewHost(wasm)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	vm := h.vms[0]
	s := &Stream{vm: vm, gen: vm.gen}
	s.req.seen, s.req.live = true, true
	s.req.headers = newHmap([][2]string{{":method", "GET"}, {":path", "/api/items?x=1"},
		{":authority", "example.com"}, {":scheme", "https"}, {"x-request-id", "req-1"},
		{"user-agent", "testenv"}, {"authorization", "Bearer abc"}})
	root := uint64(vm.rootID)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := vm.nextCtxID
		vm.nextCtxID++
		s.id = id
		vm.streams[id] = s
		vm.invoke(exContextCreate, uint64(id), root)
		vm.invoke(exRequestHeaders, uint64(id), 7, 1)
		vm.invoke(exResponseHeaders, uint64(id), 2, 1)
		vm.invoke(exDone, uint64(id))
		vm.invoke(exLog, uint64(id))
		vm.invoke(exDelete, uint64(id))
		delete(vm.streams, id)
	}
	b.StopTimer()
	if vm.broken != nil {
		b.Fatal(vm.broken)
	}
}
