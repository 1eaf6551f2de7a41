package filter

import (
	"os"
	"strings"
	"testing"
)

// TestConfigDoc_Vocabulary checks that CONFIG.md documents every reason code
// of the vocabulary (reasons.go, jwtcore) and every upstream_credentials
// field and metric, so the table cannot drift from the code.
func TestConfigDoc_Vocabulary(t *testing.T) {
	b, err := os.ReadFile("CONFIG.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var want []string
	for _, r := range allReasons() {
		want = append(want, r.code)
	}
	want = append(want, upstreamCredFields...)
	want = append(want, metricUpstreamTokenFetchSuccess, metricUpstreamTokenFetchFailed)
	for _, w := range want {
		if !strings.Contains(doc, "`"+w+"`") {
			t.Errorf("CONFIG.md does not mention `%s`", w)
		}
	}
}
