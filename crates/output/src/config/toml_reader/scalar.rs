//! TOML scalars: strings (four kinds), integers, floats, booleans and date-times.

use super::{Cursor, Fail};
use crate::config::CValue;
use librato_core::find::piece;

impl Cursor<'_> {
    /// A string starting at the current quote: basic, literal, or either multi-line form.
    pub(super) fn string(&mut self) -> Result<String, Fail> {
        let quote = self.b[self.pos];
        let multi = self.b[self.pos..].starts_with(if quote == b'"' { b"\"\"\"" } else { b"'''" });
        match (quote, multi) {
            (b'"', false) => self.basic_string(),
            (b'"', true) => self.multiline_string(b'"'),
            (_, false) => self.literal_string(),
            (_, true) => self.multiline_string(b'\''),
        }
    }

    fn basic_string(&mut self) -> Result<String, Fail> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(&b) = self.b.get(self.pos) {
                if b == b'"' || b == b'\\' || is_control(b) {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(piece(self.s, run..self.pos));
            match self.b.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(b'\n' | b'\r') | None => {
                    return Err(self.fail_at(
                        start,
                        "unterminated string: a \" string ends on its own line",
                    ))
                }
                Some(_) => return Err(self.control_char()),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, Fail> {
        let start = self.pos;
        self.pos += 1;
        let run = self.pos;
        loop {
            match self.b.get(self.pos) {
                Some(b'\'') => break,
                Some(b'\n' | b'\r') | None => {
                    return Err(self.fail_at(
                        start,
                        "unterminated string: a ' string ends on its own line",
                    ))
                }
                Some(&b) if is_control(b) => return Err(self.control_char()),
                Some(_) => self.pos += 1,
            }
        }
        let out = piece(self.s, run..self.pos).to_string();
        self.pos += 1;
        Ok(out)
    }

    /// `"""..."""` or `'''...'''`: a newline right after the opening is dropped; in the basic
    /// form a backslash at the end of a line drops the line break and leading whitespace.
    fn multiline_string(&mut self, quote: u8) -> Result<String, Fail> {
        let start = self.pos;
        self.pos += 3;
        if self.b[self.pos..].starts_with(b"\r\n") {
            self.pos += 2;
        } else if self.b.get(self.pos) == Some(&b'\n') {
            self.pos += 1;
        }
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(&b) = self.b.get(self.pos) {
                if b == quote || (b == b'\\' && quote == b'"') || (is_control(b) && b != b'\n') {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(piece(self.s, run..self.pos));
            match self.b.get(self.pos) {
                None => return Err(self.fail_at(start, "unterminated multi-line string")),
                Some(&b) if b == quote => {
                    // Up to two quotes may stand right before the closing three.
                    let n = self.b[self.pos..]
                        .iter()
                        .take_while(|&&c| c == quote)
                        .count();
                    if n >= 3 {
                        if n > 5 {
                            return Err(self.fail_at(
                                self.pos,
                                "too many quotes at the end of a multi-line string",
                            ));
                        }
                        out.push_str(piece(self.s, self.pos..self.pos + n - 3));
                        self.pos += n;
                        return Ok(out);
                    }
                    out.push_str(piece(self.s, self.pos..self.pos + n));
                    self.pos += n;
                }
                Some(b'\\') => {
                    // Line-ending backslash: whitespace up to the newline, then all whitespace.
                    let mut p = self.pos + 1;
                    while matches!(self.b.get(p), Some(b' ' | b'\t')) {
                        p += 1;
                    }
                    if matches!(self.b.get(p), Some(b'\n')) || self.b[p..].starts_with(b"\r\n") {
                        while matches!(self.b.get(p), Some(b' ' | b'\t' | b'\n'))
                            || self.b[p..].starts_with(b"\r\n")
                        {
                            p += 1;
                        }
                        self.pos = p;
                    } else {
                        self.escape(&mut out)?;
                    }
                }
                Some(b'\r') if self.b.get(self.pos + 1) == Some(&b'\n') => {
                    out.push_str("\r\n");
                    self.pos += 2;
                }
                Some(_) => return Err(self.control_char()),
            }
        }
    }

    /// One escape sequence at the backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), Fail> {
        let at = self.pos;
        let c = self.b.get(self.pos + 1).copied();
        self.pos += 2;
        let simple = match c {
            Some(b'b') => Some('\u{8}'),
            Some(b't') => Some('\t'),
            Some(b'n') => Some('\n'),
            Some(b'f') => Some('\u{c}'),
            Some(b'r') => Some('\r'),
            Some(b'e') => Some('\u{1b}'),
            Some(b'"') => Some('"'),
            Some(b'\\') => Some('\\'),
            _ => None,
        };
        if let Some(ch) = simple {
            out.push(ch);
            return Ok(());
        }
        let digits = match c {
            Some(b'x') => 2,
            Some(b'u') => 4,
            Some(b'U') => 8,
            _ => {
                let shown = piece(self.s, at..).chars().take(2).collect::<String>();
                let shown = self.shown(&shown);
                return Err(self.fail_at(at, &format!("invalid escape \"{shown}\" in a string")));
            }
        };
        let hex = self.b.get(self.pos..self.pos + digits).unwrap_or_default();
        let code = if hex.len() == digits && hex.iter().all(u8::is_ascii_hexdigit) {
            // All ASCII hex digits, so this slice is text and fits in u32.
            u32::from_str_radix(piece(self.s, self.pos..self.pos + digits), 16).ok()
        } else {
            None
        };
        match code.and_then(char::from_u32) {
            Some(ch) => {
                out.push(ch);
                self.pos += digits;
                Ok(())
            }
            None => Err(self.fail_at(
                at,
                "invalid unicode escape: expected hex digits of a Unicode scalar value",
            )),
        }
    }

    fn control_char(&self) -> Fail {
        self.fail_at(
            self.pos,
            &format!(
                "control character U+{:04X} in a string: write it as an escape",
                self.b[self.pos]
            ),
        )
    }

    /// An unquoted value: boolean, number or date-time.
    pub(super) fn bare_value(&mut self) -> Result<CValue, Fail> {
        let start = self.pos;
        let mut end = self.token_end(start);
        // A date followed by a space and a time is one date-time.
        if is_date(&self.b[start..end])
            && self.b.get(end) == Some(&b' ')
            && self.b.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            let time_end = self.token_end(end + 1);
            if is_time_start(&self.b[end + 1..time_end]) {
                end = time_end;
            }
        }
        let token = piece(self.s, start..end);
        let shown = self.shown(token);
        if token.is_empty() {
            return Err(self.fail_at(start, "expected a value"));
        }
        self.pos = end;
        let value = match token {
            "true" => Some(CValue::Bool(true)),
            "false" => Some(CValue::Bool(false)),
            "inf" | "+inf" => Some(CValue::Float(f64::INFINITY)),
            "-inf" => Some(CValue::Float(f64::NEG_INFINITY)),
            "nan" | "+nan" | "-nan" => Some(CValue::Float(f64::NAN)),
            _ => None,
        };
        if let Some(v) = value {
            return Ok(v);
        }
        let first = token.as_bytes()[0];
        if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
            return Err(self.fail_at(start, &format!("string values must be quoted: {shown}")));
        }
        if is_datetime(token.as_bytes()) {
            return Ok(CValue::Other("a datetime"));
        }
        if let Some(v) = integer(token) {
            return v.map(CValue::Int).ok_or_else(|| {
                self.fail_at(
                    start,
                    &format!("integer {shown} is out of range for 64 bits"),
                )
            });
        }
        if let Some(f) = float(token) {
            return Ok(CValue::Float(f));
        }
        Err(self.fail_at(start, &format!("invalid value: {shown}")))
    }

    /// End of an unquoted token: letters, digits and `+-._:` (dates, times, numbers).
    fn token_end(&self, from: usize) -> usize {
        let mut p = from;
        while self.b.get(p).is_some_and(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b'_' | b':')
        }) {
            p += 1;
        }
        p
    }
}

