//! Scanning the escaped string elements of a line: measurement, tag keys and values, field keys.
//!
//! Escapes per element, as Telegraf's parsers (its own and influxdata/line-protocol v2) read
//! them: the measurement escapes comma and space; tag keys, tag values and field keys escape
//! comma, equals sign and space. A backslash before any other character, another backslash
//! included, is kept literally, and the character after it is read as usual (so `a\\,b`
//! is `a\` followed by an escaped comma). Only string field values unescape `\\`.

use crate::find::piece;
use std::borrow::Cow;

use crate::find::{skip_words, HIGHS, ONES};

/// Which element is being scanned: decides what may be escaped and what ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// The measurement name.
    Measurement,
    /// A tag key.
    TagKey,
    /// A tag value.
    TagValue,
    /// A field key.
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

    /// The element's name in messages.
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
static SPECIAL_MEASUREMENT: [bool; 256] = with_controls(byte_set(b", \\"));
static SPECIAL_KEY_VALUE: [bool; 256] = with_controls(byte_set(b", =\\"));

/// `set` plus every ASCII control character (0x00-0x1F, 0x7F), line ends included.
const fn with_controls(mut set: [bool; 256]) -> [bool; 256] {
    let mut b = 0;
    while b < 0x20 {
        set[b] = true;
        b += 1;
    }
    set[0x7f] = true;
    set
}

/// Whether `b` is an ASCII control character (InfluxData's decoder refuses them in names,
/// tag keys and values and field keys).
#[inline(always)]
pub fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// A control character as Go's `%q` writes it: `'\t'`, `'\v'`, `'\x02'`.
pub fn describe_control(b: u8) -> String {
    match b {
        0x07 => "'\\a'".into(),
        0x08 => "'\\b'".into(),
        b'\t' => "'\\t'".into(),
        b'\n' => "'\\n'".into(),
        0x0b => "'\\v'".into(),
        0x0c => "'\\f'".into(),
        b'\r' => "'\\r'".into(),
        _ => format!("'\\x{b:02x}'"),
    }
}

/// Marks (high bit of the byte) the first byte of `word` (little-endian) that is a control
/// character or space, ',', '=' or '\\': every byte `scan` must look at, and a few more
/// (tab, other controls), which the byte loop then passes over. Bytes above the lowest
/// marked one may be marked wrongly (borrows); only the lowest is used.
#[inline(always)]
fn maybe_special(word: u64) -> u64 {
    let below_0x21 = word.wrapping_sub(ONES * 0x21) & !word;
    let eq = |c: u8| {
        let x = word ^ (ONES * c as u64);
        x.wrapping_sub(ONES) & !x
    };
    (below_0x21 | eq(b',') | eq(b'=') | eq(b'\\') | eq(0x7f)) & HIGHS
}

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
        pos = skip_words(bytes, pos, maybe_special);
        let Some(&b) = bytes.get(pos) else { break };
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
        // A control character ends the element too: the caller reports it (a line end is
        // one, and ends the line).
        if el.ends_at(b) || is_control(b) {
            break;
        }
        pos += 1;
    }
    let raw = piece(text, start..pos);
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
            out.push_str(piece(raw, run..i));
            // The escaped character is ASCII, so slicing after it stays on a char boundary.
            out.push(bytes[i + 1] as char);
            i += 2;
            run = i;
        } else {
            i += 1;
        }
    }
    out.push_str(piece(raw, run..));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The first byte `maybe_special` must find: a control (0x7F included), space, ',', '=' or '\'.
    fn first_special(word: [u8; 8]) -> u32 {
        word.iter()
            .position(|&b| b < 0x21 || matches!(b, b',' | b'=' | b'\\' | 0x7f))
            .map_or(8, |i| i as u32)
    }

    fn lowest(word: [u8; 8]) -> u32 {
        maybe_special(u64::from_le_bytes(word)).trailing_zeros() / 8
    }

    #[test]
    fn maybe_special_finds_exactly_the_first_byte_that_matters() {
        // Every byte value at every position among ordinary bytes, then random words
        // (weighted toward the bytes that matter and toward borrows: 0x00, 0x20, 0x80, 0xFF).
        for at in 0..8 {
            for b in 0..=255u8 {
                let mut word = *b"abcdefgh";
                word[at] = b;
                assert_eq!(lowest(word), first_special(word), "{word:?}");
            }
        }
        let pool = [
            0x00, 0x01, 0x09, 0x0A, 0x0D, 0x20, 0x21, b',', b'=', b'\\', b'a', 0x7F, 0x80, 0xC3,
            0xFF,
        ];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let word: [u8; 8] = std::array::from_fn(|i| {
                let r = (x >> (i * 8)) as u8;
                if r & 1 == 0 {
                    pool[(r >> 1) as usize % pool.len()]
                } else {
                    r
                }
            });
            assert_eq!(lowest(word), first_special(word), "{word:?}");
        }
    }
}
