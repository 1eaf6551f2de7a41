package filter

import (
	"errors"
	"strings"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// httpContext handles one HTTP stream: it gathers the request headers and the
// host's clock, calls decide, and applies the Decision. Any host failure or
// panic denies with 500 internal_error (fail closed).
type httpContext struct {
	types.DefaultHttpContext
	plugin *pluginContext
}

func (h *httpContext) OnHttpRequestHeaders(int, bool) (action types.Action) {
	cfg := h.plugin.cfg
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
	d := decide(cfg, req, time.Unix(0, ns))
	if !d.Allow {
		proxywasm.LogDebugf("tokengate: denied reason=%s rule=%d source=%q provider=%q status=%d: %s",
			d.Reason.code, d.RuleIndex, d.Source, d.Provider, d.Reply.status, d.Description)
		return h.deny(d)
	}
	if err := apply(&d, headers); err != nil {
		proxywasm.LogErrorf("tokengate: denied reason=internal_error: changing request headers: %v", err)
		return h.deny(internalErrorDecision(cfg))
	}
	h.plugin.metrics.record(&d)
	return types.ActionContinue
}

// apply performs an allow decision's header operations. A header to remove
// that the request does not carry costs no host call. A header present n
// times is removed with n calls: Envoy removes every value at once (the later
// calls find nothing, which is fine), while some hosts (the SDK's proxytest)
// remove one value per call.
func apply(d *Decision, headers [][2]string) error {
	for _, name := range d.Remove {
		for i, n := 0, countHeader(headers, name); i < n; i++ {
			err := proxywasm.RemoveHttpRequestHeader(name)
			if err != nil && !(i > 0 && errors.Is(err, types.ErrorStatusNotFound)) {
				return err
			}
		}
	}
	for _, kv := range d.Set {
		if err := proxywasm.ReplaceHttpRequestHeader(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
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
