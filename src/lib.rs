//! librato-wasm's JS boundary, and nothing else: options in, JS objects out, `Error`s with a
//! stable `code`, and the send loop's jobs (driven over `fetch` by pkg/src/send.js). Every
//! rule lives in the wasm-free crates `librato-core` (the hot path) and `librato-output` (config, filters,
//! render, send), which are tested natively; their types are used here under their own
//! names, and JS-facing names are set with `js_name`.
//!
//! Only built for `wasm32`: natively this crate is empty.
#![cfg(target_arch = "wasm32")]
// Slicing a str with `&s[a..b]` brings its panic's formatting into every .wasm (~4 KB
// gzipped): `librato_core::find::piece` instead (tests may slice).
#![cfg_attr(not(test), deny(clippy::string_slice))]

#[cfg(not(feature = "statsd"))]
mod alloc;
mod config_object;
mod convert;
mod json_body;
mod metrics;
#[cfg(feature = "full")]
mod metrics_js;
mod options;
mod output;
#[cfg(feature = "full")]
mod queue;
mod send_job;
#[cfg(feature = "statsd")]
mod statsd;
#[cfg(feature = "full")]
mod text_api;
#[cfg(feature = "full")]
mod text_in;

#[cfg(feature = "full")]
pub(crate) use text_api::plan_for;

use std::cell::RefCell;

// The package's entries (see alloc.rs for why); the command line keeps std's dlmalloc.
#[cfg(not(feature = "statsd"))]
#[global_allocator]
static ALLOC: alloc::Classes = alloc::Classes::new();

use wasm_bindgen::prelude::*;

thread_local! {
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Keeps the panic message so the JS glue can report it after the trap (panics abort in wasm).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = msg);
    }));
}

/// The message of the last panic (read by the JS glue before it resets the instance).
#[wasm_bindgen(js_name = "__lastPanic")]
pub fn last_panic() -> String {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// The size of this instance's wasm memory in bytes (for `make bench`: wasm memory never
/// shrinks, so this is the most a call has needed so far).
#[wasm_bindgen(js_name = "__wasmMemoryBytes")]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// Panics on purpose: lets the package's tests prove a panic never leaves the module unusable.
#[wasm_bindgen(js_name = "__panicForTests")]
pub fn panic_for_tests() {
    panic!("deliberate panic for tests");
}
