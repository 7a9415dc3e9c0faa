/work/main/target-base/wasm32-unknown-unknown/release/deps/librato_core-6eb0c251b824ad00.d: crates/core/src/lib.rs crates/core/src/find.rs crates/core/src/hash.rs crates/core/src/json/mod.rs crates/core/src/json/reader.rs crates/core/src/json/telegraf.rs crates/core/src/librato/mod.rs crates/core/src/librato/sanitize.rs crates/core/src/librato/skipped.rs crates/core/src/line_protocol/mod.rs crates/core/src/line_protocol/scan.rs crates/core/src/line_protocol/utf8.rs crates/core/src/line_protocol/value.rs crates/core/src/metric.rs crates/core/src/number/mod.rs crates/core/src/number/parse.rs crates/core/src/sort.rs crates/core/src/template/mod.rs crates/core/src/template/explain.rs

/work/main/target-base/wasm32-unknown-unknown/release/deps/liblibrato_core-6eb0c251b824ad00.rlib: crates/core/src/lib.rs crates/core/src/find.rs crates/core/src/hash.rs crates/core/src/json/mod.rs crates/core/src/json/reader.rs crates/core/src/json/telegraf.rs crates/core/src/librato/mod.rs crates/core/src/librato/sanitize.rs crates/core/src/librato/skipped.rs crates/core/src/line_protocol/mod.rs crates/core/src/line_protocol/scan.rs crates/core/src/line_protocol/utf8.rs crates/core/src/line_protocol/value.rs crates/core/src/metric.rs crates/core/src/number/mod.rs crates/core/src/number/parse.rs crates/core/src/sort.rs crates/core/src/template/mod.rs crates/core/src/template/explain.rs

/work/main/target-base/wasm32-unknown-unknown/release/deps/liblibrato_core-6eb0c251b824ad00.rmeta: crates/core/src/lib.rs crates/core/src/find.rs crates/core/src/hash.rs crates/core/src/json/mod.rs crates/core/src/json/reader.rs crates/core/src/json/telegraf.rs crates/core/src/librato/mod.rs crates/core/src/librato/sanitize.rs crates/core/src/librato/skipped.rs crates/core/src/line_protocol/mod.rs crates/core/src/line_protocol/scan.rs crates/core/src/line_protocol/utf8.rs crates/core/src/line_protocol/value.rs crates/core/src/metric.rs crates/core/src/number/mod.rs crates/core/src/number/parse.rs crates/core/src/sort.rs crates/core/src/template/mod.rs crates/core/src/template/explain.rs

crates/core/src/lib.rs:
crates/core/src/find.rs:
crates/core/src/hash.rs:
crates/core/src/json/mod.rs:
crates/core/src/json/reader.rs:
crates/core/src/json/telegraf.rs:
crates/core/src/librato/mod.rs:
crates/core/src/librato/sanitize.rs:
crates/core/src/librato/skipped.rs:
crates/core/src/line_protocol/mod.rs:
crates/core/src/line_protocol/scan.rs:
crates/core/src/line_protocol/utf8.rs:
crates/core/src/line_protocol/value.rs:
crates/core/src/metric.rs:
crates/core/src/number/mod.rs:
crates/core/src/number/parse.rs:
crates/core/src/sort.rs:
crates/core/src/template/mod.rs:
crates/core/src/template/explain.rs:
