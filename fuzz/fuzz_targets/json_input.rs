//! Telegraf JSON from bytes: never panics; errors carry a position and are JSON kinds (or
//! invalid UTF-8); and the one-pass reader gives exactly the metrics and errors of the
//! two-step reading it replaced (whole value first, shape after).
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_core::json::telegraf::{oracle, parse_each};
use librato_core::metric::{ErrorKind, ParseOptions, Precision};
use librato_output::render::{parse, Format, Text};

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions { precision: Precision::S, default_time: 0 };
    let errors = parse(Text::Bytes(data), Format::Json, options, &mut |_| {});
    for e in &errors {
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        assert!(e.kind.is_json() || e.kind == ErrorKind::InvalidUtf8, "unexpected error: {e:?}");
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut metrics = Vec::new();
    let errors = parse_each(text, options, &mut |m| metrics.push(format!("{m:?}")));
    let (want_metrics, want_errors) = oracle::parse(text, options);
    assert_eq!(errors, want_errors, "{text:?}");
    let want: Vec<String> = want_metrics.iter().map(|m| format!("{m:?}")).collect();
    assert_eq!(metrics, want, "{text:?}");
});
