//! TOML config: never panics; every error from text has a position, and those about one
//! key's value name the key (the kind is a type: no list of phrases to keep in step).
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_output::config::{load_config, ConfigErrorKind, LoadOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = load_config(text, &LoadOptions::default()) {
        assert!(!e.message.is_empty(), "{e:?}");
        if matches!(e.kind, ConfigErrorKind::UnknownKey | ConfigErrorKind::InvalidGlob) {
            assert!(e.key.is_some() && e.line.is_some(), "{e:?}");
        }
    }
});
