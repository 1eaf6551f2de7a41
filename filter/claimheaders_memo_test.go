package filter

import (
	"fmt"
	"testing"

	"github.com/tokengate/tokengate/jwtcore"
)

// Test_headerMemo_entry: one entry per claims, whichever way it is found (the last-used shortcut
// or the map), bounded by headerMemoSize, and a shortcut never hands one claims' entry to another.
func Test_headerMemo_entry(t *testing.T) {
	v, err := jwtcore.NewTrustedClaimsVerifier(jwtcore.Policy{AllowMissingExp: true})
	if err != nil {
		t.Fatal(err)
	}
	claims := make([]*jwtcore.Claims, headerMemoSize+10)
	for i := range claims {
		c, err := v.ClaimsFromTrustedJSON([]byte(fmt.Sprintf(`{"sub":"u%d"}`, i)), testNow)
		if err != nil {
			t.Fatal(err)
		}
		claims[i] = c
	}
	var m headerMemo
	a, b := m.entry(claims[0]), m.entry(claims[1])
	if a == b {
		t.Fatal("two claims share an entry")
	}
	tests := []struct {
		name string
		c    *jwtcore.Claims
		want *memoEntry
	}{
		{name: "last used", c: claims[1], want: b},
		{name: "from the map", c: claims[0], want: a},
		{name: "last used again", c: claims[0], want: a},
		{name: "the other one again", c: claims[1], want: b},
	}
	for _, tt := range tests {
		if got := m.entry(tt.c); got != tt.want {
			t.Fatalf("%s: another entry", tt.name)
		}
	}
	a.passed = 1
	for _, c := range claims[2:] { // past the bound: the map is emptied once
		m.entry(c)
		if len(m.m) > headerMemoSize {
			t.Fatalf("memo holds %d entries, bound %d", len(m.m), headerMemoSize)
		}
	}
	last := claims[len(claims)-1]
	if m.entry(last) != m.m[last] {
		t.Fatal("the last-used entry is not the map's")
	}
	if e := m.entry(claims[0]); e == a || e.passed != 0 {
		t.Fatal("an entry dropped with the emptied map is still served")
	}
	if e := m.entry(nil); e == m.m[last] {
		t.Fatal("nil claims got another claims' entry")
	}
}
