//! The render pipeline natively (no JS), for `make bench`: prints JSON with the median times.
//! Usage: cargo run --release --example native_bench -- <line-protocol file> [runs]
//! With `FORMAT=json` the file is Telegraf JSON (timestamps in seconds) and only render runs.

use std::time::Instant;

use librato_core::line_protocol;
use librato_core::metric::{ParseOptions, Precision};
use librato_output::config::LibratoConfig;
use librato_output::render::{render, Format, Input, RenderOptions, Sink, Text};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("input file");
    let runs: usize = args.next().map_or(7, |r| r.parse().unwrap());
    let text = std::fs::read_to_string(path).unwrap();
    let json = std::env::var("FORMAT").is_ok_and(|f| f == "json");
    let (format, precision) = match json {
        true => (Format::Json, Precision::S),
        false => (Format::Influx, Precision::Ns),
    };
    let opts = ParseOptions {
        precision,
        default_time: 0,
    };
    let config = LibratoConfig::default();
    let mut render_ms = Vec::new();
    let mut parse_ms = Vec::new();
    let mut gauges = 0;
    let mut out_bytes = 0;
    for i in 0..=runs {
        let t = Instant::now();
        let plan = render(
            Input::Text(Text::Str(&text), format),
            &config,
            &RenderOptions {
                parse: opts,
                explain: false,
                max_requests: None,
                full_bodies: false,
            },
            Sink::Keep,
        );
        let ms = t.elapsed().as_secs_f64() * 1e3;
        gauges = plan.gauges;
        out_bytes = plan.bodies.text.len();
        if json || std::env::var_os("RENDER_ONLY").is_some() {
            if i > 0 {
                render_ms.push(ms);
            }
            parse_ms.push(0.0);
            continue;
        }
        let t = Instant::now();
        let n = line_protocol::parse(&text, opts)
            .filter(|m| m.is_ok())
            .count();
        let pms = t.elapsed().as_secs_f64() * 1e3;
        assert!(n > 0);
        if i > 0 {
            render_ms.push(ms);
            parse_ms.push(pms);
        }
    }
    println!(
        "{{\"render_ms\":{},\"parse_ms\":{},\"gauges\":{},\"output_bytes\":{},\"input_bytes\":{}}}",
        median(render_ms),
        median(parse_ms),
        gauges,
        out_bytes,
        text.len()
    );
}
