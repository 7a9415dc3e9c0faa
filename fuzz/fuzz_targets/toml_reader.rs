//! Our TOML reader against the `toml` crate: both reject a text, or both read the same tree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_output::config::{parse_toml, toml_oracle};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match (parse_toml(text), toml_oracle::parse(text)) {
        (Ok(ours), Ok(theirs)) => assert_eq!(
            toml_oracle::normalized(&ours),
            toml_oracle::normalized(&theirs),
            "the readers disagree on {text:?}"
        ),
        (Err(_), Err(_)) => {}
        // Our own nesting limit may be lower than the crate's.
        (Err(e), Ok(_)) if e.message.contains("nesting is too deep") => {}
        (ours, theirs) => panic!("ours: {ours:?}\noracle: {theirs:?}\nfor {text:?}"),
    }
});
