//! Telegraf JSON: never panics; errors carry a position and a known message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_output::json_input::{self, ERROR_KINDS};
use librato_core::metric::{ParseOptions, Precision};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (_, errors) = json_input::parse(text, ParseOptions { precision: Precision::S, default_time: 0 });
    for e in errors {
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        assert!(ERROR_KINDS.iter().any(|k| e.message.contains(k)), "unexpected error: {e:?}");
    }
});
