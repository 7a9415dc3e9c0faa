//! Scanning the escaped string elements of a line: measurement, tag keys and values, field keys.
//!
//! Escapes per element, as Telegraf's parsers (its own and influxdata/line-protocol v2) read
//! them: the measurement escapes comma and space; tag keys, tag values and field keys escape
//! comma, equals sign and space. A backslash before any other character, another backslash
//! included, is kept literally, and the character after it is read as usual (so `a\\,b`
//! is `a\` followed by an escaped comma). Only string field values unescape `\\`.

use std::borrow::Cow;

/// Which element is being scanned: decides what may be escaped and what ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    Measurement,
    TagKey,
    TagValue,
    FieldKey,
}

impl Element {
    #[inline]
    fn escapable(self, b: u8) -> bool {
        match self {
            Element::Measurement => matches!(b, b',' | b' '),
            _ => matches!(b, b',' | b'=' | b' '),
        }
    }

    /// Bytes that end the element when not escaped (besides the end of the line).
    #[inline]
    fn ends_at(self, b: u8) -> bool {
        match self {
            Element::Measurement => matches!(b, b',' | b' '),
            Element::TagKey | Element::FieldKey => matches!(b, b',' | b' ' | b'='),
            // An unescaped '=' inside a tag value is reported by the caller, so stop there too.
            Element::TagValue => matches!(b, b',' | b' ' | b'='),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Element::Measurement => "measurement",
            Element::TagKey => "tag key",
            Element::TagValue => "tag value",
            Element::FieldKey => "field key",
        }
    }
}

/// True at the end of a line: end of input, `\n`, or a `\r` that ends the line.
#[inline(always)]
pub fn at_eol(bytes: &[u8], pos: usize) -> bool {
    match bytes.get(pos) {
        None | Some(b'\n') => true,
        Some(b'\r') => matches!(bytes.get(pos + 1), None | Some(b'\n')),
        _ => false,
    }
}

/// A byte-membership table, so scanning loops skip ordinary bytes with one lookup.
pub const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

/// Bytes that need a closer look while scanning an element: its terminators, the backslash,
/// and line ends.
static SPECIAL_MEASUREMENT: [bool; 256] = byte_set(b", \\\n\r");
static SPECIAL_KEY_VALUE: [bool; 256] = byte_set(b", =\\\n\r");

/// Scans one element starting at `start`. Returns the element text (borrowed when it holds
/// no escape) and the position of the byte that ended it.
#[inline]
pub fn scan<'a>(text: &'a str, start: usize, el: Element) -> (Cow<'a, str>, usize) {
    let bytes = text.as_bytes();
    let special = match el {
        Element::Measurement => &SPECIAL_MEASUREMENT,
        _ => &SPECIAL_KEY_VALUE,
    };
    let mut pos = start;
    let mut escaped = false;
    while pos < bytes.len() {
        let b = bytes[pos];
        if !special[b as usize] {
            pos += 1;
            continue;
        }
        if b == b'\\' {
            if pos + 1 < bytes.len() && el.escapable(bytes[pos + 1]) {
                escaped = true;
                pos += 2;
            } else {
                pos += 1;
            }
            continue;
        }
        if el.ends_at(b) || (b == b'\n') || (b == b'\r' && at_eol(bytes, pos)) {
            break;
        }
        pos += 1;
    }
    let raw = &text[start..pos];
    let value = if escaped {
        Cow::Owned(unescape(raw, el))
    } else {
        Cow::Borrowed(raw)
    };
    (value, pos)
}

fn unescape(raw: &str, el: Element) -> String {
    unescape_with(raw, |b| el.escapable(b))
}

/// Unescapes a string field value body (between the quotes): `\"` → `"`, `\\` → `\`.
pub fn unescape_string(raw: &str) -> String {
    unescape_with(raw, |b| matches!(b, b'"' | b'\\'))
}

/// Drops the backslash before every byte `escapable` accepts; other backslashes stay.
fn unescape_with(raw: &str, escapable: impl Fn(u8) -> bool) -> String {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() && escapable(bytes[i + 1]) {
            out.push_str(&raw[run..i]);
            // The escaped character is ASCII, so slicing after it stays on a char boundary.
            out.push(bytes[i + 1] as char);
            i += 2;
            run = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&raw[run..]);
    out
}

/// From `start` (at a line's first byte), the position of the newline that ends the logical
/// line, or the end of input. Quote-aware in the field set, like InfluxDB's `scanLine`, so a
/// string field that spans lines is skipped whole when its line has an error.
pub fn logical_line_end(bytes: &[u8], start: usize) -> usize {
    let mut pos = start;
    let mut in_fields = false;
    let mut quoted = false;
    while pos < bytes.len() {
        let b = bytes[pos];
        if b == b'\\' && pos + 1 < bytes.len() && bytes[pos + 1] != b'\n' {
            pos += 2;
            continue;
        }
        if quoted {
            if b == b'"' {
                quoted = false;
            }
        } else if b == b'\n' {
            return pos;
        } else if b == b' ' {
            in_fields = true;
        } else if in_fields && b == b'"' && pos > 0 && bytes[pos - 1] == b'=' {
            quoted = true;
        }
        pos += 1;
    }
    pos
}
