package shared

import (
	"errors"
	"strings"
	"time"
)

// Host is what the mechanism needs from the proxy. The filter implements it
// with internal/proxywasm; tests with a fake.
type Host interface {
	// Now is the host's clock (proxy_get_current_time_nanoseconds).
	Now() time.Time
	// GetSharedData returns a shared-data value and its CAS token, or an error
	// wrapping ErrNotFound for a missing key.
	GetSharedData(key string) (value []byte, cas uint32, err error)
	// SetSharedData writes a value if cas is the key's current token (0: no
	// check), else returns an error wrapping ErrCasMismatch.
	SetSharedData(key string, value []byte, cas uint32) error
	// HttpCall dispatches a call; done runs later, exactly once, from the
	// host's event loop (never from inside HttpCall), with the response or a
	// failure (Response.Status 0). An error means nothing was dispatched and
	// done will not run.
	HttpCall(call *Call, done func(*Response)) error
}

// Errors a Host returns (wrapped or as is).
var (
	ErrNotFound    = errors.New("shared: key not found")
	ErrCasMismatch = errors.New("shared: cas mismatch")
)

// Call is one outgoing HTTP request (proxy_http_call).
type Call struct {
	Cluster string
	Headers [][2]string // pseudo-headers :method, :path, :authority first
	Body    []byte
	Timeout time.Duration
}

// Response is what came back from a Call.
type Response struct {
	// Status is the HTTP status, or 0 when there was no response (reset,
	// connection failure reported without headers).
	Status  int
	Headers [][2]string
	Body    []byte
	// TooLarge reports a body above the host adapter's bound; Body is then nil.
	TooLarge bool
}

// Header returns the first value of a header (case-insensitive), or "".
func (r *Response) Header(name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// Fetcher makes one fetch: a first call, then either more calls (for example
// OIDC discovery, then the JWKS it names) or a result. It runs only in the VM
// holding the lease, and at most one fetch per Slot runs at a time in a VM.
type Fetcher interface {
	// First returns the first call of a fetch.
	First() (*Call, error)
	// Next judges a response: another call (Step.Next), or the value to
	// publish. An error fails the attempt (it is reported, never published).
	Next(resp *Response, now time.Time) (Step, error)
}

// Step is a Fetcher's answer to one response.
type Step struct {
	// Next, when set, is the next call of the same fetch.
	Next *Call
	// Value is the payload to publish (when Next is nil).
	Value []byte
	// FreshFor: refresh after this long (background slots). At least 1 s is used.
	FreshFor time.Duration
	// UsableFor: serve the value (stale after FreshFor) for this long after
	// the fetch; at least FreshFor.
	UsableFor time.Duration
}

// maxSteps bounds the calls of one fetch.
const maxSteps = 4
