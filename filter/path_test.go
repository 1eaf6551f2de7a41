package filter

import (
	"errors"
	"math/rand/v2"
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
		if in != "" && in[0] == '/' {
			// The plain-path shortcut must give what the full work gives.
			if full, ferr := normalizeFull(in); full != out || ferr != err {
				t.Fatalf("%q: normalizePath = %q, %v; the full work gives %q, %v", in, out, err, full, ferr)
			}
		}
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

// Test_isPlainPath: a path the shortcut takes comes out of the full work
// unchanged; checked on the table's paths and on random paths made of the
// bytes that matter ('/', '.', '%', hex digits, ';', a letter, a bad byte).
func Test_isPlainPath(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		plain bool
	}{
		{name: "root", in: "/", plain: true},
		{name: "plain", in: "/api/items", plain: true},
		{name: "trailing slash", in: "/api/", plain: true},
		{name: "dot inside a segment", in: "/a.b/c.", plain: true},
		{name: "sub-delims", in: "/a;b=c,d@e:f", plain: true},
		{name: "double slash", in: "/a//b", plain: false},
		{name: "dot segment", in: "/a/./b", plain: false},
		{name: "leading dot", in: "/.well-known", plain: false},
		{name: "escape", in: "/a%41", plain: false},
		{name: "space", in: "/a b", plain: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isPlainPath(tt.in); got != tt.plain {
				t.Fatalf("isPlainPath(%q) = %v", tt.in, got)
			}
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "//..%%2eEfF3bB;a\\ "
	buf := make([]byte, 0, 16)
	plain := 0
	for n := 0; n < 200_000; n++ {
		buf = append(buf[:0], '/')
		for k := rng.IntN(12); k > 0; k-- {
			buf = append(buf, alphabet[rng.IntN(len(alphabet))])
		}
		in := string(buf)
		got, err := normalizePath(in)
		full, ferr := normalizeFull(in)
		if got != full || err != ferr {
			t.Fatalf("%q: normalizePath = %q, %v; the full work gives %q, %v", in, got, err, full, ferr)
		}
		if isPlainPath(in) {
			plain++
			if full != in || ferr != nil {
				t.Fatalf("%q is plain but the full work gives %q, %v", in, full, ferr)
			}
		}
	}
	if plain < 1000 {
		t.Fatalf("only %d random paths were plain: the shortcut is barely exercised", plain)
	}
}
