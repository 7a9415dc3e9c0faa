//! The renderer: streaming, explain, the request limit, pieces.

use super::*;

#[test]
fn render_streaming_hands_out_the_same_bodies() {
    let text: String = (0..700)
        .map(|i| {
            format!(
                "m,host=h{} a={i},b={i}i {}\n",
                i % 3,
                1_700_000_000_000_000_000i64 + i
            )
        })
        .collect();
    let options = RenderOptions::new(Format::Influx, 0);
    let config = LibratoConfig::default();
    let whole = render(
        Input::Text(Text::Str(&text), Format::Influx),
        &config,
        &options,
        Sink::Keep,
    );
    let expected: Vec<(String, usize)> = whole
        .bodies
        .iter()
        .map(|(b, n)| (b.to_string(), n))
        .collect();
    assert_eq!(expected.len(), 5);
    // Every body as soon as it is complete, in chunks of about two bodies, and all at the end.
    for (chunk_bytes, chunks) in [(0, 5), (40_000, 3), (usize::MAX, 1)] {
        let mut streamed = Vec::new();
        let mut calls = 0;
        let on_batch = &mut |text: &str, batches: &[librato_core::librato::Batch]| {
            calls += 1;
            for &(s, e, n) in batches {
                streamed.push((text[s..e].to_string(), n));
            }
        };
        let sink = Sink::Stream {
            chunk_bytes,
            on_batch,
        };
        let plan = render(
            Input::Text(Text::Str(&text), Format::Influx),
            &config,
            &options,
            sink,
        );
        assert_eq!(streamed, expected, "chunks of {chunk_bytes}");
        assert_eq!(calls, chunks, "chunks of {chunk_bytes}");
        assert_eq!(plan.gauges, 1400);
        assert!(plan.bodies.batches.is_empty());
    }
}

#[test]
fn explain_gives_each_metrics_source_steps_and_unmatched_parts() {
    let text = "cpu,host=a.b,dc=x usage=1 1700000000000000000\nmem used=2 1700000000000000000\n";
    let config = LibratoConfig {
        template: "host.rack.field".into(),
        ..LibratoConfig::default()
    };
    let mut options = RenderOptions::new(Format::Influx, 0);
    options.explain = true;
    let plan = render(
        Input::Text(Text::Str(text), Format::Influx),
        &config,
        &options,
        Sink::Keep,
    );
    let sources = plan.sources.unwrap();
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].0, 1);
    assert_eq!(sources[0].1.source.as_deref(), Some("a_b"));
    // No tags: only the field placeholder is left, and Telegraf sends it as it is.
    assert_eq!(sources[1].1.source.as_deref(), Some("FIELDNAME"));
    assert_eq!(
        plan.warnings,
        ["template part \"rack\" matches no tag in these metrics: it adds nothing to any source"]
    );
    // Without explain: neither.
    let plan = render(
        Input::Text(Text::Str(text), Format::Influx),
        &config,
        &RenderOptions::new(Format::Influx, 0),
        Sink::Keep,
    );
    assert!(plan.sources.is_none() && plan.warnings.is_empty());
}

#[test]
fn max_requests_stops_rendering_at_the_limit() {
    let lines = |n: usize| -> String {
        (0..n)
            .map(|i| {
                format!(
                    "m,host=h v={i} {}\n",
                    1_700_000_000_000_000_000i64 + i as i64
                )
            })
            .collect()
    };
    let config = LibratoConfig::default();
    let mut options = RenderOptions::new(Format::Influx, 0);
    options.max_requests = Some(2);
    let render_all = |text: &str, options: &RenderOptions| {
        let mut plans = Vec::new();
        let bytes = text.as_bytes();
        plans.push(render(
            Input::Text(Text::Str(text), Format::Influx),
            &config,
            options,
            Sink::Keep,
        ));
        plans.push(render(
            Input::Text(Text::Bytes(bytes), Format::Influx),
            &config,
            options,
            Sink::Keep,
        ));
        let mut at = 0;
        let mut source = |buf: &mut Vec<u8>| {
            let end = (at + 4096).min(bytes.len());
            buf.extend_from_slice(&bytes[at..end]);
            at = end;
            at < bytes.len()
        };
        plans.push(render(
            Input::Pieces(&mut source),
            &config,
            options,
            Sink::Keep,
        ));
        plans
    };
    // 100,000 lines: stops one gauge into the third request, the rest unread.
    for plan in render_all(&lines(100_000), &options) {
        assert!(plan.truncated);
        assert_eq!(plan.gauges, 601);
        assert_eq!(plan.bodies.batches.len(), 3);
    }
    // Exactly two requests' worth: all read, nothing truncated.
    for plan in render_all(&lines(600), &options) {
        assert!(!plan.truncated);
        assert_eq!((plan.gauges, plan.bodies.batches.len()), (600, 2));
    }
    // One more gauge, at the end of the input: over, but nothing left unread.
    for plan in render_all(&lines(601), &options) {
        assert!(!plan.truncated);
        assert_eq!(plan.bodies.batches.len(), 3);
    }
    // Telegraf JSON stops rendering too.
    let json: String = (0..1000)
        .map(|i| format!("{{\"name\":\"m\",\"tags\":{{\"host\":\"h\"}},\"fields\":{{\"v\":{i}}},\"timestamp\":1700000000}}\n"))
        .collect();
    let plan = render(
        Input::Text(Text::Str(&json), Format::Json),
        &config,
        &options,
        Sink::Keep,
    );
    assert!(plan.truncated);
    assert_eq!(plan.gauges, 601);
}

