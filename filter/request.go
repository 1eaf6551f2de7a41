package filter

import (
	"errors"
	"strings"
)

// errNoPseudoHeaders: the host gave a request without :method or :path. Envoy
// never does; the filter fails closed with internal_error rather than guess.
var errNoPseudoHeaders = errors.New("request has no :method or :path")

// newRequest builds decide's input from the request headers as the host hands
// them over (pseudo-headers included).
func newRequest(headers [][2]string) (*Request, error) {
	req := &Request{}
	if err := req.fill(headers); err != nil {
		return nil, err
	}
	return req, nil
}

// fill makes req decide's input for these request headers (it aliases them).
func (req *Request) fill(headers [][2]string) error {
	*req = Request{Headers: headers}
	var haveMethod, havePath bool
	for _, h := range headers {
		switch h[0] {
		case ":method":
			if !haveMethod {
				req.Method, haveMethod = h[1], true
			}
		case ":path":
			if !havePath {
				req.Target, havePath = h[1], true
			}
		}
	}
	if !haveMethod || !havePath {
		return errNoPseudoHeaders
	}
	return nil
}

// keep gives the request its own copy of every header: the glue reads
// headers borrowed (valid only until the next request's read), and a paused
// stream decides again later. Pauses are rare; a copy per string is fine.
func (req *Request) keep() {
	headers := make([][2]string, len(req.Headers))
	for i, h := range req.Headers {
		headers[i] = [2]string{strings.Clone(h[0]), strings.Clone(h[1])}
	}
	if err := req.fill(headers); err != nil {
		panic("filter: Request.keep: " + err.Error()) // fill succeeded on the same headers before
	}
}
