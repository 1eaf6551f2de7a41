package demo

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Step is one API request a demo prints as a curl command and sends once itself.
type Step struct {
	What       string
	Method     string
	Path       string
	TokenVar   string // shell variable holding the token; "" for none
	WantStatus int
}

// Curl is the step as a command to paste into a shell, against the gateway at base.
func (s Step) Curl(base string) string {
	var b strings.Builder
	b.WriteString("curl -i")
	if s.Method != "GET" {
		b.WriteString(" -X " + s.Method)
	}
	if s.TokenVar != "" {
		fmt.Fprintf(&b, ` -H "Authorization: Bearer $%s"`, s.TokenVar)
	}
	b.WriteString(" " + base + s.Path)
	return b.String()
}

// Do sends the step's request, with tokens[s.TokenVar] as bearer token, and returns the status.
func (s Step) Do(ctx context.Context, c *http.Client, base string, tokens map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, s.Method, base+s.Path, nil)
	if err != nil {
		return 0, err
	}
	if s.TokenVar != "" {
		req.Header.Set("Authorization", "Bearer "+tokens[s.TokenVar])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// Report prints a self-checked command: what it shows, the announced status with what the demo
// got ("ok", "UNEXPECTED: got N" or "FAILED: error"), then the command. It reports whether the
// status was the announced one.
func Report(w io.Writer, what string, want int, command string, got int, err error) bool {
	mark, ok := "ok", true
	switch {
	case err != nil:
		mark, ok = "FAILED: "+err.Error(), false
	case got != want:
		mark, ok = fmt.Sprintf("UNEXPECTED: got %d", got), false
	}
	fmt.Fprintf(w, "# %s -> %d (%s)\n%s\n\n", what, want, mark, command)
	return ok
}

// RunSteps sends every step once against base, prints each with Report, and returns how many did
// not get the announced status.
func RunSteps(ctx context.Context, w io.Writer, c *http.Client, base string, steps []Step, tokens map[string]string) (failed int) {
	for _, s := range steps {
		got, err := s.Do(ctx, c, base, tokens)
		if !Report(w, s.What, s.WantStatus, s.Curl(base), got, err) {
			failed++
		}
	}
	return failed
}

// Footer ends a demo's instructions: a warning when the self-check failed, and how to stop.
func Footer(w io.Writer, failed, total int) {
	if failed > 0 {
		fmt.Fprintf(w, "WARNING: %d of %d demo requests did not behave as described above\n", failed, total)
	}
	fmt.Fprintln(w, "Ctrl-C to stop. Requests are logged below (gateway status and reason; what the upstream received).")
}
