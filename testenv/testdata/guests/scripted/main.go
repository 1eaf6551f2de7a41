// Command scripted is a guest module for testenv's own tests. Provenance: written for testenv (not
// generated, not copied); built by testenv's tests with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o scripted.wasm ./testdata/guests/scripted
//
// against the project's binding (internal/proxywasm). One module exercises every host call: what
// it does is scripted by its plugin configuration and by x-script-<phase> request headers, and it
// logs every outcome at info level as "<command> -> <result>", which the tests assert on.
//
// Plugin configuration: lines of key=value.
//
//	start=<commands>   run in OnPluginStart (proxy_on_configure)
//	fail=1             OnPluginStart logs an error and returns false
//	tick=<commands>    run on every proxy_on_tick
//	queue=<commands>   run on every proxy_on_queue_ready (with the queue id in $q)
//
// Request headers x-script-reqhdr, -reqbody, -reqtrl, -resphdr, -respbody, -resptrl, -callresp,
// -log and -done hold commands for that callback (read once, in OnHttpRequestHeaders, because
// request headers are unreadable later). Commands are separated by ';', arguments by ':' ('^' in an
// argument stands for ':', as in "get:req:^path"); see exec.
package main

import (
	"crypto/rand"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/tokengate/tokengate/internal/proxywasm"
)

func main() {}

func init() { proxywasm.SetVMContext(&vmCtx{}) }

type vmCtx struct{ types.DefaultVMContext }

func (*vmCtx) OnVMStart(vmConfigurationSize int) types.OnVMStartStatus {
	proxywasm.LogInfo("vm start: vm_configuration_size=" + strconv.Itoa(vmConfigurationSize))
	return true
}

func (*vmCtx) NewPluginContext(uint32) types.PluginContext { return &plugin{cfg: map[string]string{}} }

type plugin struct {
	types.DefaultPluginContext
	cfg     map[string]string
	cas     uint32 // last CAS seen by shared:get, for shared:setcas
	queueID uint32
	ticks   int
}

func (p *plugin) OnPluginStart(pluginConfigurationSize int) types.OnPluginStartStatus {
	raw, err := proxywasm.GetPluginConfiguration()
	if err != nil {
		proxywasm.LogError("configure: " + errName(err))
		return false
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			p.cfg[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	proxywasm.LogInfo("configure: " + strconv.Itoa(pluginConfigurationSize) + " bytes")
	if p.cfg["fail"] == "1" {
		proxywasm.LogError("configure: refusing to start (fail=1)")
		return false
	}
	p.run(nil, "start", p.cfg["start"])
	return true
}

func (p *plugin) OnTick() {
	p.ticks++
	proxywasm.LogInfo("tick " + strconv.Itoa(p.ticks))
	p.run(nil, "tick", p.cfg["tick"])
}

func (p *plugin) OnQueueReady(queueID uint32) {
	p.queueID = queueID
	proxywasm.LogInfo("queue ready " + strconv.FormatUint(uint64(queueID), 10))
	p.run(nil, "queue", p.cfg["queue"])
}

func (p *plugin) NewHttpContext(contextID uint32) types.HttpContext {
	return &stream{p: p, id: contextID, scripts: map[string]string{}}
}

type stream struct {
	types.DefaultHttpContext
	p       *plugin
	id      uint32
	scripts map[string]string
}

var phases = []string{"reqhdr", "reqbody", "reqtrl", "resphdr", "respbody", "resptrl", "callresp", "log", "done"}

func (s *stream) OnHttpRequestHeaders(numHeaders int, endOfStream bool) types.Action {
	for _, ph := range phases {
		if v, err := proxywasm.GetHttpRequestHeader("x-script-" + ph); err == nil {
			s.scripts[ph] = v
		}
	}
	return s.p.run(s, "reqhdr", s.scripts["reqhdr"])
}

func (s *stream) OnHttpRequestBody(bodySize int, endOfStream bool) types.Action {
	proxywasm.LogInfo("reqbody size=" + strconv.Itoa(bodySize) + " eos=" + strconv.FormatBool(endOfStream))
	return s.p.run(s, "reqbody", s.scripts["reqbody"])
}

func (s *stream) OnHttpRequestTrailers(numTrailers int) types.Action {
	return s.p.run(s, "reqtrl", s.scripts["reqtrl"])
}

func (s *stream) OnHttpResponseHeaders(numHeaders int, endOfStream bool) types.Action {
	return s.p.run(s, "resphdr", s.scripts["resphdr"])
}

func (s *stream) OnHttpResponseBody(bodySize int, endOfStream bool) types.Action {
	proxywasm.LogInfo("respbody size=" + strconv.Itoa(bodySize) + " eos=" + strconv.FormatBool(endOfStream))
	return s.p.run(s, "respbody", s.scripts["respbody"])
}

func (s *stream) OnHttpResponseTrailers(numTrailers int) types.Action {
	return s.p.run(s, "resptrl", s.scripts["resptrl"])
}

func (s *stream) OnHttpStreamDone() { s.p.run(s, "log", s.scripts["log"]) }

// run executes a script and returns the action its "ret" command chose (Continue by default).
func (p *plugin) run(s *stream, phase, script string) types.Action {
	act := types.ActionContinue
	if script == "" {
		return act
	}
	for _, cmd := range strings.Split(script, ";") {
		if cmd == "" {
			continue
		}
		args := strings.Split(cmd, ":")
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "^", ":") // "^path" stands for ":path"
		}
		if args[0] == "ret" {
			if len(args) > 1 && args[1] == "pause" {
				act = types.ActionPause
			}
			continue
		}
		res := p.exec(s, args)
		proxywasm.LogInfo(phase + " " + cmd + " -> " + res)
	}
	return act
}

