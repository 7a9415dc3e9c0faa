//! The reader against the `toml` crate (the oracle) on valid and invalid documents, and its
//! own messages and positions.

use super::{MAX_DEPTH, TOO_DEEP};
use crate::config::toml_oracle;
use crate::config::{parse_toml, CTable, CValue, Entry};

/// Our reading and the oracle's agree: both fail, or both give the same tree with the same
/// key positions.
fn agree(text: &str) {
    let ours = parse_toml(text);
    let theirs = toml_oracle::parse(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                toml_oracle::normalized(a),
                toml_oracle::normalized(b),
                "values differ for:\n{text}"
            );
            assert_eq!(
                key_positions(a),
                key_positions(b),
                "key positions differ for:\n{text}"
            );
        }
        (Err(_), Err(_)) => {}
        // Our own depth limit may be lower than the crate's.
        (Err(e), Ok(_)) if e.message.contains(TOO_DEEP) => {}
        _ => panic!("ours: {ours:?}\noracle: {theirs:?}\nfor:\n{text}"),
    }
}

/// Every key with its position, sorted, through nested tables.
fn key_positions(t: &CTable) -> Vec<(String, Option<(u32, u32)>)> {
    fn walk(t: &[Entry], prefix: &str, out: &mut Vec<(String, Option<(u32, u32)>)>) {
        for e in t {
            let path = format!("{prefix}/{}", e.key);
            out.push((path.clone(), e.key_pos));
            match &e.value {
                CValue::Table(sub) => walk(sub, &path, out),
                CValue::Array(items) => {
                    for (n, (v, _)) in items.iter().enumerate() {
                        if let CValue::Table(sub) = v {
                            walk(sub, &format!("{path}[{n}]"), out);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(t, "", &mut out);
    out.sort();
    out
}

const VALID: &[&str] = &[
    "",
    "# only a comment\n\n",
    "a = 1\nb = -2\nc = +3\nd = 0\ne = 1_000\nf = 0xDEAD_beef\ng = 0o755\nh = 0b1101\ni = -0\n",
    "big = 9223372036854775807\nsmall = -9223372036854775808\n",
    "f1 = 1.0\nf2 = -0.5\nf3 = 6.02e23\nf4 = 1e-7\nf5 = 1E+2\nf6 = 9_224_617.445_991\nf7 = 0.0\nf8 = -0.0\nf9 = 1e0_0\n",
    "i1 = inf\ni2 = +inf\ni3 = -inf\nn1 = nan\nn2 = +nan\nn3 = -nan\n",
    "t = true\nf = false\n",
    "s = \"tab\\there \\\"q\\\" \\\\ \\u00E9 \\U0001F600 \\b\\f\\n\\r\"\nl = 'C:\\path\\no escapes'\n",
    "e = \"\\e\\x41\"\n",
    "m = \"\"\"\nline one\nline two\"\"\"\n",
    "m = \"\"\"\\\n   folded \\\n   text\"\"\"\n",
    "m = \"\"\"a\"\"\"\"\nn = \"\"\"b\"\"\"\"\"\no = '''c''''\np = '''\nraw \\n ''\n'''\n",
    "m = \"\"\"crlf\r\nline\"\"\"\r\nx = 1\r\n",
    "[table]\nkey = \"v\"\n[table.sub]\nx = 1\n",
    "[ spaced . header ]\n[\"quoted key\".'lit']\n[a.\"b.c\"]\n",
    "a.b.c = 1\na.b.d = 2\na.e = 3\n",
    "site.\"google.com\" = true\n3.14159 = \"pi\"\n\"\" = \"empty\"\n",
    "[x.y.z.w]\n[x]\na = 1\n",
    "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n",
    "[[products]]\nname = \"Hammer\"\n[[products]]\n[[products]]\nname = \"Nail\"\n",
    "[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[[fruits]]\nname = \"banana\"\n[[fruits.varieties]]\nname = \"plantain\"\n",
    "arr = [ 1, 2, 3 ]\nnested = [ [1, 2], [\"a\", 'b'] ]\nmixed = [ 0.1, \"x\", { a = 1 } ]\nempty = []\n",
    "arr = [\n  1, # one\n  2,\n  # comment line\n  3,\n]\n",
    "point = { x = 1, y = 2 }\nanimal = { type.name = \"pug\" }\nempty = {}\n",
    "t = {\n  a = 1, # comment\n  b = 2,\n}\n",
    "d1 = 1979-05-27T07:32:00Z\nd2 = 1979-05-27T00:32:00-07:00\nd3 = 1979-05-27T00:32:00.999999+07:00\nd4 = 1979-05-27 07:32:00Z\nd5 = 1979-05-27T07:32:00\nd6 = 1979-05-27\nd7 = 07:32:00\nd8 = 00:32:00.999999\nd9 = 2000-02-29\nd10 = 07:32\n",
    "a = 1 # trailing comment\n  b = 2\t\n",
    "\u{feff}a = 1\n",
    "[outputs.librato]\n  api_user = \"u\"\n  template = \"host.tags\"\n[outputs.librato.tagpass]\n  cpu = [\"cpu0\", \"cpu1\"]\n",
    "[[inputs.cpu]]\n  percpu = true\n[[inputs.disk]]\n  ignore_fs = [\"tmpfs\", \"devtmpfs\"]\n[[outputs.librato]]\n  api_user = \"a\"\n[[outputs.librato]]\n  api_user = \"b\"\n",
    "key = \"value with # hash\"\nother = 'single # too'\n",
    "a = \"é日本😀\"\n\"ключ\" = 1\n",
];

const INVALID: &[&str] = &[
    "a = \n",
    "a = host\n",
    "= 1\n",
    "a = 1\na = 2\n",
    "a = 1 b = 2\n",
    "a = 01\n",
    "a = 1__0\n",
    "a = _1\n",
    "a = 1_\n",
    "a = 0x\n",
    "a = +0x1\n",
    "a = 1.\n",
    "a = .5\n",
    "a = 1.e5\n",
    "a = 1e\n",
    "a = 00.5\n",
    "a = 9223372036854775808\n",
    "a = \"unterminated\n",
    "a = 'unterminated\n",
    "a = \"\"\"never closed\n",
    "a = \"bad \\q escape\"\n",
    "a = \"\\uD800\"\n",
    "a = \"\\u12\"\n",
    "a = \"raw\u{1}control\"\n",
    "a = 'raw\u{7f}del'\n",
    "# comment with \u{0} nul\n",
    "a = [1, 2\n",
    "a = [1 2]\n",
    "a = { b = 1\n",
    "a = { b = 1, b = 2 }\n",
    "[a]\n[a]\n",
    "[a]\nb = 1\n[a.b]\n",
    "a = 1\n[a]\n",
    "[[a]]\n[a]\n",
    "[a]\n[[a]]\n",
    "a = [1]\n[[a]]\n",
    "a = { b = 1 }\n[a.c]\n",
    "a = { b = 1 }\na.c = 2\n",
    "[fruit]\napple.color = \"red\"\n[fruit.apple]\n",
    "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n",
    "[ [a] ]\n",
    "[a\n",
    "[[a]\n",
    "[]\n",
    "a.\"\"\"b\"\"\" = 1\n",
    "a = 1979-02-29\n",
    "a = 1979-13-01\n",
    "a = 24:00:00\n",
    "a = 1979-05-27T07:32:00+25:00\n",
    "a = true false\n",
    "a = 1\rb = 2\n",
    "a = tru\n",
    "a = inf2\n",
    "a = 1979-05-27 07\n",
];

#[test]
fn reader_agrees_with_the_toml_crate_on_valid_documents() {
    for text in VALID {
        assert!(parse_toml(text).is_ok(), "{text}: {:?}", parse_toml(text));
        agree(text);
    }
}

#[test]
fn reader_agrees_with_the_toml_crate_on_invalid_documents() {
    for text in INVALID {
        assert!(parse_toml(text).is_err(), "accepted:\n{text}");
        agree(text);
    }
}

#[test]
fn reader_reads_the_sample_telegraf_config_like_the_toml_crate() {
    agree(include_str!("../../../../../www/telegraf-librato.conf"));
}

#[test]
fn reader_values_and_positions() {
    let t = parse_toml("# c\n[outputs.librato]\n  api_user = \"u\" # x\n  n = [1, 2.5]\n").unwrap();
    assert_eq!(t[0].key, "outputs");
    assert_eq!(t[0].key_pos, Some((2, 2)));
    let CValue::Table(outputs) = &t[0].value else {
        panic!()
    };
    let CValue::Table(librato) = &outputs[0].value else {
        panic!()
    };
    assert_eq!(librato[0].key, "api_user");
    assert_eq!(librato[0].key_pos, Some((3, 3)));
    assert_eq!(librato[0].value, CValue::Str("u".into()));
    assert_eq!(librato[0].value_pos, Some((3, 14)));
    let CValue::Array(n) = &librato[1].value else {
        panic!()
    };
    assert_eq!(n[0], (CValue::Int(1), Some((4, 8))));
    assert_eq!(n[1], (CValue::Float(2.5), Some((4, 11))));
}

#[test]
fn reader_errors_say_what_and_where() {
    for (text, line, column, message) in [
        (
            "a = host\n",
            1,
            5,
            "invalid TOML: string values must be quoted: host",
        ),
        ("a = 1\na = 2\n", 2, 1, "invalid TOML: duplicate key \"a\""),
        (
            "[a]\n[a]\n",
            2,
            1,
            "invalid TOML: table \"a\" is defined more than once",
        ),
        (
            "x = \"bad \\q\"\n",
            1,
            10,
            "invalid TOML: invalid escape \"\\q\" in a string",
        ),
        (
            "x = 1 y = 2\n",
            1,
            7,
            "invalid TOML: expected the end of the line (or a # comment) here",
        ),
        ("x = 01\n", 1, 5, "invalid TOML: invalid value: 01"),
        (
            "x = \"open\n",
            1,
            5,
            "invalid TOML: unterminated string: a \" string ends on its own line",
        ),
        (
            "x = [1,\n",
            1,
            5,
            "invalid TOML: unterminated array: missing ']'",
        ),
        (
            "x = 99999999999999999999\n",
            1,
            5,
            "invalid TOML: integer 99999999999999999999 is out of range for 64 bits",
        ),
    ] {
        let e = parse_toml(text).unwrap_err();
        assert_eq!(e.message, message, "{text}");
        assert_eq!((e.line, e.column), (Some(line), Some(column)), "{text}");
    }
}

#[test]
fn reader_refuses_nesting_deeper_than_the_limit() {
    // The key counts as one level.
    let ok = format!(
        "a = {}1{}\n",
        "[".repeat(MAX_DEPTH - 1),
        "]".repeat(MAX_DEPTH - 1)
    );
    assert!(parse_toml(&ok).is_ok(), "{:?}", parse_toml(&ok));
    let ok = format!("[{}]\nk = 1\n", vec!["k"; MAX_DEPTH - 1].join("."));
    assert!(parse_toml(&ok).is_ok());
    for text in [
        format!("a = {}1{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH)),
        format!("[{}]\nk.k = 1\n", vec!["k"; MAX_DEPTH - 1].join(".")),
        format!("a = {}\n", "{ b = ".repeat(100_000)),
        format!("{} = 1\n", vec!["k"; MAX_DEPTH + 1].join(".")),
        format!("[{}]\n", vec!["k"; MAX_DEPTH + 1].join(".")),
    ] {
        let e = parse_toml(&text).unwrap_err();
        assert!(e.message.contains(TOO_DEEP), "{}", e.message);
    }
}
