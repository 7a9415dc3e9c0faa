//! A strict RFC 8259 JSON reader, for Telegraf's JSON input (read straight into metrics by
//! [`super::telegraf`], through the same tokenizer) and for config objects handed over from JS
//! (read into `serde_json::Value`).
//!
//! Why not serde_json's own parser: it is about 5 KB of the gzipped `.wasm` (its number tables,
//! its `Deserialize` machinery and its error texts), and the `.wasm` has a size budget. The
//! grammar, the values (integers as `u64`/`i64` where they fit, otherwise `f64`; `-0` as a float)
//! and the error texts follow serde_json, which the tests and the `json_reader` fuzz target
//! compare against; numbers are rounded correctly, as Go's are.

use crate::find::piece;
use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use crate::find::{skip_words, HIGHS, ONES};

/// Nesting deeper than this is refused (serde_json's limit: 128 levels less one).
const MAX_DEPTH: usize = 127;

/// What went wrong and at which byte offset of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the text.
    pub at: usize,
    /// What is wrong.
    pub message: &'static str,
}

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";

/// A JSON number as serde_json keeps it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// A non-negative integer.
    U(u64),
    /// A negative integer that fits.
    I(i64),
    /// Anything else (fractions, exponents, integers beyond 64 bits, `-0`).
    F(f64),
}

impl Num {
    /// The number as serde_json's `Number` (whose text is what error messages quote).
    pub(crate) fn to_number(self) -> Number {
        match self {
            Num::U(u) => u.into(),
            Num::I(i) => i.into(),
            // Only finite floats are read.
            Num::F(f) => Number::from_f64(f).unwrap_or_else(|| 0.into()),
        }
    }
}

/// One value as the tokenizer reads it: scalars as they are (strings borrowed from the text
/// when they hold no escape); arrays and objects read through (every rule checked) but not
/// kept: Telegraf JSON uses none, and building them would link `serde_json::Value` into the
/// main .wasm (its maps, numbers and drops: 2 KB gzipped). [`Reader::value`] builds them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found<'a> {
    Str(Cow<'a, str>),
    Num(Num),
    Bool(bool),
    Null,
    Array,
    Object,
}

impl Found<'_> {
    /// What the value is, for messages ("found a string").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Found::Null => "null",
            Found::Bool(_) => "a boolean",
            Found::Num(_) => "a number",
            Found::Str(_) => "a string",
            Found::Array => "an array",
            Found::Object => "an object",
        }
    }

    /// A scalar as a `Value` (arrays and objects are built by [`Reader::value`] itself).
    fn scalar_value(self) -> Value {
        match self {
            Found::Str(s) => Value::String(s.into_owned()),
            Found::Num(n) => Value::Number(n.to_number()),
            Found::Bool(b) => Value::Bool(b),
            Found::Null | Found::Array | Found::Object => Value::Null,
        }
    }
}

/// Reads one JSON value starting at `pos` (after optional blanks); returns it and the offset
/// just past it. A number or literal must end at a blank, a delimiter or the end of the text.
pub fn read_value(text: &str, pos: usize) -> Result<(Value, usize), JsonError> {
    read_one(text, pos, Reader::value, |v| {
        matches!(v, Value::Number(_) | Value::Bool(_) | Value::Null)
    })
}

/// [`read_value`], with scalars as the tokenizer reads them (arrays and objects not kept).
pub(crate) fn read_found(text: &str, pos: usize) -> Result<(Found<'_>, usize), JsonError> {
    read_one(text, pos, Reader::found, |v| {
        matches!(v, Found::Num(_) | Found::Bool(_) | Found::Null)
    })
}

/// One value read by `read` at `pos`; a number or literal (`scalar`) must end where a value
/// can end.
fn read_one<'a, T>(
    text: &'a str,
    pos: usize,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, JsonError>,
    scalar: impl FnOnce(&T) -> bool,
) -> Result<(T, usize), JsonError> {
    let mut r = Reader::new(text, pos);
    r.skip_ws();
    let v = read(&mut r)?;
    if let Some(&b) = r.s.get(r.pos) {
        let scalar = scalar(&v);
        let ends = matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' | b']' | b'}' | b'[' | b'{' | b'"'
        );
        if scalar && !ends {
            return Err(r.err_at(r.pos, "trailing characters"));
        }
    }
    Ok((v, r.pos))
}

/// Reads a text that holds exactly one JSON value (blanks around it allowed).
pub fn from_str(text: &str) -> Result<Value, JsonError> {
    let (v, end) = read_value(text, 0)?;
    let mut r = Reader::new(text, end);
    r.skip_ws();
    match r.pos < r.s.len() {
        true => Err(r.err_at(r.pos, "trailing characters")),
        false => Ok(v),
    }
}

