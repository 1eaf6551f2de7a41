package testenv_test

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

func TestEnv_TrapRecovery(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.TolerateTraps(), testenv.Cluster("idp", okHandler("")))
	waiting := env.NewStream() // a stream in flight on the same VM when it dies
	waiting.RequestHeaders(reqHeaders(script("reqhdr", "ret:pause")), true)

	s := env.NewStream()
	act := s.RequestHeaders(reqHeaders(script("reqhdr", "log:before;deadlock")), true)
	if act != testenv.ActionPause {
		t.Fatalf("action %v, want Pause", act)
	}
	for name, st := range map[string]*testenv.Stream{"trapping": s, "waiting": waiting} {
		lr := st.LocalResponse()
		if lr == nil || lr.StatusCode != 503 || lr.Details != "wasm_fail_stream" {
			t.Fatalf("%s stream: local response %+v, want Envoy's 503 wasm_fail_stream", name, lr)
		}
		var te *testenv.TrapError
		if !errors.As(st.Err(), &te) {
			t.Fatalf("%s stream: Err() = %v, want a *TrapError", name, st.Err())
		}
	}
	traps := env.Traps()
	if len(traps) != 1 {
		t.Fatalf("%d traps recorded, want 1", len(traps))
	}
	te := traps[0]
	if te.Where != "proxy_on_request_headers" || !strings.Contains(te.Stderr, "all goroutines are asleep - deadlock!") {
		t.Fatalf("trap where=%q stderr=%q", te.Where, te.Stderr)
	}
	if !strings.Contains(te.Calls, "==> guest.proxy_on_request_headers(context_id=3,") ||
		!strings.Contains(te.Calls, "<== (did not return)") || !strings.Contains(te.Calls, "==> env.proxy_log(") {
		t.Fatalf("last ABI calls lack the trapping callback:\n%s", te.Calls)
	}
	// The instance was discarded and started again: _initialize, root context, configure.
	if n := len(logged(env, "configure: ")); n != 2 {
		t.Fatalf("%d configure logs, want 2 (start and restart)", n)
	}
	// Streams of the dead instance take no more callbacks; new streams work.
	if act := waiting.RequestBody([]byte("x"), true); act != testenv.ActionNotDelivered {
		t.Fatalf("old stream body: %v", act)
	}
	waiting.Complete()
	s.Complete()
	s2 := env.NewStream()
	if act := s2.RequestHeaders(reqHeaders(script("reqhdr", "log:after")), true); act != testenv.ActionContinue {
		t.Fatalf("after restart: %v", act)
	}
	wantLog(t, env, "reqhdr log:after -> logged after")
	s2.Complete()
}

