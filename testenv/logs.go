package testenv

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Log is one guest log line: a proxy_log call, or a line the guest wrote to stdout (info) or
// stderr (error), as Envoy routes WASI fd_write.
type Log struct {
	VM      int
	Level   LogLevel
	Source  string // "proxy_log", "stdout" or "stderr"
	Message string
}

func (l Log) String() string {
	if l.Source == "proxy_log" {
		return fmt.Sprintf("[vm%d] %s: %s", l.VM, l.Level, l.Message)
	}
	return fmt.Sprintf("[vm%d] %s (%s): %s", l.VM, l.Level, l.Source, l.Message)
}

type logStore struct {
	mu      sync.Mutex
	max     int
	entries []Log
	dropped int
	w       io.Writer
}

func (s *logStore) add(l Log) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.max > 0 && len(s.entries) >= s.max {
		n := copy(s.entries, s.entries[len(s.entries)/2:])
		s.dropped += len(s.entries) - n
		s.entries = s.entries[:n]
	}
	s.entries = append(s.entries, l)
	if s.w != nil {
		fmt.Fprintln(s.w, l.String())
	}
}

// forVM returns the last n entries of one VM.
func (s *logStore) forVM(vm, n int) []Log {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Log
	for i := len(s.entries) - 1; i >= 0 && len(out) < n; i-- {
		if s.entries[i].VM == vm {
			out = append(out, s.entries[i])
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// Logs returns every guest log line kept so far (see MaxLogs), oldest first.
func (h *Host) Logs() []Log {
	h.logs.mu.Lock()
	defer h.logs.mu.Unlock()
	return append([]Log(nil), h.logs.entries...)
}

// LogMessages returns the messages of the log lines at level min or above, oldest first.
func (h *Host) LogMessages(min LogLevel) []string {
	var out []string
	for _, l := range h.Logs() {
		if l.Level >= min {
			out = append(out, l.Message)
		}
	}
	return out
}

// ClearLogs forgets the logs kept so far.
func (h *Host) ClearLogs() {
	h.logs.mu.Lock()
	h.logs.entries = nil
	h.logs.mu.Unlock()
}

func (vm *VM) log(level LogLevel, source, msg string) {
	if level < vm.h.cfg.logLevel {
		return
	}
	vm.h.logs.add(Log{VM: vm.index, Level: level, Source: source, Message: msg})
}

// lineBuffer splits a guest's fd_write stream into lines and keeps the last bytes for trap reports.
type lineBuffer struct {
	partial []byte
	last    []byte // bounded tail of everything written
}

const tailMax = 8 << 10

func (b *lineBuffer) reset() { b.partial, b.last = nil, nil }

func (b *lineBuffer) write(vm *VM, source string, p []byte) {
	b.last = append(b.last, p...)
	if len(b.last) > tailMax {
		b.last = append(b.last[:0], b.last[len(b.last)-tailMax:]...)
	}
	b.partial = append(b.partial, p...)
	for {
		i := strings.IndexByte(string(b.partial), '\n')
		if i < 0 {
			break
		}
		vm.log(sourceLevel(source), source, string(b.partial[:i]))
		b.partial = b.partial[i+1:]
	}
	if len(b.partial) > tailMax { // a very long line without newline: emit what we have
		b.flush(vm, source)
	}
}

func (b *lineBuffer) flush(vm *VM, source string) {
	if len(b.partial) > 0 {
		vm.log(sourceLevel(source), source, string(b.partial))
		b.partial = nil
	}
}

func (b *lineBuffer) tail() string { return strings.TrimRight(string(b.last), "\n") }

func sourceLevel(source string) LogLevel {
	if source == "stderr" {
		return LogError
	}
	return LogInfo
}
