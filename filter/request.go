package filter

import "errors"

// errNoPseudoHeaders: the host gave a request without :method or :path. Envoy
// never does; the filter fails closed with internal_error rather than guess.
var errNoPseudoHeaders = errors.New("request has no :method or :path")

// newRequest builds decide's input from the request headers as the host hands
// them over (pseudo-headers included).
func newRequest(headers [][2]string) (*Request, error) {
	req := &Request{Headers: headers}
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
		return nil, errNoPseudoHeaders
	}
	return req, nil
}