func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func num(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func errName(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, types.ErrorStatusNotFound):
		return "NotFound"
	case errors.Is(err, types.ErrorStatusBadArgument):
		return "BadArgument"
	case errors.Is(err, types.ErrorStatusEmpty):
		return "Empty"
	case errors.Is(err, types.ErrorStatusCasMismatch):
		return "CasMismatch"
	case errors.Is(err, types.ErrorUnimplemented):
		return "Unimplemented"
	case errors.Is(err, types.ErrorInternalFailure):
		return "InternalFailure"
	}
	return "error(" + err.Error() + ")"
}

func pairsString(h [][2]string) string {
	parts := make([]string, len(h))
	for i, p := range h {
		parts[i] = p[0] + "=" + p[1]
	}
	return strings.Join(parts, ",")
}

func parsePairs(s string) [][2]string {
	var out [][2]string
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// guarded runs f, turning a panic (the binding's metric calls panic on host errors, as the SDK's
// do) into a result string.
func guarded(f func() string) (res string) {
	defer func() {
		if r := recover(); r != nil {
			res = "panic"
			if e, ok := r.(error); ok {
				res = "panic " + errName(e)
			}
		}
	}()
	return f()
}

// exec runs one command and describes its outcome.
func (p *plugin) exec(s *stream, a []string) string {
	switch a[0] {
	case "log":
		return "logged " + arg(a, 1)
	case "get": // get:<map>:<key>
		v, err := getHeader(arg(a, 1), arg(a, 2))
		if err != nil {
			return errName(err)
		}
		return v
	case "pairs": // pairs:<map>
		h, err := getPairs(arg(a, 1))
		if err != nil {
			return errName(err)
		}
		return "[" + pairsString(h) + "]"
	case "add", "replace": // add:<map>:<key>:<value>
		return errName(setHeader(a[0], arg(a, 1), arg(a, 2), arg(a, 3)))
	case "remove":
		return errName(setHeader("remove", arg(a, 1), arg(a, 2), ""))
	case "setpairs": // setpairs:<map>:k=v,k=v
		if arg(a, 1) == "req" {
			return errName(proxywasm.ReplaceHttpRequestHeaders(parsePairs(arg(a, 2))))
		}
		return errName(proxywasm.ReplaceHttpResponseHeaders(parsePairs(arg(a, 2))))
	case "body": // body:<req|resp>
		var b []byte
		var err error
		if arg(a, 1) == "req" {
			b, err = proxywasm.GetHttpRequestBody(0, 1<<20)
		} else {
			b, err = proxywasm.GetHttpResponseBody(0, 1<<20)
		}
		if err != nil {
			return errName(err)
		}
		return strconv.Quote(string(b))
	case "setbody": // setbody:<req|resp>:<replace|append|prepend>:<text>
		data := []byte(arg(a, 3))
		req := arg(a, 1) == "req"
		var err error
		switch arg(a, 2) {
		case "append":
			if req {
				err = proxywasm.AppendHttpRequestBody(data)
			} else {
				err = proxywasm.AppendHttpResponseBody(data)
			}
		case "prepend":
			if req {
				err = proxywasm.PrependHttpRequestBody(data)
			} else {
				err = proxywasm.PrependHttpResponseBody(data)
			}
		default:
			if req {
				err = proxywasm.ReplaceHttpRequestBody(data)
			} else {
				err = proxywasm.ReplaceHttpResponseBody(data)
			}
		}
		return errName(err)
	case "local": // local:<code>:<body>:<details>
		return errName(proxywasm.SendHttpResponseWithDetails(uint32(num(arg(a, 1))), arg(a, 3),
			[][2]string{{"x-local", "yes"}}, []byte(arg(a, 2)), -1))
	case "call": // call:<cluster>:<path>:<timeout ms>[:<omit header>]
		return p.call(s, a)
	case "resume": // resume:<req|resp>
		if arg(a, 1) == "resp" {
			return errName(proxywasm.ResumeHttpResponse())
		}
		return errName(proxywasm.ResumeHttpRequest())
	case "effective": // effective:<root|self|id>
		id := uint32(num(arg(a, 1)))
		switch arg(a, 1) {
		case "self":
			id = s.id
		case "root":
			id = 1
		}
		return errName(proxywasm.SetEffectiveContext(id))
	case "shared": // shared:get:<key> | shared:set:<key>:<value>:<cas> | shared:setcas:<key>:<value>
		return p.shared(a)
	case "prop": // prop:<a.b.c>
		v, err := proxywasm.GetProperty(strings.Split(arg(a, 1), "."))
		if err != nil {
			return errName(err)
		}
		return strconv.Quote(string(v))
	case "setprop": // setprop:<a.b>:<value>
		return errName(proxywasm.SetProperty(strings.Split(arg(a, 1), "."), []byte(arg(a, 2))))
	case "metric": // metric:<counter|gauge|histogram>:<name>:<inc|add|record|get>:<n>
		return guarded(func() string { return metric(a) })
	case "time":
		ns, err := proxywasm.GetCurrentTimeNanoseconds()
		if err != nil {
			return errName(err)
		}
		return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
	case "gotime": // the WASI realtime clock, as time.Now sees it
		return time.Now().UTC().Format(time.RFC3339)
	case "tick": // tick:<ms>
		return errName(proxywasm.SetTickPeriodMilliSeconds(uint32(num(arg(a, 1)))))
	case "register": // register:<queue>
		id, err := proxywasm.RegisterSharedQueue(arg(a, 1))
		if err != nil {
			return errName(err)
		}
		return "queue " + strconv.FormatUint(uint64(id), 10)
	case "enqueue": // enqueue:<vm_id>:<queue>:<value>
		id, err := proxywasm.ResolveSharedQueue(arg(a, 1), arg(a, 2))
		if err != nil {
			return "resolve " + errName(err)
		}
		return errName(proxywasm.EnqueueSharedQueue(id, []byte(arg(a, 3))))
	case "dequeue":
		v, err := proxywasm.DequeueSharedQueue(p.queueID)
		if err != nil {
			return errName(err)
		}
		return strconv.Quote(string(v))
	case "config":
		b, err := proxywasm.GetPluginConfiguration()
		if err != nil {
			return errName(err)
		}
		return strconv.Itoa(len(b)) + " bytes"
	case "vmconfig":
		b, err := proxywasm.GetVMConfiguration()
		if err != nil {
			return errName(err)
		}
		return strconv.Quote(string(b))
	case "loglevel":
		l, err := proxywasm.GetLogLevel()
		if err != nil {
			return errName(err)
		}
		return strconv.Itoa(int(l))
	case "stdout":
		os.Stdout.WriteString(arg(a, 1) + "\n")
		return "written"
	case "stderr":
		os.Stderr.WriteString(arg(a, 1) + "\n")
		return "written"
	case "random": // random:<n>: crypto/rand.Read
		b := make([]byte, num(arg(a, 1)))
		if _, err := rand.Read(b); err != nil {
			return "error"
		}
		return "ok"
	case "sleep": // sleep:<ms>: a real sleep; busy-spins under Envoy's poll_oneoff
		time.Sleep(time.Duration(num(arg(a, 1))) * time.Millisecond)
		return "slept"
	case "panic": // recovered by the binding: fail closed
		panic("scripted panic")
	case "deadlock": // fatal error in the Go runtime: a trap, not recoverable
		select {}
	case "exit": // proc_exit: a trap in Envoy
		os.Exit(3)
	case "done":
		proxywasm.PluginDone()
		return "ok"
	}
	return "unknown command"
}

func getHeader(m, key string) (string, error) {
	switch m {
	case "req":
		return proxywasm.GetHttpRequestHeader(key)
	case "resp":
		return proxywasm.GetHttpResponseHeader(key)
	case "reqtrl":
		return proxywasm.GetHttpRequestTrailer(key)
	case "resptrl":
		return proxywasm.GetHttpResponseTrailer(key)
	case "call":
		h, err := proxywasm.GetHttpCallResponseHeaders()
		if err != nil {
			return "", err
		}
		for _, p := range h {
			if p[0] == key {
				return p[1], nil
			}
		}
		return "", types.ErrorStatusNotFound
	}
	return "", errors.New("bad map " + m)
}

func getPairs(m string) ([][2]string, error) {
	switch m {
	case "req":
		return proxywasm.GetHttpRequestHeaders()
	case "resp":
		return proxywasm.GetHttpResponseHeaders()
	case "reqtrl":
		return proxywasm.GetHttpRequestTrailers()
	case "resptrl":
		return proxywasm.GetHttpResponseTrailers()
	case "call":
		return proxywasm.GetHttpCallResponseHeaders()
	case "calltrl":
		return proxywasm.GetHttpCallResponseTrailers()
	}
	return nil, errors.New("bad map " + m)
}

func setHeader(op, m, key, value string) error {
	switch op + ":" + m {
	case "add:req":
		return proxywasm.AddHttpRequestHeader(key, value)
	case "replace:req":
		return proxywasm.ReplaceHttpRequestHeader(key, value)
	case "remove:req":
		return proxywasm.RemoveHttpRequestHeader(key)
	case "add:resp":
		return proxywasm.AddHttpResponseHeader(key, value)
	case "replace:resp":
		return proxywasm.ReplaceHttpResponseHeader(key, value)
	case "remove:resp":
		return proxywasm.RemoveHttpResponseHeader(key)
	case "add:reqtrl":
		return proxywasm.AddHttpRequestTrailer(key, value)
	case "add:resptrl":
		return proxywasm.AddHttpResponseTrailer(key, value)
	}
	return errors.New("bad map " + m)
}

func (p *plugin) call(s *stream, a []string) string {
	cluster, path := arg(a, 1), arg(a, 2)
	headers := [][2]string{{":method", "GET"}, {":path", path}, {":authority", cluster}}
	if omit := arg(a, 4); omit != "" {
		kept := headers[:0]
		for _, h := range headers {
			if h[0] != omit {
				kept = append(kept, h)
			}
		}
		headers = kept
	}
	id, err := proxywasm.DispatchHttpCall(cluster, headers, nil, nil, uint32(num(arg(a, 3))),
		func(numHeaders, bodySize, numTrailers int) {
			status, _ := getHeader("call", ":status")
			body, _ := proxywasm.GetHttpCallResponseBody(0, bodySize)
			proxywasm.LogInfo("callresp status=" + status + " headers=" + strconv.Itoa(numHeaders) +
				" body=" + strconv.Quote(string(body)))
			script := ""
			if s != nil {
				script = s.scripts["callresp"]
			}
			p.run(s, "callresp", script)
		})
	if err != nil {
		return errName(err)
	}
	return "dispatched " + strconv.FormatUint(uint64(id), 10)
}

func (p *plugin) shared(a []string) string {
	key := arg(a, 2)
	switch arg(a, 1) {
	case "get":
		v, cas, err := proxywasm.GetSharedData(key)
		if err != nil {
			return errName(err)
		}
		p.cas = cas
		return strconv.Quote(string(v)) + " cas=" + strconv.FormatUint(uint64(cas), 10)
	case "set":
		return errName(proxywasm.SetSharedData(key, []byte(arg(a, 3)), uint32(num(arg(a, 4)))))
	case "setcas":
		return errName(proxywasm.SetSharedData(key, []byte(arg(a, 3)), p.cas))
	}
	return "bad shared op"
}

func metric(a []string) string {
	kind, name, op := arg(a, 1), arg(a, 2), arg(a, 3)
	n := num(arg(a, 4))
	switch kind {
	case "counter":
		m := proxywasm.DefineCounterMetric(name)
		switch op {
		case "inc":
			m.Increment(uint64(n))
		case "get":
			return strconv.FormatUint(m.Value(), 10)
		}
	case "gauge":
		m := proxywasm.DefineGaugeMetric(name)
		switch op {
		case "add":
			m.Add(int64(n))
		case "get":
			return strconv.FormatInt(m.Value(), 10)
		}
	case "histogram":
		m := proxywasm.DefineHistogramMetric(name)
		switch op {
		case "record":
			m.Record(uint64(n))
		case "get":
			return strconv.FormatUint(m.Value(), 10)
		}
	}
	return "ok"
}
