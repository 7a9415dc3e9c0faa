//! Telegraf's JSON serializer output: one metric `{"name","tags","fields","timestamp"}` per
//! value (Telegraf writes one per line), or a batch `{"metrics":[...]}`.
//!
//! `timestamp` is in seconds unless the precision says otherwise (Telegraf's
//! `json_timestamp_units`). Errors are per metric, with the line and column where the metric
//! starts, so a bad metric never costs the good ones.
//!
//! Each metric object is read in one pass straight into a [`Metric`] whose strings borrow
//! from the text (no `serde_json::Value`, no map): only values that no metric uses (arrays,
//! objects, unknown keys) are built and dropped. The verdicts are those of reading the whole
//! value as JSON first and then checking its shape (the tests hold the two readings equal):
//! a syntax error anywhere in a metric is that metric's error; otherwise the first shape
//! problem in the order name, timestamp, tags, fields; a repeated key takes its last value
//! (at its first position, for tags and fields).

use crate::find::piece;
use std::borrow::Cow;

use super::reader::{read_found, Found, JsonError, Num, Reader};
use crate::find::count_newlines;
use crate::metric::{
    cut, dedupe_pairs, ErrorKind, FieldValue, LineError, Metric, ParseOptions, Precision,
    QUOTE_CHARS,
};

/// Parses a Telegraf JSON text, handing each metric to `metrics` as soon as it is read
/// (through one reused `Metric`), and returns the errors.
pub fn parse_each<'t>(
    text: &'t str,
    options: ParseOptions,
    metrics: &mut dyn FnMut(&mut Metric<'t>),
) -> Vec<LineError> {
    let mut errors = Vec::new();
    let mut p = Parser {
        w: Where::new(text),
        options,
        metric: Metric::new("", 0),
        scratch: Scratch::default(),
        metrics,
        errors: &mut errors,
    };
    let mut pos = skip_ws(text, 0);
    while pos < text.len() {
        pos = match batch_array_start(text, pos) {
            Some(array_start) => p.batch(array_start),
            None => p.one(pos).unwrap_or_else(|| next_line(text, pos)),
        };
        pos = skip_ws(text, pos);
    }
    errors
}

fn skip_ws(text: &str, mut pos: usize) -> usize {
    let b = text.as_bytes();
    while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\r' | b'\n') {
        pos += 1;
    }
    pos
}

/// If `{"metrics":[` starts at `pos` (blanks allowed), the position after the `[`.
fn batch_array_start(text: &str, pos: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(pos) != Some(&b'{') {
        return None;
    }
    let p = skip_ws(text, pos + 1);
    let p = piece(text, p..)
        .strip_prefix("\"metrics\"")
        .map(|_| p + 9)?;
    let p = skip_ws(text, p);
    if b.get(p) != Some(&b':') {
        return None;
    }
    let p = skip_ws(text, p + 1);
    (b.get(p) == Some(&b'[')).then_some(p + 1)
}

/// Where to resume after a syntax error: the next line (Telegraf writes a value per line).
fn next_line(text: &str, pos: usize) -> usize {
    piece(text, pos..)
        .find('\n')
        .map_or(text.len(), |i| pos + i + 1)
}

/// Line and column (in characters, both 1-based) of byte positions, counted from the last
/// position asked for: positions mostly move forward, so a text of n metrics costs its
/// length once rather than n times (which made 2 MB of JSON take 13 s). Lines are counted
/// for every metric; columns only for errors, from the last column counted on the same line.
struct Where<'t> {
    text: &'t str,
    /// Lines are counted up to here.
    pos: usize,
    line: u32,
    /// Where the line holding `pos` starts.
    line_start: usize,
    /// Characters are counted up to here (on the line of `pos` when not before `line_start`).
    col_pos: usize,
    /// Characters between `line_start` and `col_pos`.
    col: u32,
}

