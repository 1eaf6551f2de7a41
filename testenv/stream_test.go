package testenv_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

func TestStream_RequestHeaderCalls(t *testing.T) {
	tests := []struct {
		name      string
		script    string
		extra     [][2]string
		wantLogs  []string
		wantUp    map[string]string // upstream header -> value ("" = absent)
		wantPairs [][2]string       // if set, the exact upstream headers minus x-script-*
	}{
		{
			name:     "get is case-insensitive and returns the first value",
			script:   "get:req:USER-AGENT;get:req:x-dup;get:req:missing",
			extra:    [][2]string{{"x-dup", "1"}, {"x-dup", "2"}},
			wantLogs: []string{"reqhdr get:req:USER-AGENT -> testenv", "reqhdr get:req:x-dup -> 1", "reqhdr get:req:missing -> NotFound"},
		},
		{
			name:     "add, replace and remove are visible upstream",
			script:   "add:req:X-User:alice;replace:req:x-dup:only;remove:req:user-agent;replace:req:x-new:n",
			extra:    [][2]string{{"x-dup", "1"}, {"x-dup", "2"}},
			wantLogs: []string{"reqhdr add:req:X-User:alice -> ok", "reqhdr remove:req:user-agent -> ok"},
			wantUp:   map[string]string{"x-user": "alice", "x-dup": "only", "user-agent": "", "x-new": "n"},
		},
		{
			name:      "set pairs replaces the whole map, including :path",
			script:    "setpairs:req:^method=POST,^path=/rewritten,^authority=up",
			wantPairs: [][2]string{{":method", "POST"}, {":path", "/rewritten"}, {":authority", "up"}},
		},
		{
			name:     "pairs lists every header in order",
			script:   "pairs:req",
			wantLogs: []string{"reqhdr pairs:req -> [:method=GET,:path=/api/items?x=1,:authority=example.com,:scheme=https,x-request-id=req-1,user-agent=testenv,x-script-reqhdr=pairs:req]"},
		},
		{
			name:     "response maps are not available during request headers",
			script:   "get:resp:^status;add:resp:x:y",
			wantLogs: []string{"reqhdr get:resp:^status -> BadArgument", "reqhdr add:resp:x:y -> BadArgument"},
		},
	}
	env := testenv.New(t, guest(t, "scripted"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env.ClearLogs()
			s := env.NewStream()
			h := reqHeaders(tc.extra...)
			h = append(h, script("reqhdr", tc.script))
			if act := s.RequestHeaders(h, true); act != testenv.ActionContinue {
				t.Fatalf("action %v, want Continue", act)
			}
			for _, w := range tc.wantLogs {
				wantLog(t, env, w)
			}
			for k, v := range tc.wantUp {
				got, ok := s.UpstreamRequestHeader(k)
				if v == "" && ok {
					t.Errorf("upstream %s = %q, want absent", k, got)
				} else if v != "" && got != v {
					t.Errorf("upstream %s = %q, want %q", k, got, v)
				}
			}
			if tc.wantPairs != nil && !slices.Equal(s.UpstreamRequestHeaders(), tc.wantPairs) {
				t.Errorf("upstream headers %q, want %q", s.UpstreamRequestHeaders(), tc.wantPairs)
			}
			s.Complete()
		})
	}
}

func TestStream_HeadersUnreadableAfterContinue(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"))
	s := env.NewStream()
	s.RequestHeaders(reqHeaders(
		script("reqhdr", "get:req:user-agent"),
		script("resphdr", "get:req:user-agent;add:req:x:y;pairs:req;get:resp:content-type;add:resp:x-resp:1"),
		script("respbody", "get:resp:content-type"),
		script("log", "get:req:user-agent;get:resp:x-resp;get:resp:missing;add:req:late:1;pairs:resptrl;get:reqtrl:x"),
	), true)
	s.ResponseHeaders(respHeaders, false)
	s.ResponseBody([]byte("hi"), true)
	s.Complete()
	for _, w := range []string{
		"reqhdr get:req:user-agent -> testenv",
		// once the request continued, Envoy drops its pointer to the request headers
		"resphdr get:req:user-agent -> BadArgument",
		"resphdr add:req:x:y -> BadArgument",
		"resphdr pairs:req -> []", // pairs of an unavailable map: Ok with nothing
		"resphdr get:resp:content-type -> text/plain",
		"resphdr add:resp:x-resp:1 -> ok",
		"respbody get:resp:content-type -> BadArgument",
		// in on_log every map the stream had is readable again, and none is writable
		"log get:req:user-agent -> testenv",
		"log get:resp:x-resp -> 1",
		"log get:resp:missing -> NotFound",
		"log add:req:late:1 -> BadArgument",
		"log pairs:resptrl -> []",
		"log get:reqtrl:x -> NotFound",
	} {
		wantLog(t, env, w)
	}
	if got, _ := hmapGet(s.DownstreamResponseHeaders(), "x-resp"); got != "1" {
		t.Fatalf("downstream x-resp = %q", got)
	}
	var found bool
	for _, m := range env.Misuses() {
		if strings.Contains(m, "no longer available: the stream continued past the headers") {
			found = true
		}
	}
	if !found {
		t.Fatalf("reading headers after continue was not recorded as misuse: %q", env.Misuses())
	}
}

