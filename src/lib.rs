//! librato-wasm: Telegraf's `outputs.librato` as a Rust library compiled to WebAssembly.
//!
//! The core (everything but [`wasm`]) is pure Rust with no JS dependency and is tested
//! natively; `src/wasm` is the only place that knows about JavaScript.

#![forbid(unsafe_code)]

pub mod config;
pub mod json_input;
pub mod librato;
pub mod line_protocol;
pub mod metric;
pub mod number;
pub mod template;
