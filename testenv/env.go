package testenv

import "testing"

// Env is a Host bound to a test: a guest trap, a failed start or a misuse of the Stream API fails
// the test (t.Fatalf) with the guest's stderr, logs and last ABI calls, and the Host is closed by
// t.Cleanup. Every Host method is available on it.
type Env struct {
	*Host
	t testing.TB
}

// New starts wasm under an Envoy-like host for the test t; see NewHost for the start sequence and
// the options. It calls t.Fatalf if the plugin does not start.
func New(t testing.TB, wasm []byte, opts ...Option) *Env {
	t.Helper()
	h, err := NewHost(wasm, opts...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	e := &Env{Host: h, t: t}
	h.OnFailure(func(err error) {
		t.Helper()
		t.Fatalf("%v", err)
	})
	t.Cleanup(func() { _ = h.Close() })
	return e
}

// T returns the test the Env reports to.
func (e *Env) T() testing.TB { return e.t }
