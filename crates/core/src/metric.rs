//! The typed metric every input format parses into, and every later stage reads.
//!
//! Strings borrow from the input (`Cow::Borrowed`) unless an escape forced a copy, so
//! parsing Telegraf-shaped line protocol allocates only the two small vectors per line.

use std::borrow::Cow;

/// A field value, with the four line-protocol types plus strings.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// A float (no suffix).
    Float(f64),
    /// A signed integer (`i` suffix).
    Int(i64),
    /// An unsigned integer (`u` suffix).
    UInt(u64),
    /// A boolean.
    Bool(bool),
    /// A string (quoted); never a gauge.
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

    /// The same value, owning its string.
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
    /// The measurement name.
    pub name: Cow<'a, str>,
    /// Tags in input order, each key once.
    pub tags: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Fields in input order, each key once.
    pub fields: Vec<(Cow<'a, str>, FieldValue<'a>)>,
    /// Nanoseconds since the epoch.
    pub time: i64,
    /// 1-based input line the metric came from (for reports); 0 when not from text.
    pub line: u32,
}

impl<'a> Metric<'a> {
    /// A metric with no tags or fields yet, at `time` (nanoseconds since the epoch).
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

    /// Makes tag and field keys unique as `set_tag`/`set_field` one at a time would: each key
    /// keeps its first position and takes its last value. For parsers that push pairs as they
    /// come: one call per metric, O(n log n) however many pairs a line holds (a 50,000-field
    /// line took 8 s with a search per pair).
    pub fn dedupe(&mut self) {
        dedupe_pairs(&mut self.tags);
        dedupe_pairs(&mut self.fields);
    }

    /// The value of tag `key`, if present.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// The same metric, owning all its text.
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
    /// The 1-based input line.
    pub line: u32,
    /// The 1-based column (characters; bytes for invalid UTF-8).
    pub column: u32,
    /// What kind of problem (the message says it in the user's words).
    pub kind: ErrorKind,
    /// What is wrong, in the user's words.
    pub message: String,
    /// The offending line, cut short.
    pub text: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for LineError {}

/// What a [`LineError`] is about, whatever the input format. Fuzz targets and callers
/// match on it, never on the message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    // Line protocol (the InfluxDB v2 reference's grammar).
    /// No measurement name before the tag set.
    MissingMeasurement,
    /// A `,` with no tag key after it.
    MissingTagKey,
    /// A tag key without `=` and a value.
    MissingTagEquals,
    /// A tag key with `=` but no value.
    MissingTagValue,
    /// An `=` inside a tag value that is not escaped.
    UnescapedEqualsInTagValue,
    /// A line with no field set.
    MissingFields,
    /// An empty field key.
    MissingFieldKey,
    /// A field key without `=` and a value.
    MissingFieldEquals,
    /// A field key with `=` but no value.
    MissingFieldValue,
    /// An `i` value that is not an integer.
    InvalidInteger,
    /// A `u` value that is not an unsigned integer.
    InvalidUnsigned,
    /// A negative `u` value.
    NegativeUnsigned,
    /// A value that is no number, boolean or string.
    InvalidFieldValue,
    /// A number beyond its type's range.
    NumberOutOfRange,
    /// A string value without its closing quote.
    UnterminatedString,
    /// A string value over the 64 KB limit.
    StringTooLong,
    /// Something other than `,`, a space or the end after a value.
    UnexpectedAfterFieldValue,
    /// A timestamp that is not an integer.
    InvalidTimestamp,
    /// A timestamp outside the representable range at its precision.
    TimestampOutOfRange,
    /// Something after the timestamp.
    UnexpectedAfterTimestamp,
    /// A control character where the grammar allows none (InfluxData's decoder refuses it).
    ControlCharacter,
    // Any text input.
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    // Telegraf JSON.
    /// Text that is not JSON.
    InvalidJson,
    /// The document's shape: not a metric object, or a broken `{"metrics":[...]}` batch.
    JsonShape,
    /// A metric object with a missing or wrongly typed name, tags, fields or timestamp.
    InvalidJsonMetric,
}

impl ErrorKind {
    /// Whether the line-protocol parser reports this kind.
    pub fn is_line_protocol(self) -> bool {
        !self.is_json()
    }

    /// Whether the Telegraf JSON reader reports this kind.
    pub fn is_json(self) -> bool {
        matches!(
            self,
            ErrorKind::InvalidJson | ErrorKind::JsonShape | ErrorKind::InvalidJsonMetric
        )
    }
}

/// Longest excerpt of input quoted in an error message or `LineError::text`.
pub const QUOTE_CHARS: usize = 60;

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", crate::find::piece(s, ..i)),
        None => s.to_string(),
    }
}

