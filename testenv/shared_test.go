package testenv_test

import (
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
)

func TestClock_Ticks(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"),
		testenv.PluginConfig("start=tick:100\ntick=time;metric:counter:ticks:inc:1"))
	env.Clock().Advance(99 * time.Millisecond)
	if logged(env, "tick 1") != nil {
		t.Fatal("tick before its period")
	}
	env.Clock().Advance(251 * time.Millisecond) // to 350 ms
	// Each tick fires at its own instant, in order.
	wantLog(t, env, "tick time -> 2026-01-01T00:00:00.1Z")
	wantLog(t, env, "tick time -> 2026-01-01T00:00:00.2Z")
	wantLog(t, env, "tick time -> 2026-01-01T00:00:00.3Z")
	if v, _ := env.Metric("ticks"); v != 3 {
		t.Fatalf("ticks = %d, want 3", v)
	}
	if got := env.Clock().Now(); !got.Equal(testenv.DefaultStartTime.Add(350 * time.Millisecond)) {
		t.Fatalf("clock at %v", got)
	}
	// A stream sees the same clock; setting the period to 0 stops the ticks.
	s := env.NewStream()
	s.RequestHeaders(reqHeaders(script("reqhdr", "time;tick:0")), true)
	s.Complete()
	wantLog(t, env, "reqhdr time -> 2026-01-01T00:00:00.35Z")
	env.Clock().Advance(time.Second)
	if v, _ := env.Metric("ticks"); v != 3 {
		t.Fatalf("ticks = %d after disabling, want 3", v)
	}
}

func TestClock_GuestTimeNowFollowsTheHostClock(t *testing.T) {
	start := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	env := testenv.New(t, guest(t, "scripted"), testenv.StartTime(start))
	env.Clock().Advance(time.Hour)
	s := env.NewStream()
	// time.Now in the guest reads the WASI realtime clock; time.Sleep busy-spins on poll_oneoff
	// returning no event, as in Envoy, and still finishes because the monotonic clock moves.
	s.RequestHeaders(reqHeaders(script("reqhdr", "gotime;sleep:5")), true)
	s.Complete()
	wantLog(t, env, "reqhdr gotime -> 2030-05-01T13:00:00Z")
	wantLog(t, env, "reqhdr sleep:5 -> slept")
}

func TestSharedData_CASAcrossVMs(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.Workers(2))
	run := func(vm int, cmds string) {
		s := env.VM(vm).NewStream()
		s.RequestHeaders(reqHeaders(script("reqhdr", cmds)), true)
		s.Complete()
	}
	run(0, "shared:get:k;shared:set:k:v1:0;shared:get:k") // VM 0 creates k and remembers its CAS
	run(1, "shared:get:k;shared:setcas:k:v2")             // VM 1 updates k with the current CAS
	run(0, "shared:setcas:k:v3")                          // VM 0's CAS is stale now
	run(0, "shared:get:k;shared:setcas:k:v3")             // re-read, then it works
	for _, w := range []string{
		"reqhdr shared:get:k -> NotFound",
		"reqhdr shared:set:k:v1:0 -> ok",
		`reqhdr shared:get:k -> "v1" cas=1`,
		"reqhdr shared:setcas:k:v2 -> ok",
		"reqhdr shared:setcas:k:v3 -> CasMismatch",
		`reqhdr shared:get:k -> "v2" cas=2`,
		"reqhdr shared:setcas:k:v3 -> ok",
	} {
		wantLog(t, env, w)
	}
	if got := string(env.SharedData()["k"]); got != "v3" {
		t.Fatalf("shared k = %q", got)
	}
	// Logs name the VM each line came from.
	for _, l := range env.Logs() {
		if l.Message == "reqhdr shared:setcas:k:v2 -> ok" && l.VM != 1 {
			t.Fatalf("v2 was written by vm%d, want vm1", l.VM)
		}
	}
}

func TestSharedQueue_NotifiesTheRegisteringVM(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.Workers(2), testenv.VMID("vmid"),
		testenv.PluginConfig("start=register:jobs\nqueue=dequeue;dequeue"))
	s := env.VM(0).NewStream()
	s.RequestHeaders(reqHeaders(script("reqhdr", "enqueue:vmid:jobs:hello;enqueue:vmid:nope:x")), true)
	s.Complete()
	wantLog(t, env, "reqhdr enqueue:vmid:jobs:hello -> ok")
	wantLog(t, env, "reqhdr enqueue:vmid:nope:x -> resolve NotFound")
	wantLog(t, env, `queue dequeue -> "hello"`)
	wantLog(t, env, "queue dequeue -> Empty")
	// Both VMs registered "jobs"; as in cpp-host the last registration (vm1) gets the notifications.
	for _, l := range env.Logs() {
		if l.Message == "queue ready 1" && l.VM != 1 {
			t.Fatalf("queue ready delivered on vm%d, want vm1", l.VM)
		}
	}
}

func TestMetrics(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.Workers(2), testenv.RecordTrace())
	env.ResetTrace()
	for vm := 0; vm < 2; vm++ {
		s := env.VM(vm).NewStream()
		s.RequestHeaders(reqHeaders(script("reqhdr",
			"metric:counter:reqs:inc:2;metric:counter:reqs:inc:0;metric:gauge:g:add:-3;"+
				"metric:histogram:h:record:7;metric:histogram:h:get;metric:counter:reqs:get;metric:gauge:g:get")), true)
		s.Complete()
	}
	m := env.Metrics()
	if m["reqs"].Value != 4 || m["reqs"].Type != testenv.MetricCounter {
		t.Errorf("reqs = %+v, want a counter at 4 (both VMs share it)", m["reqs"])
	}
	if m["g"].Value != -6 || m["g"].Type != testenv.MetricGauge {
		t.Errorf("g = %+v, want a gauge at -6", m["g"])
	}
	if h := m["h"]; h.Type != testenv.MetricHistogram || len(h.Samples) != 2 || h.Samples[0] != 7 {
		t.Errorf("h = %+v, want two samples of 7", h)
	}
	wantLog(t, env, "reqhdr metric:counter:reqs:inc:0 -> panic") // the binding panics on host errors
	wantLog(t, env, "reqhdr metric:counter:reqs:get -> 2")
	wantLog(t, env, "reqhdr metric:counter:reqs:get -> 4") // one value across VMs
	tr := env.Trace()
	for _, want := range []string{
		// counter offsets must be positive; histograms have no value
		"==> env.proxy_increment_metric(metric_id=4,offset=0)\n<== status=BadArgument",
		"==> env.proxy_get_metric(metric_id=6)\n<== status=BadArgument",
		"==> env.proxy_increment_metric(metric_id=1,offset=-3)\n<== status=Ok",
		// the id carries the type in its low 2 bits (each define makes a new id, stepping by 4)
		"metric_type=0,metric_name=\"reqs\")\n<== status=Ok,metric_id=0",
		"metric_type=1,metric_name=\"g\")\n<== status=Ok,metric_id=1",
		"metric_type=2,metric_name=\"h\")\n<== status=Ok,metric_id=2",
		"metric_type=0,metric_name=\"reqs\")\n<== status=Ok,metric_id=4"} {
		if !contains(tr, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
}
