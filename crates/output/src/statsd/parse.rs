//! The StatsD grammar as statsd 0.9.0 reads a packet (`handlePacket` in its `stats.js`, the
//! checks of `lib/helpers.js`), rule for rule, so that the same packets make the same series:
//!
//! - lines split at `\n`, empty ones skipped; `key:value|type[|@rate]`, several
//!   `:value|type` after one key (`a:1|c:2|ms`), a key alone counting `1`... as a bad line (it
//!   has no type, as statsd finds);
//! - types: `ms` timers (a number ≥ 0), `g` gauges (a number; `+N`/`-N` adjust the value held,
//!   when it is not 0), `s` sets (any text), anything else a counter (a number, divided by the
//!   sample rate). Numbers are JavaScript's `Number()` (hex, `Infinity`, surrounding spaces);
//! - the sample rate `@R` must be a non-negative number, and is then read as statsd reads it:
//!   its leading digits and dots only (`@1e-3` is a rate of 1, as in statsd);
//! - keys sanitised as statsd does by default (`keyNameSanitize`): runs of whitespace become
//!   `_`, `/` becomes `-`, and every character outside `A-Za-z0-9_-.;=` is removed (so `#` and
//!   `,`, the backend's tag syntax, only survive with `keyNameSanitize: false`).
//!
//! Extensions, documented as differences: `|h` and `|d` (histograms, distributions) are timers
//! (statsd 0.9.0 counts them), and DogStatsD tags `|#k:v,k2:v2` become measurement tags
//! (statsd 0.9.0 appends them to the key, where the backend turns them into name characters).

use librato_core::find::piece;
use std::borrow::Cow;

/// How a packet is read.
#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    /// statsd's `keyNameSanitize` (default true).
    pub sanitize: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { sanitize: true }
    }
}

/// What one value of a line says.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Added to the interval's count: the value divided by the sample rate.
    Counter(f64),
    /// Sets the gauge, or adjusts it (`delta`: the text began with `+` or `-`).
    Gauge {
        /// The number.
        value: f64,
        /// A `+N`/`-N` adjustment.
        delta: bool,
    },
    /// One timer (histogram, distribution) sample.
    Timer(f64),
    /// A set member.
    Set(String),
}

/// One value of a line, with its key and tags.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// The key as statsd holds it (sanitised unless told otherwise).
    pub key: Cow<'a, str>,
    /// DogStatsD tags (an extension), in the order given.
    pub tags: Vec<(String, String)>,
    /// The value.
    pub value: Value,
}

/// A line (or one value of it) statsd would count in `bad_lines_seen`.
#[derive(Debug, Clone, PartialEq)]
pub struct BadLine {
    /// 1-based line of the packet.
    pub line: usize,
    /// The line, cut to 80 characters.
    pub text: String,
    /// Why.
    pub why: &'static str,
}

/// What a packet held.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Parsed {
    /// Lines read (statsd's `metrics_received`).
    pub lines: usize,
    /// Bad values (statsd's `bad_lines_seen`).
    pub bad: usize,
    /// The first bad line, for the report.
    pub example: Option<BadLine>,
}

/// Reads a packet, handing each good value to `each`.
pub fn parse_packet<'a>(
    packet: &'a str,
    options: &ParseOptions,
    each: &mut dyn FnMut(Sample<'a>),
) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in packet.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        out.lines += 1;
        let mut bad = |why: &'static str| {
            out.bad += 1;
            if out.example.is_none() {
                out.example = Some(BadLine {
                    line: i + 1,
                    text: line.chars().take(80).collect(),
                    why,
                });
            }
        };
        let (body, tag_text) = match line.split_once("|#") {
            Some((b, t)) => (b, t.split("|#").next().unwrap_or_default()),
            None => (line, ""),
        };
        let tags = dogstatsd_tags(tag_text, options);
        let mut bits = body.split(':');
        let key = bits.next().unwrap_or_default();
        let key = if options.sanitize {
            sanitize_key(key)
        } else {
            Cow::Borrowed(key)
        };
        let mut any = false;
        for bit in bits {
            any = true;
            match value_of(bit) {
                Ok(value) => each(Sample {
                    key: key.clone(),
                    tags: tags.clone(),
                    value,
                }),
                Err(why) => bad(why),
            }
        }
        if !any {
            // statsd reads a key alone as the value "1" with no type: a bad line.
            bad("no value and type (key:value|type)");
        }
    }
    out
}

