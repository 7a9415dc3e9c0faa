use super::*;
use crate::config::{load_config, LoadOptions};
use librato_core::metric::FieldValue;

fn filters(toml: &str) -> Filters {
    load_config(toml, &LoadOptions::default())
        .unwrap()
        .remove(0)
        .filters
}

fn metric(
    name: &'static str,
    tags: &[(&'static str, &'static str)],
    fields: &[&'static str],
) -> Metric<'static> {
    let mut m = Metric::new(name, 1_000_000_000);
    for &(k, v) in tags {
        m.set_tag(Cow::Borrowed(k), Cow::Borrowed(v));
    }
    for &f in fields {
        m.set_field(Cow::Borrowed(f), FieldValue::Float(1.0));
    }
    m
}

fn keeps(f: &Filters, m: &Metric<'static>) -> bool {
    matches!(f.apply(&mut m.clone()), Outcome::Kept(_))
}

#[test]
fn filter_namepass_and_namedrop_tables() {
    let cases: &[(&str, &str, bool)] = &[
        ("namepass = [\"cpu\"]", "cpu", true),
        ("namepass = [\"cpu\"]", "cpu2", false),
        ("namepass = [\"cpu*\", \"mem\"]", "cpu_total", true),
        ("namepass = [\"cpu*\", \"mem\"]", "mem", true),
        ("namepass = [\"cpu*\", \"mem\"]", "disk", false),
        ("namepass = [\"{a,b}\"]", "{a,b}", true),
        ("namepass = [\"{a,b}\"]", "a", false),
        ("namepass = [\"d?sk\"]", "disk", true),
        ("namepass = [\"disk[0-9]\"]", "disk1", true),
        ("namedrop = [\"cpu\"]", "cpu", false),
        ("namedrop = [\"cpu\"]", "mem", true),
        ("namedrop = [\"c*\"]", "cpu", false),
        ("namepass = [\"c*\"]\nnamedrop = [\"cpu\"]", "cpu", false),
        ("namepass = [\"c*\"]\nnamedrop = [\"cpu\"]", "conn", true),
        ("namepass = [\"c*\"]\nnamedrop = [\"cpu\"]", "mem", false),
        ("namepass = []", "anything", true),
    ];
    for (toml, name, kept) in cases {
        assert_eq!(
            keeps(&filters(toml), &metric(name, &[], &["v"])),
            *kept,
            "{toml} / {name}"
        );
    }
}

#[test]
fn filter_separators_change_what_star_crosses() {
    let f = filters("namepass = [\"cpu.*.count\"]\nnamepass_separator = \".\"");
    assert!(keeps(&f, &metric("cpu.measurement.count", &[], &["v"])));
    assert!(!keeps(&f, &metric("cpu.count", &[], &["v"])));
    assert!(!keeps(
        &f,
        &metric("cpu.field.measurement.count", &[], &["v"])
    ));
    let without = filters("namepass = [\"cpu.*.count\"]");
    assert!(keeps(
        &without,
        &metric("cpu.field.measurement.count", &[], &["v"])
    ));
    // With separators, even a list without metacharacters is a glob: {a,b} are alternatives.
    let braces = filters("namedrop = [\"{a,b}\"]\nnamedrop_separator = \".\"");
    assert!(!keeps(&braces, &metric("a", &[], &["v"])));
    assert!(keeps(&braces, &metric("{a,b}", &[], &["v"])));
}

#[test]
fn filter_tagpass_is_or_across_keys_and_globs() {
    let f = filters("[tagpass]\n  cpu = [\"cpu0\", \"cpu1*\"]\n  host = [\"web-*\"]");
    assert!(keeps(&f, &metric("m", &[("cpu", "cpu0")], &["v"])));
    assert!(keeps(&f, &metric("m", &[("cpu", "cpu12")], &["v"])));
    assert!(keeps(
        &f,
        &metric("m", &[("host", "web-1"), ("cpu", "cpu9")], &["v"])
    ));
    assert!(!keeps(&f, &metric("m", &[("cpu", "cpu9")], &["v"])));
    assert!(
        !keeps(&f, &metric("m", &[], &["v"])),
        "an absent key never matches"
    );
    let d = filters("[tagdrop]\n  host = [\"db-*\"]");
    assert!(!keeps(&d, &metric("m", &[("host", "db-1")], &["v"])));
    assert!(keeps(&d, &metric("m", &[("host", "web-1")], &["v"])));
    assert!(keeps(&d, &metric("m", &[], &["v"])));
    let both = filters("[tagpass]\n  dc = [\"us-*\"]\n[tagdrop]\n  host = [\"db-*\"]");
    assert!(keeps(
        &both,
        &metric("m", &[("dc", "us-1"), ("host", "web")], &["v"])
    ));
    assert!(!keeps(
        &both,
        &metric("m", &[("dc", "us-1"), ("host", "db-2")], &["v"])
    ));
    assert!(!keeps(
        &both,
        &metric("m", &[("dc", "eu-1"), ("host", "web")], &["v"])
    ));
}

