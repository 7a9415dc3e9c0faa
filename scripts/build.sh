#!/usr/bin/env bash
# Builds the npm package: Rust → wasm, wasm-bindgen (web target), esbuild --minify of its glue,
# wasm-opt -Oz; prints sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

# One .wasm per build: the main entry's, the command line's (with `statsd`, its own profile) and
# librato-wasm/metrics' (LibratoMetrics alone: no default features, its own profile).
build() { # cargo-flags out-dir
  local profile=release
  [[ "$1" == *--profile* ]] && profile=${1##*--profile }
  # shellcheck disable=SC2086 # the flags are words
  cargo build --locked --target wasm32-unknown-unknown --quiet $1
  local wasm=target/wasm32-unknown-unknown/$profile/librato_wasm.wasm
  local out=$2
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  # Exports that return through memory, not as several values (no V8 wrapper per signature).
  node scripts/no-multivalue.mjs "$wasm" "$out.tmp/in.wasm"
  # --experimental-reset-state-function: lets the glue reset the instance after a panic.
  wasm-bindgen --target web --remove-name-section --remove-producers-section \
    --experimental-reset-state-function --out-dir "$out.tmp" --out-name librato_wasm "$out.tmp/in.wasm"
  rm "$out.tmp/in.wasm"
  # The generated glue, minified: it is part of every entry's download (librato-wasm/metrics'
  # budget counts it) and nobody edits it. Our own modules (src/, the entries) stay readable.
  node_modules/.bin/esbuild "$out.tmp/librato_wasm.js" --minify --format=esm --log-level=warning \
    --allow-overwrite --outfile="$out.tmp/librato_wasm.js"
  # Two import signatures instead of 14-20 (V8 compiles a wrapper per signature with the
  # module), and short import names (hashed names cost ~1 KB).
  node scripts/imports.mjs "$out.tmp"
  # --low-memory-unused: Rust's wasm stack is the first 1 MiB and grows down, so no valid
  # access lands in the low 1 KiB; wasm-opt may then fold constant offsets into loads.
  # -ocimfs 30: a function with one caller is inlined only if small. Inlining every such
  # function (wasm-opt's default) made the .wasm 1.6 KB (metrics) and 4.4 KB (main) larger
  # gzipped: the inlined copies lose the sharing gzip finds between separate functions, and a
  # first call compiles (V8 compiles each function on first use) only the parts it runs.
  node_modules/.bin/wasm-opt -Oz -ocimfs 30 --low-memory-unused \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out.tmp/librato_wasm_bg.wasm" -o "$out.tmp/librato_wasm_bg.wasm"
  rm -rf "$out" && mv "$out.tmp" "$out"
}
build "--features statsd --profile cli" pkg/cli.tmp
build "--no-default-features --profile metrics" pkg/metrics.tmp
# librato-wasm/metrics' entries load one script: its glue with guard.js, metrics.js and send.js bundled
# and minified (one download instead of three, ~2 KB less gzipped). pkg/src stays readable and
# is what the main entry loads.
mv pkg/metrics.tmp/librato_wasm.js pkg/metrics.tmp/glue.tmp.js
printf '%s\n' "export * from './glue.tmp.js';" "export { default } from './glue.tmp.js';" \
  "export { makeGuard } from '../src/guard.js';" "export { makeMetrics } from '../src/metrics.js';" \
  > pkg/metrics.tmp/entry.tmp.js
node_modules/.bin/esbuild pkg/metrics.tmp/entry.tmp.js --bundle --minify --format=esm \
  --log-level=warning --outfile=pkg/metrics.tmp/librato_wasm.js
rm pkg/metrics.tmp/glue.tmp.js pkg/metrics.tmp/entry.tmp.js
build "--release" pkg/dist
rm -rf pkg/dist/cli pkg/dist/metrics && mv pkg/cli.tmp pkg/dist/cli && mv pkg/metrics.tmp pkg/dist/metrics
# librato-wasm/metrics' Node entry as one module: pkg/metrics/node.js with its glue bundled in
# (resolving and loading a second module was ~0.25 ms of its cold start). One level below pkg/
# like its source, so the .wasm's relative URL holds for both.
node_modules/.bin/esbuild pkg/metrics/node.js --bundle --minify --format=esm --platform=neutral \
  --log-level=warning --outfile=pkg/dist/metrics-node.js
out=pkg/dist

raw=$(wc -c < "$out/librato_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/librato_wasm_bg.wasm" | wc -c)
awk -v r="$raw" -v g="$gz" 'BEGIN { printf "[build] pkg/dist/librato_wasm_bg.wasm: %d bytes raw, %d bytes gzipped (%.1f KB)\n", r, g, g / 1024 }'
cli=$(gzip -9 -c "$out/cli/librato_wasm_bg.wasm" | wc -c)
awk -v g="$cli" 'BEGIN { printf "[build] pkg/dist/cli/librato_wasm_bg.wasm (the command line, with statsd): %d bytes gzipped (%.1f KB)\n", g, g / 1024 }'
# librato-wasm/metrics' whole module graph, as a browser loads it (its budget is 60 KB).
node scripts/entry-size.mjs pkg/metrics/browser.js