/// The tokenizer: a position in a text and how deeply nested it is.
pub(crate) struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    /// Byte offset of the next thing to read.
    pub(crate) pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at byte `pos` of `text`, at the top level.
    pub(crate) fn new(text: &'a str, pos: usize) -> Self {
        Reader {
            s: text.as_bytes(),
            text,
            pos,
            depth: 0,
        }
    }

    fn err_at(&self, at: usize, message: &'static str) -> JsonError {
        JsonError { at, message }
    }

    #[inline(always)]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    #[inline(always)]
    pub(crate) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The value at the current position, arrays and objects built.
    fn value(&mut self) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'[') => self.nested(|r| {
                let mut items = Vec::new();
                r.items(|r| r.value().map(|v| items.push(v)))?;
                Ok(Value::Array(items))
            }),
            Some(b'{') => self.nested(|r| {
                let mut map = Map::new();
                r.entries(|r, key| r.value().map(|v| drop(map.insert(key.into_owned(), v))))?;
                Ok(Value::Object(map))
            }),
            _ => self.found().map(Found::scalar_value),
        }
    }

    /// The value at the current position (blanks already skipped).
    pub(crate) fn found(&mut self) -> Result<Found<'a>, JsonError> {
        let Some(b) = self.peek() else {
            return Err(self.err_at(self.pos, EOF_VALUE));
        };
        match b {
            b'"' => {
                self.pos += 1;
                self.string().map(Found::Str)
            }
            b'-' | b'0'..=b'9' => self.number().map(Found::Num),
            b'n' => self.literal("null", Found::Null),
            b't' => self.literal("true", Found::Bool(true)),
            b'f' => self.literal("false", Found::Bool(false)),
            b'[' => self
                .nested(|r| r.items(|r| r.found().map(drop)))
                .map(|()| Found::Array),
            b'{' => self
                .nested(|r| r.entries(|r, _| r.found().map(drop)))
                .map(|()| Found::Object),
            _ => Err(self.err_at(self.pos, "expected value")),
        }
    }

    /// Steps into the array or object at the current position (its bracket not yet
    /// consumed), runs `f` and steps out; too deep a nesting is refused here.
    pub(crate) fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        if self.depth == MAX_DEPTH {
            return Err(self.err_at(self.pos, "recursion limit exceeded"));
        }
        self.depth += 1;
        self.pos += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn literal(&mut self, word: &str, v: Found<'a>) -> Result<Found<'a>, JsonError> {
        for &want in &word.as_bytes()[1..] {
            self.pos += 1;
            match self.peek() {
                None => return Err(self.err_at(self.pos, EOF_VALUE)),
                Some(b) if b != want => return Err(self.err_at(self.pos, "expected ident")),
                Some(_) => {}
            }
        }
        self.pos += 1;
        Ok(v)
    }

    /// The items of an array whose `[` has been consumed, through its `]`: `item` is called
    /// with the reader at each item (blanks skipped), and must read it.
    fn items(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        if self.peek().is_none() {
            return Err(self.err_at(self.pos, EOF_LIST));
        }
        loop {
            item(self)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        return Err(self.err_at(self.pos, "trailing comma"));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => return Err(self.err_at(self.pos, "expected `,` or `]`")),
                None => return Err(self.err_at(self.pos, EOF_LIST)),
            }
        }
    }

    /// The entries of an object whose `{` has been consumed, through its `}`: `entry` is
    /// called with each key, the reader at its value (blanks skipped), and must read the value.
    pub(crate) fn entries(
        &mut self,
        mut entry: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let mut first = true;
        loop {
            match self.peek() {
                Some(b'"') => self.pos += 1,
                Some(_) => return Err(self.err_at(self.pos, "key must be a string")),
                // serde_json's wording: after a comma it is waiting for a value.
                None if first => return Err(self.err_at(self.pos, EOF_OBJECT)),
                None => return Err(self.err_at(self.pos, EOF_VALUE)),
            }
            first = false;
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(_) => return Err(self.err_at(self.pos, "expected `:`")),
                None => return Err(self.err_at(self.pos, EOF_OBJECT)),
            }
            self.skip_ws();
            entry(self, key)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        return Err(self.err_at(self.pos, "trailing comma"));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => return Err(self.err_at(self.pos, "expected `,` or `}`")),
                None => return Err(self.err_at(self.pos, EOF_OBJECT)),
            }
        }
    }

    /// The rest of a string whose opening quote has been consumed: borrowed from the text
    /// unless it holds an escape.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let start = self.pos;
        // The common string: no escape, no control character, up to its closing quote;
        // eight bytes at a time while none of them ends it.
        self.pos = skip_words(self.s, self.pos, string_ends);
        while let Some(&b) = self.s.get(self.pos) {
            if b == b'"' {
                self.pos += 1;
                return Ok(Cow::Borrowed(piece(self.text, start..self.pos - 1)));
            }
            if b == b'\\' || b < 0x20 {
                break;
            }
            self.pos += 1;
        }
        self.string_slow(start).map(Cow::Owned)
    }

    /// A string with escapes (or an error), from `start`; the reader is at the first escape,
    /// control character or the end of the text.
    #[cold]
    fn string_slow(&mut self, start: usize) -> Result<String, JsonError> {
        let mut out = String::new();
        let mut run = start;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err_at(self.pos, EOF_STRING));
            };
            match b {
                b'"' => {
                    out.push_str(piece(self.text, run..self.pos));
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(piece(self.text, run..self.pos));
                    self.pos += 1;
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                0..=0x1f => {
                    return Err(self.err_at(
                        self.pos,
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ))
                }
                _ => self.pos += 1,
            }
        }
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(b) = self.peek() else {
            return Err(self.err_at(self.pos, EOF_STRING));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(out),
            _ => return Err(self.err_at(self.pos - 1, "invalid escape")),
        };
        out.push(c);
        Ok(())
    }

    /// `\uXXXX`, with a surrogate pair as two escapes.
    fn unicode_escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.peek() != Some(b'\\') {
                    return Err(self.err_after_hex("unexpected end of hex escape"));
                }
                self.pos += 1;
                if self.peek() != Some(b'u') {
                    return Err(self.err_after_hex("unexpected end of hex escape"));
                }
                self.pos += 1;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.err_at(self.pos, "lone leading surrogate in hex escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(self.err_at(self.pos, "lone leading surrogate in hex escape"))
            }
            c => c,
        };
        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        Ok(())
    }

    fn err_after_hex(&self, message: &'static str) -> JsonError {
        match self.peek() {
            None => self.err_at(self.pos, EOF_STRING),
            Some(_) => self.err_at(self.pos, message),
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        // Like serde_json: fewer than four bytes left is the end of the text, not a bad digit.
        if self.pos + 4 > self.s.len() {
            return Err(self.err_at(self.s.len(), EOF_STRING));
        }
        let start = self.pos;
        let mut v = 0;
        for _ in 0..4 {
            let b = self.s[self.pos];
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                // serde_json points at the end of the four digits; a place inside a
                // multi-byte character is moved back to its start.
                _ => {
                    let mut at = start + 3;
                    while !self.text.is_char_boundary(at) {
                        at -= 1;
                    }
                    return Err(self.err_at(at, "invalid escape"));
                }
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    #[inline(always)]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<Num, JsonError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            None => return Err(self.err_at(self.pos, EOF_VALUE)),
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.err_at(self.pos, "invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(_) => return Err(self.err_at(self.pos, "invalid number")),
        }
        let int_end = self.pos;
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.pos += 1;
            self.need_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.need_digits()?;
        }
        if !float {
            if let Some(n) = integer(&self.s[int_start..int_end], negative) {
                return Ok(n);
            }
        }
        let text = piece(self.text, start..self.pos);
        let f = crate::number::parse_f64(text).unwrap_or(f64::NAN);
        match f.is_finite() {
            true => Ok(Num::F(f)),
            false => Err(self.err_at(self.pos, "number out of range")),
        }
    }

    fn need_digits(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            None => Err(self.err_at(self.pos, EOF_VALUE)),
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            Some(_) => Err(self.err_at(self.pos, "invalid number")),
        }
    }
}

/// Marks (high bit) each quote, backslash and control character (below 0x20) in `word`:
/// the zero-byte test on `word` xor each, and a below-0x20 test. The lowest mark is exact
/// (a borrow only reaches bytes above a byte that matched).
#[inline(always)]
fn string_ends(word: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    (zero(quote) | zero(backslash) | control) & HIGHS
}

/// An integer as serde_json keeps it: `u64` if non-negative, `i64` if negative and it fits,
/// `None` (read it as a float) otherwise; `-0` is the float `-0.0`, as in serde_json.
fn integer(digits: &[u8], negative: bool) -> Option<Num> {
    // Not checked per digit: a checked u64 multiply is a 128-bit multiply call on wasm32.
    let n = crate::number::parse_u64_digits(digits)?;
    if !negative {
        return Some(Num::U(n));
    }
    let neg = (n as i64).wrapping_neg();
    (neg < 0).then_some(Num::I(neg))
}

#[cfg(test)]
mod tests;
