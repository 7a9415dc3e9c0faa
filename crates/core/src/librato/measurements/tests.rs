use std::borrow::Cow;

use crate::librato::{Api, BodyFormat, GaugeWriter, Reason, Skipped, MAX_TAGS};
use crate::metric::{FieldValue, Metric};
use crate::template::Template;

const T: i64 = 1_700_000_000_000_000_000;

fn metric(name: &str, tags: &[(&str, &str)], value: f64) -> Metric<'static> {
    let mut m = Metric::new(name.to_string(), T);
    for &(k, v) in tags {
        m.set_tag(Cow::Owned(k.into()), Cow::Owned(v.into()));
    }
    m.set_field("value".into(), FieldValue::Float(value));
    m
}

fn write(metrics: &[Metric<'_>], format: BodyFormat, batch: usize) -> (Vec<String>, Vec<Skipped>) {
    let mut w = GaugeWriter::for_api(Api::Measurements, Template::new("host"), batch);
    w.body_format(format);
    for m in metrics {
        w.push(m);
    }
    let (bodies, _, skipped) = w.finish();
    (bodies.iter().map(|(b, _)| b.to_string()).collect(), skipped)
}

#[test]
fn measurement_carries_its_tags_sorted_and_no_source() {
    let m = metric("cpu", &[("host", "web-1"), ("cpu", "cpu0")], 97.5);
    let (bodies, skipped) = write(&[m], BodyFormat::Telegraf, 300);
    assert!(skipped.is_empty());
    assert_eq!(
        bodies,
        [
            r#"{"measurements":[{"name":"cpu","value":97.5,"time":1700000000,"tags":{"cpu":"cpu0","host":"web-1"}}]}"#
        ]
    );
}

#[test]
fn tags_are_sanitised_cut_and_escaped() {
    let long_key = "k".repeat(70);
    let long_value = "v".repeat(300);
    let m = metric(
        "m",
        &[
            ("a b", "x=y"),
            ("path", "C:\\dir/f?x y"),
            (&long_key, &long_value),
            ("é", "日本"),
        ],
        1.0,
    );
    let (bodies, _) = write(&[m], BodyFormat::Telegraf, 300);
    let v: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    let tags = &v["measurements"][0]["tags"];
    assert_eq!(tags["a_b"], "x_y");
    assert_eq!(tags["path"], "C:\\dir/f?x y");
    assert_eq!(tags[&"k".repeat(64)], "v".repeat(255));
    assert_eq!(tags["_"], "__");
    assert!(
        bodies[0].contains(r#""path":"C:\\dir/f?x y""#),
        "{}",
        bodies[0]
    );
}

#[test]
fn no_tags_and_too_many_tags_skip_the_metric() {
    let none = metric("bare", &[], 1.0);
    let empty_value = metric("empty", &[("k", "")], 1.0);
    let keys: Vec<(String, String)> = (0..=MAX_TAGS)
        .map(|i| (format!("k{i:02}"), "v".into()))
        .collect();
    let pairs: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let many = metric("many", &pairs, 1.0);
    let fifty = metric("fifty", &pairs[..MAX_TAGS], 1.0);
    let (bodies, skipped) = write(&[none, empty_value, many, fifty], BodyFormat::Telegraf, 300);
    let reasons: Vec<(&str, Reason)> = skipped
        .iter()
        .map(|s| (s.metric.as_str(), s.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("bare", Reason::NoTags),
            ("empty", Reason::NoTags),
            ("many", Reason::TooManyTags)
        ]
    );
    assert!(
        skipped[2].message.contains("51 tags"),
        "{}",
        skipped[2].message
    );
    let v: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(
        v["measurements"][0]["tags"].as_object().unwrap().len(),
        MAX_TAGS
    );
}

#[test]
fn keys_equal_once_sanitised_or_lower_cased_are_sent_once() {
    let m = metric(
        "m",
        &[("host", "b"), ("Host", "a"), ("a b", "1"), ("a_b", "2")],
        1.0,
    );
    let (bodies, _) = write(&[m], BodyFormat::Telegraf, 300);
    assert!(
        bodies[0].contains(r#""tags":{"Host":"a","a_b":"1"}"#),
        "{}",
        bodies[0]
    );
}

#[test]
fn notes_say_where_a_tag_was_changed() {
    let mut w = GaugeWriter::for_api(Api::Measurements, Template::new("host"), 300);
    w.explain();
    let mut m = metric("m", &[("a b", "x=y"), ("ok", "fine"), ("e", "")], 1.0);
    m.line = 7;
    w.push(&m);
    let notes = w.take_tag_notes().unwrap();
    let texts: Vec<&str> = notes.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        texts,
        [
            r#"tag key "a b" sent as "a_b""#,
            r#"tag a_b: value "x=y" sent as "x_y""#,
            r#"tag "e" left out: its value is empty"#
        ]
    );
    assert!(notes.iter().all(|(line, _)| *line == 7));
}

#[test]
fn compact_bodies_give_top_level_tags_and_time_once() {
    let a = metric("a", &[("host", "h1")], 1.0);
    let b = metric("b", &[("host", "h1")], 2.0);
    let mut c = metric("c", &[("host", "h2"), ("dc", "x")], 3.0);
    c.time += 1_000_000_000;
    let (bodies, _) = write(&[a, b, c], BodyFormat::Compact, 300);
    assert_eq!(
        bodies,
        [
            r#"{"time":1700000000,"tags":{"host":"h1"},"measurements":[{"name":"a","value":1},{"name":"b","value":2},{"name":"c","value":3,"time":1700000001,"tags":{"dc":"x","host":"h2"}}]}"#
        ]
    );
}

#[test]
fn batches_go_up_to_one_thousand() {
    let metrics: Vec<Metric<'_>> = (0..2500)
        .map(|i| metric("m", &[("i", &i.to_string())], 1.0))
        .collect();
    let (bodies, _) = write(&metrics, BodyFormat::Telegraf, 5000);
    let counts: Vec<usize> = bodies
        .iter()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b).unwrap()["measurements"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(counts, [1000, 1000, 500]);
}