/// See [`Metric::dedupe`].
#[inline]
pub(crate) fn dedupe_pairs<V>(pairs: &mut Vec<(Cow<'_, str>, V)>) {
    let n = pairs.len();
    // The usual handful of keys, all different: a quick check and nothing else.
    if n < 2 || n <= 32 && !(1..n).any(|i| pairs[..i].iter().any(|(k, _)| *k == pairs[i].0)) {
        return;
    }
    dedupe_slow(pairs);
}

/// Repeated keys, or too many keys to check pairwise: the plan is made from the keys alone
/// (one copy of that code rather than one per value type), then applied.
#[cold]
#[inline(never)]
fn dedupe_slow<V>(pairs: &mut Vec<(Cow<'_, str>, V)>) {
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_ref()).collect();
    let (keep, moves) = dedupe_plan(&keys);
    drop(keys);
    for (first, last) in moves {
        let (head, tail) = pairs.split_at_mut(last);
        std::mem::swap(&mut head[first].1, &mut tail[0].1);
    }
    let mut i = 0;
    pairs.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Which positions stay, and for each repeated key (first position, last position): the
/// first takes the last one's value. Positions are sorted by (key, position) so each key's
/// positions form a run.
#[inline(never)]
fn dedupe_plan(keys: &[&str]) -> (Vec<bool>, Vec<(usize, usize)>) {
    let n = keys.len();
    let mut order: Vec<usize> = (0..n).collect();
    crate::sort::sort_indices(&mut order, &|a, b| (keys[a], a) < (keys[b], b));
    let mut keep = vec![true; n];
    let mut moves = Vec::new();
    let mut run = 0;
    while run < n {
        let mut end = run + 1;
        while end < n && keys[order[end]] == keys[order[run]] {
            end += 1;
        }
        if end - run > 1 {
            moves.push((order[run], order[end - 1]));
            for &i in &order[run + 1..end] {
                keep[i] = false;
            }
        }
        run = end;
    }
    (keep, moves)
}

/// Timestamp precision of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Nanoseconds.
    Ns,
    /// Microseconds.
    Us,
    /// Milliseconds.
    Ms,
    /// Seconds.
    S,
    /// InfluxDB v1's `m` (minutes) and `h` (hours).
    M,
    /// Hours (InfluxDB v1).
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

    /// The v2 spelling (`ns`, `us`, `ms`, `s`) or v1's `m`/`h`.
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

    /// Nanoseconds in one unit of this precision.
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
    /// The unit of the input's timestamps.
    pub precision: Precision,
    /// Nanoseconds given to lines without a timestamp.
    pub default_time: i64,
}

impl ParseOptions {
    /// Options whose `default_time` (nanoseconds, usually "now") is truncated to `precision`,
    /// as InfluxDB stamps a line without a timestamp: with precision `s`, whole seconds.
    ///
    /// ```
    /// use librato_core::metric::{ParseOptions, Precision};
    ///
    /// let o = ParseOptions::new(Precision::S, 1_700_000_000_987_654_321);
    /// assert_eq!(o.default_time, 1_700_000_000_000_000_000);
    /// let o = ParseOptions::new(Precision::Ms, -1_500_000);
    /// assert_eq!(o.default_time, -2_000_000);
    /// ```
    pub fn new(precision: Precision, default_time: i64) -> ParseOptions {
        let unit = precision.nanos();
        ParseOptions {
            precision,
            default_time: default_time - default_time.rem_euclid(unit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupe_equals_setting_pairs_one_at_a_time() {
        let mut seed = 11u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for n in [0, 1, 2, 5, 31, 32, 33, 60, 200, 1000] {
            for distinct in [1, 3, n.max(1) / 2 + 1, n.max(1) * 2] {
                let pairs: Vec<(String, i64)> = (0..n)
                    .map(|i| (format!("k{}", next(distinct as u64)), i as i64))
                    .collect();
                let mut want = Metric::new("m", 0);
                let mut got = Metric::new("m", 0);
                for (k, v) in &pairs {
                    want.set_field(Cow::Owned(k.clone()), FieldValue::Int(*v));
                    want.set_tag(Cow::Owned(k.clone()), Cow::Owned(v.to_string()));
                    got.fields
                        .push((Cow::Owned(k.clone()), FieldValue::Int(*v)));
                    got.tags
                        .push((Cow::Owned(k.clone()), Cow::Owned(v.to_string())));
                }
                got.dedupe();
                assert_eq!(got, want, "n = {n}, distinct keys = {distinct}");
            }
        }
    }
}