impl<'t> Where<'t> {
    fn new(text: &'t str) -> Self {
        Where {
            text,
            pos: 0,
            line: 1,
            line_start: 0,
            col_pos: 0,
            col: 0,
        }
    }

    /// The line of `pos`.
    fn line(&mut self, pos: usize) -> u32 {
        let bytes = self.text.as_bytes();
        if pos >= self.pos {
            let run = &bytes[self.pos..pos];
            let newlines = count_newlines(run);
            if newlines > 0 {
                self.line += newlines;
                self.line_start = self.pos + run.iter().rposition(|&b| b == b'\n').unwrap_or(0) + 1;
            }
        } else {
            // Back to the line after the start of a bad value that spanned lines.
            self.line -= count_newlines(&bytes[pos..self.pos]);
            self.line_start = bytes[..pos]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        }
        self.pos = pos;
        self.line
    }

    /// The line and column of `pos`.
    fn at(&mut self, pos: usize) -> (u32, u32) {
        let line = self.line(pos);
        if self.col_pos < self.line_start || self.col_pos > pos {
            self.col_pos = self.line_start;
            self.col = 0;
        }
        // Every byte that is not a UTF-8 continuation byte starts a character.
        let chars = self.text.as_bytes()[self.col_pos..pos]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count();
        self.col += chars as u32;
        self.col_pos = pos;
        (line, self.col + 1)
    }
}

/// How far around an error its quoted line is looked for: every ordinary line fits, and a
/// text on one huge line (a big `{"metrics":[...]}` batch) costs this much per error, not
/// its whole length.
const CONTEXT_WINDOW: usize = 4096;

fn error_at(w: &mut Where<'_>, pos: usize, kind: ErrorKind, message: &str) -> LineError {
    let (line, column) = w.at(pos);
    let text = w.text;
    let mut lo = pos.saturating_sub(CONTEXT_WINDOW);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = pos.saturating_add(CONTEXT_WINDOW).min(text.len());
    while !text.is_char_boundary(hi) {
        hi -= 1;
    }
    let line_end = piece(text, pos..hi).find('\n').map_or(hi, |i| pos + i);
    let quote = match piece(text, lo..pos).rfind('\n') {
        Some(i) => cut(
            piece(text, lo + i + 1..line_end).trim_end_matches('\r'),
            QUOTE_CHARS * 2,
        ),
        None if lo == 0 => cut(
            piece(text, ..line_end).trim_end_matches('\r'),
            QUOTE_CHARS * 2,
        ),
        // A line longer than the window: quote from a little before the error.
        None => {
            let mut from = pos.saturating_sub(QUOTE_CHARS / 2);
            while !text.is_char_boundary(from) {
                from += 1;
            }
            format!("…{}", cut(piece(text, from..line_end), QUOTE_CHARS * 2))
        }
    };
    LineError {
        line,
        column,
        kind,
        message: message.to_string(),
        text: quote,
    }
}

/// What one metric object held, as read: checked once the object has been read whole.
#[derive(Default)]
struct Scratch<'t> {
    name: Option<Found<'t>>,
    timestamp: Option<Found<'t>>,
    /// `None`: no `tags` key; `Some(Err(kind))`: not an object.
    tags: Option<Result<(), &'static str>>,
    fields: Option<Result<(), &'static str>>,
    tag_pairs: Vec<(Cow<'t, str>, Found<'t>)>,
    field_pairs: Vec<(Cow<'t, str>, Found<'t>)>,
}

struct Parser<'t, 'm> {
    w: Where<'t>,
    options: ParseOptions,
    metric: Metric<'t>,
    scratch: Scratch<'t>,
    metrics: &'m mut dyn FnMut(&mut Metric<'t>),
    errors: &'m mut Vec<LineError>,
}

