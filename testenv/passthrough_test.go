package testenv_test

import (
	"testing"

	"github.com/tokengate/tokengate/testenv"
)

func TestEnv_Passthrough(t *testing.T) {
	env := testenv.New(t, distWasm(t, "passthrough.wasm"), testenv.Workers(2))
	for i := 0; i < 4; i++ {
		s := env.NewStream()
		if act := s.RequestHeaders(reqHeaders([2]string{"authorization", "Bearer x"}), true); act != testenv.ActionContinue {
			t.Fatalf("request headers: got %v, want Continue", act)
		}
		if got, _ := s.UpstreamRequestHeader("authorization"); got != "Bearer x" {
			t.Fatalf("upstream authorization = %q", got)
		}
		if act := s.ResponseHeaders(respHeaders, true); act != testenv.ActionContinue {
			t.Fatalf("response headers: got %v", act)
		}
		s.Complete()
		if s.LocalResponse() != nil {
			t.Fatalf("unexpected local response %+v", s.LocalResponse())
		}
	}
	if m := env.Misuses(); len(m) != 0 {
		t.Fatalf("misuses: %v", m)
	}
	t.Logf("imports: %v", env.ImportedFunctions())
}
