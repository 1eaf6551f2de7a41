package filter

import (
	"errors"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tokengate/tokengate/filter/internal/shared"
	"github.com/tokengate/tokengate/internal/proxywasm"
)

// NewVMContext returns the root of tokengate's contexts, for
// proxywasm.SetVMContext in the .wasm's init().
func NewVMContext() types.VMContext { return &vmContext{} }

type vmContext struct {
	types.DefaultVMContext
}

func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }

// pluginContext holds one plugin configuration, compiled, and its counters.
type pluginContext struct {
	types.DefaultPluginContext
	cfg     *compiledConfig
	metrics *metrics

	// Remote work (plugin_remote.go): nil/0 when the configuration has none.
	coord         *shared.Coordinator
	tickMs        uint32
	remoteMetrics *remoteMetrics
	intro         *introspectionRuntime // introspection_glue.go; nil without introspection providers
}

// OnPluginStart parses the plugin configuration (readable only here, see
// envoy-host.md). A bad configuration logs one critical line naming the JSON
// path at fault and fails the plugin: nothing is half-applied, and the old
// configuration (if any) is kept by the host.
func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	data, err := proxywasm.GetPluginConfiguration()
	if errors.Is(err, types.ErrorStatusNotFound) {
		data, err = nil, nil // no configuration: parseConfig says so
	}
	if err != nil {
		proxywasm.LogCriticalf("tokengate: cannot read the plugin configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	cfg, err := parseConfig(data)
	if err != nil {
		proxywasm.LogCriticalf("tokengate: invalid plugin configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	if p.metrics == nil {
		p.metrics = defineMetrics()
	}
	if err := p.startRemote(cfg); err != nil {
		proxywasm.LogCriticalf("tokengate: cannot start remote key fetching: %v", err)
		return types.OnPluginStartStatusFailed
	}
	if err := p.startIntrospection(cfg); err != nil {
		proxywasm.LogCriticalf("tokengate: cannot start token introspection: %v", err)
		return types.OnPluginStartStatusFailed
	}
	p.cfg = cfg
	return types.OnPluginStartStatusOK
}

func (p *pluginContext) NewHttpContext(contextID uint32) types.HttpContext {
	return &httpContext{plugin: p, id: contextID}
}
