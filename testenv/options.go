package testenv

import (
	"io"
	"net/http"
	"time"

	"github.com/tetratelabs/wazero"
)

// Option configures a Host (and so an Env). Options never fail; NewHost validates the result once.
type Option func(*config)

type config struct {
	pluginConfig  []byte
	vmConfig      []byte
	workers       int
	pluginName    string
	rootID        string
	vmID          string
	clusters      map[string]*cluster
	start         time.Time
	realClock     bool
	manualCalls   bool
	trace         bool
	tolerateTraps bool
	logLevel      LogLevel
	logWriter     io.Writer
	cache         wazero.CompilationCache
	maxLogs       int
	concurrent    bool
	decoyAllocs   bool
}

// cluster is an upstream that proxy_http_call can name.
type cluster struct {
	name    string
	handler http.Handler // in-process upstream, or
	url     string       // a real http:// address
	delay   time.Duration
}

// DefaultStartTime is where the fake clock starts unless StartTime says otherwise. A fixed instant
// keeps traces and logs reproducible.
var DefaultStartTime = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

func defaultConfig() *config {
	return &config{
		workers:    1,
		pluginName: "testenv",
		clusters:   map[string]*cluster{},
		start:      DefaultStartTime,
		logLevel:   LogTrace,
		maxLogs:    10000,
	}
}

// PluginConfig sets the plugin configuration (buffer 7) handed to proxy_on_configure.
func PluginConfig[T ~string | ~[]byte](cfg T) Option {
	return func(c *config) { c.pluginConfig = []byte(cfg) }
}

// VMConfig sets the VM configuration (buffer 6) whose size proxy_on_vm_start receives.
func VMConfig[T ~string | ~[]byte](cfg T) Option {
	return func(c *config) { c.vmConfig = []byte(cfg) }
}

// Workers sets how many VMs (Envoy worker threads) to start; each runs its own instance of the
// module and they share shared data, queues and metrics. Default 1.
func Workers(n int) Option { return func(c *config) { c.workers = n } }

// PluginName, RootID and VMID set the properties plugin_name, plugin_root_id and plugin_vm_id.
func PluginName(s string) Option { return func(c *config) { c.pluginName = s } }

// RootID sets the plugin_root_id property.
func RootID(s string) Option { return func(c *config) { c.rootID = s } }

// VMID sets the plugin_vm_id property (and the vm_id namespace of shared queues).
func VMID(s string) Option { return func(c *config) { c.vmID = s } }

// Cluster makes name a known cluster for proxy_http_call, served in-process by h. The handler runs
// synchronously when the call is dispatched. A handler that panics with http.ErrAbortHandler is
// reported to the guest as a reset: 0 headers, proxy_get_status = BrokenConnection.
func Cluster(name string, h http.Handler) Option {
	return func(c *config) { c.clusterFor(name).handler = h }
}

// ClusterURL makes name a known cluster for proxy_http_call, served by a real http:// server
// (normally a loopback address). Connection failures become 503, and a server slower than the
// call's timeout in real time becomes 504, as Envoy's async client reports them.
func ClusterURL(name, rawURL string) Option {
	return func(c *config) { c.clusterFor(name).url = rawURL }
}

// ClusterDelay gives the named cluster a response latency on the host clock: the response is
// delivered d after dispatch, or as a 504 at dispatch+timeout when d reaches the call's timeout.
// With the default fake clock, tests reach it with Clock().Advance. Default 0 (immediate).
func ClusterDelay(name string, d time.Duration) Option {
	return func(c *config) { c.clusterFor(name).delay = d }
}

func (c *config) clusterFor(name string) *cluster {
	cl := c.clusters[name]
	if cl == nil {
		cl = &cluster{name: name}
		c.clusters[name] = cl
	}
	return cl
}

// StartTime sets the initial instant of the fake clock (default DefaultStartTime).
func StartTime(t time.Time) Option { return func(c *config) { c.start = t } }

// RealClock makes the host clock follow time.Now instead of a fake clock; Clock().Advance is then
// refused. For the Gateway and the CLI, not for tests.
func RealClock() Option { return func(c *config) { c.realClock = true } }

// ManualHttpCalls holds http-call responses until DeliverHttpCalls is called, so a test can look at
// a stream while it waits. By default a response is delivered as soon as the host clock reaches it,
// after the script step that made it due.
func ManualHttpCalls() Option { return func(c *config) { c.manualCalls = true } }

// RecordTrace records every ABI crossing in wazero's logging form for golden tests; see Host.Trace.
func RecordTrace() Option { return func(c *config) { c.trace = true } }

// TolerateTraps stops an Env from failing the test on a guest trap; the trap is still recorded
// (Host.Traps) and the VM is still re-created. For tests of trap recovery.
func TolerateTraps() Option { return func(c *config) { c.tolerateTraps = true } }

// WithLogLevel sets the level proxy_get_log_level reports and below which proxy_log is dropped, as
// Envoy's logger does. Default LogTrace (keep everything).
func WithLogLevel(l LogLevel) Option { return func(c *config) { c.logLevel = l } }

// LogWriter copies every guest log line, as it happens, to w (one line per entry).
func LogWriter(w io.Writer) Option { return func(c *config) { c.logWriter = w } }

// CompilationCache replaces the package's process-wide in-memory compilation cache.
func CompilationCache(cache wazero.CompilationCache) Option {
	return func(c *config) { c.cache = cache }
}

// DecoyAllocations makes the host stricter than Envoy where it hands bytes to the guest: before
// the proxy_on_memory_allocate whose pointer it returns, it makes a second allocation of a few more
// bytes and fills it with '#'. A guest that keeps its allocations alive until the host call returns
// must then pick the one the host named and release both; a guest that assumed "the last (or only)
// allocation is the result" reads '#', and one that leaks the other shows in GuestMemory.
func DecoyAllocations() Option { return func(c *config) { c.decoyAllocs = true } }

// MaxLogs bounds the number of log entries kept in memory (oldest dropped). Default 10000.
func MaxLogs(n int) Option { return func(c *config) { c.maxLogs = n } }
