package proxywasm

import "github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

// The context registry: which Go value answers for which context id, and which
// context dispatched which http call. Host-independent so it is unit-tested
// natively; only the wasip1 build uses it.

type streamEntry struct {
	ctx     types.HttpContext // nil if the plugin returned no http context
	root    uint32
	replied bool // the binding failed the stream with its own 500 local reply
}

type calloutKey struct{ root, token uint32 }

type calloutEntry struct {
	ctx uint32 // the context that dispatched the call
	cb  func(numHeaders, bodySize, numTrailers int)
}

type registry struct {
	vm       types.VMContext
	roots    map[uint32]types.PluginContext
	streams  map[uint32]streamEntry
	callouts map[calloutKey]calloutEntry
}

func newRegistry() *registry {
	return &registry{
		roots:    make(map[uint32]types.PluginContext),
		streams:  make(map[uint32]streamEntry),
		callouts: make(map[calloutKey]calloutEntry),
	}
}

// createContext registers context id, a plugin (root) context when parent is
// 0, else an http stream context of root parent. It reports false when no
// context could be created (no VM context, unknown parent, or the plugin
// returned nil); the id is then still known as a stream of parent so request
// callbacks can fail closed.
func (r *registry) createContext(id, parent uint32) bool {
	if parent == 0 {
		if r.vm == nil {
			return false
		}
		pc := r.vm.NewPluginContext(id)
		if pc == nil {
			return false
		}
		r.roots[id] = pc
		return true
	}
	e := streamEntry{root: parent}
	if pc, ok := r.roots[parent]; ok {
		e.ctx = pc.NewHttpContext(id)
	}
	r.streams[id] = e
	return e.ctx != nil
}

// rootOf returns the root (plugin) context id of context id.
func (r *registry) rootOf(id uint32) uint32 {
	if e, ok := r.streams[id]; ok {
		return e.root
	}
	return id
}

// addCallout records that context ctx dispatched http call token.
func (r *registry) addCallout(ctx, token uint32, cb func(numHeaders, bodySize, numTrailers int)) {
	r.callouts[calloutKey{root: r.rootOf(ctx), token: token}] = calloutEntry{ctx: ctx, cb: cb}
}

// takeCallout removes and returns the call token delivered to root.
func (r *registry) takeCallout(root, token uint32) (calloutEntry, bool) {
	k := calloutKey{root: root, token: token}
	e, ok := r.callouts[k]
	if ok {
		delete(r.callouts, k)
	}
	return e, ok
}

// markReplied records that the binding answered stream id with its 500.
func (r *registry) markReplied(id uint32) {
	if e, ok := r.streams[id]; ok {
		e.replied = true
		r.streams[id] = e
	}
}

// replied reports whether the binding answered stream id with its 500.
func (r *registry) replied(id uint32) bool { return r.streams[id].replied }

// deleteContext forgets context id. Pending http calls it dispatched stay
// registered: their responses still arrive (on the root context) and their
// callbacks then run with the root as the effective context.
func (r *registry) deleteContext(id uint32) {
	delete(r.streams, id)
	delete(r.roots, id)
}
