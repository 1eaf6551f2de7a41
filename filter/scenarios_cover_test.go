package filter

import (
	"testing"

	"github.com/tokengate/tokengate/jwtcore"
)

// TestScenarios_coverEveryReason keeps the scenario table honest: every
// reason code of issue 4's vocabulary (jwtcore's, plus path_invalid,
// no_rule_matched, internal_error) and every status is expected by at least
// one scenario, and so checked by every leg.
func TestScenarios_coverEveryReason(t *testing.T) {
	seenReason, seenStatus := map[string]bool{}, map[int]bool{}
	for _, s := range scenarios(t) {
		seenReason[s.reason] = true
		seenStatus[s.status] = true
	}
	var want []string
	for _, r := range jwtcore.Reasons() {
		want = append(want, r.Code())
	}
	want = append(want, reasonPathInvalid.code, reasonNoRuleMatched.code, reasonInternalError.code)
	for _, code := range want {
		if !seenReason[code] {
			t.Errorf("no scenario expects reason %s", code)
		}
	}
	for _, st := range []int{0, 400, 401, 403, 500} {
		if !seenStatus[st] {
			t.Errorf("no scenario expects status %d (0: forwarded)", st)
		}
	}
}