#[test]
fn filter_fields_include_exclude_and_empty_metric() {
    let f = filters("fieldinclude = [\"usage_*\"]\nfieldexclude = [\"usage_guest*\"]");
    let mut m = metric(
        "cpu",
        &[],
        &["usage_idle", "usage_guest", "usage_guest_nice", "time"],
    );
    match f.apply(&mut m) {
        Outcome::Kept(removed) => assert_eq!(
            removed,
            vec![
                ("usage_guest".to_string(), By::FieldExclude),
                ("usage_guest_nice".to_string(), By::FieldExclude),
                ("time".to_string(), By::FieldInclude),
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(m.fields.len(), 1);
    let mut none_left = metric("cpu", &[], &["time"]);
    assert_eq!(f.apply(&mut none_left), Outcome::Dropped(By::NoFieldsLeft));
    // Deprecated spellings mean the same, with a warning.
    let c = load_config(
        "fieldpass = [\"a\"]\nfielddrop = [\"b\"]",
        &LoadOptions::default(),
    )
    .unwrap()
    .remove(0);
    assert_eq!(
        c.filters,
        filters("fieldinclude = [\"a\"]\nfieldexclude = [\"b\"]")
    );
    assert_eq!(c.warnings.len(), 2);
}

#[test]
fn filter_tags_include_exclude() {
    let f = filters("taginclude = [\"host\", \"dc\"]\ntagexclude = [\"dc\"]");
    let mut m = metric("m", &[("host", "h"), ("dc", "x"), ("rack", "r")], &["v"]);
    f.apply(&mut m);
    assert_eq!(m.tags, vec![(Cow::Borrowed("host"), Cow::Borrowed("h"))]);
}

#[test]
fn filter_renames_come_last_and_never_affect_namepass() {
    let f = filters("namepass = [\"cpu\"]\nname_override = \"processor\"\nname_prefix = \"p_\"\nname_suffix = \"_s\"");
    let mut m = metric("cpu", &[], &["v"]);
    assert!(matches!(f.apply(&mut m), Outcome::Kept(_)));
    assert_eq!(m.name, "p_processor_s");
    let mut other = metric("processor", &[], &["v"]);
    assert_eq!(f.apply(&mut other), Outcome::Dropped(By::NamePass));
    let prefix_only = filters("name_prefix = \"x.\"");
    let mut m = metric("cpu", &[], &["v"]);
    prefix_only.apply(&mut m);
    assert_eq!(m.name, "x.cpu");
}

#[test]
fn filter_bad_glob_is_a_config_error_with_position() {
    let e = load_config(
        "[[outputs.librato]]\n  namepass = [\"ok\", \"cpu[\"]\n",
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("namepass: invalid glob \"cpu[\": unexpected end of input"),
        "{}",
        e.message
    );
    assert_eq!((e.line, e.column), (Some(2), Some(25)), "at the unclosed [");
    // "{a" alone has no metacharacter: an exact match, as in Telegraf. "{a*" is a glob,
    // and gobwas accepts an unclosed "{"; "[a-]" it refuses.
    assert!(load_config("[tagpass]\n  host = [\"{a\"]", &LoadOptions::default()).is_ok());
    assert!(load_config("[tagpass]\n  host = [\"{a*\"]", &LoadOptions::default()).is_ok());
    let e = load_config("[tagpass]\n  host = [\"x[a-]\"]", &LoadOptions::default()).unwrap_err();
    assert!(
        e.message
            .contains("tagpass: invalid glob \"x[a-]\": unexpected end of input"),
        "{}",
        e.message
    );
    assert_eq!((e.line, e.column), (Some(2), Some(13)), "at the [");
    let e = load_config("namepass = \"cpu\"", &LoadOptions::default()).unwrap_err();
    assert_eq!(
        e.message,
        "namepass must be an array of strings, found a string"
    );
}

#[test]
fn filter_keys_round_trip_through_json() {
    let c = load_config(
        "namepass = [\"cpu*\"]\nnamepass_separator = \".\"\n[tagdrop]\n  host = [\"db*\"]",
        &LoadOptions::default(),
    )
    .unwrap()
    .remove(0);
    let back = crate::config::from_json_object(&c.to_json()).unwrap();
    assert_eq!(back.filters, c.filters);
    assert!(!Filters::default().is_active() && c.filters.is_active());
}

#[test]
fn filter_metricpass_warns() {
    let c = load_config("metricpass = \"fields.v > 1\"", &LoadOptions::default())
        .unwrap()
        .remove(0);
    assert!(c.warnings[0].contains("metricpass is accepted but not evaluated"));
}

#[test]
fn deprecated_field_keys_are_appended_in_telegrafs_order() {
    // fielddrop = ["*"] with fieldexclude = ["f*"] excludes every field (appended, not
    // replaced), whatever order the keys are written in.
    for text in [
        "fielddrop = [\"*\"]\nfieldexclude = [\"f*\"]",
        "fieldexclude = [\"f*\"]\nfielddrop = [\"*\"]",
    ] {
        let c = load_config(text, &LoadOptions::default()).unwrap();
        let m = metric("cpu", &[], &["f1", "g1"]);
        assert!(!keeps(&c[0].filters, &m), "{text}: every field removed");
        assert!(c[0]
            .warnings
            .iter()
            .any(|w| w.starts_with("fielddrop is deprecated: use fieldexclude")));
        assert_eq!(
            c[0].to_json()["fieldexclude"],
            serde_json::json!(["*", "f*"])
        );
    }
    // pass / drop: still read (Telegraf warns), first in the lists.
    let c = load_config(
        "fieldinclude = [\"a*\"]\npass = [\"b*\"]\nfieldpass = [\"c*\"]\ndrop = [\"ab\"]",
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        c[0].to_json()["fieldinclude"],
        serde_json::json!(["b*", "c*", "a*"])
    );
    assert_eq!(c[0].to_json()["fieldexclude"], serde_json::json!(["ab"]));
    assert_eq!(c[0].warnings.len(), 3, "{:?}", c[0].warnings);
    let mut m = metric("cpu", &[], &["ab", "ax", "bx", "cx", "dx"]);
    assert!(matches!(c[0].filters.apply(&mut m), Outcome::Kept(_)));
    let kept: Vec<&str> = m.fields.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(kept, ["ax", "bx", "cx"]);
    // An empty deprecated list warns of nothing.
    assert!(
        load_config("pass = []", &LoadOptions::default()).unwrap()[0]
            .warnings
            .is_empty()
    );
    // A bad glob in a deprecated key is named by that key.
    let e = load_config(
        "fieldinclude = [\"ok\"]\ndrop = [\"[z-a]\"]",
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.message.starts_with("drop: invalid glob \"[z-a]\""),
        "{}",
        e.message
    );
    assert_eq!((e.line, e.column), (Some(2), Some(10)));
}

#[test]
fn option_lines_name_the_line_of_every_spelling() {
    let c = load_config(
        "template = \"host\"\nfieldpass = [\"a*\"]\nfielddrop = [\"b\"]\n",
        &LoadOptions::default(),
    )
    .unwrap();
    let line = |k: &str| {
        c[0].key_lines
            .iter()
            .find(|(key, _)| key == k)
            .map(|&(_, l)| l)
    };
    assert_eq!(line("fieldpass"), Some(2));
    assert_eq!(line("fieldinclude"), Some(2));
    assert_eq!(line("fieldexclude"), Some(3));
    assert_eq!(line(By::NoFieldsLeft.option()), Some(2));
    // Written under their own names: no second entry.
    let c = load_config("fieldinclude = [\"a\"]\n", &LoadOptions::default()).unwrap();
    assert_eq!(
        c[0].key_lines
            .iter()
            .filter(|(k, _)| k == "fieldinclude")
            .count(),
        1
    );
}
