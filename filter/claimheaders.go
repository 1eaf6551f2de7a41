package filter

import (
	"encoding/base64"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/jwtcore"
)

// On allow, verified claims are forwarded to the upstream as headers:
//
//   - claim_to_headers: each {claim, header}; the claim is a gjson path into the
//     verified payload. Strings go as they are; numbers and booleans in their
//     JSON form (as written in the token); arrays of strings joined by ",";
//     any other array and every object as compact JSON. An absent or null
//     claim sets nothing.
//   - payload_header: the verified payload, base64url without padding.
//
// Every value is checked before it is set: a value holding CR, LF, NUL or any
// other control character but HTAB would split or corrupt the header block,
// so the request is denied instead (claim_malformed). Whatever the outcome,
// incoming headers with any name the filter sets are removed from every
// request (decide.go), so a client can never pose as a verified claim.

// claimHeader is one claim_to_headers entry.
type claimHeader struct {
	claim  string // gjson path into the payload
	header string // lower-case header name
}

// formatClaim renders a claim for a header. ok is false when the claim is
// absent or null.
func formatClaim(r gjson.Result) (value string, ok bool) {
	switch r.Type {
	case gjson.Null:
		return "", false
	case gjson.String:
		return r.Str, true
	case gjson.Number, gjson.True, gjson.False:
		return r.Raw, true
	}
	if r.IsArray() {
		items := r.Array()
		strs := make([]string, 0, len(items))
		for _, it := range items {
			if it.Type != gjson.String {
				return compactJSON(r.Raw), true
			}
			strs = append(strs, it.Str)
		}
		return strings.Join(strs, ","), true
	}
	return compactJSON(r.Raw), true
}

// compactJSON removes insignificant whitespace from valid JSON text.
func compactJSON(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	inString, escaped := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// validHeaderValue reports whether v can be set as a header value: no control
// character except HTAB (so no CR, LF or NUL), no DEL.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// payloadHeaderValue encodes a verified payload for payload_header.
func payloadHeaderValue(payload []byte) string {
	return base64.RawURLEncoding.EncodeToString(payload)
}

// headerMemoSize bounds the memo of verified claims.
const headerMemoSize = 256

// headerMemo remembers, per verified claims, what the filter derived from
// them: the rendered claim headers, and which rules' scopes and claims rules
// they satisfy. A verified-token cache hit hands back the same
// *jwtcore.Claims, so a hit renders nothing and queries no claim. It is
// bounded (emptied when full) and, like the cache, belongs to one VM and is
// used from one thread.
//
// The entry used last is kept beside the map: a request asks for its claims'
// entry twice (authorize, get), and a client sends the same token many times
// in a row; a pointer comparison costs a fraction of a map lookup inside wasm.
type headerMemo struct {
	m     map[*jwtcore.Claims]*memoEntry
	lastC *jwtcore.Claims // the claims of last, which is in m; nil: none
	last  *memoEntry
}

type memoEntry struct {
	rendered *renderedHeaders // nil until first needed
	passed   uint64           // bit i: rule i's scopes and claims rules hold
}

// renderedHeaders is what a provider's claim_to_headers and payload_header
// give for one token: the headers, or the claim whose value cannot be a
// header value.
type renderedHeaders struct {
	p        *provider
	set      [][2]string
	badClaim string
}

// render returns the headers provider p sets for verified claims c.
// jwt, when not "", is the JWT c was verified from: jwtcore accepts only
// canonical unpadded base64url, so its payload segment is exactly
// payloadHeaderValue(c.Raw()), without encoding again (~1 µs in wasm for a
// 200-byte payload).
func (p *provider) render(c *jwtcore.Claims, jwt string) renderedHeaders {
	r := renderedHeaders{p: p}
	if n := len(p.claimHeaders); n > 0 || p.payloadHeader != "" {
		r.set = make([][2]string, 0, n+1)
	}
	for _, ch := range p.claimHeaders {
		v, ok := formatClaim(c.Get(ch.claim))
		if !ok {
			continue
		}
		if !validHeaderValue(v) {
			return renderedHeaders{p: p, badClaim: ch.claim}
		}
		r.set = append(r.set, [2]string{ch.header, v})
	}
	if p.payloadHeader != "" {
		var v string
		if payloadB64 := jwtPayloadSegment(jwt); payloadB64 != "" && base64.RawURLEncoding.EncodedLen(len(c.Raw())) == len(payloadB64) {
			v = strings.Clone(payloadB64) // not aliasing the request's header buffer
		} else {
			v = payloadHeaderValue(c.Raw())
		}
		r.set = append(r.set, [2]string{p.payloadHeader, v})
	}
	return r
}

// entry returns the memo entry of c, creating it.
func (m *headerMemo) entry(c *jwtcore.Claims) *memoEntry {
	if c == m.lastC && c != nil {
		return m.last
	}
	e, ok := m.m[c]
	if !ok {
		if m.m == nil || len(m.m) >= headerMemoSize {
			m.m = make(map[*jwtcore.Claims]*memoEntry, headerMemoSize)
		}
		e = &memoEntry{}
		m.m[c] = e
	}
	m.lastC, m.last = c, e
	return e
}

// get returns the headers provider p sets for c (or the claim that cannot be
// a header value), rendering them once; jwt is as for render. (Two results,
// not a renderedHeaders: inside wasm a struct copy is a memory.copy.)
func (m *headerMemo) get(p *provider, c *jwtcore.Claims, jwt string) (set [][2]string, badClaim string) {
	if m == nil {
		r := p.render(c, jwt)
		return r.set, r.badClaim
	}
	e := m.entry(c)
	if e.rendered == nil || e.rendered.p != p {
		r := p.render(c, jwt)
		e.rendered = &r
	}
	return e.rendered.set, e.rendered.badClaim
}

// authorize checks rule ru (at position i of the rules) on c; a success is
// remembered (failures are rare and recomputed, to report their detail).
func (m *headerMemo) authorize(i int, ru *rule, c *jwtcore.Claims) error {
	if len(ru.scopes) == 0 && len(ru.claims) == 0 {
		return nil
	}
	if m == nil || i < 0 || i >= 64 {
		return authorize(ru, c)
	}
	e := m.entry(c)
	if e.passed&(1<<i) != 0 {
		return nil
	}
	if err := authorize(ru, c); err != nil {
		return err
	}
	e.passed |= 1 << i
	return nil
}
