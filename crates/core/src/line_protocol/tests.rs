use super::*;
use crate::metric::Precision;

const NOW: i64 = 1_700_000_000_000_000_000;

fn opts(precision: Precision) -> ParseOptions {
    ParseOptions {
        precision,
        default_time: NOW,
    }
}

fn one(line: &str) -> Metric<'_> {
    let mut all: Vec<_> = parse(line, opts(Precision::Ns)).collect();
    assert_eq!(all.len(), 1, "{line:?} gave {all:?}");
    all.remove(0).unwrap_or_else(|e| panic!("{line:?}: {e:?}"))
}

fn err(line: &str) -> LineError {
    let mut all: Vec<_> = parse(line, opts(Precision::Ns)).collect();
    assert_eq!(all.len(), 1, "{line:?} gave {all:?}");
    all.remove(0).expect_err(line)
}

fn field<'a>(m: &'a Metric, k: &str) -> &'a FieldValue<'a> {
    &m.fields.iter().find(|(key, _)| key == k).unwrap().1
}

#[test]
fn parse_full_line() {
    let m = one("cpu,host=a,region=us usage=1.5,count=3i,up=t,name=\"x\" 1465839830100400200");
    assert_eq!(m.name, "cpu");
    assert_eq!(
        m.tags,
        vec![("host".into(), "a".into()), ("region".into(), "us".into())]
    );
    assert_eq!(*field(&m, "usage"), FieldValue::Float(1.5));
    assert_eq!(*field(&m, "count"), FieldValue::Int(3));
    assert_eq!(*field(&m, "up"), FieldValue::Bool(true));
    assert_eq!(*field(&m, "name"), FieldValue::Str("x".into()));
    assert_eq!(m.time, 1465839830100400200);
    assert_eq!(m.line, 1);
}

#[test]
fn parse_no_tags_no_timestamp_uses_default_time() {
    let m = one("cpu value=1");
    assert!(m.tags.is_empty());
    assert_eq!(m.time, NOW);
}

#[test]
fn parse_zero_copy_without_escapes() {
    let m = one("cpu,host=a value=1");
    assert!(matches!(m.name, Cow::Borrowed(_)));
    assert!(matches!(m.tags[0].1, Cow::Borrowed(_)));
    let m = one("c\\ pu,host=a\\,b value=1");
    assert!(matches!(m.name, Cow::Owned(_)));
}

#[test]
fn parse_escapes_per_element() {
    let m = one(r"my\ cpu\,x,tag\ k\=1=v\,a\ l\=ue f\,i\=e\ ld=1 1");
    assert_eq!(m.name, "my cpu,x");
    assert_eq!(m.tags[0], ("tag k=1".into(), "v,a l=ue".into()));
    assert_eq!(m.fields[0].0, "f,i=e ld");
    // '=' needs no escape in a measurement, and a backslash before it stays literal there.
    assert_eq!(one(r"a=b\=c value=1").name, r"a=b\=c");
}

