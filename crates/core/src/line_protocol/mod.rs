//! InfluxDB line protocol: `measurement[,tag=value...] field=value[,field=value...] [timestamp]`.
//!
//! [`parse`] yields one `Result` per line, so one bad line never costs the good lines around
//! it. Behaviour follows the InfluxDB v2 line-protocol reference; where it is silent, InfluxDB's
//! own parser (`models/points.go`) decides.

mod scan;
mod utf8;
mod value;

#[cfg(test)]
mod tests;

use crate::find::piece;
use std::borrow::Cow;

use crate::find::count_newlines;
use crate::metric::{cut, ErrorKind, FieldValue, LineError, Metric, ParseOptions, QUOTE_CHARS};
pub use scan::Element;
use scan::{at_eol, describe_control, is_control, logical_line_end, scan};
pub use utf8::utf8_lines;
pub use value::{MAX_STRING_BYTES, MAX_TIMESTAMP, MIN_TIMESTAMP};

/// Parses `text` lazily: one item per metric line, blank and `#` comment lines skipped.
pub fn parse<'a>(text: &'a str, options: ParseOptions) -> Lines<'a> {
    Lines {
        text,
        pos: 0,
        line: 1,
        options,
        partial: false,
    }
}

/// Parses a piece of a longer text whose first line is line `first_line` of the whole. The
/// iterator ends before a line that reaches the end of the piece without its newline (the
/// next piece may continue it, even inside a quoted string): [`Lines::consumed`] says where,
/// and the caller puts that tail in front of the next piece. Each line parses exactly as it
/// would in the whole text, since a line's result depends only on bytes up to its newline.
pub fn parse_piece<'a>(text: &'a str, options: ParseOptions, first_line: u32) -> Lines<'a> {
    Lines {
        text,
        pos: 0,
        line: first_line,
        options,
        partial: true,
    }
}

/// Iterator over the metric lines of a line-protocol text.
pub struct Lines<'a> {
    text: &'a str,
    pos: usize,
    /// Physical (1-based) line number of `pos`.
    line: u32,
    options: ParseOptions,
    /// More text may follow: a line must end with a newline inside `text` to be parsed.
    partial: bool,
}

/// An error inside a line: byte position and message.
struct Fault {
    pos: usize,
    kind: ErrorKind,
    message: String,
}

fn fault<T>(pos: usize, kind: ErrorKind, message: impl Into<String>) -> Result<T, Fault> {
    Err(Fault {
        pos,
        kind,
        message: message.into(),
    })
}

impl<'a> Iterator for Lines<'a> {
    type Item = Result<Metric<'a>, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut m = Metric::new("", 0);
        self.next_into(&mut m).map(|r| r.map(|()| m))
    }
}

impl<'a> Lines<'a> {
    /// Parses the next metric line into `m`, reusing its tag and field vectors (the render
    /// loop parses a whole text through one `Metric`, so lines cost no allocation).
    pub fn next_into(&mut self, m: &mut Metric<'a>) -> Option<Result<(), LineError>> {
        let bytes = self.text.as_bytes();
        loop {
            if self.pos >= bytes.len() {
                return None;
            }
            let line_start = self.pos;
            let mut p = self.pos;
            // Only spaces lead a line: a tab there is a control character where the
            // measurement starts, which InfluxData's decoder refuses.
            while p < bytes.len() && bytes[p] == b' ' {
                p += 1;
            }
            if at_eol(bytes, p) || bytes[p] == b'#' {
                // Blank or comment line: skip to after its newline.
                let end = memchr_newline(bytes, p);
                if self.unfinished(end) {
                    return None;
                }
                // A comment may hold no control character either (the decoder's rule).
                let body = &bytes[p..end];
                let body = body.strip_suffix(b"\r").unwrap_or(body);
                if let Some(at) = body.iter().position(|&b| is_control(b)) {
                    let f = Fault {
                        pos: p + at,
                        kind: ErrorKind::ControlCharacter,
                        message: format!(
                            "invalid character {} in a comment line: control characters are not allowed",
                            describe_control(body[at])
                        ),
                    };
                    let err = self.locate(line_start, end, f);
                    self.advance_to(end, 1);
                    return Some(Err(err));
                }
                self.advance_to(end, 1);
                continue;
            }
            let mut newlines_in_strings = 0u32;
            let result = parse_line(self.text, p, self.options, &mut newlines_in_strings, m);
            return Some(match result {
                Ok(end) if self.unfinished(end) => return None,
                Ok(end) => {
                    m.line = self.line;
                    self.advance_to(end, 1 + newlines_in_strings);
                    Ok(())
                }
                Err(f) => {
                    let end = logical_line_end(bytes, line_start);
                    if self.unfinished(end) {
                        return None;
                    }
                    let err = self.locate(line_start, end, f);
                    let newlines = count_newlines(&bytes[line_start..end]) + 1;
                    self.advance_to(end, newlines);
                    Err(err)
                }
            });
        }
    }
}

