package main

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestRenderDemoConfig(t *testing.T) {
	pub := []byte("-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----\n")
	tests := []struct {
		name     string
		template string
		wantErr  string
	}{
		{name: "filled", template: `{"k": "${PUBLIC_KEY_PEM}"}`},
		{name: "no placeholder", template: `{"k": "x"}`, wantErr: "found it 0 times"},
		{name: "two placeholders", template: `{"a": "${PUBLIC_KEY_PEM}", "b": "${PUBLIC_KEY_PEM}"}`, wantErr: "found it 2 times"},
		{name: "broken template", template: `{"k": "${PUBLIC_KEY_PEM}"`, wantErr: "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := renderDemoConfig([]byte(tc.template), pub)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ K string }
			if err := json.Unmarshal(out, &got); err != nil || got.K != string(pub) {
				t.Fatalf("rendered %s (%v), want k = the PEM", out, err)
			}
		})
	}
}

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
