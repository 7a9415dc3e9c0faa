#!/usr/bin/env bash
# Installs what the build and tests need, skipping what is already present (idempotent).
# Measured commands: ../shared/docs/toolchain.md.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[tools]\033[0m %s\n' "$*"; }

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI at exactly the crate's version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (have: ${have:-none}); this takes a few minutes once"
  cargo install wasm-bindgen-cli --version "=$want" --no-default-features --locked \
    || cargo install wasm-bindgen-cli --version "=$want" --no-default-features
fi

# 3. cargo-fuzz for the fuzz smoke run (the nightly toolchain is on these machines).
if [ "${NEED_FUZZ:-0}" = 1 ] && ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

# 4. npm dev dependencies (binaryen's wasm-opt, miniflare/workerd, wrangler, vite, webpack, esbuild, playwright-core, typescript, publint).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/workerd ] || [ ! -x node_modules/.bin/tsc ] || [ ! -x node_modules/.bin/publint ] || [ ! -x node_modules/.bin/vite ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/webpack ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 5. Chromium for the playground tests (Debian's package, never a downloaded browser).
if [ "${NEED_CHROMIUM:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null
fi
exit 0
