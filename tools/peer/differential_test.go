package peer

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestPeer_Decisions sends the same corpus to HAProxy (seed configuration) and to tokengate
// and requires the same allow/deny, except where a named Rule explains the difference.
func TestPeer_Decisions(t *testing.T) {
	p := startPeers(t, true)
	reqs := Corpus(p.keys, p.policy, time.Now())
	if len(reqs) < 200 {
		t.Fatalf("corpus has %d requests, want >= 200", len(reqs))
	}
	var bothAllow, bothDeny int
	observed := map[string]int{}
	var diffs []string
	for _, r := range reqs {
		tg := p.send(t, p.tokengate, r)
		hp := p.send(t, p.hpAPI, r)
		f := Analyze(r, time.Now(), ClockSkew*time.Second)
		for _, o := range []struct {
			peer string
			o    outcome
		}{{"tokengate", tg}, {"haproxy", hp}} {
			if o.o.status >= 500 {
				t.Errorf("%s: %s answered %d %q (a peer failure, not a decision)", r.Name, o.peer, o.o.status, o.o.body)
			}
		}
		agree, rules := Classify(f, tg.decision, hp.decision)
		switch {
		case agree && tg.decision == Allow:
			bothAllow++
		case agree:
			bothDeny++
		case len(rules) == 0:
			t.Errorf("%s: tokengate %s (%d %s), haproxy %s (%d %q): no rule explains it; facts %+v",
				r.Name, tg.decision, tg.status, tg.body, hp.decision, hp.status, hp.body, f)
		default:
			for _, n := range rules {
				observed[n]++
			}
			diffs = append(diffs, fmt.Sprintf("%-40s tokengate %s, haproxy %s: %s", r.Name, tg.decision, hp.decision, strings.Join(rules, ", ")))
		}
	}
	t.Logf("%d requests: %d allowed by both, %d denied by both, %d classified differences", len(reqs), bothAllow, bothDeny, len(diffs))
	sort.Strings(diffs)
	for _, d := range diffs {
		t.Log("  " + d)
	}
	for _, r := range Rules {
		if observed[r.Name] == 0 {
			t.Errorf("rule %s was never observed: the difference it documents no longer shows (remove it or fix the corpus)", r.Name)
		} else {
			t.Logf("rule %-40s %3d requests", r.Name, observed[r.Name])
		}
	}
	// Sanity: a set-up that allowed or denied everything would "agree" vacuously.
	if bothAllow < 40 || bothDeny < 100 {
		t.Errorf("only %d requests allowed and %d denied by both: the peers are not set up as intended", bothAllow, bothDeny)
	}
}
