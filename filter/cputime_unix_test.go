//go:build unix

package filter

import "syscall"

// processCPU returns the CPU time (user + system) this process has used, in
// nanoseconds: benchmarks report it per op beside wall time, because on a
// shared machine wall time also counts other processes' turns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