/// DogStatsD's `k:v,k2:v2`, each made `k=v` as statsd makes it (then split there).
fn dogstatsd_tags(text: &str, options: &ParseOptions) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    if text.is_empty() {
        return tags;
    }
    for tag in text.split(',') {
        // statsd: the first ';' becomes '_', the first ':' becomes '='.
        let tag = tag.replacen(';', "_", 1).replacen(':', "=", 1);
        let tag = if options.sanitize {
            sanitize_key(&tag).into_owned()
        } else {
            tag
        };
        if let Some((k, v)) = tag.split_once('=') {
            if !k.is_empty() && !v.is_empty() {
                tags.push((k.to_string(), v.to_string()));
            }
        }
    }
    tags
}

/// One `value|type[|@rate]`, checked as statsd's `is_valid_packet` checks it.
fn value_of(bit: &str) -> Result<Value, &'static str> {
    let mut fields = bit.split('|');
    let text = fields.next().unwrap_or_default();
    let Some(kind) = fields.next() else {
        return Err("no type (key:value|type)");
    };
    let rate_text = fields.next();
    let mut rate = 1.0;
    if let Some(r) = rate_text {
        let Some(n) = r.strip_prefix('@').filter(|n| !n.is_empty()) else {
            return Err("a sample rate must be @ and a number");
        };
        if !is_number(n) || n.starts_with('-') {
            return Err("a sample rate must be @ and a non-negative number");
        }
        // statsd reads /^@([\d.]+)/ of it: the leading digits and dots.
        let end = n
            .bytes()
            .position(|b| !(b.is_ascii_digit() || b == b'.'))
            .unwrap_or(n.len());
        let digits = piece(n, ..end);
        rate = match js_number(digits) {
            Some(r) if r > 0.0 && r.is_finite() => r,
            _ => return Err("a sample rate must be a positive number"),
        };
    }
    match kind {
        "s" => {
            return Ok(Value::Set(if text.is_empty() {
                "0".into()
            } else {
                text.into()
            }))
        }
        "g" if !is_number(text) => return Err("a gauge value must be a number"),
        "ms" => match js_number(text) {
            Some(v) if is_number(text) && v >= 0.0 => {}
            _ => return Err("a timer value must be a number of at least 0"),
        },
        _ if !is_number(text) => return Err("the value must be a number"),
        _ => {}
    }
    let v = js_number(text).unwrap_or(0.0);
    if !v.is_finite() {
        return Err("the value is not a finite number");
    }
    Ok(match kind.trim() {
        "ms" | "h" | "d" => Value::Timer(v),
        "g" => Value::Gauge {
            value: v,
            delta: text.starts_with(['+', '-']),
        },
        "s" => Value::Set(text.into()),
        // statsd multiplies by the reciprocal (not the same rounding as a division).
        _ => Value::Counter(v * (1.0 / rate)),
    })
}

/// statsd's `sanitizeKeyName`.
pub fn sanitize_key(key: &str) -> Cow<'_, str> {
    let clean = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ';' | '=');
    if key.chars().all(clean) {
        return Cow::Borrowed(key);
    }
    let mut out = String::with_capacity(key.len());
    let mut in_space = false;
    for c in key.chars() {
        if is_js_space(c) {
            if !in_space {
                out.push('_');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if c == '/' {
            out.push('-');
        } else if clean(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JavaScript's `\s` (and `String.prototype.trim`'s whitespace).
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// statsd's `isNumber`: a non-empty text whose `Number()` is not NaN.
pub fn is_number(s: &str) -> bool {
    !s.is_empty() && js_number(s).is_some()
}

/// JavaScript's `Number(text)`; `None` for NaN.
pub fn js_number(s: &str) -> Option<f64> {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return Some(0.0);
    }
    match t {
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let radix = match t.get(..2) {
        Some("0x" | "0X") => 16,
        Some("0o" | "0O") => 8,
        Some("0b" | "0B") => 2,
        _ => 0,
    };
    if radix != 0 {
        let digits = piece(t, 2..);
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        return Some(digits.chars().fold(0.0, |n, c| {
            n * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
        }));
    }
    // A decimal literal: [+-] digits [. digits] [e [+-] digits], with digits on one side of
    // the point at least; Rust's parser would also take "inf" and "nan".
    let b = t.as_bytes();
    let mut i = usize::from(matches!(b[0], b'+' | b'-'));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        let exp = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    t.parse::<f64>().ok()
}
