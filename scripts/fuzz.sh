#!/usr/bin/env bash
# Runs every fuzz target of the repository for the duration given as $1 (default 20s), one after
# the other (go test -fuzz takes one target at a time). New crashers are written by the Go tool to
# <pkg>/testdata/fuzz/<Target>/ and then run as regular seeds by plain `go test`.
#
#   ./scripts/fuzz.sh 30s
#   FUZZ_PKGS=./jwtcore ./scripts/fuzz.sh 1m
set -euo pipefail
cd "$(dirname "$0")/.."

dur="${1:-20s}"
GO="${GO:-go}"
pkgs="${FUZZ_PKGS:-./...}"

status=0
ran=0
for pkg in $("$GO" list -e $pkgs); do
	dir=$("$GO" list -f '{{.Dir}}' "$pkg")
	# Fuzz targets are functions `func FuzzXxx(f *testing.F)` in _test.go files.
	targets=$(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)\(f \*testing\.F\)' "$dir"/*_test.go 2>/dev/null | sed -E 's/^func (Fuzz[A-Za-z0-9_]+).*/\1/' | sort -u || true)
	for target in $targets; do
		echo "==> $pkg $target ($dur)"
		# A short minimization: by default Go spends up to 60 s minimizing each new input, uncounted,
		# which can take a whole short run (seen with the RSA differential target).
		if ! "$GO" test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" -fuzzminimizetime 5s; then
			echo "FAIL: $pkg $target" >&2
			status=1
		fi
		ran=$((ran + 1))
	done
done
if [ "$ran" -eq 0 ]; then
	echo "fuzz.sh: no fuzz targets found in $pkgs" >&2
	exit 1
fi
echo "fuzz.sh: ran $ran target(s) for $dur each"
exit $status
