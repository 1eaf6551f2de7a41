package filter

import "strings"

// routeMatch is the "match" object of a rule: exactly one of prefix or exact,
// plus an optional method list (empty: any method). Paths are compared with
// the normalized request path (path.go), byte for byte.
type routeMatch struct {
	prefix  string   // segment-aware: "/api" matches "/api" and "/api/x", never "/apix"
	exact   string   // the whole normalized path
	methods []string // upper-case method names; empty matches every method
}

// Methods are matched case-insensitively. RFC 9110 makes them case-sensitive, but upstreams do
// not agree (Express routes "post" as POST; Envoy's HTTP/2 codec passes "post" through): a
// lower-case method must meet the rule its upper-case twin meets, never slip past it to a later,
// looser rule.

// matches reports whether a request with this method and normalized path is
// selected by m.
func (m *routeMatch) matches(method, path string) bool {
	if len(m.methods) > 0 && !containsMethod(m.methods, method) {
		return false
	}
	if m.exact != "" {
		return path == m.exact
	}
	return hasSegmentPrefix(path, m.prefix)
}

// hasSegmentPrefix reports whether prefix covers path at a segment boundary.
// A prefix ending in "/" (including "/" itself) covers everything below it.
func hasSegmentPrefix(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || strings.HasSuffix(prefix, "/") || path[len(prefix)] == '/'
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// containsMethod reports whether method is in methods (upper case), ignoring case.
func containsMethod(methods []string, method string) bool {
	for _, m := range methods {
		if strings.EqualFold(m, method) {
			return true
		}
	}
	return false
}
