package filter

import (
	"math"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
)

// parseUpstreamCredsFor reads "upstream_credentials" for cfg, whose providers
// are parsed already: an entry's header must not be one a provider sets
// (claim_to_headers, payload_header), or the two would fight over it.
func parseUpstreamCredsFor(cfg *compiledConfig, r gjson.Result) ([]*upstreamCred, error) {
	list, err := parseUpstreamCreds(r)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if containsString(cfg.setHeaders, c.header) {
			return nil, errAt(field(index("upstream_credentials", c.index), "header"),
				"%q is set by a provider (claim_to_headers or payload_header)", c.header)
		}
	}
	return list, nil
}

// withUpstream completes an allow decision with the gateway's own token
// (issue 7): when an upstream_credentials entry matches the request (first
// match wins), its header is removed (every value the client sent) and set to
// "Bearer <token>". Without a usable token in this VM the request must not go
// on: the decision becomes the fallback 503 upstream_token_unavailable with
// Retry-After, and asks the glue to wait for the entry's Slot (a fetch in
// progress, or one that the wait starts) and decide again. It never calls the
// host.
func (d Decision) withUpstream(cfg *compiledConfig, method, path string, now time.Time) Decision {
	uc := firstUpstreamCred(cfg.upstream, method, path)
	if uc == nil {
		return d
	}
	if !containsString(d.Remove, uc.header) {
		d.Remove = append(d.Remove, uc.header)
	}
	if tok, ok := uc.currentToken(now); ok {
		d.Set = append(d.Set, [2]string{uc.header, bearerValue(tok)})
		return d
	}
	out := d.deny(cfg, reasonUpstreamTokenUnavailable, reasonUpstreamTokenUnavailable.message, nil)
	out.Reply.headers = append(out.Reply.headers, [2]string{"retry-after", strconv.Itoa(uc.retryAfter(now))})
	if uc.state != nil && uc.state.slot != nil {
		out.Wait = &waitFor{slot: uc.state.slot, what: waitUpstreamToken}
	}
	return out
}

// retryAfter is the Retry-After of a 503 upstream_token_unavailable, in whole
// seconds (at least 1): until the token endpoint's backoff ends.
func (c *upstreamCred) retryAfter(now time.Time) int {
	if c.state == nil || c.state.slot == nil {
		return 1
	}
	return int(math.Ceil(c.state.slot.RetryAfter(now).Seconds()))
}
