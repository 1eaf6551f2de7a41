package testenv_test

import (
	"maps"
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

// TestDecoyAllocations: with the option, the host makes two allocations to return one header value,
// names the second, and fills the first with '#'; without it, one allocation. The raw guest (13
// request headers) logs what it saw.
func TestDecoyAllocations(t *testing.T) {
	tests := []struct {
		name string
		opts []testenv.Option
		want []string
		not  string // a log that must be absent
	}{
		{name: "default: one allocation", want: []string{"get_header(x)=0", "value=hello", "allocs=1"}, not: "other=########"},
		{name: "decoy", opts: []testenv.Option{testenv.DecoyAllocations()},
			want: []string{"get_header(x)=0", "value=hello", "allocs=2", "other=########"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testenv.New(t, guest(t, "raw"), tc.opts...)
			s := env.NewStream()
			s.RequestHeaders(numbered(13, [2]string{"x", "hello"}), true)
			s.Complete()
			for _, w := range tc.want {
				wantLog(t, env, w)
			}
			if got := logged(env, tc.not); tc.not != "" && len(got) != 0 {
				t.Errorf("logged %q", got)
			}
			if m := env.Misuses(); len(m) != 0 {
				t.Errorf("misuses: %q", m)
			}
		})
	}
}

// TestHost_HostCallCounts: counts are per host function, summed over VMs, and include calls the
// trace leaves out; a function never called is absent.
func TestHost_HostCallCounts(t *testing.T) {
	env := testenv.New(t, guest(t, "raw"), testenv.Workers(2))
	before := env.HostCallCounts()
	if before["env.proxy_get_header_map_value"] != 0 {
		t.Fatalf("counts before any request: %v", before)
	}
	for i := range 2 {
		s := env.VM(i).NewStream()
		s.RequestHeaders(numbered(13, [2]string{"x", "v"}), true)
		s.Complete()
	}
	s := env.NewStream()
	s.RequestHeaders(numbered(4), true) // two clock_time_get calls (quiet: not traced)
	s.Complete()
	got := env.HostCallCounts()
	delta := map[string]uint64{}
	for k, n := range got {
		if n != before[k] {
			delta[k] = n - before[k]
		}
	}
	// The env calls are exact: 13 headers log three lines each (status, value, allocs), 4 headers
	// log three (two results and the real time). The Go runtime may read the clock too, so the
	// WASI count is a lower bound.
	for k, w := range map[string]uint64{"env.proxy_get_header_map_value": 2, "env.proxy_log": 2*3 + 3} {
		if delta[k] != w {
			t.Errorf("%s: %d calls, want %d (delta %v)", k, delta[k], w, delta)
		}
	}
	for k := range delta {
		if k != "env.proxy_get_header_map_value" && k != "env.proxy_log" && k[:4] == "env." {
			t.Errorf("unexpected host call %s (delta %v)", k, delta)
		}
	}
	if n := delta["wasi_snapshot_preview1.clock_time_get"]; n < 2 {
		t.Errorf("clock_time_get: %d calls, want at least 2 (quiet calls count too)", n)
	}
	if _, ok := got["env.proxy_http_call"]; ok {
		t.Errorf("proxy_http_call counted without a call: %v", got)
	}
	if c := env.HostCallCounts(); !maps.Equal(c, got) {
		t.Errorf("counts changed without guest activity: %v then %v", got, c)
	}
}