func TestEnv_TrapKinds(t *testing.T) {
	tests := []struct {
		name      string
		cmd       string
		wantTrap  string // substring of the trap error; "" means no trap
		wantLocal int
	}{
		{name: "fatal error in the Go runtime", cmd: "deadlock", wantTrap: "unreachable", wantLocal: 503},
		{name: "proc_exit", cmd: "exit", wantTrap: "proc_exit(3)", wantLocal: 503},
		{name: "a Go panic is recovered by the binding (fails closed, no trap)", cmd: "panic", wantLocal: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testenv.New(t, guest(t, "scripted"), testenv.TolerateTraps())
			s := env.NewStream()
			s.RequestHeaders(reqHeaders(script("reqhdr", tc.cmd)), true)
			if lr := s.LocalResponse(); lr == nil || lr.StatusCode != tc.wantLocal {
				t.Fatalf("local response %+v, want %d", lr, tc.wantLocal)
			}
			traps := env.Traps()
			if tc.wantTrap == "" {
				if len(traps) != 0 {
					t.Fatalf("unexpected trap: %v", traps[0])
				}
				return
			}
			if len(traps) != 1 || !strings.Contains(traps[0].Err.Error(), tc.wantTrap) {
				t.Fatalf("traps %v, want one containing %q", traps, tc.wantTrap)
			}
		})
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and stops the goroutine, so a
// test can check what Env reports on a trap.
type fatalRecorder struct {
	testing.TB
	msg      string
	cleanups []func()
}

func (f *fatalRecorder) Helper()           {}
func (f *fatalRecorder) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestEnv_TrapFailsTheTest(t *testing.T) {
	wasm := guest(t, "scripted")
	rec := &fatalRecorder{}
	done := make(chan bool)
	go func() {
		reached := false
		defer func() { done <- reached }()
		env := testenv.New(rec, wasm)
		s := env.NewStream()
		s.RequestHeaders(reqHeaders(script("reqhdr", "stderr:about to die;deadlock")), true)
		reached = true // not reached: Fatalf stops the test goroutine
	}()
	if <-done {
		t.Fatal("the trap did not stop the test")
	}
	for _, fn := range rec.cleanups {
		fn()
	}
	for _, want := range []string{"vm0: guest trapped in proxy_on_request_headers", "guest stderr:",
		"about to die", "fatal error: all goroutines are asleep - deadlock!", "last ABI calls:",
		"==> guest.proxy_on_request_headers(context_id=2,"} {
		if !strings.Contains(rec.msg, want) {
			t.Errorf("Fatalf message lacks %q:\n%s", want, rec.msg)
		}
	}
}

func TestEnv_RestrictedCallbacks(t *testing.T) {
	t.Run("during _initialize", func(t *testing.T) {
		_, err := testenv.NewHost(guestBuild(t, "raw", "-X=main.initMode=forbidden"))
		if err == nil || !strings.Contains(err.Error(),
			"restricted_callback: env.proxy_get_current_time_nanoseconds called during _initialize") {
			t.Fatalf("got %v, want a restricted_callback trap in _initialize", err)
		}
	})
	t.Run("during proxy_on_memory_allocate", func(t *testing.T) {
		env := testenv.New(t, guest(t, "raw"), testenv.TolerateTraps())
		s := env.NewStream()
		s.RequestHeaders(numbered(6, [2]string{"x", "1"}), true) // 6 headers: the allocator calls the host
		traps := env.Traps()
		if len(traps) != 1 || !strings.Contains(traps[0].Error(),
			"restricted_callback: env.proxy_get_current_time_nanoseconds called during proxy_on_memory_allocate") {
			t.Fatalf("traps %v, want a restricted_callback trap in the allocator", traps)
		}
		if lr := s.LocalResponse(); lr == nil || lr.StatusCode != 503 {
			t.Fatalf("local response %+v", lr)
		}
	})
}

// numbered returns n request headers (h1..), the first ones given.
func numbered(n int, first ...[2]string) [][2]string {
	h := append([][2]string(nil), first...)
	for len(h) < n {
		h = append(h, [2]string{"h" + strconv.Itoa(len(h)), "v"})
	}
	return h
}

func TestWASIShimAndABIStatuses(t *testing.T) {
	realtime := strconv.FormatInt(testenv.DefaultStartTime.UnixNano(), 10)
	tests := []struct {
		name  string
		n     int // number of request headers: selects the raw guest's behaviour
		first [][2]string
		want  []string
	}{
		{name: "random_get refuses more than 64 KiB", n: 1, want: []string{"random_get(65537)=28", "random_get(65536)=0"}},
		{name: "fd_fdstat_set_flags is ENOSYS", n: 2, want: []string{"fd_fdstat_set_flags(1)=52"}},
		{name: "no preopens: fd_prestat_get is EBADF", n: 3, want: []string{"fd_prestat_get(3)=8"}},
		{name: "clocks 0 and 1 only; realtime is the host clock", n: 4,
			want: []string{"clock_time_get(2)=28", "clock_time_get(0)=0", "realtime=" + realtime}},
		{name: "poll_oneoff returns no event at once", n: 5, want: []string{"poll_oneoff=0", "nevents=0"}},
		{name: "proxy_log above critical is BadArgument", n: 7, want: []string{"proxy_log(9)=2"}},
		{name: "bad pointers are InvalidMemoryAccess", n: 8, first: [][2]string{{"a", "1"}},
			want: []string{"get_header(key out of bounds)=6", "get_header(out-param out of bounds)=6"}},
		{name: "unknown context is BadArgument", n: 9, want: []string{"set_effective_context(999)=2"}},
		{name: "sizes, status, log level, done, foreign functions, stream types, gRPC", n: 10, want: []string{
			"get_header_map_size=0", "size=30", // h0..h9 with value "v": 10*(2+1) bytes
			"get_buffer_status(vm_configuration)=0", "buffer size=3",
			"get_buffer_status(plugin_configuration)=1", // NotFound outside on_configure
			"get_log_level=0", "level=0", "proxy_done=0", "get_status=0",
			"call_foreign_function=1",                       // NotFound: none registered
			"continue_stream(3)=12", "continue_stream(2)=0", // upstream Unimplemented, downstream Ok
			"continue_stream(7)=2", "grpc_call=12"}},
	}
	env := testenv.New(t, guest(t, "raw"), testenv.VMConfig("abc"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := env.NewStream()
			s.RequestHeaders(numbered(tc.n, tc.first...), true)
			s.Complete()
			for _, w := range tc.want {
				wantLog(t, env, w)
			}
		})
	}
	// Every misuse above was recorded with the host call named.
	all := strings.Join(env.Misuses(), "\n")
	for _, want := range []string{"proxy_log: level 9", "proxy_get_header_map_value: pointer 4294967040",
		"proxy_set_effective_context(999): no such context"} {
		if !strings.Contains(all, want) {
			t.Errorf("misuses lack %q:\n%s", want, all)
		}
	}
}

