package jwtcore

import "testing"

func Test_splitDots(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		d1, d2 int
		ok     bool
	}{
		{name: "three segments", in: "aaaaaaaaaa.bbbbbbbbbbbb.cc", d1: 10, d2: 23, ok: true},
		{name: "empty segments", in: "..", d1: 0, d2: 1, ok: true},
		{name: "no dot", in: "aaaaaaaaaaaaaaaaaaaa"},
		{name: "one dot", in: "aaaaaaaaaaaa.bbbbbbbbbbb"},
		{name: "three dots", in: "a.b.c.d"},
		{name: "three dots far apart", in: "aaaaaaaaaaaa.bbbbbbbbbbbbbbbb.cccccccccccccccc.dddddddd"},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d1, d2, ok := splitDots(tt.in)
			if ok != tt.ok || (ok && (d1 != tt.d1 || d2 != tt.d2)) {
				t.Fatalf("splitDots(%q) = %d,%d,%v want %d,%d,%v", tt.in, d1, d2, ok, tt.d1, tt.d2, tt.ok)
			}
		})
	}
}
