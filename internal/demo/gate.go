package demo

import (
	"io"
	"sync"
)

// GatedWriter drops writes until Open is called, then passes them to W. The demos keep request
// logs quiet during their self-check, so the instructions print in one piece.
type GatedWriter struct {
	W io.Writer

	mu     sync.Mutex
	opened bool
}

func (g *GatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened {
		return len(p), nil
	}
	return g.W.Write(p)
}

// Open lets later writes through.
func (g *GatedWriter) Open() {
	g.mu.Lock()
	g.opened = true
	g.mu.Unlock()
}
