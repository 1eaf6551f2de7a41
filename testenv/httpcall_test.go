package testenv_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
)

func TestHttpCall_Outcomes(t *testing.T) {
	// A port nothing listens on: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String()
	ln.Close()

	real := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-real", r.URL.Path)
		_, _ = io.WriteString(w, "from a real server")
	}))
	defer real.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // the upstream, not the test, waits in real time
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()

	tests := []struct {
		name    string
		opts    []testenv.Option
		call    string        // the guest's call command
		advance time.Duration // clock advance after the request
		want    []string      // logs
	}{
		{
			name: "success from an in-process handler",
			opts: []testenv.Option{testenv.Cluster("idp", okHandler("hello"))},
			call: "call:idp:/x:1000",
			want: []string{"reqhdr call:idp:/x:1000 -> dispatched 1", `callresp status=200 headers=2 body="hello"`},
		},
		{
			name: "success from a real http:// server",
			opts: []testenv.Option{testenv.ClusterURL("idp", real.URL)},
			call: "call:idp:/path:5000",
			want: []string{`callresp status=200 headers=5 body="from a real server"`, "callresp get:call:x-real -> /path"},
		},
		{
			name:    "timeout is a 504 at dispatch+timeout",
			opts:    []testenv.Option{testenv.Cluster("idp", okHandler("late")), testenv.ClusterDelay("idp", 2*time.Second)},
			call:    "call:idp:/x:500",
			advance: 500 * time.Millisecond,
			want:    []string{`callresp status=504 headers=3 body="upstream request timeout"`},
		},
		{
			name:    "a delay shorter than the timeout arrives when the clock gets there",
			opts:    []testenv.Option{testenv.Cluster("idp", okHandler("slow")), testenv.ClusterDelay("idp", 300*time.Millisecond)},
			call:    "call:idp:/x:500",
			advance: 300 * time.Millisecond,
			want:    []string{`callresp status=200 headers=2 body="slow"`},
		},
		{
			name: "a real upstream slower than the timeout in real time is a 504",
			opts: []testenv.Option{testenv.ClusterURL("idp", slow.URL)},
			call: "call:idp:/x:100",
			want: []string{`callresp status=504 headers=3 body="upstream request timeout"`},
		},
		{
			name: "connection failure is a 503",
			opts: []testenv.Option{testenv.ClusterURL("idp", closedURL)},
			call: "call:idp:/x:1000",
			want: []string{`callresp status=503 headers=3 body="upstream connect error or disconnect/reset before headers. reset reason: connection failure"`},
		},
		{
			name: "a reset has no headers",
			opts: []testenv.Option{testenv.Cluster("idp", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				panic(http.ErrAbortHandler)
			}))},
			call: "call:idp:/x:1000",
			want: []string{`callresp status= headers=0 body=""`},
		},
		{
			name: "unknown cluster is BadArgument",
			opts: []testenv.Option{testenv.Cluster("idp", okHandler(""))},
			call: "call:nope:/x:1000",
			want: []string{"reqhdr call:nope:/x:1000 -> BadArgument"},
		},
		{
			name: "missing :authority is BadArgument",
			opts: []testenv.Option{testenv.Cluster("idp", okHandler(""))},
			call: "call:idp:/x:1000:^authority",
			want: []string{"reqhdr call:idp:/x:1000:^authority -> BadArgument"},
		},
		{
			name: "missing :path is BadArgument",
			opts: []testenv.Option{testenv.Cluster("idp", okHandler(""))},
			call: "call:idp:/x:1000:^path",
			want: []string{"reqhdr call:idp:/x:1000:^path -> BadArgument"},
		},
	}
	wasm := guest(t, "scripted")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testenv.New(t, wasm, tc.opts...)
			s := env.NewStream()
			s.RequestHeaders(reqHeaders(script("reqhdr", tc.call+";ret:pause"),
				script("callresp", "get:call:x-real;resume:req")), true)
			if tc.advance > 0 {
				if logged(env, "callresp status") != nil {
					t.Fatal("response delivered before the clock reached it")
				}
				env.Clock().Advance(tc.advance - time.Millisecond)
				if logged(env, "callresp status") != nil {
					t.Fatal("response delivered 1ms early")
				}
				env.Clock().Advance(time.Millisecond)
			}
			for _, w := range tc.want {
				wantLog(t, env, w)
			}
			if strings.Contains(tc.want[0], "callresp status") && s.RequestPaused() {
				t.Fatal("request still paused after the callback resumed it")
			}
			s.Complete()
		})
	}
}

func TestHttpCall_DeliveredToRootAfterTheCallReturns(t *testing.T) {
	env := testenv.New(t, guest(t, "scripted"), testenv.RecordTrace(), testenv.Workers(1),
		testenv.Cluster("idp", okHandler("ok")))
	env.ResetTrace()
	s := env.NewStream() // context id 2; the root is 1
	s.RequestHeaders(reqHeaders(script("reqhdr", "call:idp:/x:1000;ret:pause"), script("callresp", "resume:req")), true)
	tr := env.Trace()
	ret := strings.Index(tr, "<== action=Pause")
	resp := strings.Index(tr, "==> guest.proxy_on_http_call_response(root_context_id=1,callout_id=1,")
	if ret < 0 || resp < 0 || resp < ret {
		t.Fatalf("want proxy_on_http_call_response on the root id after on_request_headers returned:\n%s", tr)
	}
	calls := env.HttpCalls()
	if len(calls) != 1 || calls[0].Cluster != "idp" || calls[0].Timeout != time.Second || calls[0].StatusCode != 200 {
		t.Fatalf("HttpCalls() = %+v", calls)
	}
	if got, _ := hmapGet(calls[0].Headers, ":authority"); got != "idp" {
		t.Fatalf("call headers %q", calls[0].Headers)
	}
	s.Complete()
}
