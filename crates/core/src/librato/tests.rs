use std::borrow::Cow;

use super::*;
use crate::metric::{FieldValue, Metric};

/// 2009-11-10T23:00:00Z, the time of Telegraf's own test table.
const T: i64 = 1_257_894_000_000_000_000;

fn metric(
    name: &'static str,
    tags: &[(&'static str, &'static str)],
    fields: Vec<(&'static str, FieldValue<'static>)>,
    time: i64,
) -> Metric<'static> {
    let mut m = Metric::new(name, time);
    for &(k, v) in tags {
        m.set_tag(Cow::Borrowed(k), Cow::Borrowed(v));
    }
    for (k, v) in fields {
        m.set_field(Cow::Borrowed(k), v);
    }
    m
}

fn gauges(template: &str, metrics: &[Metric<'_>]) -> (Vec<serde_json::Value>, Vec<Skipped>) {
    let t = Template::new(template);
    let mut w = GaugeWriter::new(t.clone(), 300);
    for m in metrics {
        w.push(m);
    }
    let (bodies, n, skipped) = w.finish();
    let mut all = Vec::new();
    for (body, count) in bodies.iter() {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let g = v["gauges"].as_array().unwrap().clone();
        assert_eq!(g.len(), count);
        all.extend(g);
    }
    assert_eq!(all.len(), n);
    (all, skipped)
}

#[test]
fn gauges_telegraf_value_table() {
    let cases: Vec<(FieldValue<'static>, Option<f64>)> = vec![
        (FieldValue::Float(0.0), Some(0.0)),
        (FieldValue::Float(1.0), Some(1.0)),
        (FieldValue::Int(10), Some(10.0)),
        (FieldValue::Int(112345), Some(112345.0)),
        (FieldValue::Float(11234.5), Some(11234.5)),
        (FieldValue::Bool(true), Some(1.0)),
        (FieldValue::Bool(false), Some(0.0)),
        (FieldValue::UInt(u64::MAX), Some(18446744073709551615.0)),
        (FieldValue::Str("11234.5".into()), None),
    ];
    for (value, want) in cases {
        let m = metric(
            "test1",
            &[("host", "192.168.0.1")],
            vec![("value", value.clone())],
            T,
        );
        let (g, skipped) = gauges("host", &[m]);
        match want {
            Some(v) => {
                assert_eq!(g.len(), 1, "{value:?}");
                assert_eq!(g[0]["name"], "test1");
                assert_eq!(g[0]["source"], "192_168_0_1");
                assert_eq!(g[0]["value"].as_f64().unwrap(), v);
                assert_eq!(g[0]["measure_time"], 1_257_894_000);
            }
            None => {
                assert!(g.is_empty());
                assert_eq!(skipped[0].reason, Reason::StringValue);
                assert_eq!(skipped[0].field.as_deref(), Some("value"));
            }
        }
    }
}

#[test]
fn gauges_body_text_is_compact_and_ordered() {
    let m = metric(
        "cpu",
        &[("host", "h")],
        vec![
            ("usage idle", FieldValue::Float(99.5)),
            ("n", FieldValue::Int(3)),
        ],
        T,
    );
    let t = Template::new("host");
    let mut w = GaugeWriter::new(t.clone(), 300);
    w.push(&m);
    let (bodies, _, _) = w.finish();
    assert_eq!(
        bodies.body(0),
        r#"{"gauges":[{"name":"cpu.usage-idle","value":99.5,"source":"h","measure_time":1257894000},{"name":"cpu.n","value":3,"source":"h","measure_time":1257894000}]}"#
    );
}

#[test]
fn gauges_time_rule_rounds_toward_negative_infinity() {
    let mk = |t| {
        metric(
            "m",
            &[("host", "h")],
            vec![("value", FieldValue::Float(1.0))],
            t,
        )
    };
    let (g, s) = gauges(
        "host",
        &[
            mk(0),
            mk(999_999_999),
            mk(-1),
            mk(1_000_000_000),
            mk(-1_000_000_001),
        ],
    );
    let times: Vec<i64> = g
        .iter()
        .map(|g| g["measure_time"].as_i64().unwrap())
        .collect();
    assert_eq!(times, [-1, 1, -2]);
    assert_eq!(s.len(), 2);
    assert!(s
        .iter()
        .all(|s| s.reason == Reason::TimeZero && s.field.is_none()));
}

#[test]
fn gauges_name_rule_and_sanitising() {
    let m = metric(
        "my cpu😀",
        &[("host", "a b.c")],
        vec![
            ("value", FieldValue::Float(1.0)),
            ("idle:pct", FieldValue::Float(2.0)),
        ],
        T,
    );
    let (g, _) = gauges("host", &[m]);
    assert_eq!(g[0]["name"], "my-cpu-");
    assert_eq!(g[1]["name"], "my-cpu-.idle-pct");
    assert_eq!(g[0]["source"], "a-b_c");
}

#[test]
fn gauges_no_source_skips_the_metric() {
    let m = metric(
        "m",
        &[("hostnam", "x")],
        vec![("value", FieldValue::Float(1.0))],
        T,
    );
    let (g, s) = gauges("hostname", &[m]);
    assert!(g.is_empty());
    assert_eq!(s[0].reason, Reason::NoSource);
    assert!(s[0].message.contains("hostnam=x"), "{}", s[0].message);
}

#[test]
fn gauges_deliberate_differences_skip_only_that_gauge() {
    let long = Box::leak("x".repeat(256).into_boxed_str());
    let fields = vec![
        ("nan", FieldValue::Float(f64::NAN)),
        ("inf", FieldValue::Float(f64::NEG_INFINITY)),
        ("big", FieldValue::Float(1e127)),
        ("almost", FieldValue::Float(-9.99e126)),
        (&*long, FieldValue::Float(1.0)),
        ("ok", FieldValue::Int(5)),
    ];
    let m = metric("m", &[("host", "h")], fields, T);
    let (g, s) = gauges("host", &[m]);
    let names: Vec<_> = g
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["m.almost", "m.ok"]);
    let reasons: Vec<_> = s.iter().map(|s| s.reason.code()).collect();
    assert_eq!(
        reasons,
        ["non_finite", "non_finite", "out_of_range", "name_too_long"]
    );
}

