package main

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// TestDemoTemplate_MatchesEnvoyExample keeps examples/demo/config.json equal to the configuration of
// envoy.yaml (examples/envoy/plugin.json) except for the key, so `make run` shows what Envoy would do.
func TestDemoTemplate_MatchesEnvoyExample(t *testing.T) {
	tmpl, err := os.ReadFile("../../examples/demo/config.json")
	if err != nil {
		t.Fatal(err)
	}
	envoyCfg, err := os.ReadFile("../../examples/envoy/plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile("../../examples/envoy/demo-rs256.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := renderDemoConfig(tmpl, pub)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(rendered, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(envoyCfg, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("examples/demo/config.json with the demo key filled in differs from examples/envoy/plugin.json")
	}
}
