//! The whole render: never panics, and every gauge it emits meets Librato's rules.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_output::config::LibratoConfig;
use librato_core::metric::{ParseOptions, Precision};
use librato_output::render::{render, Format, Input, RenderOptions, Sink, Text};

fn name_ok(s: &str) -> bool {
    (1..=255).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fuzz_target!(|data: &[u8]| {
    // Bytes as a request body arrives: invalid UTF-8 included (that line's error).
    let (format, body) = match data.strip_prefix(b"json:") {
        Some(rest) => (Format::Json, rest),
        None => (Format::Influx, data),
    };
    let mut config = LibratoConfig::default();
    if let Some(first) = String::from_utf8_lossy(body).lines().next() {
        config.template = first.chars().take(40).collect();
    }
    let options = RenderOptions { parse: ParseOptions { precision: Precision::Ns, default_time: 1_700_000_000_000_000_000 }, explain: false, max_requests: None, full_bodies: false };
    let plan = render(Input::Text(Text::Bytes(body), format), &config, &options, Sink::Keep);
    let mut seen = 0;
    for (b, count) in plan.bodies.iter() {
        let v: serde_json::Value = serde_json::from_str(b).expect("bodies are JSON");
        let gauges = v["gauges"].as_array().expect("gauges");
        assert_eq!(gauges.len(), count);
        for g in gauges {
            assert!(name_ok(g["name"].as_str().unwrap()), "{g}");
            let source = g["source"].as_str().unwrap();
            assert!(name_ok(source) && !source.eq_ignore_ascii_case("all"), "{g}");
            let value = g["value"].as_f64().unwrap();
            assert!(value.is_finite() && value.abs() < 1e127, "{g}");
            assert!(g["measure_time"].is_i64(), "{g}");
            seen += 1;
        }
    }
    assert_eq!(seen, plan.gauges);
});
