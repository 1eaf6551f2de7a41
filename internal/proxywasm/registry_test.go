package proxywasm

import (
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

type regVM struct {
	types.DefaultVMContext
	nilPlugin bool
}

func (v *regVM) NewPluginContext(uint32) types.PluginContext {
	if v.nilPlugin {
		return nil
	}
	return &regPlugin{}
}

type regPlugin struct{ types.DefaultPluginContext }

func (*regPlugin) NewHttpContext(uint32) types.HttpContext { return &types.DefaultHttpContext{} }

func Test_registry_createContext(t *testing.T) {
	tests := []struct {
		name       string
		vm         types.VMContext
		id, parent uint32
		setupRoot  bool
		want       bool
		wantRoot   uint32
	}{
		{name: "root", vm: &regVM{}, id: 1, want: true, wantRoot: 1},
		{name: "root without vm context", vm: nil, id: 1, want: false, wantRoot: 1},
		{name: "root, plugin nil", vm: &regVM{nilPlugin: true}, id: 1, want: false, wantRoot: 1},
		{name: "stream", vm: &regVM{}, id: 7, parent: 1, setupRoot: true, want: true, wantRoot: 1},
		{name: "stream of unknown root", vm: &regVM{}, id: 7, parent: 3, want: false, wantRoot: 3},
		{name: "stream, plugin without http", vm: &types.DefaultVMContext{}, id: 7, parent: 1, setupRoot: true, want: false, wantRoot: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistry()
			r.vm = tc.vm
			if tc.setupRoot && !r.createContext(1, 0) {
				t.Fatal("root context not created")
			}
			if got := r.createContext(tc.id, tc.parent); got != tc.want {
				t.Errorf("createContext(%d, %d) = %v, want %v", tc.id, tc.parent, got, tc.want)
			}
			if got := r.rootOf(tc.id); got != tc.wantRoot {
				t.Errorf("rootOf(%d) = %d, want %d", tc.id, got, tc.wantRoot)
			}
			if tc.parent != 0 && !tc.want {
				if e, ok := r.streams[tc.id]; !ok || e.ctx != nil {
					t.Errorf("stream without context must stay registered with a nil context (fail closed), got %+v, %v", e, ok)
				}
			}
		})
	}
}

func Test_registry_callouts(t *testing.T) {
	r := newRegistry()
	r.vm = &regVM{}
	r.createContext(1, 0)
	r.createContext(2, 0)
	r.createContext(10, 1)
	r.createContext(20, 2)

	var got []int
	r.addCallout(10, 5, func(n, _, _ int) { got = append(got, 10*100+n) })
	r.addCallout(20, 5, func(n, _, _ int) { got = append(got, 20*100+n) }) // same token, other root
	r.addCallout(1, 6, nil)                                                // dispatched by the root itself

	if _, ok := r.takeCallout(10, 5); ok {
		t.Error("callout found under the stream id; responses arrive on the root id")
	}
	e, ok := r.takeCallout(1, 5)
	if !ok || e.ctx != 10 {
		t.Fatalf("takeCallout(1, 5) = %+v, %v; want dispatching context 10", e, ok)
	}
	e.cb(3, 0, 0)
	r.deleteContext(20) // the stream goes away; its callout must still be delivered
	e, ok = r.takeCallout(2, 5)
	if !ok || e.ctx != 20 {
		t.Fatalf("takeCallout(2, 5) = %+v, %v; want dispatching context 20", e, ok)
	}
	e.cb(4, 0, 0)
	if e, ok := r.takeCallout(1, 6); !ok || e.ctx != 1 || e.cb != nil {
		t.Errorf("root-dispatched callout = %+v, %v", e, ok)
	}
	if _, ok := r.takeCallout(1, 5); ok {
		t.Error("callout delivered twice")
	}
	if want := []int{1003, 2004}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("callbacks ran as %v, want %v", got, want)
	}
	if len(r.callouts) != 0 {
		t.Errorf("%d callouts left", len(r.callouts))
	}
}

// Test_registry_deleteContext checks that the registry holds only live contexts: after many
// streams (some with http calls whose responses arrive before or after the stream is deleted), the
// stream and callout maps are empty again and only the root stays. A map keyed by context id that
// kept entries of ended streams would grow the guest's heap with every request.
func Test_registry_deleteContext(t *testing.T) {
	tests := []struct {
		name     string
		streams  int
		live     int  // streams open at once
		callouts bool // every stream dispatches one http call
		late     bool // the call's response arrives after the stream was deleted
	}{
		{name: "sequential streams", streams: 10_000, live: 1},
		{name: "interleaved streams", streams: 10_000, live: 64},
		{name: "streams with http calls", streams: 10_000, live: 8, callouts: true},
		{name: "http call responses after delete", streams: 10_000, live: 8, callouts: true, late: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistry()
			r.vm = &regVM{}
			if !r.createContext(1, 0) {
				t.Fatal("root context not created")
			}
			next := uint32(2)
			for done := 0; done < tc.streams; done += tc.live {
				ids := make([]uint32, 0, tc.live)
				for range tc.live {
					if !r.createContext(next, 1) {
						t.Fatalf("stream %d not created", next)
					}
					if tc.callouts {
						r.addCallout(next, next, nil)
					}
					ids = append(ids, next)
					next++
				}
				if len(r.streams) != tc.live {
					t.Fatalf("%d streams registered, want the %d live ones", len(r.streams), tc.live)
				}
				for _, id := range ids {
					if tc.callouts && !tc.late {
						if _, ok := r.takeCallout(1, id); !ok {
							t.Fatalf("callout %d not found", id)
						}
					}
					r.deleteContext(id)
					if tc.callouts && tc.late {
						if e, ok := r.takeCallout(1, id); !ok || e.ctx != id {
							t.Fatalf("late callout %d = %+v, %v", id, e, ok)
						}
					}
				}
			}
			if len(r.streams) != 0 || len(r.callouts) != 0 || len(r.roots) != 1 {
				t.Errorf("after %d streams: %d streams, %d callouts, %d roots registered; want 0, 0, 1",
					tc.streams, len(r.streams), len(r.callouts), len(r.roots))
			}
		})
	}
}

// markReplied is remembered per stream and forgotten with it.
func Test_registry_replied(t *testing.T) {
	r := newRegistry()
	r.vm = &regVM{}
	r.createContext(1, 0)
	r.createContext(7, 1)
	r.createContext(8, 1)
	r.markReplied(7)
	r.markReplied(99) // unknown: nothing to mark
	if !r.replied(7) || r.replied(8) || r.replied(99) {
		t.Fatalf("replied: 7=%v 8=%v 99=%v, want true false false", r.replied(7), r.replied(8), r.replied(99))
	}
	if r.streams[7].ctx == nil || r.streams[7].root != 1 {
		t.Fatalf("marking changed the entry: %+v", r.streams[7])
	}
	r.deleteContext(7)
	r.createContext(7, 1) // an id used again starts clean
	if r.replied(7) {
		t.Fatal("a new stream with a deleted stream's id is marked replied")
	}
}
