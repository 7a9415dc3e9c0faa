//! Line protocol from bytes, as a request body arrives: never panics; every error is a
//! line-protocol kind with a position; the metrics of valid text are the same read as text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_core::line_protocol::{self, utf8_lines};
use librato_core::metric::{ParseOptions, Precision};

fuzz_target!(|data: &[u8]| {
    for precision in [Precision::Ns, Precision::S] {
        let opts = ParseOptions { precision, default_time: 0 };
        let (text, bad) = utf8_lines(data);
        for e in &bad {
            assert!(e.line >= 1 && e.column >= 1 && e.message.contains("\\x"), "{e:?}");
        }
        for item in line_protocol::parse(&text, opts) {
            if let Err(e) = item {
                assert!(e.line >= 1 && e.column >= 1, "{e:?}");
                assert!(e.kind.is_line_protocol(), "unexpected error: {e:?}");
            }
        }
    }
});
