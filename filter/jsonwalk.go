package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// The plugin configuration is read with gjson (already in the .wasm for claim
// queries) by walking it object by object, so that every error names the JSON
// path at fault and every unknown or duplicated field is rejected. See
// RATIONALE.md "Why gjson and not encoding/json for the configuration?".

// configError is a configuration fault at a JSON path.
type configError struct {
	path string // e.g. "providers.auth0.public_key_pem"; "" for the document
	msg  string
}

func (e *configError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func errAt(path, format string, args ...any) error {
	return &configError{path: path, msg: fmt.Sprintf(format, args...)}
}

// field joins a JSON path and an object member name.
func field(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// index joins a JSON path and an array index.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// object checks that r is a JSON object with only the allowed members, each
// at most once, and returns its members by name plus their order.
func object(path string, r gjson.Result, allowed ...string) (map[string]gjson.Result, []string, error) {
	if !r.IsObject() {
		return nil, nil, errAt(path, "must be an object, not %s", kind(r))
	}
	members := make(map[string]gjson.Result)
	var order []string
	var err error
	r.ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		switch {
		case allowed != nil && !containsString(allowed, name):
			err = errAt(field(path, name), "unknown field")
		case hasKey(members, name):
			err = errAt(field(path, name), "duplicate field")
		default:
			members[name] = v
			order = append(order, name)
			return true
		}
		return false
	})
	if err != nil {
		return nil, nil, err
	}
	return members, order, nil
}

func hasKey(m map[string]gjson.Result, k string) bool {
	_, ok := m[k]
	return ok
}

// kind names the JSON type of r for error messages.
func kind(r gjson.Result) string {
	switch r.Type {
	case gjson.Null:
		return "null"
	case gjson.False, gjson.True:
		return "a boolean"
	case gjson.Number:
		return "a number"
	case gjson.String:
		return "a string"
	}
	if r.IsArray() {
		return "an array"
	}
	return "an object"
}

func asString(path string, r gjson.Result) (string, error) {
	if r.Type != gjson.String {
		return "", errAt(path, "must be a string, not %s", kind(r))
	}
	return r.Str, nil
}

func asNonEmptyString(path string, r gjson.Result) (string, error) {
	s, err := asString(path, r)
	if err == nil && s == "" {
		err = errAt(path, "must not be empty")
	}
	return s, err
}

func asBool(path string, r gjson.Result) (bool, error) {
	if r.Type != gjson.True && r.Type != gjson.False {
		return false, errAt(path, "must be a boolean, not %s", kind(r))
	}
	return r.Type == gjson.True, nil
}

// asInt reads an integer in [min, max].
func asInt(path string, r gjson.Result, min, max int64) (int64, error) {
	if r.Type != gjson.Number {
		return 0, errAt(path, "must be an integer, not %s", kind(r))
	}
	n, err := strconv.ParseInt(r.Raw, 10, 64)
	if err != nil {
		return 0, errAt(path, "must be an integer, not %s", r.Raw)
	}
	if n < min || n > max {
		return 0, errAt(path, "must be between %d and %d, not %d", min, max, n)
	}
	return n, nil
}

// optDuration sets *d to the member f of m, when present: an integer in
// [min, max] counted in unit.
func optDuration(path string, m map[string]gjson.Result, f string, min, max int64, unit time.Duration, d *time.Duration) error {
	v, ok := m[f]
	if !ok {
		return nil
	}
	n, err := asInt(field(path, f), v, min, max)
	if err != nil {
		return err
	}
	*d = time.Duration(n) * unit
	return nil
}

// asStringList reads an array of non-empty strings (an empty array allowed).
func asStringList(path string, r gjson.Result) ([]string, error) {
	if !r.IsArray() {
		return nil, errAt(path, "must be an array of strings, not %s", kind(r))
	}
	items := r.Array()
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, err := asNonEmptyString(index(path, i), it)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// asArray reads an array.
func asArray(path string, r gjson.Result) ([]gjson.Result, error) {
	if !r.IsArray() {
		return nil, errAt(path, "must be an array, not %s", kind(r))
	}
	return r.Array(), nil
}

// errEmptyConfig is returned for an empty configuration (every request would
// be denied: the filter needs at least one provider or rule).
var errEmptyConfig = errors.New("configuration is empty")

// errInvalidJSON is returned for a document that is not valid JSON.
var errInvalidJSON = errors.New("configuration is not valid JSON")

// validHeaderName reports whether name is an HTTP field name (RFC 9110 token).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTchar(name[i]) {
			return false
		}
	}
	return true
}

func isTchar(c byte) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
