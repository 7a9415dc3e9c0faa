//! Telegraf's Graphite-style source template, as `outputs.librato` uses it:
//! `InsertField(SerializeBucketName("", tags, template, ""), "value")`.
//!
//! The walk is reproduced step by step, placeholders included, so the sources are the same
//! bytes Telegraf produces, even in its corner cases (see `telegraf-librato.md`):
//! the measurement is always empty here, the first `tags` part takes every unused tag,
//! later `tags` parts stay `TAGS`, and `.FIELDNAME` / `FIELDNAME.` are deleted at the end.
//! A tag value that is literally `TAGS` is expanded like the placeholder, as in Telegraf.

mod explain;

use crate::find::piece;
use std::borrow::Cow;

use crate::find::contains;
use crate::sort::sort_indices;
pub use explain::{Explanation, Step};

/// What one `.`-separated part of the template means.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Measurement,
    Tags,
    Field,
    Tag(String),
}

/// A template compiled once per config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// One element of the rendered source before joining.
#[derive(Clone, Copy)]
enum Elem<'t> {
    Empty,
    TagsPlaceholder,
    FieldPlaceholder,
    TagValue(&'t str),
}

const TAGS: &str = "TAGS";
const FIELDNAME: &str = "FIELDNAME";

impl Template {
    /// Compiles a template; an empty one means `host`, as in `outputs.librato`.
    pub fn new(template: &str) -> Template {
        let template = if template.is_empty() {
            "host"
        } else {
            template
        };
        let parts = template
            .split('.')
            .map(|p| match p {
                "measurement" => Part::Measurement,
                "tags" => Part::Tags,
                "field" => Part::Field,
                other => Part::Tag(other.to_string()),
            })
            .collect();
        Template { parts }
    }

    /// Tag keys the template names explicitly (for the playground's explanations).
    pub fn tag_parts(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Tag(k) => Some(k.as_str()),
            _ => None,
        })
    }

    /// Renders the source for a metric's tags into `out` (cleared first), before Librato's
    /// character sanitising. Returns false when the source is empty (the metric is skipped).
    pub fn render(&self, tags: &[(Cow<'_, str>, Cow<'_, str>)], out: &mut String) -> bool {
        out.clear();
        // Fast path for the common single-tag template ("host"): one lookup, no joins.
        if let [Part::Tag(key)] = self.parts.as_slice() {
            if let Some((_, v)) = tags.iter().find(|(k, _)| k == key) {
                // The placeholder checks, cheaply: almost no value holds an 'F' at all.
                if v != TAGS && !(v.as_bytes().contains(&b'F') && contains(v, FIELDNAME)) {
                    push_dots_replaced(out, v);
                    return !out.is_empty();
                }
            } else {
                return false;
            }
        }
        self.render_general(tags, out);
        !out.is_empty()
    }

    fn render_general(&self, tags: &[(Cow<'_, str>, Cow<'_, str>)], out: &mut String) {
        let mut used = vec![false; tags.len()];
        let mut elems: Vec<Elem> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            match part {
                Part::Measurement => elems.push(Elem::Empty),
                Part::Tags => elems.push(Elem::TagsPlaceholder),
                Part::Field => elems.push(Elem::FieldPlaceholder),
                Part::Tag(key) => {
                    // Tag keys are unique (parsers keep the last duplicate), so the first
                    // match is the tag; a used tag adds nothing, like a missing one.
                    if let Some(i) = tags.iter().position(|(k, _)| k == key) {
                        if !used[i] {
                            used[i] = true;
                            elems.push(Elem::TagValue(&tags[i].1));
                        }
                    }
                }
            }
        }
        if elems.is_empty() {
            return;
        }
        // Telegraf replaces the first element that reads "TAGS" (placeholder or tag value).
        let expand_at = elems.iter().position(|e| match e {
            Elem::TagsPlaceholder => true,
            Elem::TagValue(v) => *v == TAGS,
            _ => false,
        });
        for (i, elem) in elems.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            if Some(i) == expand_at {
                push_remaining_tags(out, tags, &used);
                continue;
            }
            match elem {
                Elem::Empty => {}
                Elem::TagsPlaceholder => out.push_str(TAGS),
                Elem::FieldPlaceholder => out.push_str(FIELDNAME),
                Elem::TagValue(v) => push_dots_replaced(out, v),
            }
        }
        if contains(out, FIELDNAME) {
            *out = delete_field_placeholder(out);
        }
    }
}