#[test]
fn parse_backslashes_as_telegraf_reads_them() {
    // Only the element's own escapes are unescaped; any other backslash stays, and the
    // character after it is read as usual (influxdata/line-protocol v2 `takeEsc`).
    assert_eq!(one(r"m,t=a\b value=1").tags[0].1, r"a\b");
    assert_eq!(one(r"m,t=a\\b value=1").tags[0].1, r"a\\b");
    assert_eq!(one(r"m,t=a\\\,b value=1").tags[0].1, r"a\\,b");
    assert_eq!(
        one(r"m,t=a\\,b value=1").tags,
        vec![("t".into(), r"a\,b".into())]
    );
    assert_eq!(one(r"m\\ x value=1").name, r"m\ x");
    assert_eq!(one(r"m\x value=1").name, r"m\x");
    // String field values do unescape \\ and \".
    assert_eq!(
        *field(&one(r#"m s="a\\b\"c""#), "s"),
        FieldValue::Str(r#"a\b"c"#.into())
    );
}

#[test]
fn parse_string_escapes_and_newlines() {
    let text = "m s=\"a \\\"q\\\" \\\\ \\n b\nc\" 5\nm value=2";
    let all: Vec<_> = parse(text, opts(Precision::Ns))
        .map(Result::unwrap)
        .collect();
    assert_eq!(all.len(), 2);
    assert_eq!(
        *field(&all[0], "s"),
        FieldValue::Str("a \"q\" \\ \\n b\nc".into())
    );
    assert_eq!(all[0].time, 5);
    assert_eq!(all[1].line, 3, "the string spanned two physical lines");
}

#[test]
fn parse_string_with_comma_space_and_equals() {
    let m = one("m s=\"a, b=c d\",v=1");
    assert_eq!(*field(&m, "s"), FieldValue::Str("a, b=c d".into()));
    assert_eq!(*field(&m, "v"), FieldValue::Float(1.0));
}

#[test]
fn parse_floats() {
    for (text, want) in [
        ("1", 1.0),
        ("-1.5", -1.5),
        ("1e3", 1000.0),
        ("1.5E-7", 1.5e-7),
        ("1e+3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("-0", -0.0),
        ("1.7976931348623157e308", f64::MAX),
    ] {
        let line = format!("m v={text}");
        assert_eq!(*field(&one(&line), "v"), FieldValue::Float(want), "{text}");
    }
}

#[test]
fn parse_float_spellings_that_are_errors() {
    for text in [
        "NaN", "nan", "Inf", "-Inf", "inf", "+1", "1.1.1", "1e", "e5", "0x10", "1_000", "--1",
        "1-2", "abc", "1e400",
    ] {
        let e = err(&format!("m v={text}"));
        assert_eq!(e.column, 5, "{text}: {e:?}");
        assert!(e.message.contains(text), "{text}: {}", e.message);
    }
}

#[test]
fn parse_integers_full_range() {
    assert_eq!(
        *field(&one("m v=9223372036854775807i"), "v"),
        FieldValue::Int(i64::MAX)
    );
    assert_eq!(
        *field(&one("m v=-9223372036854775808i"), "v"),
        FieldValue::Int(i64::MIN)
    );
    assert_eq!(
        *field(&one("m v=-0000000000000000000000042i"), "v"),
        FieldValue::Int(-42)
    );
    assert!(err("m v=-9223372036854775809i")
        .message
        .contains("out of range"));
    let e = err("m v=9223372036854775808i");
    assert!(e.message.contains("out of range"), "{}", e.message);
    assert!(err("m v=1.5i").message.contains("invalid integer"));
    assert!(err("m v=i").message.contains("invalid"));
}

#[test]
fn parse_unsigned_full_range() {
    assert_eq!(
        *field(&one("m v=18446744073709551615u"), "v"),
        FieldValue::UInt(u64::MAX)
    );
    assert_eq!(*field(&one("m v=0u"), "v"), FieldValue::UInt(0));
    assert_eq!(*field(&one("m v=000u"), "v"), FieldValue::UInt(0));
    assert_eq!(
        *field(&one("m v=000000000000000000000018446744073709551615u"), "v"),
        FieldValue::UInt(u64::MAX)
    );
    assert!(err("m v=99999999999999999999u")
        .message
        .contains("out of range"));
    assert!(err("m v=100000000000000000000u")
        .message
        .contains("out of range"));
    assert!(err("m v=18446744073709551616u")
        .message
        .contains("out of range"));
    assert!(err("m v=-1u").message.contains("cannot be negative"));
}

#[test]
fn parse_booleans() {
    for t in ["t", "T", "true", "True", "TRUE"] {
        assert_eq!(
            *field(&one(&format!("m v={t}")), "v"),
            FieldValue::Bool(true)
        );
    }
    for f in ["f", "F", "false", "False", "FALSE"] {
        assert_eq!(
            *field(&one(&format!("m v={f}")), "v"),
            FieldValue::Bool(false)
        );
    }
    assert!(err("m v=tRUE").message.contains("invalid field value"));
}

#[test]
fn parse_precision_scales_timestamps() {
    for (p, want) in [
        (Precision::Ns, 7),
        (Precision::Us, 7_000),
        (Precision::Ms, 7_000_000),
        (Precision::S, 7_000_000_000),
    ] {
        let m = parse("m v=1 7", opts(p)).next().unwrap().unwrap();
        assert_eq!(m.time, want);
    }
    let e = parse("m v=1 9223372037", opts(Precision::S))
        .next()
        .unwrap()
        .unwrap_err();
    assert!(e.message.contains("out of range"), "{}", e.message);
    assert_eq!(one("m v=1 -5").time, -5);
}

#[test]
fn parse_timestamp_errors() {
    assert!(err("m v=1 12a").message.contains("invalid timestamp"));
    assert!(err("m v=1 1.5").message.contains("invalid timestamp"));
    assert!(err("m v=1 9223372036854775807")
        .message
        .contains("out of range"));
    let e = err("m v=1 123 extra");
    assert!(e.message.contains("after the timestamp"), "{}", e.message);
    assert_eq!(e.column, 11);
}

#[test]
fn parse_whitespace_rules() {
    assert_eq!(one("  cpu value=1").name, "cpu");
    assert_eq!(one("cpu   value=1   5  ").time, 5);
    assert_eq!(one("cpu value=1 ").time, NOW);
    assert_eq!(one("cpu value=1\t5").time, 5);
}

#[test]
fn parse_skips_blank_and_comment_lines_and_counts_lines() {
    let text = "\n# comment value=1\n   \ncpu value=1\r\n\r\n  # indented comment\nmem value=2\r\n";
    let all: Vec<_> = parse(text, opts(Precision::Ns))
        .map(Result::unwrap)
        .collect();
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].line, all[1].line), (4, 7));
    assert_eq!(all[0].fields[0].1, FieldValue::Float(1.0));
}

#[test]
fn parse_crlf_with_timestamp() {
    let all: Vec<_> = parse("a v=1 10\r\nb v=2 20\r\n", opts(Precision::Ns)).collect();
    assert_eq!(all[0].as_ref().unwrap().time, 10);
    assert_eq!(all[1].as_ref().unwrap().time, 20);
}

#[test]
fn parse_duplicate_keys_last_one_wins() {
    let m = one("m,a=1,b=2,a=3 x=1,y=2,x=3i");
    assert_eq!(
        m.tags,
        vec![("a".into(), "3".into()), ("b".into(), "2".into())]
    );
    assert_eq!(m.fields[0], ("x".into(), FieldValue::Int(3)));
    assert_eq!(m.fields.len(), 2);
}

#[test]
fn parse_structural_errors_with_columns() {
    let cases = [
        (",host=a v=1", 1, "missing measurement"),
        ("cpu", 4, "missing fields"),
        ("cpu ", 5, "missing fields"),
        ("cpu,host=a", 11, "missing fields"),
        ("cpu,=a v=1", 5, "missing tag key"),
        (
            "cpu,host v=1",
            9,
            "missing '=' and value for tag key \"host\"",
        ),
        ("cpu,host= v=1", 10, "missing value for tag \"host\""),
        ("cpu,host=a=b v=1", 11, "unescaped '='"),
        ("cpu,host=a ,v=1", 12, "missing field key"),
        ("cpu v", 6, "missing '=' and value for field \"v\""),
        ("cpu v=", 7, "missing value for field \"v\""),
        ("cpu v=1,", 9, "missing field key"),
        ("cpu v=\"abc", 7, "unterminated string"),
        ("cpu v=\"a\"b", 10, "unexpected \"b\""),
    ];
    for (line, column, msg) in cases {
        let e = err(line);
        assert!(e.message.contains(msg), "{line:?}: {}", e.message);
        assert_eq!((e.line, e.column), (1, column), "{line:?}: {}", e.message);
        assert_eq!(e.text, line);
    }
}

#[test]
fn parse_one_bad_line_does_not_sink_the_batch() {
    let text = "a v=1\nbad line here\nb v=2\nc v=\"unterminated\nd v=4";
    let all: Vec<_> = parse(text, opts(Precision::Ns)).collect();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].as_ref().unwrap().name, "a");
    assert_eq!(all[1].as_ref().unwrap_err().line, 2);
    assert_eq!(all[2].as_ref().unwrap().name, "b");
    // The unterminated string swallows the rest, as in InfluxDB.
    assert_eq!(all[3].as_ref().unwrap_err().line, 4);
}

