//! A strict RFC 8259 JSON reader into `serde_json::Value`, for Telegraf's JSON input and for
//! config objects handed over from JS.
//!
//! Why not serde_json's own parser: it is about 5 KB of the gzipped `.wasm` (its number tables,
//! its `Deserialize` machinery and its error texts), and the `.wasm` has a size budget. The
//! grammar, the values (integers as `u64`/`i64` where they fit, otherwise `f64`; `-0` as a float)
//! and the error texts follow serde_json, which the tests and the `json_reader` fuzz target
//! compare against; numbers are rounded correctly (core's float parser), as Go's are.

use serde_json::{Map, Number, Value};

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

/// Reads one JSON value starting at `pos` (after optional blanks); returns it and the offset
/// just past it. A number or literal must end at a blank, a delimiter or the end of the text.
pub fn read_value(text: &str, pos: usize) -> Result<(Value, usize), JsonError> {
    let mut r = Reader {
        s: text.as_bytes(),
        text,
        pos,
        depth: 0,
    };
    r.skip_ws();
    let v = r.value()?;
    if let Some(&b) = r.s.get(r.pos) {
        let scalar = !matches!(v, Value::Array(_) | Value::Object(_) | Value::String(_));
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
    let mut r = Reader {
        s: text.as_bytes(),
        text,
        pos: end,
        depth: 0,
    };
    r.skip_ws();
    match r.pos < r.s.len() {
        true => Err(r.err_at(r.pos, "trailing characters")),
        false => Ok(v),
    }
}

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    fn err_at(&self, at: usize, message: &'static str) -> JsonError {
        JsonError { at, message }
    }

    // The crate is built for size, where this would stay a call per byte.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        let Some(b) = self.peek() else {
            return Err(self.err_at(self.pos, EOF_VALUE));
        };
        match b {
            b'n' => self.literal("null", Value::Null),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'"' => {
                self.pos += 1;
                self.string().map(Value::String)
            }
            b'-' | b'0'..=b'9' => self.number(),
            b'[' => self.nested(Self::array),
            b'{' => self.nested(Self::object),
            _ => Err(self.err_at(self.pos, "expected value")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Value, JsonError>) -> Result<Value, JsonError> {
        if self.depth == MAX_DEPTH {
            return Err(self.err_at(self.pos, "recursion limit exceeded"));
        }
        self.depth += 1;
        self.pos += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
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

    fn array(&mut self) -> Result<Value, JsonError> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        if self.peek().is_none() {
            return Err(self.err_at(self.pos, EOF_LIST));
        }
        loop {
            items.push(self.value()?);
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
                    return Ok(Value::Array(items));
                }
                Some(_) => return Err(self.err_at(self.pos, "expected `,` or `]`")),
                None => return Err(self.err_at(self.pos, EOF_LIST)),
            }
        }
    }

    fn object(&mut self) -> Result<Value, JsonError> {
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
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
            let v = self.value()?;
            map.insert(key, v);
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
                    return Ok(Value::Object(map));
                }
                Some(_) => return Err(self.err_at(self.pos, "expected `,` or `}`")),
                None => return Err(self.err_at(self.pos, EOF_OBJECT)),
            }
        }
    }

    /// The rest of a string whose opening quote has been consumed.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err_at(self.pos, EOF_STRING));
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.pos]);
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
    fn number(&mut self) -> Result<Value, JsonError> {
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
                return Ok(Value::Number(n));
            }
        }
        let f: f64 = self.text[start..self.pos].parse().unwrap_or(f64::NAN);
        match Number::from_f64(f) {
            Some(n) if f.is_finite() => Ok(Value::Number(n)),
            _ => Err(self.err_at(self.pos, "number out of range")),
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

/// An integer as serde_json keeps it: `u64` if non-negative, `i64` if negative and it fits,
/// `None` (read it as a float) otherwise; `-0` is the float `-0.0`, as in serde_json.
fn integer(digits: &[u8], negative: bool) -> Option<Number> {
    let mut n: u64 = 0;
    for &d in digits {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if !negative {
        return Some(n.into());
    }
    let neg = (n as i64).wrapping_neg();
    (neg < 0).then(|| neg.into())
}

#[cfg(test)]
mod tests;
