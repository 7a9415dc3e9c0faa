//! librato-wasm: Telegraf's `outputs.librato` as a Rust library compiled to WebAssembly.
//!
//! The core (every module but `wasm`) is pure Rust with no JS dependency and is tested
//! natively; `src/wasm` is the only place that knows about JavaScript.

#![cfg_attr(not(target_arch = "wasm32"), forbid(unsafe_code))]

// The hot path lives in its own crate (gauges/), built at opt-level 3.
pub use librato_gauges::{find, librato, line_protocol, metric, number, template};

pub mod api_response;
pub mod basic_auth;
pub mod config;
pub mod filter;
pub mod json_input;
pub mod json_reader;
pub mod render;
pub mod retry;

#[cfg(target_arch = "wasm32")]
mod wasm;
