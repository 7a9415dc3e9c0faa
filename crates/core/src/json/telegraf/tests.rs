//! Telegraf JSON in: metrics, errors and their places, and the one-pass reader held equal
//! to reading each value as JSON first and checking its shape after.

use super::*;

/// Every metric of a text, and its errors.
fn parse(text: &str, options: ParseOptions) -> (Vec<Metric<'static>>, Vec<LineError>) {
    let mut metrics = Vec::new();
    let errors = parse_each(text, options, &mut |m| metrics.push(m.clone().into_owned()));
    (metrics, errors)
}

const OPTS: ParseOptions = ParseOptions {
    precision: Precision::S,
    default_time: 42,
};

#[test]
fn json_single_metric() {
    let (m, e) = parse(
        r#"{"fields":{"usage_idle":99.5,"n":3,"up":true,"s":"x"},"name":"cpu","tags":{"host":"a"},"timestamp":1458229140}"#,
        OPTS,
    );
    assert!(e.is_empty(), "{e:?}");
    assert_eq!(m[0].name, "cpu");
    assert_eq!(m[0].time, 1_458_229_140_000_000_000);
    assert_eq!(m[0].tag("host"), Some("a"));
    assert!(m[0].fields.contains(&("n".into(), FieldValue::Int(3))));
    assert!(m[0]
        .fields
        .contains(&("usage_idle".into(), FieldValue::Float(99.5))));
}

#[test]
fn json_batch_and_lines() {
    let text = "{\"metrics\":[{\"name\":\"a\",\"fields\":{\"v\":1},\"timestamp\":1},\n {\"name\":\"b\",\"fields\":{\"v\":2},\"timestamp\":2}]}\n{\"name\":\"c\",\"fields\":{\"v\":3},\"timestamp\":3}\n";
    let (m, e) = parse(text, OPTS);
    assert!(e.is_empty(), "{e:?}");
    let names: Vec<_> = m.iter().map(|m| (m.name.to_string(), m.line)).collect();
    assert_eq!(names, [("a".into(), 1), ("b".into(), 2), ("c".into(), 3)]);
}

#[test]
fn json_per_metric_errors_keep_good_metrics() {
    let text = r#"{"metrics":[{"fields":{"v":1},"timestamp":1},{"name":"ok","fields":{"v":1}},{"name":"x","fields":{}},{"name":"y","fields":{"v":[1]}},{"name":"z","tags":{"t":1},"fields":{"v":1}},{"name":"w","fields":{"v":1},"timestamp":"x"}]}"#;
    let (m, e) = parse(text, OPTS);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].time, 42, "no timestamp takes the default time");
    let msgs: Vec<_> = e.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "metric has no \"name\"",
            "metric \"x\" has no fields",
            "field \"v\" must be a number, boolean or string, found an array",
            "tag \"t\" must be a string, found a number",
            "\"timestamp\" must be a number, found a string",
        ]
    );
    assert_eq!(e[1].column, 77);
}

#[test]
fn json_syntax_error_position_and_recovery() {
    let text = "{\"name\":\"a\",\"fields\":{\"v\":1}}\n{\"name\":\"b\",\"fields\":{\"v\":}}\n{\"name\":\"c\",\"fields\":{\"v\":3}}";
    let (m, e) = parse(text, OPTS);
    assert_eq!(m.len(), 2);
    assert_eq!((e[0].line, e[0].column), (2, 27), "{e:?}");
    assert!(
        e[0].message.starts_with("invalid JSON: expected value"),
        "{}",
        e[0].message
    );
}

#[test]
fn json_precision_and_big_unsigned() {
    let text = r#"{"name":"a","fields":{"u":18446744073709551615,"f":1.5e300},"timestamp":1500}"#;
    let ms = ParseOptions {
        precision: Precision::Ms,
        default_time: 0,
    };
    let (m, _) = parse(text, ms);
    assert_eq!(m[0].time, 1_500_000_000);
    assert_eq!(m[0].fields[0].1, FieldValue::UInt(u64::MAX));
    let (_, e) = parse(
        r#"{"name":"a","fields":{"v":1},"timestamp":99999999999999999}"#,
        OPTS,
    );
    assert!(e[0].message.contains("out of range"));
}

#[test]
fn positions_are_counted_forward_and_back() {
    let text = "ab\ncé😀d\n\nxyz";
    let mut w = Where::new(text);
    // Byte offsets of 'a', 'c', 'd' (after two multi-byte characters), 'x'.
    let d = text.find('d').unwrap();
    let x = text.find('x').unwrap();
    assert_eq!(w.at(0), (1, 1));
    assert_eq!(w.at(3), (2, 1));
    assert_eq!(w.at(d), (2, 4));
    assert_eq!(w.at(x + 2), (4, 3));
    assert_eq!(w.at(d), (2, 4), "backwards");
    assert_eq!(w.at(1), (1, 2), "backwards over a line");
    assert_eq!(w.at(x), (4, 1));
}

#[test]
fn errors_in_a_one_line_batch_quote_the_text_around_them() {
    let good = r#"{"name":"m","fields":{"v":1}}"#;
    let bad = r#"{"name":"m","tags":{"t":1},"fields":{"v":1}}"#;
    let batch = format!(
        "{{\"metrics\":[{}]}}",
        vec![good; 200].join(",") + "," + bad
    );
    let (m, e) = parse(&batch, OPTS);
    assert_eq!(m.len(), 200);
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].line, e[0].column as usize),
        (1, batch.find(bad).unwrap() + 1)
    );
    assert!(e[0].message.contains("tag \"t\" must be a string"), "{e:?}");
    // Far into a line longer than the window, the quote starts a little before the error.
    assert!(
        e[0].text.starts_with('…') && e[0].text.contains(r#"{"name":"m","tags":{"t":1}"#),
        "{e:?}"
    );
}

