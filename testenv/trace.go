package testenv

import (
	"strconv"
	"strings"
	"sync"
)

// traceLog records ABI crossings for golden tests (RecordTrace), in the form of wazero's logging
// listener: "==> module.function(name=value,...)" then "<== result". It differs in one way that
// keeps traces stable across guest builds: pointers are never printed. Input (pointer, size)
// pairs print as the quoted bytes they point to (header pairs as a list), out-parameters print on
// the result line as the value the host wrote. proxy_on_memory_allocate and the Go runtime's WASI
// calls are left out.
type traceLog struct {
	on bool
	mu sync.Mutex
	b  strings.Builder
}

// Trace returns the recorded trace (RecordTrace), one crossing per line.
func (h *Host) Trace() string {
	h.trace.mu.Lock()
	defer h.trace.mu.Unlock()
	return h.trace.b.String()
}

// ResetTrace forgets the trace recorded so far (for instance the start-up sequence).
func (h *Host) ResetTrace() {
	h.trace.mu.Lock()
	h.trace.b.Reset()
	h.trace.mu.Unlock()
}

func (t *traceLog) line(s string) {
	t.mu.Lock()
	t.b.WriteString(s)
	t.b.WriteByte('\n')
	t.mu.Unlock()
}

func (t *traceLog) guestCall(ex int, args []uint64) {
	if ex == exMalloc {
		return
	}
	var b strings.Builder
	b.WriteString("==> guest." + exportNames[ex] + "(")
	for i, a := range args {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(exportParams[ex][i] + "=" + strconv.FormatUint(a, 10))
	}
	b.WriteByte(')')
	t.line(b.String())
}

func (t *traceLog) guestResult(ex int, r uint64) {
	switch exportResult[ex] {
	case "ptr":
		return
	case "":
		t.line("<==")
	case "action":
		t.line("<== action=" + Action(r).String())
	case "ok", "done":
		t.line("<== " + exportResult[ex] + "=" + strconv.FormatBool(uint32(r) != 0))
	}
}

func (t *traceLog) hostCall(vm *VM, f *hostFunc, args []uint64) {
	var b strings.Builder
	b.WriteString("==> " + f.module + "." + f.name + "(")
	first := true
	for i := 0; i < len(f.params); i++ {
		pr := f.params[i]
		var v string
		switch pr.kind {
		case kU32:
			v = strconv.FormatUint(uint64(uint32(args[i])), 10)
		case kI64:
			v = strconv.FormatInt(int64(args[i]), 10)
		case kMap:
			v = MapType(args[i]).String()
		case kBuf:
			v = BufferType(args[i]).String()
		case kLevel:
			v = LogLevel(args[i]).String()
		case kIn, kInPairs:
			raw, ok := vm.readBytes(uint32(args[i]), uint32(args[i+1]))
			switch {
			case !ok:
				v = "<out of bounds>"
			case pr.kind == kInPairs:
				v = renderPairs(raw)
			default:
				v = strconv.Quote(string(raw))
			}
			i++ // the size
		default:
			continue // out-parameters print with the result
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(shortName(pr.name) + "=" + v)
	}
	b.WriteByte(')')
	t.line(b.String())
}

func (t *traceLog) hostResult(vm *VM, f *hostFunc, args []uint64, r uint32) {
	var b strings.Builder
	b.WriteString("<== status=" + Status(r).String())
	if Status(r) == StatusOk {
		for i := 0; i < len(f.params); i++ {
			pr := f.params[i]
			var v string
			switch pr.kind {
			case kOut:
				n, _ := vm.mem.ReadUint32Le(uint32(args[i]))
				v = strconv.FormatUint(uint64(n), 10)
			case kOut64:
				n, _ := vm.mem.ReadUint64Le(uint32(args[i]))
				v = strconv.FormatUint(n, 10)
			case kOutData, kOutPairs:
				ptr, _ := vm.mem.ReadUint32Le(uint32(args[i]))
				size, _ := vm.mem.ReadUint32Le(uint32(args[i+1]))
				raw, _ := vm.readBytes(ptr, size)
				if pr.kind == kOutPairs {
					v = renderPairs(raw)
				} else {
					v = strconv.Quote(string(raw))
				}
				i++
			default:
				continue
			}
			b.WriteString("," + shortName(pr.name) + "=" + v)
		}
	}
	t.line(b.String())
}

// shortName turns "key_data" into "key" and "return_value_data" into "value".
func shortName(n string) string {
	n = strings.TrimPrefix(n, "return_")
	n = strings.TrimSuffix(n, "_data")
	return n
}

func renderPairs(raw []byte) string {
	pairs, ok := decodePairs(raw)
	if !ok {
		return "<malformed pairs>"
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(p[0]) + ":" + strconv.Quote(p[1]))
	}
	b.WriteByte(']')
	return b.String()
}
