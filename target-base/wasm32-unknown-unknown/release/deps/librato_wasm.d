/work/main/target-base/wasm32-unknown-unknown/release/deps/librato_wasm.d: src/lib.rs src/convert.rs src/http.rs src/metrics_js.rs src/options.rs src/output.rs src/text_in.rs

/work/main/target-base/wasm32-unknown-unknown/release/deps/librato_wasm.wasm: src/lib.rs src/convert.rs src/http.rs src/metrics_js.rs src/options.rs src/output.rs src/text_in.rs

/work/main/target-base/wasm32-unknown-unknown/release/deps/liblibrato_wasm.rlib: src/lib.rs src/convert.rs src/http.rs src/metrics_js.rs src/options.rs src/output.rs src/text_in.rs

src/lib.rs:
src/convert.rs:
src/http.rs:
src/metrics_js.rs:
src/options.rs:
src/output.rs:
src/text_in.rs:
