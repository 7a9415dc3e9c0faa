//! Line protocol: never panics; every error is one the parser documents, with a position.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_core::line_protocol::{self, ERROR_KINDS};
use librato_core::metric::{ParseOptions, Precision};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for precision in [Precision::Ns, Precision::S] {
        let opts = ParseOptions { precision, default_time: 0 };
        for item in line_protocol::parse(text, opts) {
            if let Err(e) = item {
                assert!(e.line >= 1 && e.column >= 1, "{e:?}");
                assert!(ERROR_KINDS.iter().any(|k| e.message.contains(k)), "unexpected error: {e:?}");
            }
        }
    }
});
