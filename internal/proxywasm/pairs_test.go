package proxywasm

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func Test_appendPairs_parsePairs(t *testing.T) {
	tests := []struct {
		name string
		m    [][2]string
		want []byte // nil: only round-trip
	}{
		{
			name: "two pairs, as the spec's example shape",
			m:    [][2]string{{"a", "1"}, {"b", "22"}},
			want: []byte{
				2, 0, 0, 0,
				1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
				'a', 0, '1', 0, 'b', 0, '2', '2', 0,
			},
		},
		{name: "empty map is a zero count", m: nil, want: []byte{0, 0, 0, 0}},
		{name: "empty key and value", m: [][2]string{{"", ""}, {":path", "/"}}},
		{name: "binary-ish value", m: [][2]string{{"x-bin", "\xff\x01 \t"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := appendPairs(nil, tc.m)
			if len(b) != pairsSize(tc.m) {
				t.Errorf("len = %d, pairsSize = %d", len(b), pairsSize(tc.m))
			}
			if tc.want != nil && !bytes.Equal(b, tc.want) {
				t.Errorf("serialized = %v, want %v", b, tc.want)
			}
			got, err := parsePairs(b)
			if err != nil {
				t.Fatalf("parsePairs: %v", err)
			}
			if !slices.Equal(got, tc.m) {
				t.Errorf("round trip = %q, want %q", got, tc.m)
			}
		})
	}
}

func Test_appendPairs_reusesBuffer(t *testing.T) {
	buf := make([]byte, 0, 128)
	out := appendPairs(buf, [][2]string{{"k", "v"}})
	if &out[0] != &buf[:1][0] {
		t.Error("appendPairs allocated although the buffer was large enough")
	}
}

func Test_parsePairs_empty(t *testing.T) {
	for _, b := range [][]byte{nil, {}, {0}, {0, 0, 0, 0}} {
		got, err := parsePairs(b)
		if err != nil || got != nil {
			t.Errorf("parsePairs(%v) = %q, %v; want nil, nil", b, got, err)
		}
	}
}

func Test_parsePairs_malformed(t *testing.T) {
	good := appendPairs(nil, [][2]string{{"key", "value"}, {"k2", "v2"}})
	tests := []struct {
		name string
		b    []byte
	}{
		{name: "short count", b: []byte{1, 0}},
		{name: "truncated data", b: good[:len(good)-1]},
		{name: "truncated sizes", b: good[:10]},
		{name: "count larger than data", b: []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}},
		{name: "missing NUL after key", b: func() []byte {
			c := bytes.Clone(good)
			c[4+16+3] = 'x'
			return c
		}()},
		{name: "size overflows", b: []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePairs(tc.b)
			if !errors.Is(err, errPairsMalformed) {
				t.Errorf("parsePairs = %q, %v; want errPairsMalformed", got, err)
			}
		})
	}
}

func Test_appendPropertyPath(t *testing.T) {
	got := appendPropertyPath(nil, []string{"request", "path"})
	if string(got) != "request\x00path\x00" {
		t.Errorf("got %q", got)
	}
	if got := appendPropertyPath(got, nil); len(got) != 0 {
		t.Errorf("empty path = %q", got)
	}
}

func FuzzParsePairs(f *testing.F) {
	f.Add(appendPairs(nil, [][2]string{{"a", "1"}, {"b", "22"}}))
	f.Add([]byte{0})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parsePairs(b)
		if err != nil {
			return
		}
		again, err := parsePairs(appendPairs(nil, m))
		if err != nil || !slices.Equal(again, m) {
			t.Fatalf("re-serialized map does not round-trip: %q vs %q (%v)", again, m, err)
		}
	})
}

// parsePairsInto reuses dst when it is large enough, returns exactly the
// decoded map either way, and returns nil (nothing half-decoded) on a
// malformed map.
func Test_parsePairsInto(t *testing.T) {
	big := [][2]string{{":method", "GET"}, {":path", "/a"}, {"x", "1"}, {"y", ""}}
	small := [][2]string{{"k", "v"}}
	tests := []struct {
		name      string
		dst       [][2]string
		in        []byte
		want      [][2]string
		wantReuse bool
		wantErr   bool
	}{
		{name: "grows an empty dst", dst: nil, in: appendPairs(nil, big), want: big},
		{name: "reuses a larger dst", dst: make([][2]string, 3, 8), in: appendPairs(nil, small), want: small, wantReuse: true},
		{name: "empty map into a used dst", dst: [][2]string{{"old", "x"}}, in: appendPairs(nil, nil), want: [][2]string{}, wantReuse: true},
		{name: "malformed: value past the end", dst: make([][2]string, 0, 8), in: appendPairs(nil, big)[:30], wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePairsInto(tc.dst, tc.in)
			if tc.wantErr {
				if err == nil || got != nil {
					t.Fatalf("parsePairsInto = %v, %v; want nil and an error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("parsePairsInto = %q, want %q", got, tc.want)
			}
			if reused := cap(tc.dst) > 0 && cap(got) > 0 && &got[:1][0] == &tc.dst[:1][0]; reused != tc.wantReuse {
				t.Errorf("dst reused: %v, want %v", reused, tc.wantReuse)
			}
		})
	}
}
