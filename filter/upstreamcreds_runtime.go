package filter

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// Retry schedule of a failing token endpoint (deterministic, see
// shared.Policy): 1 s, 2 s, 4 s, ... at most 60 s between attempts. One VM of
// the proxy makes each attempt.
const (
	upstreamBackoffBase = time.Second
	upstreamBackoffMax  = time.Minute
	// upstreamLeaseMargin is added to timeout_ms for the lease: the host
	// reports a timeout at timeout_ms, and the lease must outlive that report.
	upstreamLeaseMargin = time.Second
)

// upstreamState is the per-VM runtime half of an entry: its Slot in the
// plugin's shared.Coordinator, and the token of the last version seen,
// checked once per version.
type upstreamState struct {
	slot    *shared.Slot
	version uint64
	token   string // "" when the held value is not a usable token
}

// policy is how an entry's token is fetched: in the background from ticks
// (at start, then refresh_before_seconds ahead of expiry), served until
// shortly before it expires even while refreshes fail (stale-while-error),
// one attempt per backoff period, and a paused request waits at most twice
// the lease for an attempt to finish.
func (c *upstreamCred) policy() shared.Policy {
	return shared.Policy{
		LeaseTTL:    c.timeout + upstreamLeaseMargin,
		BackoffBase: upstreamBackoffBase,
		BackoffMax:  upstreamBackoffMax,
		Background:  true,
	}
}

// attachUpstream creates (or finds) the Slot of every entry in co, once per
// VM at plugin start. Entries with the same shared key (same client, scopes
// and parameters; another match) share one Slot and so one token. report sees
// every attempt this VM makes (logs and metrics).
func attachUpstream(co *shared.Coordinator, list []*upstreamCred, report func(c *upstreamCred, a shared.Attempt)) error {
	for _, c := range list {
		cfg := shared.Config{
			Fetcher: &upstreamTokenFetcher{cred: c},
			Policy:  c.policy(),
		}
		if report != nil {
			cfg.OnAttempt = func(a shared.Attempt) { report(c, a) }
		}
		s, err := co.Slot(c.sharedKeyTag, cfg)
		if err != nil {
			return fmt.Errorf("upstream_credentials[%d]: %w", c.index, err)
		}
		c.state = &upstreamState{slot: s}
	}
	return nil
}

// currentToken returns the entry's token if this VM holds one usable at now.
// It never calls the host (decide may use it).
func (c *upstreamCred) currentToken(now time.Time) (string, bool) {
	st := c.state
	if st == nil || st.slot == nil {
		return "", false
	}
	v := st.slot.Value()
	if !v.Usable(now) {
		return "", false
	}
	if v.Version != st.version {
		st.version = v.Version
		st.token, _ = upstreamTokenOf(v)
	}
	return st.token, st.token != ""
}

// attemptLog is the log line of one finished attempt (made by this VM) and
// whether it is an error: a token endpoint that rejects the request (4xx:
// wrong client_id, client_secret or auth_method, unknown scope or audience)
// is an error that needs a human, logged once per attempt, so once per
// backoff period for the whole proxy. The line names the entry, the client
// and the endpoint, never the secret or a token; after a failure it says
// whether this VM still serves an older token (at now) and until when.
func (c *upstreamCred) attemptLog(a shared.Attempt, now time.Time) (msg string, isError bool) {
	who := "tokengate: upstream_credentials[" + strconv.Itoa(c.index) + "] (" + c.describe() + ")"
	if a.Err == nil {
		msg = who + ": token fetched"
		if c.state != nil && c.state.slot != nil {
			if v := c.state.slot.Value(); v.Version == a.Version {
				msg += "; refresh from " + v.FreshUntil.UTC().Format(time.RFC3339) +
					", used until " + v.UsableUntil.UTC().Format(time.RFC3339)
			}
		}
		return msg, false
	}
	next := ""
	if !a.NextAt.IsZero() {
		next = "; next attempt at " + a.NextAt.UTC().Format(time.RFC3339)
	}
	if c.state != nil && c.state.slot != nil {
		if v := c.state.slot.Value(); v.Usable(now) {
			next += "; the previous token is used until " + v.UsableUntil.UTC().Format(time.RFC3339)
		} else {
			next += "; no token: matching requests get 503 upstream_token_unavailable"
		}
	}
	var te *tokenEndpointError
	if errors.As(a.Err, &te) && te.rejected() {
		return who + ": the token endpoint rejected the request: " + te.Error() +
			" (check client_id, client_secret, auth_method, scopes and endpoint_params)" +
			"; failures in a row: " + strconv.Itoa(int(a.Failures)) + next, true
	}
	return who + ": token fetch failed: " + a.Err.Error() +
		"; failures in a row: " + strconv.Itoa(int(a.Failures)) + next, false
}