#[test]
fn gauges_name_of_exactly_255_is_kept() {
    let field = Box::leak("f".repeat(253).into_boxed_str());
    let m = metric(
        "m",
        &[("host", "h")],
        vec![(&*field, FieldValue::Float(1.0))],
        T,
    );
    let (g, s) = gauges("host", &[m]);
    assert_eq!((g.len(), s.len()), (1, 0));
    assert_eq!(g[0]["name"].as_str().unwrap().len(), 255);
}

#[test]
fn gauges_source_checks() {
    let long = Box::leak("s".repeat(256).into_boxed_str());
    for (host, reason) in [
        (&*long, "source_too_long"),
        ("all", "reserved_source"),
        ("ALL", "reserved_source"),
    ] {
        let m = metric(
            "m",
            &[("host", host)],
            vec![("a", FieldValue::Float(1.0)), ("b", FieldValue::Float(2.0))],
            T,
        );
        let (g, s) = gauges("host", &[m]);
        assert!(g.is_empty());
        assert_eq!(s.len(), 2, "each gauge is listed");
        assert!(s.iter().all(|s| s.reason.code() == reason));
    }
    // "all" only as the whole source.
    let m = metric(
        "m",
        &[("host", "all"), ("a", "1")],
        vec![("v", FieldValue::Float(1.0))],
        T,
    );
    assert_eq!(gauges("host.a", &[m]).0[0]["source"], "all.1");
}

