package main

import "github.com/tokengate/tokengate/internal/demo"

// publicKeyPlaceholder is the JSON string in examples/demo/config.json that the demo replaces with
// the public key it generated.
const publicKeyPlaceholder = `"${PUBLIC_KEY_PEM}"`

// renderDemoConfig fills the demo configuration template with publicPEM (see demo.FillTemplate).
func renderDemoConfig(template, publicPEM []byte) ([]byte, error) {
	return demo.FillTemplate(template, publicKeyPlaceholder, string(publicPEM))
}