use super::oracle;

fn same_as_oracle(text: &str, options: ParseOptions) {
    let ours = parse(text, options);
    let want = oracle::parse(text, options);
    assert_eq!(ours.1, want.1, "errors of {text:?}");
    assert_eq!(ours.0.len(), want.0.len(), "metrics of {text:?}");
    for (a, b) in ours.0.iter().zip(&want.0) {
        // Compared as text: NaN-free, and -0.0 must stay -0.0.
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "metric of {text:?}");
    }
}

#[test]
fn corners_read_as_the_two_step_reading_reads_them() {
    let cases = [
        r#"{"name":"a","name":"b","fields":{"v":1,"w":2,"v":"x"},"tags":{"t":1,"t":"ok"}}"#,
        r#"{"name":"a","fields":{"v":[1,{"x":null}]},"tags":5,"tags":{"t":"u"}}"#,
        r#"{"name":"a","fields":{"v":1},"fields":null}"#,
        r#"{"name":"a","fields":{"v":-0,"u":18446744073709551616,"i":-9223372036854775808}}"#,
        r#"{"name":"a","fields":{"v":1},"timestamp":1.5e3}"#,
        r#"{"name":"a","fields":{"v":1},"timestamp":18446744073709551615}"#,
        r#"{"name":"a","fields":{"v":1},"timestamp":-1e300}"#,
        r#"{"name":"a","fields":{"v":1},"timestamp":null,"tags":null}"#,
        r#"{"name":"a\u00e9\n","fields":{"\"k":"\ud83d\ude00"},"extra":[[[{}]]]}"#,
        "{\"name\":\"a\",\"fields\":{\"v\":1}} 5 \"s\" [1] null true\n{\"name\":",
        "{\"metrics\":[{\"name\":\"a\",\"fields\":{\"v\":1}}, 7, {\"name\":\"b\"}] }\n{\"metrics\":[]}",
        "{\"metrics\":[{\"name\":\"a\",\"fields\":{\"v\":1}} {\"name\":\"b\"}]}\n{\"metrics\":[1]x",
        "{\"name\":\"a\",\"fields\":{\"v\":1},}\n{\"name\" \"a\"}\n{\"name\":\"a\",\"fields\":{\"v\":tru}}",
        "\n\n  {\"fields\":{\"é\":1},\"name\":\"\"}\n{\"name\":\"x\",\"fields\":{\"v\":1e999}}",
        // A batch cut off after a comma (found by the json_input fuzz target: it panicked).
        "{\"metrics\":[{\"name\":\"a\",\"fields\":{\"v\":1}}, ",
        "{\"metrics\":[{\"name\":\"a\",\"fields\":{\"v\":1}},",
    ];
    for text in cases {
        same_as_oracle(text, OPTS);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

    /// Random metric-shaped texts, most of them slightly broken: the one-pass reader gives
    /// exactly the two-step reading's metrics and errors.
    #[test]
    fn one_pass_equals_two_steps(
        values in proptest::collection::vec(metric_text(), 1..6),
        batch in proptest::prelude::any::<bool>(),
        cut in proptest::prelude::any::<proptest::sample::Index>(),
        insert in proptest::option::of(proptest::sample::select(vec!["", ",", "}", "{", "\"", "\n", "x", " ", ":", "]"])),
        ms in proptest::prelude::any::<bool>(),
        truncate in proptest::prelude::any::<bool>(),
    ) {
        let mut text = match batch {
            true => format!("{{\"metrics\":[{}]}}\n", values.join(",\n")),
            false => values.join("\n"),
        };
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        match insert {
            Some(ins) => text.insert_str(at, ins),
            // Cut off anywhere (a batch after its comma panicked once).
            None if truncate => text.truncate(at),
            None => {}
        }
        let options = ParseOptions {
            precision: if ms { Precision::Ms } else { Precision::S },
            default_time: 7,
        };
        same_as_oracle(&text, options);
    }
}

fn scalar() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        "\"[a-c]{0,2}\"",
        Just("\"\\u00e9\\n\"".to_string()),
        Just("\"é\"".to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u64>().prop_map(|u| u.to_string()),
        Just("-0".to_string()),
        Just("18446744073709551616".to_string()),
        Just("1.5e3".to_string()),
        Just("-2.25".to_string()),
        Just("1e400".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("null".to_string()),
        Just("[1,\"a\"]".to_string()),
        Just("{\"x\":{}}".to_string()),
    ]
}

fn pairs() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        4 => proptest::collection::vec(("[a-c]", scalar()), 0..4).prop_map(|kv| {
            let inner: Vec<String> = kv.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", inner.join(","))
        }),
        1 => scalar(),
    ]
}

fn metric_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let entry = prop_oneof![
        scalar().prop_map(|v| format!("\"name\":{v}")),
        Just("\"name\":\"cpu\"".to_string()),
        scalar().prop_map(|v| format!("\"timestamp\":{v}")),
        pairs().prop_map(|v| format!("\"tags\":{v}")),
        pairs().prop_map(|v| format!("\"fields\":{v}")),
        pairs().prop_map(|v| format!("\"fields\":{v}")),
        scalar().prop_map(|v| format!("\"other\":{v}")),
    ];
    prop_oneof![
        9 => proptest::collection::vec(entry, 0..7).prop_map(|e| format!("{{{}}}", e.join(","))),
        1 => scalar(),
    ]
}