impl Lines<'_> {
    /// In a piece, a line ending at the piece's end may go on in the next piece.
    fn unfinished(&self, end: usize) -> bool {
        self.partial && end >= self.text.len()
    }

    /// Whether every line has been read.
    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// The last piece: every line is parsed, the last one without its newline too.
    pub fn finishing(mut self) -> Self {
        self.partial = false;
        self
    }

    /// How many bytes of the text are parsed (all of it unless a piece's last line is
    /// unfinished), and the physical line number where the rest starts.
    pub fn consumed(&self) -> (usize, u32) {
        (self.pos, self.line)
    }

    /// Moves past the newline at `end` (or to the end of input).
    fn advance_to(&mut self, end: usize, newlines: u32) {
        if end < self.text.len() {
            self.pos = end + 1;
            self.line += newlines;
        } else {
            self.pos = self.text.len();
        }
    }

    fn locate(&self, line_start: usize, line_end: usize, f: Fault) -> LineError {
        let bytes = self.text.as_bytes();
        let pos = f.pos.min(line_end);
        // The fault may sit after a newline inside a string value: report its physical line.
        let before = &bytes[line_start..pos];
        let extra = count_newlines(before);
        let phys_start = match before.iter().rposition(|&b| b == b'\n') {
            Some(i) => line_start + i + 1,
            None => line_start,
        };
        let column = piece(self.text, phys_start..pos).chars().count() as u32 + 1;
        let line_text = piece(self.text, line_start..line_end).trim_end_matches('\r');
        LineError {
            line: self.line + extra,
            column,
            kind: f.kind,
            message: f.message,
            text: cut(line_text, QUOTE_CHARS * 2),
        }
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| from + i)
}

fn quote(text: &str) -> String {
    format!("\"{}\"", cut(text, 40))
}

/// Parses one line starting at its first non-blank byte into `metric` (overwritten). Returns
/// the position of the newline (or end of input) that ends it.
fn parse_line<'a>(
    text: &'a str,
    start: usize,
    options: ParseOptions,
    newlines_in_strings: &mut u32,
    metric: &mut Metric<'a>,
) -> Result<usize, Fault> {
    let bytes = text.as_bytes();
    let (name, mut pos) = scan(text, start, Element::Measurement);
    no_control(bytes, pos, Element::Measurement)?;
    if name.is_empty() {
        return fault(
            start,
            ErrorKind::MissingMeasurement,
            "missing measurement name before the tag set",
        );
    }
    metric.name = name;
    metric.tags.clear();
    metric.fields.clear();
    metric.time = options.default_time;

    // Tag set.
    while bytes.get(pos) == Some(&b',') {
        let (key, value_start) = key_then_equals(
            text,
            pos + 1,
            Element::TagKey,
            "missing tag key after ','",
            "tag key",
        )?;
        let (value, p) = scan(text, value_start, Element::TagValue);
        no_control(bytes, p, Element::TagValue)?;
        if value.is_empty() {
            return fault(
                value_start,
                ErrorKind::MissingTagValue,
                format!("missing value for tag {}", quote(&key)),
            );
        }
        if bytes.get(p) == Some(&b'=') {
            return fault(
                p,
                ErrorKind::UnescapedEqualsInTagValue,
                format!(
                    "unescaped '=' in the value of tag {}: write it as \\=",
                    quote(&key)
                ),
            );
        }
        metric.tags.push((key, value));
        pos = p;
    }

    // One or more spaces, then the field set.
    if at_eol(bytes, pos) {
        return fault(
            pos,
            ErrorKind::MissingFields,
            format!("missing fields after {}", quote(&metric.name)),
        );
    }
    while bytes.get(pos) == Some(&b' ') {
        pos += 1;
    }
    if at_eol(bytes, pos) {
        return fault(
            pos,
            ErrorKind::MissingFields,
            format!("missing fields after {}", quote(&metric.name)),
        );
    }
    loop {
        let (key, value_start) =
            key_then_equals(text, pos, Element::FieldKey, "missing field key", "field")?;
        let (value, p) = if bytes.get(value_start) == Some(&b'"') {
            string_value(text, value_start, &key, newlines_in_strings)?
        } else {
            let end = token_end(bytes, value_start, true);
            let token = piece(text, value_start..end);
            if token.is_empty() {
                return fault(
                    value_start,
                    ErrorKind::MissingFieldValue,
                    format!("missing value for field {}", quote(&key)),
                );
            }
            let v = value::field_value(token).map_err(|(kind, m)| Fault {
                pos: value_start,
                kind,
                message: format!("field {}: {m}", quote(&key)),
            })?;
            (v, end)
        };
        metric.fields.push((key, value));
        pos = p;
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            _ => break,
        }
    }
    if !at_eol(bytes, pos) && !matches!(bytes[pos], b' ' | b'\t') {
        return fault(
            pos,
            ErrorKind::UnexpectedAfterFieldValue,
            format!(
                "unexpected {} after a field value: expected ',', a space or the end of the line",
                quote(piece(text, pos..token_end(bytes, pos, false)))
            ),
        );
    }

    // Optional timestamp, then only blanks to the end of the line.
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    if !at_eol(bytes, pos) {
        let end = token_end(bytes, pos, false);
        metric.time = value::timestamp(piece(text, pos..end), options.precision)
            .map_err(|(kind, message)| Fault { pos, kind, message })?;
        pos = end;
        while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        if !at_eol(bytes, pos) {
            let end = token_end(bytes, pos, false);
            return fault(
                pos,
                ErrorKind::UnexpectedAfterTimestamp,
                format!(
                    "unexpected {} after the timestamp",
                    quote(piece(text, pos..end))
                ),
            );
        }
    }
    let end = if bytes.get(pos) == Some(&b'\r') {
        pos + 1
    } else {
        pos
    };
    // Tags and fields were pushed as they came; a repeated key keeps its first place and
    // takes its last value.
    metric.dedupe();
    Ok(end)
}

