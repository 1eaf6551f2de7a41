#!/usr/bin/env bash
# build.sh builds tokengate's proxy-wasm modules into dist/.
#
#   ./build.sh            standard Go: GOOS=wasip1 GOARCH=wasm -buildmode=c-shared (the supported path)
#   TOOLCHAIN=tinygo ./build.sh
#                         TinyGo with the proxy-wasm-go-sdk (not exercised by this project: TinyGo is not
#                         available where tokengate is developed; see README.md)
#
# Modules built (package -> output):
#   ./cmd/tokengate-wasm   -> dist/tokengate.wasm    the filter
#   ./cmd/passthrough-wasm -> dist/passthrough.wasm  a filter that only continues (benchmark baseline)
set -euo pipefail
cd "$(dirname "$0")"

modules=(
	"./cmd/tokengate-wasm:dist/tokengate.wasm"
	"./cmd/passthrough-wasm:dist/passthrough.wasm"
)

mkdir -p dist

if [[ "${TOOLCHAIN:-go}" == "tinygo" ]]; then
	if ! command -v tinygo >/dev/null 2>&1; then
		echo "build.sh: TOOLCHAIN=tinygo but tinygo is not on PATH" >&2
		exit 1
	fi
	for m in "${modules[@]}"; do
		pkg=${m%%:*} out=${m#*:}
		compgen -G "$pkg/*.go" >/dev/null || continue
		tinygo build -o "$out" -scheduler=none -target=wasi "$pkg"
		printf '%s\t%s bytes (tinygo)\n' "$out" "$(wc -c <"$out")"
	done
	exit 0
fi

if ! command -v go >/dev/null 2>&1; then
	echo "build.sh: go is not on PATH; install Go 1.24 or newer (https://go.dev/dl/)" >&2
	exit 1
fi
ver=$(go env GOVERSION)           # e.g. go1.26.8
num=${ver#go}; major=${num%%.*}; rest=${num#*.}; minor=${rest%%[.a-z]*}
if (( major < 1 || (major == 1 && minor < 24) )); then
	echo "build.sh: $ver is too old: standard-Go proxy-wasm modules need Go 1.24 or newer (//go:wasmexport)" >&2
	exit 1
fi

for m in "${modules[@]}"; do
	pkg=${m%%:*} out=${m#*:}
	if ! compgen -G "$pkg/*.go" >/dev/null; then
		echo "build.sh: skipping $pkg (no Go files yet)" >&2
		continue
	fi
	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags="-s -w" -o "$out" "$pkg"
	printf '%s\t%s bytes (%s)\n' "$out" "$(wc -c <"$out")" "$ver"
done