impl<'t> Parser<'t, '_> {
    /// Walks the elements of the `metrics` array, then the closing `]` and `}`.
    fn batch(&mut self, mut pos: usize) -> usize {
        let text = self.w.text;
        let b = text.as_bytes();
        pos = skip_ws(text, pos);
        if b.get(pos) == Some(&b']') {
            pos += 1;
        } else {
            loop {
                match self.one(pos) {
                    Some(end) => pos = skip_ws(text, end),
                    None => return next_line(text, pos),
                }
                match b.get(pos) {
                    Some(b',') => pos = skip_ws(text, pos + 1),
                    Some(b']') => {
                        pos += 1;
                        break;
                    }
                    _ => {
                        let e = error_at(
                            &mut self.w,
                            pos,
                            ErrorKind::JsonShape,
                            "expected ',' or ']' in the \"metrics\" array",
                        );
                        self.errors.push(e);
                        return next_line(text, pos);
                    }
                }
            }
        }
        pos = skip_ws(text, pos);
        if b.get(pos) == Some(&b'}') {
            pos + 1
        } else {
            let e = error_at(
                &mut self.w,
                pos,
                ErrorKind::JsonShape,
                "expected '}' after the \"metrics\" array",
            );
            self.errors.push(e);
            next_line(text, pos)
        }
    }

    /// One value at `pos`: a metric handed over, or its error recorded. Returns the position
    /// after the value, or `None` after a syntax error (the caller resumes on the next line).
    fn one(&mut self, pos: usize) -> Option<usize> {
        let text = self.w.text;
        if text.as_bytes().get(pos) != Some(&b'{') {
            // Not an object (or the end of the text, after a comma in a batch): a syntax
            // error, or the wrong kind of value.
            return match read_found(text, pos) {
                Ok((found, end)) => {
                    let message = format!("expected a metric object, found {}", found.kind());
                    let e = error_at(&mut self.w, pos, ErrorKind::JsonShape, &message);
                    self.errors.push(e);
                    Some(end)
                }
                Err(e) => {
                    self.syntax_error(e);
                    None
                }
            };
        }
        let mut r = Reader::new(text, pos);
        let scratch = &mut self.scratch;
        scratch.clear();
        if let Err(e) = r.nested(|r| read_metric(r, scratch)) {
            self.syntax_error(e);
            return None;
        }
        match self.scratch.check(&mut self.metric, self.options) {
            Ok(()) => {
                self.metric.line = self.w.line(pos);
                (self.metrics)(&mut self.metric);
            }
            Err(message) => {
                let e = error_at(&mut self.w, pos, ErrorKind::InvalidJsonMetric, &message);
                self.errors.push(e);
            }
        }
        Some(r.pos)
    }

    fn syntax_error(&mut self, e: JsonError) {
        let message = format!("invalid JSON: {}", e.message);
        let e = error_at(&mut self.w, e.at, ErrorKind::InvalidJson, &message);
        self.errors.push(e);
    }
}

/// The entries of a metric object (its `{` consumed) into `s`; the keys a metric has no use
/// for are read (they must be valid JSON) and dropped.
fn read_metric<'t>(r: &mut Reader<'t>, s: &mut Scratch<'t>) -> Result<(), JsonError> {
    r.entries(|r, key| {
        match key.as_ref() {
            "name" => s.name = Some(r.found()?),
            "timestamp" => s.timestamp = Some(r.found()?),
            "tags" => s.tags = Some(read_pairs(r, &mut s.tag_pairs)?),
            "fields" => s.fields = Some(read_pairs(r, &mut s.field_pairs)?),
            _ => drop(r.found()?),
        }
        Ok(())
    })
}

/// The value of `tags` or `fields`: an object's entries into `pairs` (which a repeated key
/// empties first: its last value is the one that counts), or the kind of what it is instead.
fn read_pairs<'t>(
    r: &mut Reader<'t>,
    pairs: &mut Vec<(Cow<'t, str>, Found<'t>)>,
) -> Result<Result<(), &'static str>, JsonError> {
    pairs.clear();
    if r.peek() != Some(b'{') {
        return Ok(Err(r.found()?.kind()));
    }
    r.nested(|r| {
        r.entries(|r, key| {
            let v = r.found()?;
            pairs.push((key, v));
            Ok(())
        })
    })?;
    Ok(Ok(()))
}