func TestWASI_StdoutStderrToLogs(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"))
	s := env.NewStream()
	s.RequestHeaders(reqHeaders(script("reqhdr", "stdout:to stdout;stderr:to stderr")), true)
	s.Complete()
	var out, errl *testenv.Log
	for _, l := range env.Logs() {
		l := l
		switch l.Message {
		case "to stdout":
			out = &l
		case "to stderr":
			errl = &l
		}
	}
	if out == nil || out.Source != "stdout" || out.Level != testenv.LogInfo {
		t.Fatalf("stdout line: %+v", out)
	}
	if errl == nil || errl.Source != "stderr" || errl.Level != testenv.LogError {
		t.Fatalf("stderr line: %+v", errl)
	}
}

func TestStream_CloseAndLegacyContinue(t *testing.T) {
	env := testenv.New(t, guest(t, "raw"))
	s := env.NewStream()
	s.RequestHeaders(numbered(11), false)
	if !s.Reset() || !s.Ended() || s.LocalResponse() != nil {
		t.Fatalf("close_stream: reset=%v ended=%v local=%v", s.Reset(), s.Ended(), s.LocalResponse())
	}
	if act := s.RequestBody([]byte("x"), true); act != testenv.ActionNotDelivered {
		t.Fatalf("body after close: %v", act)
	}
	s.Complete()

	s = env.NewStream()
	if act := s.RequestHeaders(numbered(12), true); act != testenv.ActionPause {
		t.Fatalf("action %v, want the guest's Pause", act)
	}
	wantLog(t, env, "continue_request=0")
	if s.RequestPaused() || s.UpstreamRequestHeaders() == nil {
		t.Fatal("a continue made inside the callback did not resume the stream after it paused")
	}
	s.Complete()
}

func TestEnv_LogLevel(t *testing.T) {
	env := testenv.New(t, guest(t, "raw"), testenv.WithLogLevel(testenv.LogWarn))
	s := env.NewStream()
	s.RequestHeaders(numbered(10), true)
	s.Complete()
	// The raw guest logs at info: below warn, so Envoy's logger (and testenv) drop it.
	if msgs := env.LogMessages(testenv.LogTrace); len(msgs) != 0 {
		t.Fatalf("info logs kept at level warn: %q", msgs)
	}
	env2 := testenv.New(t, guest(t, "raw"), testenv.WithLogLevel(testenv.LogInfo))
	s = env2.NewStream()
	s.RequestHeaders(numbered(10), true)
	s.Complete()
	wantLog(t, env2, "level=2") // proxy_get_log_level reports the configured level
}
