package filter

import (
	"reflect"
	"testing"
)

// equal fails the test when have != want (deep equality), naming what.
func equal[T any](t *testing.T, what string, have, want T) {
	t.Helper()
	if !reflect.DeepEqual(have, want) {
		t.Errorf("%s: have %#v, want %#v", what, have, want)
	}
}
