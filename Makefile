# tokengate — see README.md. Targets work on a fresh clone with Go >= 1.25 on PATH (the .wasm itself needs >= 1.24).
GO ?= go
PKGS := ./...
# Go modules nested in this repository, kept apart so their dependencies never reach the filter's go.mod.
SUBMODULES := tools/envoycheck testenv/idp tests/remote tools/demo

.PHONY: build test test-wasm bench bench-wasm bench-peer peer run check fuzz clean

build: ## build dist/*.wasm with standard Go (wasip1, c-shared)
	./build.sh

test: build ## build the .wasm modules, then run every test (native, against the .wasm, and jwtcore's inside wasm)
	$(GO) test -count=1 $(PKGS)
	@for m in $(SUBMODULES); do echo "== $$m"; (cd $$m && $(GO) test -count=1 ./...) || exit 1; done
	$(MAKE) test-wasm

test-wasm: ## jwtcore's tests compiled for wasip1 and run under wazero: the wasm-only code (its own SHA-256 and RSA) runs where it ships
	@mkdir -p dist/test
	$(GO) build -o dist/test/wasmrun ./internal/tools/wasmrun
	GOOS=wasip1 GOARCH=wasm $(GO) test -c -o dist/test/jwtcore.test ./jwtcore
	GOOS=wasip1 GOARCH=wasm $(GO) test -c -o dist/test/sha256x.test ./jwtcore/internal/sha256x
	cd jwtcore/internal/sha256x && ../../../dist/test/wasmrun ../../../dist/test/sha256x.test
	GOOS=wasip1 GOARCH=wasm $(GO) test -c -o dist/test/rsapub.test ./jwtcore/internal/rsapub
	cd jwtcore/internal/rsapub && ../../../dist/test/wasmrun ../../../dist/test/rsapub.test
	cd jwtcore && ../dist/test/wasmrun ../dist/test/jwtcore.test -test.skip 'TestDeps_' # go list does not run inside wasm

bench: build ## benchmarks: jwtcore vs golang-jwt, filter under testenv vs pass-through
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

bench-wasm: ## guest code measured inside wasm: jwtcore and the filter's decide, as test binaries run under wazero
	@mkdir -p dist/bench
	GOOS=wasip1 GOARCH=wasm $(GO) test -c -o dist/bench/jwtcore.test ./jwtcore
	GOOS=wasip1 GOARCH=wasm $(GO) test -c -o dist/bench/filter.test ./filter
	cd jwtcore && $(GO) run ../internal/tools/wasmrun ../dist/bench/jwtcore.test -test.run '^$$' -test.bench 'BenchmarkVerify$$' -test.benchmem
	cd filter && $(GO) run ../internal/tools/wasmrun ../dist/bench/filter.test -test.run '^$$' -test.bench 'BenchmarkDecide$$' -test.benchmem

peer: build ## tokengate vs HAProxy 2.6 (jwt_verify) on the same requests; needs `apt-get install haproxy`
	cd tools/peer && $(GO) test -count=1 ./...

bench-peer: build ## CPU per request: HAProxy's jwt_verify vs tokengate under testenv, in the same run
	cd tools/peer && $(GO) test -count=1 -run '^$$' -bench . ./...

run: build ## the demo: an OAuth 2 server (:9090), an echo upstream (:9000), the gateway (:8080) running dist/tokengate.wasm
	cd tools/demo && $(GO) run .

check: ## gofmt, go vet, go mod tidy must leave no diff
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)
	GOOS=wasip1 GOARCH=wasm $(GO) vet $(PKGS)
	$(GO) mod tidy -diff
	@for m in $(SUBMODULES) tools/peer; do echo "== $$m"; (cd $$m && $(GO) vet ./... && $(GO) mod tidy -diff) || exit 1; done

fuzz: ## a short run of every fuzz target
	./scripts/fuzz.sh 20s

clean:
	rm -rf dist
