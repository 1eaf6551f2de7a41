package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// publicKeyPlaceholder is the JSON string in examples/demo/config.json that the demo replaces with
// the public key it generated.
const publicKeyPlaceholder = `"${PUBLIC_KEY_PEM}"`

// renderDemoConfig fills the demo configuration template with publicPEM. The placeholder must appear
// exactly once, and the result must be valid JSON.
func renderDemoConfig(template, publicPEM []byte) ([]byte, error) {
	if n := bytes.Count(template, []byte(publicKeyPlaceholder)); n != 1 {
		return nil, fmt.Errorf("template: want the placeholder %s exactly once, found it %d times", publicKeyPlaceholder, n)
	}
	quoted, err := json.Marshal(string(publicPEM))
	if err != nil {
		return nil, err
	}
	out := bytes.Replace(template, []byte(publicKeyPlaceholder), quoted, 1)
	if !json.Valid(out) {
		return nil, errors.New("template: not valid JSON once the key is filled in")
	}
	return out, nil
}