#[test]
fn gauges_batches_of_300_and_301() {
    for (n, want) in [
        (300usize, vec![300]),
        (301, vec![300, 1]),
        (601, vec![300, 300, 1]),
        (1, vec![1]),
    ] {
        let t = Template::new("host");
        let mut w = GaugeWriter::new(t.clone(), 300);
        for i in 0..n {
            let mut m = metric("m", &[("host", "h")], vec![], T + i as i64);
            m.set_field(Cow::Borrowed("value"), FieldValue::Int(i as i64));
            w.push(&m);
        }
        let (bodies, total, _) = w.finish();
        assert_eq!(total, n);
        let counts: Vec<usize> = bodies.batches.iter().map(|b| b.2).collect();
        assert_eq!(counts, want);
        // Gauges keep input order across batches.
        let last: serde_json::Value =
            serde_json::from_str(bodies.body(bodies.batches.len() - 1)).unwrap();
        let g = last["gauges"].as_array().unwrap();
        assert_eq!(g[g.len() - 1]["value"], (n - 1) as u64);
    }
}

#[test]
fn gauges_custom_batch_size() {
    let t = Template::new("host");
    let mut w = GaugeWriter::new(t.clone(), 7);
    for _ in 0..20 {
        w.push(&metric(
            "m",
            &[("host", "h")],
            vec![("value", FieldValue::Float(1.0))],
            T,
        ));
    }
    let (bodies, _, _) = w.finish();
    let counts: Vec<usize> = bodies.batches.iter().map(|b| b.2).collect();
    assert_eq!(counts, [7, 7, 6]);
}

#[test]
fn gauges_no_gauges_no_bodies() {
    let (bodies, n, _) = GaugeWriter::new(Template::new("host"), 300).finish();
    assert_eq!((bodies.batches.len(), n, bodies.text.len()), (0, 0, 0));
}

#[test]
fn gauges_explain_records_input_lines() {
    let t = Template::new("host");
    let mut w = GaugeWriter::new(t, 300);
    w.explain();
    let mut a = metric(
        "a",
        &[("host", "h")],
        vec![
            ("x", FieldValue::Float(1.0)),
            ("s", FieldValue::Str("no".into())),
            ("y", FieldValue::Int(2)),
        ],
        T,
    );
    a.line = 3;
    let mut b = metric(
        "b",
        &[("host", "h")],
        vec![("value", FieldValue::Float(1.0))],
        T,
    );
    b.line = 7;
    w.push(&a);
    w.push(&b);
    assert_eq!(w.take_lines(), Some(vec![3, 3, 7]));
}

#[test]
fn many_distinct_string_fields_are_counted_each_once_in_first_seen_order() {
    // 5,000 distinct string fields of one metric, each seen on two lines (the second pass in
    // reverse), plus one of another metric: one entry each, counted twice, in line order.
    let mut w = GaugeWriter::new(Template::new("host"), 300);
    let n = 5_000usize;
    let order: Vec<usize> = (0..n).chain((0..n).rev()).collect();
    for (line, &i) in order.iter().enumerate() {
        let mut m = Metric::new("m", T);
        m.tags.push(("host".into(), "h".into()));
        m.fields
            .push((Cow::Owned(format!("s{i}")), FieldValue::Str("x".into())));
        m.line = line as u32 + 1;
        w.push(&m);
    }
    let mut other = Metric::new("n", T);
    other.tags.push(("host".into(), "h".into()));
    other
        .fields
        .push(("s0".into(), FieldValue::Str("x".into())));
    w.push(&other);
    let (_, gauges, skipped) = w.finish();
    assert_eq!(gauges, 0);
    assert_eq!(skipped.len(), n + 1);
    for (i, s) in skipped[..n].iter().enumerate() {
        assert_eq!(
            (s.metric.as_str(), s.field.clone(), s.count, s.line),
            ("m", Some(format!("s{i}")), Some(2), Some(i as u32 + 1))
        );
    }
    assert_eq!(
        (skipped[n].metric.as_str(), skipped[n].count),
        ("n", Some(1))
    );
}

