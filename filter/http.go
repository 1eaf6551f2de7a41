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

	headers [][2]string // request headers as received (kept while paused)
	req     *Request
	waiter  *shared.Waiter // the wait in progress, if any
	waited  []*shared.Slot // slots this stream already waited on (at most once each)
	done    bool           // the stream ended: a late wake-up does nothing
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
	headers, err := proxywasm.GetHttpRequestHeaders()
	if err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: reading request headers: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	ns, err := proxywasm.GetCurrentTimeNanoseconds()
	if err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: reading the clock: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	req, err := newRequest(headers)
	if err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	h.headers, h.req = headers, req
	return h.run(time.Unix(0, ns))
}

// run decides and acts: Continue after an allow (headers changed), Pause
// after a denial (local reply sent) or while waiting.
func (h *httpContext) run(now time.Time) types.Action {
	cfg := h.plugin.cfg
	var d Decision
	for round := 0; ; round++ {
		d = decide(cfg, h.req, now)
		if d.Wait == nil || round == maxDecideRounds || h.hasWaited(d.Wait.slot) {
			break
		}
		out, w := d.Wait.slot.Await(d.Wait.have, d.Wait.force, h.resume)
		h.refocus() // a failed dispatch inside Await may have woken (and focused) other streams
		if out == shared.Pending {
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
	if err := apply(&d, h.headers); err != nil {
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

func (h *httpContext) hasWaited(s *shared.Slot) bool {
	for _, w := range h.waited {
		if w == s {
			return true
		}
	}
	return false
}

// OnHttpStreamDone cancels a wait in progress: the request went away.
func (h *httpContext) OnHttpStreamDone() {
	h.done = true
	h.waiter.Cancel()
	h.waiter = nil
}

// apply performs an allow decision's header operations with as few host
// calls as possible: none when nothing changes, one remove or replace when
// there is a single change, else one proxy_set_header_map_pairs with the
// whole new header map (Envoy removes every header, then adds the pairs).
func apply(d *Decision, headers [][2]string) error {
	removes, last := 0, ""
	for _, name := range d.Remove {
		if n := countHeader(headers, name); n > 0 {
			removes += n
			last = name
		}
	}
	switch {
	case removes+len(d.Set) == 0:
		return nil
	case removes == 1 && len(d.Set) == 0:
		return proxywasm.RemoveHttpRequestHeader(last)
	case removes == 0 && len(d.Set) == 1 && countHeader(headers, d.Set[0][0]) <= 1:
		return proxywasm.ReplaceHttpRequestHeader(d.Set[0][0], d.Set[0][1])
	}
	return proxywasm.ReplaceHttpRequestHeaders(d.headersAfter(headers))
}

func countHeader(headers [][2]string, name string) int {
	n := 0
	for _, h := range headers {
		if strings.EqualFold(h[0], name) {
			n++
		}
	}
	return n
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
