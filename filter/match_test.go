package filter

import "testing"

func Test_routeMatch_matches(t *testing.T) {
	tests := []struct {
		name   string
		m      routeMatch
		method string
		path   string
		want   bool
	}{
		{name: "prefix itself", m: routeMatch{prefix: "/api"}, method: "GET", path: "/api", want: true},
		{name: "prefix below", m: routeMatch{prefix: "/api"}, method: "GET", path: "/api/x", want: true},
		{name: "prefix trailing slash below", m: routeMatch{prefix: "/api"}, method: "GET", path: "/api/", want: true},
		{name: "prefix not segment", m: routeMatch{prefix: "/api"}, method: "GET", path: "/apix", want: false},
		{name: "prefix shorter path", m: routeMatch{prefix: "/api"}, method: "GET", path: "/ap", want: false},
		{name: "slash prefix matches all", m: routeMatch{prefix: "/"}, method: "GET", path: "/anything", want: true},
		{name: "prefix with slash", m: routeMatch{prefix: "/api/"}, method: "GET", path: "/api/x", want: true},
		{name: "prefix with slash not bare", m: routeMatch{prefix: "/api/"}, method: "GET", path: "/api", want: false},
		{name: "exact", m: routeMatch{exact: "/admin"}, method: "GET", path: "/admin", want: true},
		{name: "exact not below", m: routeMatch{exact: "/admin"}, method: "GET", path: "/admin/x", want: false},
		{name: "exact not trailing slash", m: routeMatch{exact: "/admin"}, method: "GET", path: "/admin/", want: false},
		{name: "method listed", m: routeMatch{prefix: "/api", methods: []string{"GET", "HEAD"}}, method: "HEAD", path: "/api", want: true},
		{name: "method not listed", m: routeMatch{prefix: "/api", methods: []string{"GET", "HEAD"}}, method: "POST", path: "/api", want: false},
		// A lower-case method meets the rule of its upper-case twin (see match.go), never a later, looser one.
		{name: "method case-insensitive", m: routeMatch{prefix: "/api", methods: []string{"GET"}}, method: "get", path: "/api", want: true},
		{name: "other method in lower case", m: routeMatch{prefix: "/api", methods: []string{"GET"}}, method: "post", path: "/api", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			equal(t, "matches", tc.m.matches(tc.method, tc.path), tc.want)
		})
	}
}