/// Each body's gauges with the top-level `source` and `measure_time` applied to those that
/// lack them, as the API reads them; and the bodies' total size.
fn read_as_the_api(bodies: &Bodies) -> (Vec<serde_json::Value>, usize) {
    let mut all = Vec::new();
    for (body, count) in bodies.iter() {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let gauges = v["gauges"].as_array().unwrap();
        assert_eq!(gauges.len(), count);
        for g in gauges {
            let mut g = g.as_object().unwrap().clone();
            for key in ["source", "measure_time"] {
                if !g.contains_key(key) {
                    g.insert(key.into(), v[key].clone());
                }
            }
            // Telegraf's key order, so the two readings compare as values.
            let ordered: serde_json::Map<_, _> = ["name", "value", "source", "measure_time"]
                .iter()
                .map(|&k| (k.to_string(), g[k].clone()))
                .collect();
            all.push(serde_json::Value::Object(ordered));
        }
    }
    (all, bodies.text.len())
}

#[test]
fn compact_bodies_hold_the_same_gauges_in_fewer_bytes() {
    let hosts = ["web-1", "web-2", "db.1"];
    let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15u64);
    for round in 0..200 {
        let mut metrics = Vec::new();
        for _ in 0..(next() % 40) {
            let host = hosts[(next() % 3) as usize];
            let time = T + (next() % 3) as i64 * 1_000_000_000;
            let mut fields = vec![("idle", FieldValue::Float(next() as f64 / 7.0))];
            if next() % 2 == 0 {
                fields.push(("value", FieldValue::Int(next() as i64 % 1000)));
            }
            if next() % 5 == 0 {
                fields.push(("bad", FieldValue::Float(f64::INFINITY)));
            }
            metrics.push(metric("cpu", &[("host", host)], fields, time));
        }
        let batch = 1 + (next() % 7) as usize;
        let write = |format: BodyFormat| {
            let mut w = GaugeWriter::new(Template::new("host"), batch);
            w.body_format(format);
            for m in &metrics {
                w.push(m);
            }
            w.finish()
        };
        let (telegraf, n1, skipped1) = write(BodyFormat::Telegraf);
        let (compact, n2, skipped2) = write(BodyFormat::Compact);
        assert_eq!((n1, skipped1.len()), (n2, skipped2.len()), "round {round}");
        assert_eq!(telegraf.batches.len(), compact.batches.len());
        let (want, telegraf_bytes) = read_as_the_api(&telegraf);
        let (got, compact_bytes) = read_as_the_api(&compact);
        assert_eq!(got, want, "round {round}");
        assert!(compact_bytes <= telegraf_bytes, "round {round}");
    }
}

#[test]
fn compact_body_shapes() {
    let m = |host, secs: i64, v| {
        metric(
            "cpu",
            &[("host", host)],
            vec![("idle", FieldValue::Float(v))],
            T + secs * 1_000_000_000,
        )
    };
    let mut w = GaugeWriter::new(Template::new("host"), 300);
    w.body_format(BodyFormat::Compact);
    for metric in [
        m("a", 0, 1.5),
        m("a", 0, 2.0),
        m("b", 0, 3.0),
        m("a", 1, 4.0),
    ] {
        w.push(&metric);
    }
    let (bodies, _, _) = w.finish();
    assert_eq!(
        bodies.body(0),
        concat!(
            r#"{"source":"a","measure_time":1257894000,"gauges":["#,
            r#"{"name":"cpu.idle","value":1.5},{"name":"cpu.idle","value":2},"#,
            r#"{"name":"cpu.idle","value":3,"source":"b"},"#,
            r#"{"name":"cpu.idle","value":4,"measure_time":1257894001}]}"#
        )
    );
    assert_eq!(BodyFormat::parse("compact"), Some(BodyFormat::Compact));
    assert_eq!(
        BodyFormat::parse(BodyFormat::Telegraf.name()),
        Some(BodyFormat::Telegraf)
    );
    assert_eq!(BodyFormat::parse("Compact"), None);
}
