package filter

import (
	"strings"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// httpContext handles one HTTP stream: it gathers the request headers and the
// host's clock, calls decide, and applies the Decision. Any host failure or
// panic denies with 500 internal_error (fail closed). A Decision that waits
// (remote keys not there yet) pauses the stream; it is decided again when the
// wait ends (resume) and then continued or denied.
type httpContext struct {
	types.DefaultHttpContext
	plugin *pluginContext
	id     uint32 // this stream's context id (to become effective again on resume)

	// The request headers as received: borrowed from the binding (valid until
	// the next stream's read) while deciding at once; copied (req.keep) before
	// the stream pauses.
	req    Request
	waiter *shared.Waiter // the wait in progress, if any
	waited []*shared.Slot // slots this stream already waited on, once per wait (see mayWait)
	done   bool           // the stream ended: a late wake-up does nothing
}

// maxDecideRounds bounds decide calls per callback when a slot answers Ready
// (newer keys arrived meanwhile) without the stream having waited.
const maxDecideRounds = 3

func (h *httpContext) OnHttpRequestHeaders(int, bool) (action types.Action) {
	cfg := h.plugin.cfg
	h.plugin.introspectionEvent()
	defer func() {
		if r := recover(); r != nil {
			proxywasm.LogErrorf("tokengate: denied reason=internal_error: recovered panic: %v", r)
			action = h.deny(internalErrorDecision(cfg))
		}
	}()
	if cfg == nil {
		proxywasm.LogError("tokengate: denied reason=internal_error: no configuration")
		return h.deny(internalErrorDecision(cfg))
	}
	headers, err := proxywasm.GetHttpRequestHeadersBorrowed()
	if err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: reading request headers: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	ns, err := proxywasm.GetCurrentTimeNanoseconds()
	if err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: reading the clock: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	if err := h.req.fill(headers); err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	return h.run(time.Unix(0, ns))
}

// run decides and acts: Continue after an allow (headers changed), Pause
// after a denial (local reply sent) or while waiting.
func (h *httpContext) run(now time.Time) types.Action {
	cfg := h.plugin.cfg
	var d Decision
	for round := 0; ; round++ {
		d = decide(cfg, &h.req, now)
		if d.Wait == nil || round == maxDecideRounds || !h.mayWait(d.Wait) {
			break
		}
		out, w := d.Wait.slot.Await(d.Wait.have, d.Wait.force, h.resume)
		h.refocus() // a failed dispatch inside Await may have woken (and focused) other streams
		if out == shared.Pending {
			if len(h.waited) == 0 {
				h.req.keep() // the borrowed headers do not outlive this callback
			}
			h.waiter = w
			h.waited = append(h.waited, d.Wait.slot)
			h.plugin.adjustTick()
			proxywasm.LogDebugf("tokengate: paused: provider %q: waiting for %s (refetch=%t)", d.Provider, d.Wait.what, d.Wait.force)
			return types.ActionPause
		}
		if out == shared.Refused {
			break // the fallback denial
		}
		// Ready: newer keys arrived meanwhile; decide again.
	}
	if len(h.waited) > 0 {
		d.IntrospectionHits = 0 // answered after a wait: not a cache hit
	}
	if !d.Allow {
		proxywasm.LogDebugf("tokengate: denied reason=%s rule=%d source=%q provider=%q status=%d: %s",
			d.Reason.code, d.RuleIndex, d.Source, d.Provider, d.Reply.status, d.Description)
		return h.deny(d)
	}
	if err := apply(&d, h.req.Headers); err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: changing request headers: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	h.plugin.metrics.record(&d)
	return types.ActionContinue
}

// resume runs when a wait ends (from a tick or an http-call response, with
// another context effective): decide again, then continue or deny.
func (h *httpContext) resume() {
	h.waiter = nil
	if h.done {
		return
	}
	if err := proxywasm.SetEffectiveContext(h.id); err != nil {
		return // the stream is gone
	}
	cfg := h.plugin.cfg
	defer func() {
		if r := recover(); r != nil {
			proxywasm.LogErrorf("tokengate: denied reason=internal_error: recovered panic on resume: %v", r)
			h.refocus()
			h.deny(internalErrorDecision(cfg))
		}
	}()
	ns, err := proxywasm.GetCurrentTimeNanoseconds()
	if err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: reading the clock: %v", err)
		h.deny(internalErrorDecision(cfg))
		return
	}
	if h.run(time.Unix(0, ns)) == types.ActionContinue {
		if err := proxywasm.ResumeHttpRequest(); err != nil {
			proxywasm.LogErrorf("tokengate: resuming the request failed: %v", err)
		}
	}
}

// refocus makes this stream the effective context again.
func (h *httpContext) refocus() {
	if err := proxywasm.SetEffectiveContext(h.id); err != nil {
		proxywasm.LogDebugf("tokengate: set_effective_context(%d): %v", h.id, err)
	}
}