#[test]
fn render_text_streams_good_lines_past_bad_ones() {
    let text = "cpu,host=a usage=1.5,s=\"x\" 1700000000000000000\nnot a metric\nmem,host=a used=3i 1700000000000000000\n";
    let options = RenderOptions::new(Format::Influx, 0);
    let config = LibratoConfig::default();
    let plan = render(
        Input::Text(Text::Str(text), Format::Influx),
        &config,
        &options,
        Sink::Keep,
    );
    assert_eq!(plan.gauges, 2);
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].line, 2);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].line, Some(1));
    assert_eq!(
        plan.bodies.body(0),
        r#"{"gauges":[{"name":"cpu.usage","value":1.5,"source":"a","measure_time":1700000000},{"name":"mem.used","value":3,"source":"a","measure_time":1700000000}]}"#
    );
}

/// A source of `n` pieces of `size` bytes, recording the buffer's length at each call.
fn pieces(n: usize, size: usize, seen: &mut Vec<usize>) -> impl FnMut(&mut Vec<u8>) -> bool + '_ {
    let mut left = n;
    move |buf: &mut Vec<u8>| {
        seen.push(buf.len());
        buf.extend(std::iter::repeat_n(b'x', size));
        left -= 1;
        left > 0
    }
}

#[test]
fn fill_takes_one_piece_when_nothing_is_carried() {
    let mut seen = Vec::new();
    let mut source = pieces(10, 8, &mut seen);
    let mut buf = Vec::new();
    assert!(fill(&mut source, &mut buf));
    assert_eq!(buf.len(), 8);
}

#[test]
fn fill_reads_at_least_as_much_as_it_carries() {
    let mut seen = Vec::new();
    let mut source = pieces(100, 8, &mut seen);
    let mut buf = vec![b'x'; 30];
    assert!(fill(&mut source, &mut buf));
    assert_eq!(
        buf.len(),
        30 + 32,
        "four pieces: the first 8-byte multiple >= 30"
    );
    drop(source);
    assert_eq!(seen, [30, 38, 46, 54]);
}

#[test]
fn fill_stops_at_the_end_of_the_text() {
    let mut seen = Vec::new();
    let mut source = pieces(2, 8, &mut seen);
    let mut buf = vec![b'x'; 100];
    assert!(!fill(&mut source, &mut buf));
    assert_eq!(buf.len(), 116);
}

#[test]
fn an_unfinished_line_longer_than_many_pieces_is_parsed_a_few_times_only() {
    // One line of 100,000 bytes in 100-byte pieces with a string never closed: the tail
    // is re-parsed each time the buffer doubles, not at each of the 1,000 pieces.
    let text = format!("m s=\"{}", "x".repeat(100_000));
    let mut at = 0;
    let mut calls = 0;
    let mut source = |buf: &mut Vec<u8>| {
        calls += 1;
        let end = (at + 100).min(text.len());
        buf.extend_from_slice(&text.as_bytes()[at..end]);
        at = end;
        at < text.len()
    };
    let mut passes = 0;
    let mut buf = Vec::new();
    let mut more = true;
    while more {
        more = fill(&mut source, &mut buf);
        passes += 1;
    }
    assert_eq!(calls, 1001);
    assert!(passes <= 12, "{passes} passes");
    // And through the renderer: the line is one error, reported once.
    let mut at = 0;
    let mut source = |buf: &mut Vec<u8>| {
        let end = (at + 100).min(text.len());
        buf.extend_from_slice(&text.as_bytes()[at..end]);
        at = end;
        at < text.len()
    };
    let options = RenderOptions::new(Format::Influx, 0);
    let config = LibratoConfig::default();
    let sink = Sink::Stream {
        chunk_bytes: 1 << 16,
        on_batch: &mut |_, _| {},
    };
    let plan = render(Input::Pieces(&mut source), &config, &options, sink);
    assert_eq!(plan.errors.len(), 1);
    assert!(
        plan.errors[0].message.contains("unterminated string"),
        "{:?}",
        plan.errors
    );
}
