package filter

import (
	"errors"
	"strings"
	"testing"
)

func Test_normalizePath(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{name: "root", in: "/", want: "/"},
		{name: "plain", in: "/api/x", want: "/api/x"},
		{name: "trailing slash kept", in: "/api/", want: "/api/"},
		{name: "dot dot climbs", in: "/api/../admin", want: "/admin"},
		{name: "dot dot at end keeps slash", in: "/a/b/..", want: "/a/"},
		{name: "single dot removed", in: "/a/./b", want: "/a/b"},
		{name: "single dot at end", in: "/a/.", want: "/a/"},
		{name: "dot dot above root", in: "/../../admin", want: "/admin"},
		{name: "only dot dot", in: "/..", want: "/"},
		{name: "double slash merged", in: "//api", want: "/api"},
		{name: "many slashes merged", in: "/a///b//", want: "/a/b/"},
		{name: "slashes and dots", in: "//a//..//b", want: "/b"},
		{name: "dots inside names kept", in: "/a/.../b..c/.d", want: "/a/.../b..c/.d"},
		{name: "unreserved decoded", in: "/%61pi/%7Ex%2D%5F", want: "/api/~x-_"},
		{name: "decoded dots are not possible", in: "/api/%2e%2e/admin", err: errPathEncodedSep},
		{name: "reserved stays encoded upper", in: "/a%3ab%20c", want: "/a%3Ab%20c"},
		{name: "encoded slash", in: "/api%2Fx", err: errPathEncodedSep},
		{name: "encoded slash lower", in: "/api%2fx", err: errPathEncodedSep},
		{name: "encoded backslash", in: "/api%5cx", err: errPathEncodedSep},
		{name: "encoded dot", in: "/api/%2E", err: errPathEncodedSep},
		{name: "encoded nul", in: "/a%00", err: errPathEncodedSep},
		{name: "raw backslash", in: "/api\\..\\admin", err: errPathBadChar},
		{name: "space", in: "/a b", err: errPathBadChar},
		{name: "non ascii", in: "/caf\xc3\xa9", err: errPathBadChar},
		{name: "control", in: "/a\x01", err: errPathBadChar},
		{name: "truncated escape", in: "/a%4", err: errPathBadEscape},
		{name: "bad hex escape", in: "/a%zz", err: errPathBadEscape},
		{name: "asterisk form", in: "*", err: errPathNotOriginForm},
		{name: "absolute form", in: "http://h/admin", err: errPathNotOriginForm},
		{name: "empty", in: "", err: errPathNotOriginForm},
		{name: "dot dot semicolon", in: "/public/..;/admin", err: errPathDotParam},
		{name: "dot dot encoded semicolon", in: "/public/..%3B/admin", err: errPathDotParam},
		{name: "dot dot encoded semicolon, lower-case hex", in: "/public/..%3b/admin", err: errPathDotParam},
		{name: "encoded dots and semicolon", in: "/public/%2e%2e%3b/admin", err: errPathEncodedSep},
		{name: "dot encoded semicolon with a parameter", in: "/public/.%3Bx/admin", err: errPathDotParam},
		{name: "encoded semicolon elsewhere kept", in: "/a/b%3bc", want: "/a/b%3Bc"},
		{name: "dot semicolon", in: "/public/.;x/admin", err: errPathDotParam},
		{name: "semicolon param elsewhere kept", in: "/a;v=1/b", want: "/a;v=1/b"},
		{name: "sub delims and colon", in: "/a:b@c!$&'()*+,=", want: "/a:b@c!$&'()*+,="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			have, err := normalizePath(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error: have %v, want %v", err, tc.err)
			}
			equal(t, "path", have, tc.want)
		})
	}
}

func Test_normalizePath_upperHex(t *testing.T) {
	have, err := normalizePath("/a%3ab%2c")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "path", have, "/a%3Ab%2C")
}

func Test_splitTarget(t *testing.T) {
	tests := []struct {
		name, in, path, query string
	}{
		{name: "no query", in: "/a", path: "/a"},
		{name: "query", in: "/a?x=1&y", path: "/a", query: "x=1&y"},
		{name: "fragment", in: "/admin#/api", path: "/admin"},
		{name: "query and fragment", in: "/a?q=1#f", path: "/a", query: "q=1"},
		{name: "question mark in fragment", in: "/a#f?x", path: "/a"},
		{name: "empty query", in: "/a?", path: "/a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, q := splitTarget(tc.in)
			equal(t, "path", p, tc.path)
			equal(t, "query", q, tc.query)
		})
	}
}

// Fuzz_normalizePath checks the normal form's invariants on any input: it is
// idempotent, starts with "/", and holds no "//", no dot segment, no escape
// of '/', '\', '.' or NUL, and only pchar, '/' and '%'.
func Fuzz_normalizePath(f *testing.F) {
	for _, seed := range []string{"/", "/api/../admin", "//api", "/a/./b/", "/%61pi", "/api%2Fx",
		"/a/..;/b", "/a%3ab", "/..", "/a//b/../../c/.", "*", "/%zz", "/a%2e%2e/b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := normalizePath(in)
		if err != nil {
			return
		}
		again, err := normalizePath(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", in, out, again, err)
		}
		if out == "" || out[0] != '/' || strings.Contains(out, "//") {
			t.Fatalf("%q -> %q: not a normal absolute path", in, out)
		}
		for _, seg := range strings.Split(out[1:], "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("%q -> %q: dot segment left", in, out)
			}
		}
		up := strings.ToUpper(out)
		for _, bad := range []string{"%2F", "%5C", "%2E", "%00"} {
			if strings.Contains(up, bad) {
				t.Fatalf("%q -> %q: holds %s", in, out, bad)
			}
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c != '/' && c != '%' && !isPchar(c) {
				t.Fatalf("%q -> %q: byte %q", in, out, c)
			}
		}
	})
}
