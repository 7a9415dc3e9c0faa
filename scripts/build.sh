#!/usr/bin/env bash
# Builds the npm package: Rust → wasm, wasm-bindgen (web target), wasm-opt -Oz; prints sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --release --target wasm32-unknown-unknown --quiet
wasm=target/wasm32-unknown-unknown/release/librato_wasm.wasm
out=pkg/dist
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
# --experimental-reset-state-function: lets the glue reset the instance after a panic.
wasm-bindgen --target web --remove-name-section --remove-producers-section \
  --experimental-reset-state-function --out-dir "$out.tmp" --out-name librato_wasm "$wasm"
node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out.tmp/librato_wasm_bg.wasm" -o "$out.tmp/librato_wasm_bg.wasm"
rm -rf "$out" && mv "$out.tmp" "$out"

raw=$(wc -c < "$out/librato_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/librato_wasm_bg.wasm" | wc -c)
awk -v r="$raw" -v g="$gz" 'BEGIN { printf "[build] pkg/dist/librato_wasm_bg.wasm: %d bytes raw, %d bytes gzipped (%.1f KB)\n", r, g, g / 1024 }'
