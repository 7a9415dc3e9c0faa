//! Property tests of `api = "measurements"`: over random metrics and tags, every body passes
//! the tagged API's documented rules and limits, each measurement's effective tags (its own,
//! or the body's top-level ones when it has none) are its metric's tags as sanitised, compact
//! and full bodies make the same stored series, and no body holds more than `batch_size`.

use std::borrow::Cow;

use librato_core::librato::{Api, BodyFormat, GaugeWriter, Reason, MAX_ABS_VALUE};
use librato_core::metric::{FieldValue, Metric};
use librato_core::template::Template;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Tag text: mostly plain, often with characters the API refuses or that only values allow,
/// sometimes empty or long.
fn tag_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(
            prop_oneof![
                6 => prop::char::range('a', 'z'),
                2 => prop::char::range('A', 'Z'),
                3 => prop::sample::select(vec![' ', '\\', '/', '?', ':', '.', '-', '_', '"', '=', ',', 'é', '😀', '\u{7f}']),
            ],
            0..12,
        )
        .prop_map(|v| v.into_iter().collect()),
        1 => "[a-z]{60,70}",
        1 => "[a-z ]{250,260}",
    ]
}

fn metric() -> impl Strategy<Value = Metric<'static>> {
    (
        "[a-z][a-z_.]{0,10}",
        prop_oneof![
            6 => prop::collection::vec((tag_text(), tag_text()), 0..6),
            1 => prop::collection::vec((tag_text(), tag_text()), 45..60),
        ],
        prop::collection::vec(
            (
                "[a-z]{1,6}",
                prop_oneof![
                    any::<f64>().prop_map(FieldValue::Float),
                    any::<i64>().prop_map(FieldValue::Int),
                    any::<bool>().prop_map(FieldValue::Bool),
                    Just(FieldValue::Str(Cow::Borrowed("s"))),
                ],
            ),
            1..4,
        ),
        prop_oneof![
            Just(1_700_000_000_000_000_000i64),
            Just(1_700_000_001_000_000_000i64),
            0i64..3_000_000_000
        ],
    )
        .prop_map(|(name, tags, fields, time)| {
            let mut m = Metric::new(Cow::Owned(name), time);
            for (k, v) in tags {
                m.set_tag(Cow::Owned(k), Cow::Owned(v));
            }
            for (k, v) in fields {
                m.set_field(Cow::Owned(k), v);
            }
            m
        })
}

/// The documented sanitising, written independently of the writer: per character, cut,
/// sorted by key, keys the API would read as one (it lower-cases them) sent once.
fn sanitised(m: &Metric<'_>) -> Vec<(String, String)> {
    let clean = |s: &str, value: bool, max: usize| -> String {
        s.chars()
            .map(|c| {
                let ok = c.is_ascii_alphanumeric()
                    || "-.:_".contains(c)
                    || (value && "?\\/ ".contains(c));
                if ok {
                    c
                } else {
                    '_'
                }
            })
            .take(max)
            .collect()
    };
    let mut tags: Vec<(String, String, &str)> = m
        .tags
        .iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (clean(k, false, 64), clean(v, true, 255), k.as_ref()))
        .collect();
    tags.sort_by(|a, b| (a.0.as_str(), a.2).cmp(&(b.0.as_str(), b.2)));
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v, _) in tags {
        if !out.iter().any(|(o, _)| o.eq_ignore_ascii_case(&k)) {
            out.push((k, v));
        }
    }
    out
}

fn key_ok(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:_".contains(&b))
}

fn value_ok(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:_?\\/ ".contains(&b))
}

fn name_ok(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".:-_".contains(&b))
}

/// A stored point: name, effective tags, effective time.
type Point = (String, Map<String, Value>, i64);