impl<'t> Scratch<'t> {
    fn clear(&mut self) {
        self.name = None;
        self.timestamp = None;
        self.tags = None;
        self.fields = None;
        self.tag_pairs.clear();
        self.field_pairs.clear();
    }

    /// Checks what was read, in the order name, timestamp, tags, fields, and moves it into
    /// `m`; or says what is wrong.
    fn check(&mut self, m: &mut Metric<'t>, options: ParseOptions) -> Result<(), String> {
        m.tags.clear();
        m.fields.clear();
        m.name = match self.name.take() {
            Some(Found::Str(s)) if !s.is_empty() => s,
            Some(Found::Str(_)) => return Err("metric \"name\" is empty".into()),
            Some(other) => {
                return Err(format!(
                    "metric \"name\" must be a string, found {}",
                    other.kind()
                ))
            }
            None => return Err("metric has no \"name\"".into()),
        };
        m.time = match &self.timestamp {
            None | Some(Found::Null) => options.default_time,
            Some(Found::Num(n)) => timestamp(*n, options.precision)?,
            Some(other) => {
                return Err(format!(
                    "\"timestamp\" must be a number, found {}",
                    other.kind()
                ))
            }
        };
        match self.tags {
            None | Some(Err("null")) => {}
            Some(Ok(())) => {
                dedupe_pairs(&mut self.tag_pairs);
                for (k, v) in self.tag_pairs.drain(..) {
                    match v {
                        Found::Str(s) => m.tags.push((k, s)),
                        other => {
                            return Err(format!(
                                "tag \"{k}\" must be a string, found {}",
                                other.kind()
                            ))
                        }
                    }
                }
            }
            Some(Err(kind)) => return Err(format!("\"tags\" must be an object, found {kind}")),
        }
        match self.fields {
            Some(Ok(())) => {}
            Some(Err(kind)) => return Err(format!("\"fields\" must be an object, found {kind}")),
            None => return Err(format!("metric \"{}\" has no \"fields\"", m.name)),
        }
        dedupe_pairs(&mut self.field_pairs);
        for (k, v) in self.field_pairs.drain(..) {
            let fv = match v {
                Found::Bool(b) => FieldValue::Bool(b),
                Found::Str(s) => FieldValue::Str(s),
                Found::Num(Num::U(u)) => match i64::try_from(u) {
                    Ok(i) => FieldValue::Int(i),
                    Err(_) => FieldValue::UInt(u),
                },
                Found::Num(Num::I(i)) => FieldValue::Int(i),
                Found::Num(Num::F(f)) => FieldValue::Float(f),
                other => {
                    return Err(format!(
                        "field \"{k}\" must be a number, boolean or string, found {}",
                        other.kind()
                    ))
                }
            };
            m.fields.push((k, fv));
        }
        if m.fields.is_empty() {
            return Err(format!("metric \"{}\" has no fields", m.name));
        }
        Ok(())
    }
}

fn timestamp(n: Num, precision: Precision) -> Result<i64, String> {
    let unit = precision.nanos();
    let ns = match n {
        Num::I(i) => i.checked_mul(unit),
        Num::U(u) if u <= i64::MAX as u64 => (u as i64).checked_mul(unit),
        // Fractional timestamps (or ones beyond i64) go through f64 and must fit.
        Num::U(u) => from_float(u as f64 * unit as f64),
        Num::F(f) => from_float(f * unit as f64),
    };
    ns.ok_or_else(|| format!("\"timestamp\" {} is out of range", n.to_number()))
}

fn from_float(f: f64) -> Option<i64> {
    (f.is_finite() && f.abs() < 9.2e18).then(|| f.round() as i64)
}

#[cfg(any(test, feature = "json-oracle"))]
pub mod oracle;
#[cfg(test)]
mod tests;