func hmapGet(h [][2]string, k string) (string, bool) {
	for _, p := range h {
		if p[0] == k {
			return p[1], true
		}
	}
	return "", false
}

func TestStream_PauseResume(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.ManualHttpCalls(),
		testenv.Cluster("idp", okHandler("allowed")))
	s := env.NewStream()
	act := s.RequestHeaders(reqHeaders(
		script("reqhdr", "call:idp:/check:1000;ret:pause"),
		script("callresp", "replace:req:x-checked:yes;resume:req"),
		script("reqbody", "body:req"),
	), false)
	if act != testenv.ActionPause || !s.RequestPaused() {
		t.Fatalf("action %v paused=%v, want Pause and paused", act, s.RequestPaused())
	}
	if s.UpstreamRequestHeaders() != nil {
		t.Fatal("headers went upstream while paused")
	}
	// Body arriving while paused is buffered by the host, not delivered.
	if act := s.RequestBody([]byte("abc"), true); act != testenv.ActionNotDelivered {
		t.Fatalf("body while paused: %v, want NotDelivered", act)
	}
	if logged(env, "reqbody") != nil {
		t.Fatal("body was delivered while paused")
	}
	if n := env.PendingHttpCalls(); n != 1 {
		t.Fatalf("%d pending calls, want 1", n)
	}
	if n := env.DeliverHttpCalls(); n != 1 {
		t.Fatalf("delivered %d calls, want 1", n)
	}
	if s.RequestPaused() || env.PendingHttpCalls() != 0 {
		t.Fatal("still paused (or call pending) after the callout resumed the request")
	}
	if got, _ := s.UpstreamRequestHeader("x-checked"); got != "yes" {
		t.Fatalf("upstream x-checked = %q (mutation from the http-call callback lost)", got)
	}
	wantLog(t, env, `callresp status=200 headers=2 body="allowed"`)
	wantLog(t, env, "callresp resume:req -> ok")
	// The buffered body is delivered after continue, as Envoy does after StopAllIteration.
	wantLog(t, env, "reqbody size=3 eos=true")
	wantLog(t, env, `reqbody body:req -> "abc"`)
	if got := string(s.UpstreamRequestBody()); got != "abc" {
		t.Fatalf("upstream body %q", got)
	}
	s.Complete()
}

func TestStream_ContinueOnRootIsIgnored(t *testing.T) {
	// A filter that forgets proxy_set_effective_context in the callback continues the root context:
	// Envoy returns Ok and nothing happens, so the request hangs. testenv does the same and records it.
	env := testenv.New(t, guest(t, "scripted"), testenv.Cluster("idp", okHandler("x")))
	s := env.NewStream()
	s.RequestHeaders(reqHeaders(
		script("reqhdr", "call:idp:/c:1000;ret:pause"),
		script("callresp", "effective:root;resume:req"),
	), true)
	wantLog(t, env, "callresp resume:req -> ok")
	if !s.RequestPaused() {
		t.Fatal("request resumed by a continue on the root context")
	}
	var found bool
	for _, m := range env.Misuses() {
		found = found || strings.Contains(m, "on the root context: there is no stream to continue")
	}
	if !found {
		t.Fatalf("misuse not recorded: %q", env.Misuses())
	}
	s.Complete()
}

func TestStream_LocalResponse(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"))
	s := env.NewStream()
	act := s.RequestHeaders(reqHeaders(
		script("reqhdr", "local:403:denied:access denied"),
		script("resphdr", "get:resp:^status;add:resp:x-seen-by-filter:1"),
		script("respbody", "body:resp"),
	), false)
	if act != testenv.ActionPause {
		t.Fatalf("action %v, want Pause (Envoy forces StopAllIteration after a local reply)", act)
	}
	lr := s.LocalResponse()
	if lr == nil {
		t.Fatal("no local response")
	}
	if lr.StatusCode != 403 || string(lr.Body) != "denied" || lr.Details != "access_denied" || lr.GrpcStatus != -1 {
		t.Fatalf("local response %+v", lr)
	}
	for k, v := range map[string]string{":status": "403", "x-local": "yes", "content-type": "text/plain",
		"content-length": "6", "x-seen-by-filter": "1"} {
		if got := lr.Header(k); got != v {
			t.Errorf("local response header %s = %q, want %q", k, got, v)
		}
	}
	// The local reply went through the filter's own response callbacks.
	wantLog(t, env, "resphdr get:resp:^status -> 403")
	wantLog(t, env, `respbody body:resp -> "denied"`)
	if s.UpstreamRequestHeaders() != nil || !s.Ended() {
		t.Fatal("request went upstream or stream not ended")
	}
	if act := s.RequestBody([]byte("late"), true); act != testenv.ActionNotDelivered {
		t.Fatalf("body after local reply: %v", act)
	}
	s.Complete()
}