/// Refuses the control character an element scan stopped at (not a line end), as
/// InfluxData's decoder does: in names, tag keys and values and field keys.
#[inline(always)]
fn no_control(bytes: &[u8], p: usize, el: Element) -> Result<(), Fault> {
    match bytes.get(p) {
        Some(&b) if is_control(b) && !at_eol(bytes, p) => fault(
            p,
            ErrorKind::ControlCharacter,
            format!(
                "invalid character {} in the {}: control characters are not allowed",
                describe_control(b),
                el.describe()
            ),
        ),
        _ => Ok(()),
    }
}

/// A tag or field key and the `=` after it; returns the key and where its value starts.
fn key_then_equals<'a>(
    text: &'a str,
    start: usize,
    el: Element,
    missing: &str,
    noun: &str,
) -> Result<(Cow<'a, str>, usize), Fault> {
    let (key, p) = scan(text, start, el);
    no_control(text.as_bytes(), p, el)?;
    let tag = matches!(el, Element::TagKey);
    if key.is_empty() {
        let kind = if tag {
            ErrorKind::MissingTagKey
        } else {
            ErrorKind::MissingFieldKey
        };
        return fault(start, kind, missing);
    }
    if text.as_bytes().get(p) != Some(&b'=') {
        let kind = if tag {
            ErrorKind::MissingTagEquals
        } else {
            ErrorKind::MissingFieldEquals
        };
        return fault(
            p,
            kind,
            format!("missing '=' and value for {noun} {}", quote(&key)),
        );
    }
    Ok((key, p + 1))
}

/// Bytes that may end an unquoted token (a `\r` ends it only at the end of a line).
static STOPS_IN_FIELDS: [bool; 256] = scan::byte_set(b" \t\n\r,");
static STOPS: [bool; 256] = scan::byte_set(b" \t\n\r");

/// End of an unquoted token: a space, the end of the line, or (in a field set) a comma.
#[inline]
fn token_end(bytes: &[u8], from: usize, comma_ends: bool) -> usize {
    let stops = if comma_ends { &STOPS_IN_FIELDS } else { &STOPS };
    let mut p = from;
    while p < bytes.len() {
        let b = bytes[p];
        if stops[b as usize] && (b != b'\r' || at_eol(bytes, p)) {
            break;
        }
        p += 1;
    }
    p
}

/// A double-quoted string field value starting at the opening quote.
fn string_value<'a>(
    text: &'a str,
    quote_pos: usize,
    key: &str,
    newlines: &mut u32,
) -> Result<(FieldValue<'a>, usize), Fault> {
    let bytes = text.as_bytes();
    let mut p = quote_pos + 1;
    let mut escaped = false;
    loop {
        match bytes.get(p) {
            None => {
                return fault(
                    quote_pos,
                    ErrorKind::UnterminatedString,
                    format!(
                        "unterminated string value for field {}: missing the closing '\"'",
                        quote(key)
                    ),
                )
            }
            Some(b'\\') if matches!(bytes.get(p + 1), Some(b'"' | b'\\')) => {
                escaped = true;
                p += 2;
            }
            Some(b'"') => break,
            Some(b'\n') => {
                *newlines += 1;
                p += 1;
            }
            Some(_) => p += 1,
        }
    }
    let raw = piece(text, quote_pos + 1..p);
    if raw.len() > MAX_STRING_BYTES {
        return fault(
            quote_pos,
            ErrorKind::StringTooLong,
            format!(
                "string value of field {} is {} bytes, longer than the limit of {} bytes",
                quote(key),
                raw.len(),
                MAX_STRING_BYTES
            ),
        );
    }
    let value = if escaped {
        Cow::Owned(scan::unescape_string(raw))
    } else {
        Cow::Borrowed(raw)
    };
    Ok((FieldValue::Str(value), p + 1))
}