#[test]
fn parse_error_after_newline_in_string_reports_physical_line() {
    let text = "a v=1\nm s=\"x\ny\",t=bad 5\nb v=2";
    let all: Vec<_> = parse(text, opts(Precision::Ns)).collect();
    let e = all[1].as_ref().unwrap_err();
    assert_eq!((e.line, e.column), (3, 6), "{e:?}");
    assert_eq!(all[2].as_ref().unwrap().line, 4);
}

#[test]
fn parse_unicode_columns_count_characters() {
    let e = err("mé,tag=😀 v=x");
    assert_eq!(e.column, 12);
    let m = one("mé,tag=😀 v=\"🚀\"");
    assert_eq!(m.tags[0].1, "😀");
}

#[test]
fn parse_long_string_limit() {
    let ok = format!("m s=\"{}\"", "a".repeat(MAX_STRING_BYTES));
    assert!(parse(&ok, opts(Precision::Ns)).next().unwrap().is_ok());
    let too_long = format!("m s=\"{}\"", "a".repeat(MAX_STRING_BYTES + 1));
    let e = parse(&too_long, opts(Precision::Ns))
        .next()
        .unwrap()
        .unwrap_err();
    assert!(e.message.contains("longer than the limit"), "{}", e.message);
    assert!(e.text.chars().count() <= QUOTE_CHARS * 2 + 1);
}

#[test]
fn parse_empty_input() {
    assert_eq!(parse("", opts(Precision::Ns)).count(), 0);
    assert_eq!(parse("\n\n", opts(Precision::Ns)).count(), 0);
}
