#!/usr/bin/env bash
# Builds the npm package: Rust → wasm, wasm-bindgen (web target), wasm-opt -Oz; prints sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

# One .wasm per build: the package's (every entry) and the command line's (with `statsd`).
build() { # features out-dir
  cargo build --locked --release --target wasm32-unknown-unknown --quiet ${1:+--features "$1"}
  local wasm=target/wasm32-unknown-unknown/release/librato_wasm.wasm
  local out=$2
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  # --experimental-reset-state-function: lets the glue reset the instance after a panic.
  wasm-bindgen --target web --remove-name-section --remove-producers-section \
    --experimental-reset-state-function --out-dir "$out.tmp" --out-name librato_wasm "$wasm"
  node_modules/.bin/wasm-opt -Oz \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out.tmp/librato_wasm_bg.wasm" -o "$out.tmp/librato_wasm_bg.wasm"
  rm -rf "$out" && mv "$out.tmp" "$out"
}
build statsd pkg/cli.tmp
build "" pkg/dist
rm -rf pkg/dist/cli && mv pkg/cli.tmp pkg/dist/cli
out=pkg/dist

raw=$(wc -c < "$out/librato_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/librato_wasm_bg.wasm" | wc -c)
awk -v r="$raw" -v g="$gz" 'BEGIN { printf "[build] pkg/dist/librato_wasm_bg.wasm: %d bytes raw, %d bytes gzipped (%.1f KB)\n", r, g, g / 1024 }'
cli=$(gzip -9 -c "$out/cli/librato_wasm_bg.wasm" | wc -c)
awk -v g="$cli" 'BEGIN { printf "[build] pkg/dist/cli/librato_wasm_bg.wasm (the command line, with statsd): %d bytes gzipped (%.1f KB)\n", g, g / 1024 }'
