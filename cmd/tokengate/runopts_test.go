package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRunOptions(t *testing.T) {
	cfg := writeTemp(t, "config.json", []byte(`{"providers":{}}`))
	badCfg := writeTemp(t, "bad.json", []byte(`{"providers":`))
	wasm := writeTemp(t, "f.wasm", []byte("\x00asm\x01\x00\x00\x00"))
	missingWasm := filepath.Join(t.TempDir(), "none.wasm")
	base := []string{"--config", cfg, "--wasm", wasm}

	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o runOptions)
	}{
		{name: "defaults", args: base, check: func(t *testing.T, o runOptions) {
			if o.Listen != "127.0.0.1:8080" || o.Upstream.String() != "http://127.0.0.1:9000" || o.Workers != 1 || len(o.Clusters) != 0 {
				t.Errorf("options = %+v", o)
			}
			if string(o.config) != `{"providers":{}}` || len(o.wasm) != 8 {
				t.Errorf("config/wasm not read: %q, %d bytes", o.config, len(o.wasm))
			}
		}},
		{name: "all flags", args: append(base, "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9999/", "--cluster", "idp=http://127.0.0.1:7000", "--cluster", "jwks=http://127.0.0.1:7001", "--workers", "4"),
			check: func(t *testing.T, o runOptions) {
				if o.Upstream.String() != "http://127.0.0.1:9999" || o.Workers != 4 || o.Clusters["idp"] != "http://127.0.0.1:7000" || o.Clusters["jwks"] != "http://127.0.0.1:7001" {
					t.Errorf("options = %+v", o)
				}
			}},
		{name: "no config", args: []string{"--wasm", wasm}, wantErr: "--config is required"},
		{name: "config not JSON", args: []string{"--config", badCfg, "--wasm", wasm}, wantErr: "not valid JSON"},
		{name: "config missing", args: []string{"--config", cfg + "x", "--wasm", wasm}, wantErr: "--config: open"},
		{name: "wasm missing", args: []string{"--config", cfg, "--wasm", missingWasm}, wantErr: "not found; build it with ./build.sh"},
		{name: "bad listen", args: append(base, "--listen", "8080"), wantErr: `--listen "8080"`},
		{name: "https upstream", args: append(base, "--upstream", "https://example.com"), wantErr: "--upstream: \"https://example.com\": want http://host:port"},
		{name: "upstream with path", args: append(base, "--upstream", "http://127.0.0.1:9000/api"), wantErr: "without path"},
		{name: "zero workers", args: append(base, "--workers", "0"), wantErr: "--workers 0: want 1 to 64"},
		{name: "cluster without =", args: append(base, "--cluster", "idp"), wantErr: `--cluster "idp": want NAME=URL`},
		{name: "cluster twice", args: append(base, "--cluster", "a=http://h:1", "--cluster", "a=http://h:2"), wantErr: "--cluster a: given twice"},
		{name: "cluster bad URL", args: append(base, "--cluster", "a=ftp://h"), wantErr: "--cluster a:"},
		{name: "positional", args: append(base, "x"), wantErr: `unexpected argument "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			o, err := parseRunOptions(tc.args, &stderr)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			tc.check(t, o)
		})
	}
}

func TestCmdRun_HelpSaysNotProduction(t *testing.T) {
	code, _, stderr := runCLI(t, "run", "-h")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stderr, "NOT a production proxy") {
		t.Errorf("run -h does not say it is not a production proxy:\n%s", stderr)
	}
	_, _, stderr = runCLI(t)
	if !strings.Contains(stderr, "NOT a production proxy") {
		t.Errorf("tokengate usage does not say run is not a production proxy:\n%s", stderr)
	}
}
