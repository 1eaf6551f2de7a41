package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"reflect"
	"strings"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"sigs.k8s.io/yaml"
)

const (
	envoyYAMLPath   = "../../envoy.yaml"
	pluginJSONPath  = "../../examples/envoy/plugin.json"
	demoKeyPath     = "../../examples/envoy/demo-rs256.key"
	demoPubPath     = "../../examples/envoy/demo-rs256.pub.pem"
	istioPluginPath = "../../examples/istio/wasmplugin.yaml"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

// jsonValue decodes a JSON document into plain Go values, for order-insensitive comparison.
func jsonValue(t *testing.T, what string, doc []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	return v
}

func TestCheck_EnvoyYAML(t *testing.T) {
	b, plugins, err := check(readFile(t, envoyYAMLPath))
	if err != nil {
		t.Fatalf("envoy.yaml: %v", err)
	}

	if got := b.GetAdmin().GetAddress().GetSocketAddress(); got.GetAddress() != "127.0.0.1" || got.GetPortValue() != 9901 {
		t.Errorf("admin address = %s:%d, want 127.0.0.1:9901", got.GetAddress(), got.GetPortValue())
	}
	listeners := b.GetStaticResources().GetListeners()
	if len(listeners) != 1 {
		t.Fatalf("listeners = %d, want 1", len(listeners))
	}
	if got := listeners[0].GetAddress().GetSocketAddress(); got.GetAddress() != "0.0.0.0" || got.GetPortValue() != 8080 {
		t.Errorf("listener address = %s:%d, want 0.0.0.0:8080", got.GetAddress(), got.GetPortValue())
	}

	clusters := map[string]*clusterv3.Cluster{}
	for _, c := range b.GetStaticResources().GetClusters() {
		clusters[c.GetName()] = c
	}
	up := clusters["upstream"]
	if up == nil {
		t.Fatal("cluster upstream missing")
	}
	sa := up.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress()
	if sa.GetAddress() != "127.0.0.1" || sa.GetPortValue() != 9000 {
		t.Errorf("cluster upstream = %s:%d, want 127.0.0.1:9000", sa.GetAddress(), sa.GetPortValue())
	}
	if clusters["idp"] == nil {
		t.Error("cluster idp missing")
	}

	if len(plugins) != 1 {
		t.Fatalf("tokengate plugins = %d, want 1", len(plugins))
	}
	p := plugins[0]
	if got := p.Config.GetVmConfig().GetCode().GetLocal().GetFilename(); got != "dist/tokengate.wasm" {
		t.Errorf("vm_config.code.local.filename = %q, want dist/tokengate.wasm", got)
	}
	if got := p.Config.GetVmConfig().GetRuntime(); got != "envoy.wasm.runtime.v8" {
		t.Errorf("vm_config.runtime = %q", got)
	}
	if got, want := jsonValue(t, "envoy.yaml plugin configuration", p.JSON), jsonValue(t, pluginJSONPath, readFile(t, pluginJSONPath)); !reflect.DeepEqual(got, want) {
		t.Errorf("the plugin JSON in envoy.yaml differs from %s; keep them equal", pluginJSONPath)
	}
}

// TestDemoKey_MatchesPluginConfig checks that the committed demo private key signs tokens the
// committed configuration accepts: its public half is the PEM in plugin.json.
func TestDemoKey_MatchesPluginConfig(t *testing.T) {
	var cfg struct {
		Providers map[string]struct {
			PublicKeyPEM string `json:"public_key_pem"`
		} `json:"providers"`
	}
	if err := json.Unmarshal(readFile(t, pluginJSONPath), &cfg); err != nil {
		t.Fatal(err)
	}
	pubPEM := cfg.Providers["auth0"].PublicKeyPEM
	if pubPEM != string(readFile(t, demoPubPath)) {
		t.Errorf("providers.auth0.public_key_pem differs from %s", demoPubPath)
	}
	blk, _ := pem.Decode([]byte(pubPEM))
	if blk == nil {
		t.Fatal("providers.auth0.public_key_pem: not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatalf("providers.auth0.public_key_pem: %v", err)
	}
	kblk, _ := pem.Decode(readFile(t, demoKeyPath))
	if kblk == nil {
		t.Fatalf("%s: not PEM", demoKeyPath)
	}
	priv, err := x509.ParsePKCS8PrivateKey(kblk.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", demoKeyPath, err)
	}
	rsaPriv, ok := priv.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("%s: %T, want RSA", demoKeyPath, priv)
	}
	if !rsaPriv.PublicKey.Equal(pub) {
		t.Errorf("%s is not the private half of providers.auth0.public_key_pem", demoKeyPath)
	}
}

func TestIstioExample_PluginConfig(t *testing.T) {
	doc, err := yaml.YAMLToJSONStrict(readFile(t, istioPluginPath))
	if err != nil {
		t.Fatalf("%s: %v", istioPluginPath, err)
	}
	// The WasmPlugin fields of extensions.istio.io/v1alpha1; an unknown one (a typo) fails.
	var wp struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec struct {
			Selector        json.RawMessage `json:"selector"`
			TargetRefs      json.RawMessage `json:"targetRefs"`
			URL             string          `json:"url"`
			SHA256          string          `json:"sha256"`
			ImagePullPolicy string          `json:"imagePullPolicy"`
			ImagePullSecret string          `json:"imagePullSecret"`
			Phase           string          `json:"phase"`
			Priority        *int            `json:"priority"`
			PluginName      string          `json:"pluginName"`
			PluginConfig    json.RawMessage `json:"pluginConfig"`
			FailStrategy    string          `json:"failStrategy"`
			VMConfig        json.RawMessage `json:"vmConfig"`
			Match           json.RawMessage `json:"match"`
			Type            string          `json:"type"`
		} `json:"spec"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wp); err != nil {
		t.Fatalf("%s: %v", istioPluginPath, err)
	}
	checks := []struct {
		name, got, want string
	}{
		{name: "apiVersion", got: wp.APIVersion, want: "extensions.istio.io/v1alpha1"},
		{name: "kind", got: wp.Kind, want: "WasmPlugin"},
		{name: "spec.phase", got: wp.Spec.Phase, want: "AUTHN"},
		{name: "spec.failStrategy", got: wp.Spec.FailStrategy, want: "FAIL_CLOSE"},
		{name: "spec.type", got: wp.Spec.Type, want: "HTTP"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if wp.Spec.URL == "" {
		t.Error("spec.url is empty")
	}
	if err := checkPluginJSON(wp.Spec.PluginConfig); err != nil {
		t.Errorf("spec.pluginConfig: %v", err)
	}
	if got, want := jsonValue(t, "spec.pluginConfig", wp.Spec.PluginConfig), jsonValue(t, pluginJSONPath, readFile(t, pluginJSONPath)); !reflect.DeepEqual(got, want) {
		t.Errorf("spec.pluginConfig differs from %s; keep them equal", pluginJSONPath)
	}
}

// TestCheck_Mutations proves the check bites: each case edits one thing in a copy of envoy.yaml and
// expects the check to fail with a message that names the fault.
func TestCheck_Mutations(t *testing.T) {
	orig := string(readFile(t, envoyYAMLPath))
	tests := []struct {
		name    string
		old     string // must occur exactly once in envoy.yaml
		new     string
		wantErr string
	}{
		{name: "typo in a bootstrap field", old: "static_resources:", new: "static_resource:", wantErr: `unknown field "static_resource"`},
		{name: "typo in a cluster field", old: "connect_timeout: 1s", new: "connect_timout: 1s", wantErr: `unknown field "connect_timout"`},
		{name: "typo in the connection manager (inside an Any)", old: "stat_prefix: ingress_http", new: "stat_prefx: ingress_http", wantErr: `unknown field "stat_prefx"`},
		{name: "typo in the wasm vm_config", old: "vm_config:", new: "vm_confg:", wantErr: `unknown field "vm_confg"`},
		{name: "typo in the wasm runtime field", old: "runtime: envoy.wasm.runtime.v8", new: "runtme: envoy.wasm.runtime.v8", wantErr: `unknown field "runtme"`},
		{name: "unknown typed_config type", old: "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router", new: "type.googleapis.com/envoy.extensions.filters.http.router.v3.Routr", wantErr: "envoy.extensions.filters.http.router.v3.Routr"},
		{name: "validation rule at top level: port out of range", old: "port_value: 9000", new: "port_value: 90000", wantErr: "PortValue"},
		{name: "validation rule inside an Any: empty stat_prefix", old: "stat_prefix: ingress_http", new: `stat_prefix: ""`, wantErr: "StatPrefix"},
		{name: "validation rule inside a nested Any: empty local filename", old: "filename: dist/tokengate.wasm", new: `filename: ""`, wantErr: "Filename"},
		{name: "deprecated field", old: "failure_policy: FAIL_CLOSED", new: "fail_open: true", wantErr: "fail_open: field is deprecated"},
		{name: "duplicate YAML key", old: "normalize_path: true", new: "normalize_path: true\n                normalize_path: false", wantErr: "already set"},
		{name: "router not last", old: "                  - name: envoy.filters.http.router\n                    typed_config:\n                      \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n", new: "", wantErr: "want the router"},
		{name: "not the V8 runtime", old: "runtime: envoy.wasm.runtime.v8", new: "runtime: envoy.wasm.runtime.wamr", wantErr: "vm_config.runtime"},
		{name: "no vm_id", old: "vm_id: tokengate", new: `vm_id: ""`, wantErr: "vm_id: empty"},
		{name: "plugin JSON not JSON", old: `"rules": [`, new: `"rules" [`, wantErr: "plugin JSON"},
		{name: "plugin JSON top-level typo", old: `"www_authenticate_realm"`, new: `"www_authenticate_relm"`, wantErr: `unknown top-level member "www_authenticate_relm"`},
		{name: "plugin JSON without rules", old: `"rules"`, new: `"rulez"`, wantErr: `missing top-level member "rules"`},
		{name: "plugin configuration not a StringValue", old: "type.googleapis.com/google.protobuf.StringValue", new: "type.googleapis.com/google.protobuf.Value", wantErr: "StringValue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := strings.Count(orig, tc.old); n != 1 {
				t.Fatalf("envoy.yaml holds %q %d times, want once: update this case", tc.old, n)
			}
			_, _, err := check([]byte(strings.Replace(orig, tc.old, tc.new, 1)))
			if err == nil {
				t.Fatalf("check passed, want an error containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %v\nwant it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestCheckPluginJSON(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr string // "" = valid
	}{
		{name: "minimal", doc: `{"providers":{"a":{}},"rules":[]}`},
		{name: "all top-level members", doc: `{"providers":{"a":{}},"rules":[],"www_authenticate_realm":"api","cache":{"max_entries":1}}`},
		{name: "null", doc: `null`, wantErr: "want an object"},
		{name: "array", doc: `[]`, wantErr: "plugin JSON"},
		{name: "trailing data", doc: `{"providers":{"a":{}},"rules":[]} {}`, wantErr: "data after"},
		{name: "empty providers", doc: `{"providers":{},"rules":[]}`, wantErr: "providers: want a non-empty object"},
		{name: "rules not an array", doc: `{"providers":{"a":{}},"rules":{}}`, wantErr: "rules: want an array"},
		{name: "missing providers", doc: `{"rules":[]}`, wantErr: `missing top-level member "providers"`},
		{name: "unknown member", doc: `{"providers":{"a":{}},"rules":[],"cache_size":1}`, wantErr: `unknown top-level member "cache_size"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPluginJSON([]byte(tc.doc))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error = %v, want none", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}
