//! The reader against serde_json's own parser (built with `float_roundtrip`, so both round
//! numbers correctly): same values, same error texts, same places.

use super::*;

/// serde_json's answer for the value at the start of `text`, as (value, end) or
/// (message, line, column).
fn oracle(text: &str) -> Result<(Value, usize), (String, usize, usize)> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    match stream.next() {
        Some(Ok(v)) => Ok((v, stream.byte_offset())),
        Some(Err(e)) => {
            let msg = e.to_string();
            let msg = msg
                .find(" at line ")
                .map_or(msg.as_str(), |i| &msg[..i])
                .to_string();
            Err((msg, e.line(), e.column()))
        }
        None => Err((EOF_VALUE.to_string(), 0, 0)),
    }
}

/// serde_json's (line, column) once the byte at `i` has been consumed: 1-based column of that
/// byte, or (next line, 0) after a line feed.
fn after(text: &str, i: usize) -> (usize, usize) {
    let upto = &text.as_bytes()[..i.saturating_add(1).min(text.len())];
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = upto.len() - upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    (line, col)
}

fn compare(text: &str) {
    let ours = read_value(text, 0);
    match (&ours, oracle(text)) {
        (Ok((v, end)), Ok((w, wend))) => {
            assert_eq!(v, &w, "value of {text:?}");
            assert_eq!(*end, wend, "end of {text:?}");
        }
        (Err(e), Err((msg, line, col))) => {
            assert_eq!(e.message, msg, "message for {text:?}");
            if line > 0 {
                // serde_json points just after the offending byte or, for some errors, just
                // before it; both name the same spot to a reader.
                // Our places are character boundaries; serde_json may point inside the character.
                let ch_end = (e.at + 1..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(text.len());
                let here: Vec<_> = (e.at.saturating_sub(1)..ch_end.max(e.at + 1))
                    .map(|k| after(text, k))
                    .chain([after(text, e.at.wrapping_sub(1))])
                    .collect();
                assert!(
                    here.contains(&(line, col)) || e.at == 0 && (line, col) == (1, 0),
                    "place for {text:?}: ours byte {}, serde {line}:{col}",
                    e.at
                );
            }
        }
        (ours, theirs) => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
}

const VALID: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "-0.0",
    "1e3",
    "1E+3",
    "1e-3",
    "2.5e-10",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "1.7976931348623157e308",
    "5e-324",
    "1e-400",
    "0.1",
    "9007199254740993",
    "\"\"",
    "\"abc\"",
    r#""a\"b\\c\/d\b\f\n\r\t""#,
    r#""\u00e9\u0041""#,
    r#""\ud83d\ude00""#,
    "\"é ü 😀\"",
    "[]",
    "[1,2,3]",
    " [ 1 , [ ] , { } ] ",
    "{}",
    r#"{"a":1,"b":[true,null],"c":{"d":"e"}}"#,
    r#"{"a":1,"a":2}"#,
    r#"{"b":1,"a":2,"b":3}"#,
    "{\"metrics\":[{\"name\":\"m\"}]}\n{\"x\":1}",
    "[1]x",
    "{\"a\":1}{",
    "\"s\"t",
    "1 2",
    "1,",
    "1]",
    "true,",
    "nullx",
    "1.5e3\n",
];

const INVALID: &[&str] = &[
    "",
    "   ",
    "x",
    "nul",
    "nulx",
    "tru",
    "trux",
    "-",
    "-x",
    "01",
    "-01",
    "1.",
    "1.x",
    "1e",
    "1e+",
    "1ex",
    ".5",
    "+1",
    "1e400",
    "-1e400",
    "\"abc",
    "\"a\\",
    "\"a\\x\"",
    "\"a\\u12\"",
    "\"a\\u12",
    "\"a\\uzzzz\"",
    "\"\\ud800\"",
    "\"\\ud800\\u0041\"",
    "\"\\udc00\"",
    "\"\\ud800x\"",
    "\"\\ud800\\x\"",
    "\"\\ud800",
    "\"a\nb\"",
    "\"\u{1}\"",
    "[",
    "[1",
    "[1,",
    "[1,]",
    "[1 2]",
    "[,]",
    "{",
    "{\"a\"",
    "{\"a\":",
    "{\"a\":1",
    "{\"a\":1,",
    "{\"a\":1,}",
    "{\"a\" 1}",
    "{1:2}",
    "{\"a\":1 \"b\":2}",
    "{,}",
    "{\"fields\":{\"v\":}}",
    "[\n1,\n]",
    "{\"a\":\n  x}",
    "]",
    "}",
    ":",
    "[1]]",
    "nan",
    "NaN",
    "Infinity",
    "[-]",
    "{\"a\":tru}",
    "[1.e5]",
];

#[test]
fn valid_documents_read_as_serde_json_reads_them() {
    for text in VALID {
        compare(text);
    }
}

#[test]
fn invalid_documents_fail_as_in_serde_json() {
    for text in INVALID {
        compare(text);
    }
}

#[test]
fn nesting_limit_matches_serde_json() {
    for depth in [126, 127, 128, 129] {
        compare(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        compare(&format!(
            "{}1{}",
            "{\"a\":[".repeat(depth / 2),
            "]}".repeat(depth / 2)
        ));
    }
}

#[test]
fn reads_from_an_offset_and_stops_after_the_value() {
    let text = "xx {\"a\":[1,2.5,\"s\"]}  {\"b\":true}";
    let (v, end) = read_value(text, 3).unwrap();
    assert_eq!(v["a"][1], 2.5);
    assert_eq!(&text[end..], "  {\"b\":true}");
    let (v, _) = read_value(text, end).unwrap();
    assert_eq!(v["b"], true);
}

#[test]
fn numbers_keep_their_kind() {
    assert!(from_str("3").unwrap().is_u64());
    assert!(from_str("-3").unwrap().is_i64());
    assert!(from_str("3.0").unwrap().is_f64());
    assert!(from_str("-0").unwrap().is_f64());
    assert_eq!(from_str("0.1").unwrap().as_f64(), Some(0.1));
    // Integers stay exact; a float halfway between two doubles rounds to even.
    assert_eq!(
        from_str("9007199254740993").unwrap().as_u64(),
        Some(9_007_199_254_740_993)
    );
    assert_eq!(
        from_str("9007199254740993.0").unwrap().as_f64(),
        Some(9_007_199_254_740_992.0)
    );
}

#[test]
fn whole_text_must_be_one_value() {
    assert_eq!(from_str(" {\"a\":1} \n").unwrap()["a"], 1);
    let e = from_str("{\"a\":1} x").unwrap_err();
    assert_eq!((e.at, e.message), (8, "trailing characters"));
    assert_eq!(from_str("").unwrap_err().message, EOF_VALUE);
}

#[test]
fn error_places_are_character_boundaries() {
    // A bad \u escape whose digits run into a multi-byte character: serde_json points past
    // the four bytes, which here would be inside the 'é'.
    for text in ["\"\\u12é\"", "\"\\u1é\"", "\"\\ué\"", "[\"\\ud800\\u12é\"]"] {
        let e = read_value(text, 0).unwrap_err();
        assert!(text.is_char_boundary(e.at), "{text:?}: {e:?}");
    }
}

/// The eight-bytes-at-a-time marks stop exactly where a byte-by-byte look would.
#[test]
fn word_marks_stop_where_the_bytes_do() {
    let first_stop = |w: [u8; 8]| w.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
    let first_mark = |w: [u8; 8]| match string_ends(u64::from_le_bytes(w)) {
        0 => None,
        m => Some(m.trailing_zeros() as usize / 8),
    };
    let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1Du64);
    for fill in [b'a', 0x21, 0x7f, 0x80, 0xff, b'"' + 1, b'\\' - 1] {
        for at in 0..8 {
            for b in 0..=255u8 {
                let mut w = [fill; 8];
                w[at] = b;
                assert_eq!(first_mark(w), first_stop(w), "{w:?}");
            }
        }
    }
    for _ in 0..1_000_000 {
        // Bytes biased towards the edges of the tests.
        let w = next().to_le_bytes().map(|b| match b % 4 {
            0 => b % 0x24,
            1 => 0x5a + b % 4,
            _ => b,
        });
        assert_eq!(first_mark(w), first_stop(w), "{w:?}");
    }
}
