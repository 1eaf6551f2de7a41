package demo

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFillTemplate(t *testing.T) {
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
			out, err := FillTemplate([]byte(tc.template), `"${PUBLIC_KEY_PEM}"`, string(pub))
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
