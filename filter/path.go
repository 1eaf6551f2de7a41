package filter

import (
	"errors"
	"strings"
)

// Request paths are normalized before any rule sees them, because path tricks
// have bypassed route-based authorization in Envoy and Istio before
// (CVE-2020-8595: a fragment or encoded characters made "/admin" fail to
// match; CVE-2021-29492: "%2F" decoded by the upstream only). The rules:
//
//   - the request target must be origin-form: it starts with "/" (no "*", no
//     absolute-form); query ("?...") and fragment ("#...") are cut off;
//   - every byte of the path is a pchar (RFC 3986 §3.3) or "/"; anything else
//     (space, '\', '"', '<', '|', controls, non-ASCII...) is rejected;
//   - a percent-encoded unreserved character (ALPHA DIGIT - _ ~) is decoded;
//     a percent-encoded '/', '\', '.' or NUL is rejected (the upstream may
//     decode it into a separator or a dot segment after we matched); other
//     escapes stay encoded, with upper-case hex digits;
//   - repeated "/" are merged, then dot segments are removed (RFC 3986
//     §5.2.4); ".." never climbs above the root;
//   - a segment that is a dot segment with a ";" parameter ("..;", ".;x"),
//     also with the ";" percent-encoded ("..%3B"), is rejected: some servers
//     (Tomcat) decode and strip the parameter and then treat it as a dot
//     segment, a known bypass of path rules.
//
// The result is what rules match against, and what the upstream receives on
// allow (see RATIONALE.md "Why rewrite :path to the normalized path?").

// errPath* describe why a path was rejected. They are never shown with the
// path itself in logs (the path may carry a token in its query).
var (
	errPathNotOriginForm = errors.New("request target is not origin-form")
	errPathBadChar       = errors.New("path holds a character that is not allowed")
	errPathBadEscape     = errors.New("path holds an invalid percent-escape")
	errPathEncodedSep    = errors.New("path holds an encoded '/', '\\', '.' or NUL")
	errPathDotParam      = errors.New("path holds a dot segment with a ';' parameter")
	errQueryControl      = errors.New("query holds a control character")
)

// splitTarget cuts a request target into its path and raw query (without the
// '?'); a fragment is dropped.
func splitTarget(target string) (path, query string) {
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i]
	}
	if i := strings.IndexByte(target, '?'); i >= 0 {
		return target[:i], target[i+1:]
	}
	return target, ""
}

// normalizePath returns the normal form of path (the path part of an
// origin-form request target, without query or fragment) or an errPath*.
func normalizePath(path string) (string, error) {
	if path == "" || path[0] != '/' {
		return "", errPathNotOriginForm
	}
	if isPlainPath(path) {
		return path, nil // what the full work below returns for it, in one cheap pass
	}
	return normalizeFull(path)
}

// normalizeFull is normalizePath's work on a path starting with "/".
func normalizeFull(path string) (string, error) {
	decoded, err := decodeUnreserved(path)
	if err != nil {
		return "", err
	}
	return removeDotSegments(decoded)
}

// decodeUnreserved validates the characters of path and decodes escapes of
// unreserved characters. It returns path itself when nothing changes.
func decodeUnreserved(path string) (string, error) {
	var b []byte // nil until the first change
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c != '%' {
			if c != '/' && !isPchar(c) {
				return "", errPathBadChar
			}
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2]) {
			return "", errPathBadEscape
		}
		v := unhex(path[i+1])<<4 | unhex(path[i+2])
		switch {
		case v == '/' || v == '\\' || v == '.' || v == 0:
			return "", errPathEncodedSep
		case isUnreserved(v):
			if b == nil {
				b = append(make([]byte, 0, len(path)), path[:i]...)
			}
			b = append(b, v)
		default:
			hi, lo := upperHex(path[i+1]), upperHex(path[i+2])
			if b == nil && (hi != path[i+1] || lo != path[i+2]) {
				b = append(make([]byte, 0, len(path)), path[:i]...)
			}
			if b != nil {
				b = append(b, '%', hi, lo)
			}
		}
		i += 2
	}
	if b == nil {
		return path, nil
	}
	return string(b), nil
}

// removeDotSegments merges repeated slashes and removes "." and ".." segments
// of an absolute path (RFC 3986 §5.2.4), keeping a trailing slash. It does not
// recurse and allocates only when the path changes.
func removeDotSegments(path string) (string, error) {
	if !needsSegmentWork(path) {
		return path, nil
	}
	segs := make([]string, 0, strings.Count(path, "/"))
	trailing := false
	rest := path[1:]
	for {
		seg, more := rest, false
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, rest, more = rest[:i], rest[i+1:], true
		}
		last := !more
		switch seg {
		case "", ".":
			trailing = last
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			trailing = last
		default:
			if isDotParamSegment(seg) {
				return "", errPathDotParam
			}
			segs = append(segs, seg)
			trailing = false
		}
		if last {
			break
		}
	}
	var b strings.Builder
	b.Grow(len(path))
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(s)
	}
	if trailing || len(segs) == 0 {
		b.WriteByte('/')
	}
	return b.String(), nil
}

// plainByte classifies path bytes for isPlainPath: 1 for a pchar other than
// '%', 2 for '/', 0 for anything else.
var plainByte = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if c != '%' && isPchar(byte(c)) {
			t[c] = 1
		}
	}
	t['/'] = 2
	return t
}()

// isPlainPath reports whether path (starting with "/") is already normal with
// nothing to decode, check or remove: only pchar and '/' (so no '%', hence no
// escape to decode or reject), and no "/" followed by "/" or "." (so no
// repeated slash, no dot segment, no dot segment with a parameter, which all
// start with "/."). decodeUnreserved and removeDotSegments return such a path
// unchanged; most request paths are such paths ("/api/items"), and one table
// lookup per byte costs a fraction of those two passes inside wasm.
func isPlainPath(path string) bool {
	for i := 0; i < len(path); i++ {
		switch plainByte[path[i]] {
		case 0:
			return false
		case 2:
			if i+1 < len(path) && (path[i+1] == '/' || path[i+1] == '.') {
				return false
			}
		}
	}
	return true
}

// isDotParamSegment reports whether seg is a dot segment with a ";" parameter,
// the ";" plain or percent-encoded (escapes are upper-case by now).
func isDotParamSegment(seg string) bool {
	for _, p := range [...]string{".;", "..;", ".%3B", "..%3B"} {
		if strings.HasPrefix(seg, p) {
			return true
		}
	}
	return false
}

// needsSegmentWork reports whether path has "//", a "." or ".." segment, or a
// dot segment with a parameter (which removeDotSegments rejects).
func needsSegmentWork(path string) bool {
	for i := 0; i < len(path); i++ {
		if path[i] != '/' {
			continue
		}
		next := path[i+1:]
		if strings.HasPrefix(next, "/") || next == "." || next == ".." ||
			strings.HasPrefix(next, "./") || strings.HasPrefix(next, "../") ||
			isDotParamSegment(next) {
			return true
		}
	}
	return false
}

// isPchar reports whether c may appear unencoded in a path segment:
// unreserved / sub-delims / ":" / "@" (RFC 3986 §3.3); '%' is handled apart.
func isPchar(c byte) bool {
	if isUnreserved(c) {
		return true
	}
	switch c {
	case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@':
		return true
	}
	return false
}

// isUnreserved reports whether c is ALPHA / DIGIT / "-" / "." / "_" / "~".
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// hasControl reports whether s holds an ASCII control character (CR, LF and NUL
// among them): such bytes are never valid in a request target or a header
// value, and the filter never writes them back into :path or Cookie.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