/// Control characters are not allowed raw in strings and comments (tab is).
pub(super) fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// `[+-]` decimal, or unsigned `0x`/`0o`/`0b`; underscores only between digits. `None` when
/// the token is not an integer; `Some(None)` when it is one out of range.
fn integer(token: &str) -> Option<Option<i64>> {
    let (radix, body) = match token.get(..2) {
        Some("0x") => (16, piece(token, 2..)),
        Some("0o") => (8, piece(token, 2..)),
        Some("0b") => (2, piece(token, 2..)),
        _ => (10, token),
    };
    let (negative, digits) = match body.as_bytes().first() {
        Some(b'+') if radix == 10 => (false, piece(body, 1..)),
        Some(b'-') if radix == 10 => (true, piece(body, 1..)),
        _ => (false, body),
    };
    if !digits_ok(digits, |b| (b as char).is_digit(radix)) {
        return None;
    }
    if radix == 10 && digits.len() > 1 && digits.starts_with('0') {
        return None; // leading zeros
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let magnitude = u64::from_str_radix(&clean, radix).ok();
    Some(magnitude.and_then(|m| {
        if negative {
            0i64.checked_sub_unsigned(m)
        } else {
            i64::try_from(m).ok()
        }
    }))
}

/// Digits (as `is_digit` says) with single underscores between them.
fn digits_ok(s: &str, is_digit: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_digit(b[0])
        && is_digit(b[b.len() - 1])
        && b.iter().all(|&c| c == b'_' || is_digit(c))
        && !librato_core::find::contains(s, "__")
}

/// `[+-]int[.frac][e[+-]exp]` with at least a fraction or an exponent.
fn float(token: &str) -> Option<f64> {
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    let (mantissa, exp) = match unsigned.find(['e', 'E']) {
        Some(i) => (piece(unsigned, ..i), Some(piece(unsigned, i + 1..))),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digit = |b: u8| b.is_ascii_digit();
    let ok = digits_ok(int, digit)
        && !(int.len() > 1 && int.starts_with('0'))
        && frac.is_none_or(|f| digits_ok(f, digit))
        && exp.is_none_or(|e| digits_ok(e.strip_prefix(['+', '-']).unwrap_or(e), digit))
        && (frac.is_some() || exp.is_some());
    if !ok {
        return None;
    }
    librato_core::number::parse_f64(&token.replace('_', ""))
}

fn two_digits(b: &[u8], at: usize) -> Option<u32> {
    match b.get(at..at + 2) {
        Some([x, y]) if x.is_ascii_digit() && y.is_ascii_digit() => {
            Some(((x - b'0') * 10 + (y - b'0')) as u32)
        }
        _ => None,
    }
}

/// `YYYY-MM-DD` with a real day of that month.
fn is_date(b: &[u8]) -> bool {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(c), Some(y), Some(m), Some(d)) = (
        two_digits(b, 0),
        two_digits(b, 2),
        two_digits(b, 5),
        two_digits(b, 8),
    ) else {
        return false;
    };
    let year = c * 100 + y;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Looks like the start of a time (`HH:`), so a date and it form one token.
fn is_time_start(b: &[u8]) -> bool {
    two_digits(b, 0).is_some() && b.get(2) == Some(&b':')
}

/// `HH:MM[:SS[.fraction]]` (seconds optional since TOML 1.1); returns its length.
fn time_len(b: &[u8]) -> Option<usize> {
    let (h, m) = (two_digits(b, 0)?, two_digits(b, 3)?);
    if b.get(2) != Some(&b':') || h > 23 || m > 59 {
        return None;
    }
    if b.get(5) != Some(&b':') {
        return Some(5);
    }
    if two_digits(b, 6)? > 60 {
        return None;
    }
    if b.get(8) != Some(&b'.') {
        return Some(8);
    }
    let frac = b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
    (frac > 0).then_some(9 + frac)
}

/// An offset date-time, local date-time, local date or local time.
fn is_datetime(b: &[u8]) -> bool {
    if let Some(n) = time_len(b) {
        return n == b.len();
    }
    if b.len() < 10 || !is_date(&b[..10]) {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    let Some(n) = time_len(&b[11..]) else {
        return false;
    };
    match &b[11 + n..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => {
            rest.len() == 5
                && rest[2] == b':'
                && two_digits(rest, 0).is_some_and(|h| h <= 23)
                && two_digits(rest, 3).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}
