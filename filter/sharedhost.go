package filter

import (
	"errors"
	"strconv"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// proxyHost is shared.Host over internal/proxywasm: shared data with CAS,
// proxy_http_call, and the host clock.
type proxyHost struct {
	last time.Time // last clock reading, used if a reading fails
}

// maxCallBodyBytes bounds an http-call response body copied into the VM.
const maxCallBodyBytes = 1 << 20

func (h *proxyHost) Now() time.Time {
	ns, err := proxywasm.GetCurrentTimeNanoseconds()
	if err != nil {
		return h.last
	}
	h.last = time.Unix(0, ns)
	return h.last
}

func (*proxyHost) GetSharedData(key string) ([]byte, uint32, error) {
	v, cas, err := proxywasm.GetSharedData(key)
	if errors.Is(err, types.ErrorStatusNotFound) {
		return nil, 0, shared.ErrNotFound
	}
	return v, cas, err
}

func (*proxyHost) SetSharedData(key string, v []byte, cas uint32) error {
	err := proxywasm.SetSharedData(key, v, cas)
	if errors.Is(err, types.ErrorStatusCasMismatch) {
		return shared.ErrCasMismatch
	}
	return err
}

func (*proxyHost) HttpCall(c *shared.Call, done func(*shared.Response)) error {
	ms := uint32(c.Timeout / time.Millisecond)
	_, err := proxywasm.DispatchHttpCall(c.Cluster, c.Headers, c.Body, nil, ms, func(numHeaders, bodySize, _ int) {
		done(callResponse(numHeaders, bodySize))
	})
	return err
}

// callResponse reads the response of the http call being delivered. No
// headers means the call failed without a response (reset, no upstream).
func callResponse(numHeaders, bodySize int) *shared.Response {
	r := &shared.Response{}
	if numHeaders == 0 {
		return r
	}
	hs, err := proxywasm.GetHttpCallResponseHeaders()
	if err != nil {
		return r
	}
	for _, h := range hs {
		if h[0] == ":status" {
			r.Status, _ = strconv.Atoi(h[1])
		}
	}
	r.Headers = hs
	switch {
	case bodySize > maxCallBodyBytes:
		r.TooLarge = true
	case bodySize > 0:
		b, err := proxywasm.GetHttpCallResponseBody(0, bodySize)
		if err != nil {
			return &shared.Response{} // unreadable: as no response
		}
		r.Body = b
	}
	return r
}
