#!/usr/bin/env bash
# Runs every cargo-fuzz target for N seconds (default 60), seeded from the shared fixtures.
# Needs the nightly toolchain (installed on these machines) and cargo-fuzz (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "[fuzz] installing the nightly toolchain (cargo fuzz needs it)"
  if ! rustup toolchain install nightly --profile minimal; then
    echo "[fuzz] WARNING: no nightly toolchain can be installed here: fuzz run skipped" >&2
    exit 0
  fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] installing cargo-fuzz"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi
corpus=fuzz/corpus
mkdir -p "$corpus"
# Seeds: every fixture input and config, plus the bundled sample.
for t in line_protocol render template; do
  mkdir -p "$corpus/$t"
  for f in tests/fixtures/*/input.lp dev/sample.lp; do cp "$f" "$corpus/$t/$(echo "$f" | tr '/' '_')"; done
done
mkdir -p "$corpus/json_input" "$corpus/json_reader" "$corpus/load_config" "$corpus/toml_reader"
for f in tests/fixtures/*/input.json; do
  cp "$f" "$corpus/json_input/$(echo "$f" | tr '/' '_')"
  cp "$f" "$corpus/json_reader/$(echo "$f" | tr '/' '_')"
done
for f in tests/fixtures/*/config.toml www/telegraf-librato.conf; do
  cp "$f" "$corpus/load_config/$(echo "$f" | tr '/' '_')"
  cp "$f" "$corpus/toml_reader/$(echo "$f" | tr '/' '_')"
done
# Numbers at the corners of reading floats: exact halfway cases, subnormals, overflow.
mkdir -p "$corpus/float_parse"
i=0
for n in 0.1 1e23 9007199254740993 2.2250738585072011e-308 4.9406564584124654e-324 \
  2.4703282292062327e-324 1.7976931348623158e308 1e-400 -0.0 .5e-3 1.e5 +inf NaN 123456789012345678901234567890; do
  printf '%s' "$n" > "$corpus/float_parse/seed$i"; i=$((i + 1))
done
# And beyond the 800 digits the exact reading keeps.
printf '1%.0s' $(seq 1 900) > "$corpus/float_parse/seed-long"
printf 'e-890' >> "$corpus/float_parse/seed-long"
# Queue messages: the format's own shapes.
mkdir -p "$corpus/queue_message"
printf 'librato-wasm-queue 1 metrics 2 0\n{"name":"a","value":1,"source":"h","measure_time":1}\n{"name":"b","value":2,"source":"h","measure_time":1}' > "$corpus/queue_message/seed-metrics"
printf 'librato-wasm-queue 1 measurements 1 3\n# 400: tags is invalid\n{"name":"a","value":1,"time":1,"tags":{"k":"v"}}' > "$corpus/queue_message/seed-dead"
summary=()
for t in line_protocol json_input json_reader float_parse load_config toml_reader template render queue_message; do
  echo "[fuzz] $t for ${seconds}s"
  log=$(mktemp)
  extra=()
  [ "$t" = toml_reader ] && extra=(-dict=fuzz/toml.dict)
  case "$t" in json_input | json_reader) extra=(-dict=fuzz/json.dict) ;; esac
  if ! cargo +nightly fuzz run "$t" "$corpus/$t" -- -max_total_time="$seconds" -max_len=4096 "${extra[@]}" >"$log" 2>&1; then
    tail -40 "$log"
    echo "[fuzz] $t FAILED: the crashing input is under fuzz/artifacts/$t/"
    exit 1
  fi
  runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || echo '?')
  summary+=("$t: $runs executions, no findings")
  rm -f "$log"
done
printf '[fuzz] %s\n' "${summary[@]}"
