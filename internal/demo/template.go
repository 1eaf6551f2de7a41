package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// FillTemplate replaces placeholder, a JSON string such as `"${ISSUER}"`, in a configuration
// template with value as a JSON string. The placeholder must appear exactly once, and the result
// must be valid JSON.
func FillTemplate(template []byte, placeholder, value string) ([]byte, error) {
	if n := bytes.Count(template, []byte(placeholder)); n != 1 {
		return nil, fmt.Errorf("template: want the placeholder %s exactly once, found it %d times", placeholder, n)
	}
	quoted, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	out := bytes.Replace(template, []byte(placeholder), quoted, 1)
	if !json.Valid(out) {
		return nil, errors.New("template: not valid JSON once the placeholder is filled in")
	}
	return out, nil
}
