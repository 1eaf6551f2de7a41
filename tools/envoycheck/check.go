package main

import (
	"errors"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
)

// check decodes and validates one bootstrap document and applies tokengate's expectations to it. It
// returns the decoded bootstrap and the tokengate plugins it holds (at least one, or an error).
func check(yamlDoc []byte) (*bootstrapv3.Bootstrap, []tokengatePlugin, error) {
	b, err := decodeBootstrap(yamlDoc)
	if err != nil {
		return nil, nil, err
	}
	if err := validateTree(b); err != nil {
		return b, nil, err
	}
	plugins, err := findPlugins(b)
	if err != nil {
		return b, plugins, err
	}
	if len(plugins) == 0 {
		return b, nil, errors.New("no " + wasmFilterName + " filter loads " + wasmFileSuffix)
	}
	var problems []error
	for _, p := range plugins {
		problems = append(problems, checkPlugin(p))
	}
	return b, plugins, errors.Join(problems...)
}