/// Go's `strings.ReplaceAll(v, ".", "_")`.
fn push_dots_replaced(out: &mut String, v: &str) {
    let mut run = 0;
    for (i, &b) in v.as_bytes().iter().enumerate() {
        if b == b'.' {
            // '.' is ASCII, so these slice bounds are character boundaries.
            out.push_str(piece(v, run..i));
            out.push('_');
            run = i + 1;
        }
    }
    out.push_str(piece(v, run..));
}

/// Telegraf's `buildTags`: values of the unused tags sorted by key, dots replaced, joined by `.`.
fn push_remaining_tags(out: &mut String, tags: &[(Cow<'_, str>, Cow<'_, str>)], used: &[bool]) {
    let mut remaining: Vec<usize> = (0..tags.len()).filter(|&i| !used[i]).collect();
    sort_indices(&mut remaining, &|a, b| {
        tags[a].0.as_bytes() < tags[b].0.as_bytes()
    });
    for (n, &i) in remaining.iter().enumerate() {
        if n > 0 {
            out.push('.');
        }
        push_dots_replaced(out, &tags[i].1);
    }
}

/// Go's `strings.NewReplacer(".FIELDNAME", "", "FIELDNAME.", "").Replace(s)`: non-overlapping
/// matches, left to right.
fn delete_field_placeholder(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let b = s.as_bytes();
    while i < b.len() {
        if piece(s, i..).starts_with(".FIELDNAME") || piece(s, i..).starts_with("FIELDNAME.") {
            i += 10;
            continue;
        }
        // Copy one whole character.
        let ch_len = piece(s, i..).chars().next().map_or(1, char::len_utf8);
        out.push_str(piece(s, i..i + ch_len));
        i += ch_len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&'static str, &'static str)]) -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
        pairs.iter().map(|&(k, v)| (k.into(), v.into())).collect()
    }

    fn source(template: &str, pairs: &[(&'static str, &'static str)]) -> Option<String> {
        let mut out = String::new();
        Template::new(template)
            .render(&tags(pairs), &mut out)
            .then_some(out)
    }

    #[test]
    fn template_consequences_from_the_spec() {
        let h = [("host", "h")];
        assert_eq!(source("measurement.host", &h).as_deref(), Some(".h"));
        assert_eq!(source("host.", &h).as_deref(), Some("h"));
        assert_eq!(source("host.tags", &h).as_deref(), Some("h."));
        assert_eq!(source("tags", &h).as_deref(), Some("h"));
        assert_eq!(source("host.field", &h).as_deref(), Some("h"));
        assert_eq!(source("field", &h).as_deref(), Some("FIELDNAME"));
        assert_eq!(source("measurement", &h), None);
        assert_eq!(source("nonexistent", &h), None);
        assert_eq!(source("measurement.field", &h), None);
        assert_eq!(source("", &h).as_deref(), Some("h"));
        let three = [("host", "h"), ("a", "1"), ("b", "x.y")];
        assert_eq!(source("tags.tags", &three).as_deref(), Some("1.x_y.h.TAGS"));
        assert_eq!(source("tags.host", &three).as_deref(), Some("1.x_y.h"));
        assert_eq!(
            source("tags.field.measurement", &three).as_deref(),
            Some("1.x_y.h.")
        );
    }

    #[test]
    fn template_telegraf_test_table() {
        let t = [("hostname", "192.168.0.1"), ("tag1", "value1")];
        assert_eq!(source("hostname", &t).as_deref(), Some("192_168_0_1"));
        assert_eq!(
            source(
                "hostname",
                &[("hostnam", "192.168.0.1"), ("tag1", "value1")]
            ),
            None
        );
        let t2 = [
            ("hostname", "192.168.0.1"),
            ("tag1", "value1"),
            ("tag2", "value2"),
        ];
        assert_eq!(
            source("tags", &t2).as_deref(),
            Some("192_168_0_1.value1.value2")
        );
        assert_eq!(
            source("hostname.tag2", &t2).as_deref(),
            Some("192_168_0_1.value2")
        );
    }

    #[test]
    fn template_reserved_part_names_never_name_tags() {
        let t = [
            ("measurement", "m"),
            ("tags", "t"),
            ("field", "f"),
            ("host", "h"),
        ];
        assert_eq!(source("host.measurement", &t).as_deref(), Some("h."));
        assert_eq!(source("tags", &t).as_deref(), Some("f.h.m.t"));
    }

    #[test]
    fn template_repeated_tag_part_is_used_once() {
        assert_eq!(source("host.host", &[("host", "h")]).as_deref(), Some("h"));
        assert_eq!(
            source("host.host.x", &[("host", "h"), ("x", "1")]).as_deref(),
            Some("h.1")
        );
    }

    #[test]
    fn template_tags_sorted_by_bytes() {
        let t = [("b", "2"), ("B", "1"), ("a", "3"), ("é", "4")];
        assert_eq!(source("tags", &t).as_deref(), Some("1.3.2.4"));
    }

    #[test]
    fn template_placeholder_words_leak_like_telegraf() {
        // A tag value "TAGS" is expanded as if it were the placeholder.
        assert_eq!(
            source("host.tags", &[("host", "TAGS"), ("a", "1")]).as_deref(),
            Some("1.TAGS")
        );
        assert_eq!(
            source("host", &[("host", "TAGS"), ("a", "1")]).as_deref(),
            Some("1")
        );
        // FIELDNAME next to a dot is deleted from tag values too.
        assert_eq!(
            source("host", &[("host", "x.FIELDNAME.y")]).as_deref(),
            Some("x_FIELDNAME_y")
        );
        assert_eq!(
            source("host.a", &[("host", "FIELDNAME"), ("a", "1")]).as_deref(),
            Some("1")
        );
        assert_eq!(
            source("host", &[("host", "FIELDNAME")]).as_deref(),
            Some("FIELDNAME")
        );
        assert_eq!(
            source("host.field", &[("host", "FIELDNAME")]).as_deref(),
            Some("FIELDNAME")
        );
    }

    /// The explanation ends in exactly the source the renderer sends (after Librato's
    /// character rule), over every template of up to three parts drawn from the corner
    /// cases and many tag sets.
    #[test]
    fn explanation_ends_in_the_rendered_source() {
        let parts = [
            "host",
            "tags",
            "field",
            "measurement",
            "",
            "dc",
            "TAGS",
            "missing",
        ];
        let tag_sets: Vec<Vec<(&'static str, &'static str)>> = vec![
            vec![],
            vec![("host", "web.1")],
            vec![("host", "a b"), ("dc", "x.y"), ("zone", "TAGS")],
            vec![("dc", "TAGS"), ("host", "FIELDNAME")],
            vec![("host", "é.ü"), ("az", "1")],
            vec![("b", "2"), ("a", "1"), ("host", "h")],
        ];
        let mut templates = vec![String::new()];
        for a in parts {
            templates.push(a.to_string());
            for b in parts {
                templates.push(format!("{a}.{b}"));
                for c in ["tags", "field", "host"] {
                    templates.push(format!("{a}.{b}.{c}"));
                }
            }
        }
        for t in &templates {
            for set in &tag_sets {
                let rendered = source(t, set).map(|s| {
                    let mut clean = Vec::new();
                    crate::librato::sanitize::push_sanitized(&mut clean, &s);
                    String::from_utf8(clean).unwrap()
                });
                let explained = Template::new(t).explain(&tags(set));
                assert_eq!(explained.source, rendered, "template {t:?}, tags {set:?}");
                assert!(!explained.steps.is_empty());
            }
        }
    }

    #[test]
    fn explanation_of_a_lone_field_part_keeps_fieldname() {
        let e = Template::new("field").explain(&tags(&[("host", "h")]));
        assert_eq!(e.source.as_deref(), Some("FIELDNAME"));
        assert!(e
            .steps
            .iter()
            .any(|s| s.what.contains("stays, as Telegraf sends it")));
    }
}
