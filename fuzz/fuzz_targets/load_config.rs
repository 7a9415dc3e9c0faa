//! TOML config: never panics; every error is a known kind, with a position when from text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_output::config::{load_config, LoadOptions, ERROR_KINDS};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = load_config(text, &LoadOptions::default()) {
        assert!(ERROR_KINDS.iter().any(|k| e.message.contains(k)), "unexpected error: {e:?}");
    }
});
