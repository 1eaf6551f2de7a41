package peer

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoHAProxy says how to get the reference peer.
var ErrNoHAProxy = errors.New("haproxy is not on PATH: the peer comparison needs HAProxy >= 2.5 " +
	"(Debian/Ubuntu: apt-get update && apt-get install -y haproxy)")

// LookHAProxy finds the haproxy binary.
func LookHAProxy() (string, error) {
	p, err := exec.LookPath("haproxy")
	if err != nil {
		return "", ErrNoHAProxy
	}
	return p, nil
}

// HAProxyVersion is the first line of `haproxy -v`.
func HAProxyVersion(bin string) (string, error) {
	out, err := exec.Command(bin, "-v").Output()
	if err != nil {
		return "", fmt.Errorf("haproxy -v: %w", err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}

// CheckHAProxyVersion fails unless bin is HAProxy 2.5 or newer (the first with
// http_auth_bearer, jwt_header_query, jwt_payload_query and jwt_verify); it returns the
// version line.
func CheckHAProxyVersion(bin string) (string, error) {
	line, err := HAProxyVersion(bin)
	if err != nil {
		return "", err
	}
	var major, minor int
	if _, err := fmt.Sscanf(line, "HAProxy version %d.%d", &major, &minor); err != nil {
		return line, fmt.Errorf("haproxy -v: unexpected %q", line)
	}
	if major < 2 || (major == 2 && minor < 5) {
		return line, fmt.Errorf("%s: the peer comparison needs HAProxy >= 2.5 (JWT converters)", line)
	}
	return line, nil
}

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// HAProxy is a running `haproxy -f cfg -db` subprocess.
type HAProxy struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error // exit status, valid after done is closed
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // bounded: keep the first MiB
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartHAProxy writes cfg into dir/haproxy.cfg, checks it with `haproxy -c`, starts
// `haproxy -f cfg -db` and waits until every address in wait accepts connections.
func StartHAProxy(bin, dir, cfg string, wait ...string) (*HAProxy, error) {
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	if out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("haproxy -c -f %s: %v\n%s", path, err, out)
	}
	h := &HAProxy{out: &lockedBuffer{}, done: make(chan struct{})}
	h.cmd = exec.Command(bin, "-f", path, "-db")
	h.cmd.Stdout, h.cmd.Stderr = h.out, h.out
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start haproxy: %w", err)
	}
	go func() { h.err = h.cmd.Wait(); close(h.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for _, addr := range wait {
		for {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-h.done:
				return nil, fmt.Errorf("haproxy exited before listening on %s: %v\n%s", addr, h.err, h.out)
			default:
			}
			if time.Now().After(deadline) {
				h.Stop()
				return nil, fmt.Errorf("haproxy does not listen on %s after 10s\n%s", addr, h.out)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return h, nil
}

// Pid is the process id (with -db and no -W, the one process that does all the work).
func (h *HAProxy) Pid() int { return h.cmd.Process.Pid }

// Output is what haproxy wrote to stdout and stderr so far.
func (h *HAProxy) Output() string { return h.out.String() }

// Stop terminates the process and waits for it.
func (h *HAProxy) Stop() {
	select {
	case <-h.done:
		return
	default:
	}
	_ = h.cmd.Process.Signal(os.Interrupt)
	select {
	case <-h.done:
	case <-time.After(3 * time.Second):
		_ = h.cmd.Process.Kill()
		<-h.done
	}
}

// ClockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every Linux
// architecture Go supports (the kernel's ABI constant, whatever CONFIG_HZ is).
const ClockTicks = 100

// CPUTime is the utime+stime of a process, summed over its threads, from /proc/<pid>/stat
// (fields 14 and 15, in clock ticks).
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// comm (field 2) is in parentheses and may hold spaces: the fields after it start past the
	// last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no ')' after comm", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after comm, need 13", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(f[14-3], 10, 64)
	st, err2 := strconv.ParseInt(f[15-3], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime/stime not integers", pid)
	}
	return time.Duration(ut+st) * time.Second / ClockTicks, nil
}
