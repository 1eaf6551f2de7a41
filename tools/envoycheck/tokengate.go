package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	wasmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/wasm/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const (
	wasmFilterName = "envoy.filters.http.wasm"
	routerTypeName = "envoy.extensions.filters.http.router.v3.Router"
	wasmTypeName   = "envoy.extensions.filters.http.wasm.v3.Wasm"
	v8Runtime      = "envoy.wasm.runtime.v8"
	wasmFileSuffix = "tokengate.wasm"
)

// pluginTopLevel lists the top-level members of tokengate's plugin JSON (issue 4, "Plugin
// configuration"), with whether each one is required in a deployable configuration.
var pluginTopLevel = map[string]bool{
	"providers":              true,
	"rules":                  true,
	"www_authenticate_realm": false,
	"cache":                  false,
	"introspection":          false, // RFC 7662 providers (issue 6)
	"upstream_credentials":   false, // OAuth 2.0 client credentials for upstreams (issue 7)
}

// tokengatePlugin is one tokengate wasm filter found in a bootstrap.
type tokengatePlugin struct {
	Path   string               // field path of the filter's typed_config
	Config *wasmv3.PluginConfig // the filter's config
	JSON   []byte               // the plugin configuration string
}

// findPlugins returns every wasm HTTP filter whose code is tokengate's .wasm, and checks each HTTP
// connection manager's filter order on the way (router last, tokengate before it).
func findPlugins(b *bootstrapv3.Bootstrap) ([]tokengatePlugin, error) {
	var plugins []tokengatePlugin
	var problems []error
	visit := func(path string, m proto.Message, _ bool) error {
		switch msg := m.(type) {
		case *hcmv3.HttpConnectionManager:
			problems = append(problems, checkFilterOrder(path, msg)...)
		case *wasmv3.PluginConfig:
			local := msg.GetVmConfig().GetCode().GetLocal()
			if !strings.HasSuffix(local.GetFilename(), wasmFileSuffix) {
				return nil
			}
			p, err := pluginJSON(msg)
			if err != nil {
				problems = append(problems, fmt.Errorf("%s.configuration: %w", path, err))
			}
			plugins = append(plugins, tokengatePlugin{Path: path, Config: msg, JSON: p})
		}
		return nil
	}
	if err := walkMessage("", b.ProtoReflect(), false, visit); err != nil {
		return nil, err
	}
	return plugins, errors.Join(problems...)
}

// checkFilterOrder requires the router to be the last HTTP filter and every wasm filter to precede it.
func checkFilterOrder(path string, hcm *hcmv3.HttpConnectionManager) []error {
	filters := hcm.GetHttpFilters()
	if len(filters) == 0 {
		return []error{fmt.Errorf("%s.http_filters: empty", path)}
	}
	last := filters[len(filters)-1]
	if got := typeName(last.GetTypedConfig().GetTypeUrl()); got != routerTypeName {
		return []error{fmt.Errorf("%s.http_filters[%d]: last filter is %q (%s), want the router", path, len(filters)-1, last.GetName(), got)}
	}
	return nil
}

func typeName(typeURL string) string {
	return typeURL[strings.LastIndex(typeURL, "/")+1:]
}

// pluginJSON extracts the plugin configuration string (a google.protobuf.StringValue, which Envoy
// passes to the plugin without its wrapper).
func pluginJSON(pc *wasmv3.PluginConfig) ([]byte, error) {
	if pc.GetConfiguration() == nil {
		return nil, errors.New("missing: tokengate needs its plugin JSON")
	}
	var s wrapperspb.StringValue
	if err := pc.GetConfiguration().UnmarshalTo(&s); err != nil {
		return nil, fmt.Errorf("want a google.protobuf.StringValue holding JSON: %w", err)
	}
	return []byte(s.GetValue()), nil
}

// checkPlugin applies tokengate's expectations to one plugin: V8, a vm_id, a local .wasm, and a plugin
// JSON object whose top-level members are tokengate's, the required ones present.
func checkPlugin(p tokengatePlugin) error {
	var problems []error
	vm := p.Config.GetVmConfig()
	if vm.GetRuntime() != v8Runtime {
		problems = append(problems, fmt.Errorf("%s.vm_config.runtime: %q, want %q", p.Path, vm.GetRuntime(), v8Runtime))
	}
	if vm.GetVmId() == "" {
		problems = append(problems, fmt.Errorf("%s.vm_config.vm_id: empty", p.Path))
	}
	if err := checkPluginJSON(p.JSON); err != nil {
		problems = append(problems, fmt.Errorf("%s.configuration: %w", p.Path, err))
	}
	return errors.Join(problems...)
}

// checkPluginJSON checks the top-level shape of a tokengate plugin configuration: one JSON object,
// nothing after it, only known members, required ones present, providers an object and rules an array.
func checkPluginJSON(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return fmt.Errorf("plugin JSON: %w", err)
	}
	if top == nil {
		return errors.New("plugin JSON: want an object, got null")
	}
	if dec.More() {
		return errors.New("plugin JSON: data after the top-level object")
	}
	var problems []error
	for k := range top {
		if _, ok := pluginTopLevel[k]; !ok {
			problems = append(problems, fmt.Errorf("plugin JSON: unknown top-level member %q", k))
		}
	}
	for k, required := range pluginTopLevel {
		if _, ok := top[k]; required && !ok {
			problems = append(problems, fmt.Errorf("plugin JSON: missing top-level member %q", k))
		}
	}
	if raw, ok := top["providers"]; ok {
		var providers map[string]json.RawMessage
		if err := json.Unmarshal(raw, &providers); err != nil || len(providers) == 0 {
			problems = append(problems, errors.New("plugin JSON: providers: want a non-empty object"))
		}
	}
	if raw, ok := top["rules"]; ok {
		var rules []json.RawMessage
		if err := json.Unmarshal(raw, &rules); err != nil {
			problems = append(problems, errors.New("plugin JSON: rules: want an array"))
		}
	}
	return errors.Join(problems...)
}
