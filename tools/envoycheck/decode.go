package main

import (
	"fmt"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"
)

// decodeBootstrap turns an Envoy bootstrap in YAML into the typed Bootstrap message. It fails on YAML
// errors and duplicate keys, on any field name the API does not define, and on a typed_config whose
// "@type" no linked package registers.
func decodeBootstrap(yamlDoc []byte) (*bootstrapv3.Bootstrap, error) {
	jsonDoc, err := yaml.YAMLToJSONStrict(yamlDoc)
	if err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	var b bootstrapv3.Bootstrap
	opts := protojson.UnmarshalOptions{DiscardUnknown: false}
	if err := opts.Unmarshal(jsonDoc, &b); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return &b, nil
}
