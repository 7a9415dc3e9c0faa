//! The typed metric every input format parses into, and every later stage reads.
//!
//! Strings borrow from the input (`Cow::Borrowed`) unless an escape forced a copy, so
//! parsing Telegraf-shaped line protocol allocates only the two small vectors per line.

use std::borrow::Cow;

/// A field value, with the four line-protocol types plus strings.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    Float(f64),
    Int(i64),
    UInt(u64),
    Bool(bool),
    Str(Cow<'a, str>),
}

impl FieldValue<'_> {
    /// Telegraf's `setValue`: every numeric kind becomes a float64 (nearest), bool → 1/0.
    /// Strings have no numeric value.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            FieldValue::Float(f) => Some(f),
            FieldValue::Int(i) => Some(i as f64),
            FieldValue::UInt(u) => Some(u as f64),
            FieldValue::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
            FieldValue::Str(_) => None,
        }
    }

    pub fn into_owned(self) -> FieldValue<'static> {
        match self {
            FieldValue::Float(f) => FieldValue::Float(f),
            FieldValue::Int(i) => FieldValue::Int(i),
            FieldValue::UInt(u) => FieldValue::UInt(u),
            FieldValue::Bool(b) => FieldValue::Bool(b),
            FieldValue::Str(s) => FieldValue::Str(Cow::Owned(s.into_owned())),
        }
    }
}

/// One metric: measurement name, tags, fields and time in nanoseconds since the epoch.
///
/// Tags and fields keep input order and hold unique keys (a duplicate key replaces the
/// earlier value in place, so "the last one wins" without reordering).
#[derive(Debug, Clone, PartialEq)]
pub struct Metric<'a> {
    pub name: Cow<'a, str>,
    pub tags: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub fields: Vec<(Cow<'a, str>, FieldValue<'a>)>,
    pub time: i64,
    /// 1-based input line the metric came from (for reports); 0 when not from text.
    pub line: u32,
}

impl<'a> Metric<'a> {
    pub fn new(name: impl Into<Cow<'a, str>>, time: i64) -> Self {
        Metric {
            name: name.into(),
            tags: Vec::new(),
            fields: Vec::new(),
            time,
            line: 0,
        }
    }

    /// Sets a tag; an existing key keeps its position and takes the new value.
    pub fn set_tag(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        match self.tags.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.tags.push((key, value)),
        }
    }

    /// Sets a field; an existing key keeps its position and takes the new value.
    pub fn set_field(&mut self, key: Cow<'a, str>, value: FieldValue<'a>) {
        match self.fields.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((key, value)),
        }
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    pub fn into_owned(self) -> Metric<'static> {
        Metric {
            name: Cow::Owned(self.name.into_owned()),
            tags: self
                .tags
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
            fields: self
                .fields
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                .collect(),
            time: self.time,
            line: self.line,
        }
    }
}

/// A per-line (or per-metric) input error: 1-based line and column, a message in the
/// user's words, and the offending line cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub text: String,
}

/// Longest excerpt of input quoted in an error message or `LineError::text`.
pub const QUOTE_CHARS: usize = 60;

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Timestamp precision of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Ns,
    Us,
    Ms,
    S,
    /// InfluxDB v1's `m` (minutes) and `h` (hours).
    M,
    H,
}

impl Precision {
    /// Accepts the v2 spellings (`ns`, `us`, `ms`, `s`) and InfluxDB v1's (`n`, `u`, `ms`,
    /// `s`, and `m` for minutes, `h` for hours).
    pub fn parse(s: &str) -> Option<Precision> {
        match s {
            "ns" | "n" => Some(Precision::Ns),
            "us" | "u" | "µs" => Some(Precision::Us),
            "ms" => Some(Precision::Ms),
            "s" => Some(Precision::S),
            "m" => Some(Precision::M),
            "h" => Some(Precision::H),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Precision::Ns => "ns",
            Precision::Us => "us",
            Precision::Ms => "ms",
            Precision::S => "s",
            Precision::M => "m",
            Precision::H => "h",
        }
    }

    pub fn nanos(self) -> i64 {
        match self {
            Precision::Ns => 1,
            Precision::Us => 1_000,
            Precision::Ms => 1_000_000,
            Precision::S => 1_000_000_000,
            Precision::M => 60_000_000_000,
            Precision::H => 3_600_000_000_000,
        }
    }
}

/// What every parser needs besides the text.
#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    pub precision: Precision,
    /// Nanoseconds given to lines without a timestamp.
    pub default_time: i64,
}
