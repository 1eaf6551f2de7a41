package idp

import (
	"net/http"
	"net/http/httptest"
)

// RoundTrip serves req in-process, so a *Server can be an http.Client's Transport (or back a
// host emulator's outgoing calls) without a listener. An endpoint in DownClose mode yields
// ErrConnectionClosed and no response; a delay the request's context gives up on yields the
// context's error.
func (s *Server) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	sr := req.Clone(req.Context())
	sr.RequestURI = req.URL.RequestURI()
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	if req.Body != nil {
		defer req.Body.Close()
	}
	rec := httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			resp, err = nil, ErrConnectionClosed
			if cerr := req.Context().Err(); cerr != nil {
				err = cerr // the client gave up during an injected delay
			}
		}
	}()
	s.ServeHTTP(rec, sr)
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}
