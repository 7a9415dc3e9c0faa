//! Telegraf JSON from bytes: never panics; errors carry a position and are JSON kinds (or
//! invalid UTF-8).
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_core::metric::{ErrorKind, ParseOptions, Precision};
use librato_output::render::{parse, Format, Text};

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions { precision: Precision::S, default_time: 0 };
    let errors = parse(Text::Bytes(data), Format::Json, options, &mut |_| {});
    for e in errors {
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        assert!(e.kind.is_json() || e.kind == ErrorKind::InvalidUtf8, "unexpected error: {e:?}");
    }
});