/// Every measurement of `bodies` as the API would store it: name, effective tags, effective
/// time. Checks each body's rules on the way.
fn read(bodies: &[String], batch_size: usize) -> Result<Vec<Point>, TestCaseError> {
    let mut out = Vec::new();
    for body in bodies {
        let v: Value =
            serde_json::from_str(body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let list = v["measurements"].as_array().unwrap();
        prop_assert!(!list.is_empty() && list.len() <= batch_size);
        for m in list {
            let name = m["name"].as_str().unwrap();
            prop_assert!(name_ok(name), "name {:?}", name);
            let value = m["value"].as_f64().unwrap();
            prop_assert!(value.is_finite() && value.abs() < MAX_ABS_VALUE);
            let tags = m.get("tags").or(v.get("tags")).and_then(Value::as_object);
            let tags = tags.ok_or_else(|| TestCaseError::fail("a measurement without tags"))?;
            prop_assert!(!tags.is_empty() && tags.len() <= 50);
            for (k, t) in tags {
                prop_assert!(key_ok(k), "tag key {:?}", k);
                prop_assert!(value_ok(t.as_str().unwrap()), "tag value {:?}", t);
            }
            let time = m
                .get("time")
                .or(v.get("time"))
                .and_then(Value::as_i64)
                .unwrap();
            out.push((name.to_string(), tags.clone(), time));
        }
    }
    Ok(out)
}

/// What the API keys a stored point by: lower-cased name and tags, and the time.
fn series(stored: &[Point]) -> Vec<String> {
    stored
        .iter()
        .map(|(name, tags, time)| {
            let mut set: Vec<String> = tags
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        k.to_lowercase(),
                        v.as_str().unwrap().to_lowercase()
                    )
                })
                .collect();
            set.sort();
            format!("{}|{}|{time}", name.to_lowercase(), set.join(","))
        })
        .collect()
}

fn write(
    metrics: &[Metric<'_>],
    format: BodyFormat,
    batch_size: usize,
) -> (Vec<String>, Vec<usize>, Vec<Reason>) {
    let mut w = GaugeWriter::for_api(Api::Measurements, Template::new("host"), batch_size);
    w.body_format(format);
    let mut per_metric = Vec::new();
    for m in metrics {
        let before = w.gauges;
        w.push(m);
        per_metric.push(w.gauges - before);
    }
    let (bodies, _, skipped) = w.finish();
    let bodies = bodies.iter().map(|(b, _)| b.to_string()).collect();
    (
        bodies,
        per_metric,
        skipped.iter().map(|s| s.reason).collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn tagged_bodies_follow_the_api_rules_and_carry_each_metrics_tags(
        metrics in prop::collection::vec(metric(), 1..25),
        batch_size in prop_oneof![1usize..=5, 1usize..=1000],
    ) {
        let (full, per_metric, reasons) = write(&metrics, BodyFormat::Telegraf, batch_size);
        let stored = read(&full, batch_size)?;
        // Each measurement carries exactly its metric's tags as sanitised.
        let mut at = 0;
        for (m, &n) in metrics.iter().zip(&per_metric) {
            let want = sanitised(m);
            if n > 0 {
                prop_assert!(!want.is_empty() && want.len() <= 50);
            }
            for (_, tags, _) in &stored[at..at + n] {
                let got: Vec<(String, String)> = tags
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect();
                prop_assert_eq!(&got, &want);
            }
            at += n;
        }
        prop_assert_eq!(at, stored.len());
        // A metric with tags the API would take is never skipped as no_tags / too_many_tags.
        let tag_skips = reasons.iter().filter(|r| matches!(r, Reason::NoTags | Reason::TooManyTags)).count();
        let refused = metrics
            .iter()
            .filter(|m| m.time.div_euclid(1_000_000_000) != 0)
            .filter(|m| {
                let n = sanitised(m).len();
                n == 0 || n > 50
            })
            .count();
        prop_assert_eq!(tag_skips, refused);
        // Compact bodies: the same stored series, in the same order.
        let (compact, _, _) = write(&metrics, BodyFormat::Compact, batch_size);
        prop_assert_eq!(compact.len(), full.len());
        prop_assert_eq!(series(&read(&compact, batch_size)?), series(&stored));
    }
}