func TestStream_Bodies(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"))
	t.Run("replace request body", func(t *testing.T) {
		s := env.NewStream()
		s.RequestHeaders(reqHeaders(script("reqbody", "body:req;setbody:req:replace:XYZ;setbody:req:append:!;setbody:req:prepend:<")), false)
		if act := s.RequestBody([]byte("abc"), true); act != testenv.ActionContinue {
			t.Fatalf("body action %v", act)
		}
		if got := string(s.UpstreamRequestBody()); got != "<XYZ!" {
			t.Fatalf("upstream body %q, want %q", got, "<XYZ!")
		}
		s.Complete()
	})
	t.Run("pausing a chunk accumulates the body", func(t *testing.T) {
		env.ClearLogs()
		s := env.NewStream()
		s.RequestHeaders(reqHeaders(script("reqbody", "body:req;ret:pause")), false)
		s.RequestBody([]byte("ab"), false)
		s.RequestBody([]byte("cd"), true)
		wantLog(t, env, "reqbody size=2 eos=false")
		wantLog(t, env, "reqbody size=4 eos=true")
		wantLog(t, env, `reqbody body:req -> "abcd"`)
		if !s.RequestPaused() || len(s.UpstreamRequestBody()) != 0 {
			t.Fatalf("paused=%v upstream body %q", s.RequestPaused(), s.UpstreamRequestBody())
		}
		s.Complete()
	})
	t.Run("response body and trailers", func(t *testing.T) {
		env.ClearLogs()
		s := env.NewStream()
		s.RequestHeaders(reqHeaders(
			script("respbody", "setbody:resp:append:+"),
			script("resptrl", "get:resptrl:grpc-status;add:resptrl:x-t:1"),
			script("reqtrl", "get:reqtrl:x-req-trailer")), false)
		s.RequestTrailers([][2]string{{"x-req-trailer", "v"}})
		s.ResponseHeaders(respHeaders, false)
		s.ResponseBody([]byte("body"), false)
		s.ResponseTrailers([][2]string{{"grpc-status", "0"}})
		wantLog(t, env, "reqtrl get:reqtrl:x-req-trailer -> v")
		wantLog(t, env, "respbody size=4 eos=false")
		wantLog(t, env, "resptrl get:resptrl:grpc-status -> 0")
		if got := string(s.DownstreamResponseBody()); got != "body+" {
			t.Fatalf("downstream body %q", got)
		}
		if got, _ := hmapGet(s.DownstreamResponseTrailers(), "x-t"); got != "1" {
			t.Fatalf("downstream trailers %q", s.DownstreamResponseTrailers())
		}
		if got, _ := hmapGet(s.UpstreamRequestTrailers(), "x-req-trailer"); got != "v" {
			t.Fatalf("upstream trailers %q", s.UpstreamRequestTrailers())
		}
		s.Complete()
	})
}

func TestStream_Properties(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.PluginName("tg"), testenv.RootID("root-a"),
		testenv.VMID("vm-a"), testenv.PluginConfig("start=prop:plugin_name;prop:request.path"))
	s := env.NewStream()
	s.RequestHeaders(reqHeaders([2]string{"referer", "https://r"}, script("reqhdr",
		"prop:request.path;prop:request.url_path;prop:request.method;prop:request.host;prop:request.scheme;"+
			"prop:request.id;prop:request.useragent;prop:request.referer;prop:plugin_root_id;prop:plugin_vm_id;"+
			"prop:source.address;setprop:my.prop:v1;prop:my.prop")), true)
	s.Complete()
	for _, w := range []string{
		`start prop:plugin_name -> "tg"`,
		"start prop:request.path -> NotFound", // no stream on the root context
		`reqhdr prop:request.path -> "/api/items?x=1"`,
		`reqhdr prop:request.url_path -> "/api/items"`,
		`reqhdr prop:request.method -> "GET"`,
		`reqhdr prop:request.host -> "example.com"`,
		`reqhdr prop:request.scheme -> "https"`,
		`reqhdr prop:request.id -> "req-1"`,
		`reqhdr prop:request.useragent -> "testenv"`,
		`reqhdr prop:request.referer -> "https://r"`,
		`reqhdr prop:plugin_root_id -> "root-a"`,
		`reqhdr prop:plugin_vm_id -> "vm-a"`,
		"reqhdr prop:source.address -> NotFound",
		"reqhdr setprop:my.prop:v1 -> ok",
		`reqhdr prop:my.prop -> "v1"`,
	} {
		wantLog(t, env, w)
	}
}

func TestStream_EffectiveContext(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"))
	s := env.NewStream()
	s.RequestHeaders(reqHeaders(script("reqhdr", "effective:999;effective:root;get:req:user-agent;effective:self;get:req:user-agent"),
		script("log", "effective:self")), true)
	s.Complete()
	wantLog(t, env, "log effective:self -> ok") // a stream is addressable until on_delete returns
	wantLog(t, env, "reqhdr effective:999 -> BadArgument")
	wantLog(t, env, "reqhdr get:req:user-agent -> BadArgument") // the root context has no request
	wantLog(t, env, "reqhdr get:req:user-agent -> testenv")
}
