package filter

import (
	"testing"
)

// TestScenarios_decide is leg (a): every scenario against the pure decision,
// with the request built as the glue builds it (newRequest).
func TestScenarios_decide(t *testing.T) {
	configs := map[string]*compiledConfig{}
	for _, s := range scenarios(t) {
		t.Run(s.name, func(t *testing.T) {
			cfg, ok := configs[s.config]
			if !ok {
				var err error
				if cfg, err = parseConfig([]byte(mustJSON(t, scenarioConfigs[s.config](t)))); err != nil {
					t.Fatalf("parseConfig: %v", err)
				}
				configs[s.config] = cfg
			}
			in := s.sendHeaders()
			var d Decision
			if req, err := newRequest(in); err != nil {
				d = internalErrorDecision(cfg)
			} else {
				d = decide(cfg, req, s.clock())
			}
			o := outcome{forwarded: d.Allow}
			if d.Allow {
				o.upstream = upstreamView(in, d)
			} else {
				o.status = int(d.Reply.status)
				o.headers = d.Reply.headers
				o.body = string(d.Reply.body)
				o.details = d.Reply.details
			}
			s.check(t, o)
		})
	}
}
