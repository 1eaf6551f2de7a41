//go:build !unix

package filter

// processCPU is unavailable here: benchmarks report no CPU time.
func processCPU() int64 { return 0 }
