package idp

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AdminPrefix is the path prefix of AdminHandler's routes.
const AdminPrefix = "/admin/"

// AdminHandler serves the test controls over HTTP, for the standalone program. It has no
// authentication: serve it only on a loopback address of a test or demo machine, and on a
// listener of its own (the controls can take the main listener down).
//
// Parameters come from the query or a form body. endpoint may repeat; none means all endpoints.
//
//	POST /admin/rotate?keep_old=true          -> {"kid":"<new kid>"}
//	POST /admin/delay?duration=2s&endpoint=jwks
//	POST /admin/down?mode=close|503|up&endpoint=token
//	POST /admin/fail?status=500               (status=0 removes it)
//	POST /admin/malformed?on=true&endpoint=introspect
//	POST /admin/reset                         (removes every fault)
//	POST /admin/revoke   token=<access token> -> {"revoked":true}
//	POST /admin/lifespan?duration=30s
//	POST /admin/clock?offset=-1h              (server clock = wall clock + offset)
//	GET  /admin/hits                          -> {"token":3,"jwks":1,...}
//	POST /admin/reset-hits
//	GET  /admin/keys                          -> {"current":"<kid>","published":[...]}
func (s *Server) AdminHandler() http.Handler {
	return http.HandlerFunc(s.serveAdmin)
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.URL.Path, AdminPrefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	read := op == "hits" || op == "keys"
	if (read && r.Method != http.MethodGet) || (!read && r.Method != http.MethodPost) {
		adminError(w, http.StatusMethodNotAllowed, fmt.Errorf("admin[%s]: method %s not allowed", op, r.Method))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		adminError(w, http.StatusBadRequest, fmt.Errorf("admin[%s]: form: %w", op, err))
		return
	}
	eps, err := adminEndpoints(r)
	if err != nil {
		adminError(w, http.StatusBadRequest, err)
		return
	}
	res := map[string]any{"ok": true}
	switch op {
	case "rotate":
		kid, err := s.RotateKey(r.Form.Get("keep_old") == "true")
		if err != nil {
			adminError(w, http.StatusInternalServerError, err)
			return
		}
		res["kid"] = kid
	case "delay":
		d, err := time.ParseDuration(r.Form.Get("duration"))
		if err != nil || d < 0 {
			adminError(w, http.StatusBadRequest, fmt.Errorf("admin[delay] duration[%q]: want a non-negative Go duration", r.Form.Get("duration")))
			return
		}
		s.SetDelay(d, eps...)
	case "down":
		m, ok := ParseDownMode(r.Form.Get("mode"))
		if !ok {
			adminError(w, http.StatusBadRequest, fmt.Errorf("admin[down] mode[%q]: want close, 503 or up", r.Form.Get("mode")))
			return
		}
		s.SetDownMode(m, eps...)
	case "fail":
		st, err := strconv.Atoi(r.Form.Get("status"))
		if err != nil || (st != 0 && (st < 100 || st > 599)) {
			adminError(w, http.StatusBadRequest, fmt.Errorf("admin[fail] status[%q]: want 0 or 100..599", r.Form.Get("status")))
			return
		}
		s.SetFailStatus(st, eps...)
	case "malformed":
		s.SetMalformed(r.Form.Get("on") != "false", eps...)
	case "reset":
		s.Reset()
	case "revoke":
		res["revoked"] = s.Revoke(r.Form.Get("token"))
	case "lifespan":
		d, err := time.ParseDuration(r.Form.Get("duration"))
		if err != nil || d <= 0 {
			adminError(w, http.StatusBadRequest, fmt.Errorf("admin[lifespan] duration[%q]: want a positive Go duration", r.Form.Get("duration")))
			return
		}
		s.SetTokenLifespan(d)
	case "clock":
		off, err := time.ParseDuration(r.Form.Get("offset"))
		if err != nil {
			adminError(w, http.StatusBadRequest, fmt.Errorf("admin[clock] offset[%q]: want a Go duration", r.Form.Get("offset")))
			return
		}
		s.SetClock(func() time.Time { return time.Now().Add(off) })
	case "hits":
		hits := map[string]int{}
		for _, e := range Endpoints() {
			hits[string(e)] = s.Hits(e)
		}
		writeJSON(w, http.StatusOK, hits)
		return
	case "reset-hits":
		s.ResetHits()
	case "keys":
		res = map[string]any{"current": s.CurrentKeyID(), "published": s.KeyIDs()}
	default:
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func adminEndpoints(r *http.Request) ([]Endpoint, error) {
	var out []Endpoint
	for _, name := range r.Form["endpoint"] {
		e, ok := ParseEndpoint(name)
		if !ok {
			return nil, fmt.Errorf("admin endpoint[%q]: want one of token, introspect, revoke, jwks, discovery", name)
		}
		out = append(out, e)
	}
	return out, nil
}

func adminError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
