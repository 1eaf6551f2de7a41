package filter

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestIntrospectionEntry_roundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    introspectionEntry
	}{
		{name: "active", e: introspectionEntry{hash: tokenHash("a"), fingerprint: [8]byte{1, 2, 3}, storedAt: time.Unix(1_800_000_000, 5),
			until: time.Unix(1_800_000_060, 0), active: true, doc: []byte(`{"active":true,"sub":"u"}`)}},
		{name: "inactive", e: introspectionEntry{hash: tokenHash("b"), storedAt: time.Unix(1, 0), until: time.Unix(6, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.e.encode()
			got, err := decodeIntrospectionEntry(b)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "entry", *got, tt.e)
			b[len(b)-1] ^= 0xff // the decoded entry owns its bytes
			if tt.e.active && bytes.Equal(got.doc, b[len(b)-len(got.doc):]) {
				t.Error("decoded doc aliases the record")
			}
		})
	}
}

func TestIntrospectionEntry_corrupt(t *testing.T) {
	good := (&introspectionEntry{hash: tokenHash("a"), until: time.Unix(9, 0), active: true, doc: []byte(`{"active":true}`)}).encode()
	inactive := (&introspectionEntry{hash: tokenHash("a"), until: time.Unix(9, 0)}).encode()
	mutate := func(b []byte, f func([]byte) []byte) []byte { return f(append([]byte(nil), b...)) }
	tests := []struct {
		name string
		b    []byte
	}{
		{name: "empty", b: nil},
		{name: "other magic", b: mutate(good, func(b []byte) []byte { b[3] = '2'; return b })},
		{name: "shared package record", b: []byte("TGv1\x00\x00\x00\x00\x00")},
		{name: "truncated header", b: good[:40]},
		{name: "truncated doc", b: good[:len(good)-1]},
		{name: "trailing byte", b: append(append([]byte(nil), good...), 'x')},
		{name: "bad active byte", b: mutate(inactive, func(b []byte) []byte { b[len(b)-2] = 2; return b })},
		{name: "active without doc", b: mutate(inactive, func(b []byte) []byte { b[len(b)-2] = 1; return b })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e, err := decodeIntrospectionEntry(tt.b); err == nil {
				t.Fatalf("decoded %+v, want an error", e)
			}
		})
	}
}

func TestIntrospection_cacheKey(t *testing.T) {
	in := mustIntrospection(t, `{"opaque":{"cluster":"c","uri":"https://i/","client_id":"a","client_secret":"b","cache_max_entries":64}}`)
	keys := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := "token-" + strings.Repeat("x", i)
		k := in.cacheKey(tokenHash(tok))
		if !strings.HasPrefix(k, "tokengate.introspect.opaque.") || strings.Contains(k, tok) {
			t.Fatalf("key %q", k)
		}
		keys[k] = true
	}
	if len(keys) != 16 {
		t.Errorf("%d distinct keys for 1000 tokens, want the 16 buckets of 64 entries", len(keys))
	}
}

func TestIntrospection_usable(t *testing.T) {
	in := mustIntrospection(t, `{"o":{"cluster":"c","uri":"https://i/","client_id":"a","client_secret":"b"}}`)
	other := mustIntrospection(t, `{"o":{"cluster":"c","uri":"https://i/","client_id":"other","client_secret":"b"}}`)
	now := time.Unix(100, 0)
	h := tokenHash("t")
	e := &introspectionEntry{hash: h, fingerprint: in.fingerprint, until: now.Add(time.Second)}
	tests := []struct {
		name string
		in   *introspection
		e    *introspectionEntry
		hash [32]byte
		at   time.Time
		want bool
	}{
		{name: "fresh", in: in, e: e, hash: h, at: now, want: true},
		{name: "at until", in: in, e: e, hash: h, at: now.Add(time.Second)},
		{name: "other token in the bucket", in: in, e: e, hash: tokenHash("u"), at: now},
		{name: "other client", in: other, e: e, hash: h, at: now},
		{name: "nil", in: in, e: nil, hash: h, at: now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equal(t, "usable", tt.in.usable(tt.e, tt.hash, tt.at), tt.want)
		})
	}
}
