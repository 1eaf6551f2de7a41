package shared

import (
	"bytes"
	"testing"
	"time"
)

func TestState_EncodeDecode(t *testing.T) {
	tests := []struct {
		name string
		st   state
	}{
		{name: "empty", st: state{}},
		{name: "full", st: state{version: 7, freshUntil: t0.Add(time.Minute), usableUntil: t0.Add(time.Hour),
			attempts: 12, failures: 3, nextAt: t0.Add(4 * time.Second), forcedAt: t0, owner: "vm-1f2e",
			leaseID: 99, leaseUntil: t0.Add(5 * time.Second), lastErr: "status 503"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeState(tc.st.encode())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.st {
				t.Fatalf("got %+v, want %+v", got, tc.st)
			}
		})
	}
}

func TestValue_EncodeDecode(t *testing.T) {
	v := value{version: 3, fetchedAt: t0, freshUntil: t0.Add(time.Minute), usableUntil: t0.Add(time.Hour),
		payload: []byte(`{"keys":[]}`)}
	got, err := decodeValue(v.encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.version != 3 || !got.fetchedAt.Equal(t0) || !got.usableUntil.Equal(v.usableUntil) ||
		!bytes.Equal(got.payload, v.payload) {
		t.Fatalf("got %+v", got)
	}
}

// Every strict prefix and every one-byte extension of a valid record is rejected.
func TestDecode_Truncated(t *testing.T) {
	st := state{version: 1, owner: "vm", lastErr: "x", leaseUntil: t0}
	v := value{version: 1, payload: []byte("abc")}
	for _, tc := range []struct {
		name   string
		b      []byte
		decode func([]byte) error
	}{
		{name: "state", b: st.encode(), decode: func(b []byte) error { _, err := decodeState(b); return err }},
		{name: "value", b: v.encode(), decode: func(b []byte) error { _, err := decodeValue(b); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < len(tc.b); i++ {
				if tc.decode(tc.b[:i]) == nil {
					t.Fatalf("prefix of %d bytes accepted", i)
				}
			}
			if tc.decode(append(append([]byte(nil), tc.b...), 0)) == nil {
				t.Fatal("trailing byte accepted")
			}
		})
	}
}

func FuzzDecodeState(f *testing.F) {
	f.Add((&state{version: 1, owner: "a", lastErr: "e"}).encode())
	f.Add([]byte("TGs1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeState(b)
		if err != nil {
			return
		}
		if len(st.owner) > maxOwnerLen || len(st.lastErr) > maxErrLen {
			t.Fatal("bounds not enforced")
		}
		again, err := decodeState(st.encode())
		if err != nil || again != st {
			t.Fatalf("re-encode: %+v %v", again, err)
		}
	})
}

func TestPolicy_Backoff(t *testing.T) {
	p := Policy{LeaseTTL: time.Second, BackoffBase: time.Second, BackoffMax: 30 * time.Second}
	tests := []struct {
		name     string
		failures uint32
		want     time.Duration
	}{
		{name: "first", failures: 1, want: time.Second},
		{name: "second", failures: 2, want: 2 * time.Second},
		{name: "fifth", failures: 5, want: 16 * time.Second},
		{name: "capped", failures: 6, want: 30 * time.Second},
		{name: "far", failures: 1000, want: 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.backoff(tc.failures); got != tc.want {
				t.Fatalf("backoff(%d) = %v, want %v", tc.failures, got, tc.want)
			}
		})
	}
}