// mayWait reports whether the stream may wait on w's slot: once per slot,
// except an introspection bucket, whose fetcher asks about one waiting token
// per call, oldest first, and holds at most introspectionMaxPending of them:
// a request can wake up after another token's answer and need the next call,
// so it may wait on its bucket up to introspectionMaxPending times (each wait
// ends with a finished call, so the bound is reached only if the server keeps
// answering about other tokens; then the fallback 503 applies).
func (h *httpContext) mayWait(w *waitFor) bool {
	limit := 1
	if w.what == waitIntrospection {
		limit = introspectionMaxPending
	}
	n := 0
	for _, s := range h.waited {
		if s == w.slot {
			n++
		}
	}
	return n < limit
}

// OnHttpStreamDone cancels a wait in progress: the request went away.
func (h *httpContext) OnHttpStreamDone() {
	h.done = true
	h.waiter.Cancel()
	h.waiter = nil
}

// apply performs an allow decision's header operations on the live request
// headers, with the result d.headersAfter(headers) exactly (names, values and
// order). In the usual shape — every header to remove or set present at most
// once, under its lower-case name — it makes one remove_header_map_value per
// header of d.Remove the request carries, then per d.Set one
// add_header_map_value (the name was just removed, or is absent: appended,
// as headersAfter does) or one replace_header_map_value (present and not
// removed: replaced in place). Single calls are much cheaper than one
// set_header_map_pairs, which re-serializes and rebuilds the whole map
// (under testenv a remove or add costs ~0.1-0.2 µs, set_header_map_pairs
// ~3.8 µs for a 7-header request; Envoy's setHeaderMapPairs also clears and
// re-adds every header). Any other shape (a name present several times or
// not in lower case, a name set twice) uses one set_header_map_pairs with
// the whole new map: hosts differ on those (Envoy's remove drops every value
// and its maps hold lower-case names; other hosts and emulators do not
// always), and the whole map leaves no room for a difference.
func apply(d *Decision, headers [][2]string) error {
	if len(d.Set) == 0 && len(d.Remove) == 0 {
		return nil
	}
	nr := len(d.Remove)
	if nr+len(d.Set) > maxApplyNames {
		return proxywasm.ReplaceHttpRequestHeaders(d.headersAfter(headers))
	}
	// Per name to remove or set (d.Remove first, then d.Set): how many request
	// headers carry it under that exact lower-case name, and whether one
	// carries it in another case. One pass over the headers; a header whose
	// name length no such name has (most of them) costs one bit test.
	var lens uint64 // bit l: some name has length l (names of 64 bytes or more: bit 63)
	for _, name := range d.Remove {
		lens |= 1 << min(len(name), 63)
	}
	for i := range d.Set {
		lens |= 1 << min(len(d.Set[i][0]), 63)
	}
	var exact [maxApplyNames]uint8
	whole := false
	for i := range headers {
		h := headers[i][0]
		if lens&(1<<min(len(h), 63)) == 0 {
			continue
		}
		for j, name := range d.Remove {
			whole = countName(&exact[j], h, name) || whole
		}
		for j := range d.Set {
			whole = countName(&exact[nr+j], h, d.Set[j][0]) || whole
		}
	}
	for i := range exact[:nr+len(d.Set)] {
		// The shape single calls handle: at most one header of the name, under that name.
		whole = whole || exact[i] > 1
	}
	for i := range d.Set {
		if setTwice(d.Set[:i], d.Set[i][0]) {
			whole = true
		}
	}
	if whole {
		return proxywasm.ReplaceHttpRequestHeaders(d.headersAfter(headers))
	}
	for i, name := range d.Remove {
		if exact[i] > 0 {
			if err := proxywasm.RemoveHttpRequestHeader(name); err != nil {
				return err
			}
		}
	}
	for i := range d.Set {
		s := &d.Set[i]
		var err error
		if exact[nr+i] == 1 && !containsString(d.Remove, s[0]) {
			err = proxywasm.ReplaceHttpRequestHeader(s[0], s[1]) // present and kept: replaced in place
		} else {
			err = proxywasm.AddHttpRequestHeader(s[0], s[1]) // absent, or just removed: appended
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// countName counts header name h against name: an exact match adds one to
// *exact (saturating); it reports true when h is name in another case (a
// shape single host calls do not handle the same way on every host).
func countName(exact *uint8, h, name string) (otherCase bool) {
	if len(h) != len(name) {
		return false
	}
	if h == name {
		if *exact < 2 {
			*exact++
		}
		return false
	}
	return strings.EqualFold(h, name)
}

// maxApplyNames bounds the names apply handles with single calls (a
// Decision removes the configured claim headers, a token header and the
// cookie header, and sets a few); more fall back to the whole map.
const maxApplyNames = 32

// setTwice reports whether a Set before this one already names the header.
func setTwice(before [][2]string, name string) bool {
	for _, s := range before {
		if s[0] == name {
			return true
		}
	}
	return false
}

// deny sends the decision's local reply and stops the stream.
func (h *httpContext) deny(d Decision) types.Action {
	if m := h.plugin.metrics; m != nil {
		m.record(&d)
	}
	r := d.Reply
	if err := proxywasm.SendHttpResponseWithDetails(r.status, r.details, r.headers, r.body, -1); err != nil {
		proxywasm.LogCriticalf("tokengate: sending the %d reply (%s) failed: %v", r.status, d.Reason.code, err)
	}
	return types.ActionPause
}
