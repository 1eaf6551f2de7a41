//go:build race

package jwtcore

// raceEnabled reports a -race build: sync.Pool then drops items on purpose, so allocation counts of
// pooled code paths mean nothing and the allocation assertions do not run.
const raceEnabled = true
