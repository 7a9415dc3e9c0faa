/work/main/target-base/wasm32-unknown-unknown/release/deps/librato_output-5cda9dacba2b4d8b.d: crates/output/src/lib.rs crates/output/src/config/mod.rs crates/output/src/config/duration.rs crates/output/src/config/filter_keys.rs crates/output/src/config/redact.rs crates/output/src/config/substitute.rs crates/output/src/config/toml_reader/mod.rs crates/output/src/config/toml_reader/scalar.rs crates/output/src/config/value.rs crates/output/src/filter/mod.rs crates/output/src/filter/glob/mod.rs crates/output/src/filter/glob/compiler.rs crates/output/src/filter/glob/go.rs crates/output/src/filter/glob/lexer.rs crates/output/src/filter/glob/matcher.rs crates/output/src/filter/glob/parser.rs crates/output/src/render.rs crates/output/src/send/mod.rs crates/output/src/send/api_response.rs crates/output/src/send/basic_auth.rs crates/output/src/send/credentials.rs crates/output/src/send/join.rs crates/output/src/send/retry.rs

/work/main/target-base/wasm32-unknown-unknown/release/deps/liblibrato_output-5cda9dacba2b4d8b.rlib: crates/output/src/lib.rs crates/output/src/config/mod.rs crates/output/src/config/duration.rs crates/output/src/config/filter_keys.rs crates/output/src/config/redact.rs crates/output/src/config/substitute.rs crates/output/src/config/toml_reader/mod.rs crates/output/src/config/toml_reader/scalar.rs crates/output/src/config/value.rs crates/output/src/filter/mod.rs crates/output/src/filter/glob/mod.rs crates/output/src/filter/glob/compiler.rs crates/output/src/filter/glob/go.rs crates/output/src/filter/glob/lexer.rs crates/output/src/filter/glob/matcher.rs crates/output/src/filter/glob/parser.rs crates/output/src/render.rs crates/output/src/send/mod.rs crates/output/src/send/api_response.rs crates/output/src/send/basic_auth.rs crates/output/src/send/credentials.rs crates/output/src/send/join.rs crates/output/src/send/retry.rs

/work/main/target-base/wasm32-unknown-unknown/release/deps/liblibrato_output-5cda9dacba2b4d8b.rmeta: crates/output/src/lib.rs crates/output/src/config/mod.rs crates/output/src/config/duration.rs crates/output/src/config/filter_keys.rs crates/output/src/config/redact.rs crates/output/src/config/substitute.rs crates/output/src/config/toml_reader/mod.rs crates/output/src/config/toml_reader/scalar.rs crates/output/src/config/value.rs crates/output/src/filter/mod.rs crates/output/src/filter/glob/mod.rs crates/output/src/filter/glob/compiler.rs crates/output/src/filter/glob/go.rs crates/output/src/filter/glob/lexer.rs crates/output/src/filter/glob/matcher.rs crates/output/src/filter/glob/parser.rs crates/output/src/render.rs crates/output/src/send/mod.rs crates/output/src/send/api_response.rs crates/output/src/send/basic_auth.rs crates/output/src/send/credentials.rs crates/output/src/send/join.rs crates/output/src/send/retry.rs

crates/output/src/lib.rs:
crates/output/src/config/mod.rs:
crates/output/src/config/duration.rs:
crates/output/src/config/filter_keys.rs:
crates/output/src/config/redact.rs:
crates/output/src/config/substitute.rs:
crates/output/src/config/toml_reader/mod.rs:
crates/output/src/config/toml_reader/scalar.rs:
crates/output/src/config/value.rs:
crates/output/src/filter/mod.rs:
crates/output/src/filter/glob/mod.rs:
crates/output/src/filter/glob/compiler.rs:
crates/output/src/filter/glob/go.rs:
crates/output/src/filter/glob/lexer.rs:
crates/output/src/filter/glob/matcher.rs:
crates/output/src/filter/glob/parser.rs:
crates/output/src/render.rs:
crates/output/src/send/mod.rs:
crates/output/src/send/api_response.rs:
crates/output/src/send/basic_auth.rs:
crates/output/src/send/credentials.rs:
crates/output/src/send/join.rs:
crates/output/src/send/retry.rs:
