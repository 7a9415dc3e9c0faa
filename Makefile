# librato-wasm: the README's commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
JS_TESTS := $(sort $(wildcard tests/js/*.test.mjs))

.PHONY: help tools build test test-rust test-js test-types lint run bench fuzz fuzz-smoke clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-10s %s\n", $$1, $$2 }'

tools: ## install what is missing for building (wasm target, wasm-bindgen CLI, npm dev deps); skips what is present
	@NEED_CHROMIUM=$${NEED_CHROMIUM:-0} NEED_FUZZ=$${NEED_FUZZ:-0} bash scripts/tools.sh

test-tools: ## also what only the tests need (Debian's Chromium, cargo-fuzz)
	@NEED_CHROMIUM=1 NEED_FUZZ=1 bash scripts/tools.sh

build: tools ## build the npm package in pkg/ (prints the .wasm size raw and gzipped)
	@bash scripts/build.sh

lint: ## cargo fmt --check, clippy (native and wasm) and cargo doc, with warnings as errors
	cargo fmt --all --check
	cargo clippy --locked --workspace --all-targets -- -D warnings
	cargo clippy --locked --release --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --locked --release --target wasm32-unknown-unknown --features statsd -- -D warnings
	cargo clippy --locked --release --target wasm32-unknown-unknown --no-default-features -- -D warnings
	cargo clippy --locked -p librato-output --no-default-features --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --workspace --quiet

test-rust: ## native Rust unit, fixture, property and doc tests
	cargo test --locked --workspace --quiet

test-types: ## pkg/index.d.ts and pkg/metrics/index.d.ts checked by tsc --strict against consumers of each entry; publint --strict on the package
	node_modules/.bin/tsc -p tests/types/tsconfig.json
	node_modules/.bin/publint --strict pkg

test-js: ## JS tests through the built package (Node, workerd, Chromium)
	node --test --test-concurrency=1 $(JS_TESTS)

fuzz-smoke: ## a short run of every fuzz target (FUZZ_SMOKE_SECONDS each, default 30)
	bash scripts/fuzz.sh $${FUZZ_SMOKE_SECONDS:-30}

test: test-tools build lint test-rust test-types test-js fuzz-smoke ## install what is missing, build, run every test

run: build ## build and start the whole system on local defaults (Ctrl-C stops it)
	node dev/run.mjs

bench: build ## print the benchmark table (throughput, size, start-up, memory, worker CPU)
	node bench/run.mjs

fuzz: ## run each fuzz target for FUZZ_SECONDS (default 60)
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-60}

clean: ## remove build output
	rm -rf target pkg/dist tests/artifacts bench/out
