//! Telegraf's JSON serializer output: one metric `{"name","tags","fields","timestamp"}` per
//! value (Telegraf writes one per line), or a batch `{"metrics":[...]}`.
//!
//! `timestamp` is in seconds unless the precision says otherwise (Telegraf's
//! `json_timestamp_units`). Errors are per metric, with the line and column where the metric
//! starts, so a bad metric never costs the good ones.

use std::borrow::Cow;

use serde_json::{Map, Value};

use librato_core::metric::{
    cut, ErrorKind, FieldValue, LineError, Metric, ParseOptions, Precision, QUOTE_CHARS,
};

/// Parses a Telegraf JSON text, handing each metric to `metrics` as soon as it is read
/// (render keeps none of them), and returns the errors.
pub fn parse_each(
    text: &str,
    options: ParseOptions,
    metrics: &mut dyn FnMut(Metric<'static>),
) -> Vec<LineError> {
    let mut errors = Vec::new();
    let w = &mut Where::new(text);
    let mut pos = skip_ws(text, 0);
    while pos < text.len() {
        if let Some(array_start) = batch_array_start(text, pos) {
            pos = parse_batch(w, array_start, options, metrics, &mut errors);
        } else {
            match read_value(w, pos) {
                Ok((value, end)) => {
                    push_metric(w, pos, &value, options, metrics, &mut errors);
                    pos = end;
                }
                Err(e) => {
                    errors.push(e);
                    pos = next_line(text, pos);
                }
            }
        }
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
    let p = text[p..].strip_prefix("\"metrics\"").map(|_| p + 9)?;
    let p = skip_ws(text, p);
    if b.get(p) != Some(&b':') {
        return None;
    }
    let p = skip_ws(text, p + 1);
    (b.get(p) == Some(&b'[')).then_some(p + 1)
}

/// Walks the elements of the `metrics` array, then the closing `]` and `}`.
fn parse_batch(
    w: &mut Where<'_>,
    mut pos: usize,
    options: ParseOptions,
    metrics: &mut dyn FnMut(Metric<'static>),
    errors: &mut Vec<LineError>,
) -> usize {
    let text = w.text;
    let b = text.as_bytes();
    pos = skip_ws(text, pos);
    if b.get(pos) == Some(&b']') {
        pos += 1;
    } else {
        loop {
            match read_value(w, pos) {
                Ok((value, end)) => {
                    push_metric(w, pos, &value, options, metrics, errors);
                    pos = skip_ws(text, end);
                }
                Err(e) => {
                    errors.push(e);
                    return next_line(text, pos);
                }
            }
            match b.get(pos) {
                Some(b',') => pos = skip_ws(text, pos + 1),
                Some(b']') => {
                    pos += 1;
                    break;
                }
                _ => {
                    errors.push(error_at(
                        w,
                        pos,
                        ErrorKind::JsonShape,
                        "expected ',' or ']' in the \"metrics\" array",
                    ));
                    return next_line(text, pos);
                }
            }
        }
    }
    pos = skip_ws(text, pos);
    if b.get(pos) == Some(&b'}') {
        pos + 1
    } else {
        errors.push(error_at(
            w,
            pos,
            ErrorKind::JsonShape,
            "expected '}' after the \"metrics\" array",
        ));
        next_line(text, pos)
    }
}

/// Where to resume after a syntax error: the next line (Telegraf writes a value per line).
fn next_line(text: &str, pos: usize) -> usize {
    text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1)
}

/// Reads one JSON value at `pos`; returns it and the position after it.
fn read_value(w: &mut Where<'_>, pos: usize) -> Result<(Value, usize), LineError> {
    crate::json_reader::read_value(w.text, pos).map_err(|e| {
        error_at(
            w,
            e.at,
            ErrorKind::InvalidJson,
            &format!("invalid JSON: {}", e.message),
        )
    })
}

/// Line and column (in characters, both 1-based) of byte positions, counted from the last
/// position asked for: positions mostly move forward, so a text of n metrics costs its
/// length once rather than n times (which made 2 MB of JSON take 13 s).
struct Where<'t> {
    text: &'t str,
    pos: usize,
    line: u32,
    /// Characters between the start of the line and `pos`.
    col: u32,
}

impl<'t> Where<'t> {
    fn new(text: &'t str) -> Self {
        Where {
            text,
            pos: 0,
            line: 1,
            col: 0,
        }
    }

    fn at(&mut self, pos: usize) -> (u32, u32) {
        let bytes = self.text.as_bytes();
        if pos >= self.pos {
            for &b in &bytes[self.pos..pos] {
                if b == b'\n' {
                    self.line += 1;
                    self.col = 0;
                } else if (b as i8) >= -0x40 {
                    self.col += 1; // not a UTF-8 continuation byte: a new character
                }
            }
        } else {
            // Back to the line after the start of a bad value that spanned lines.
            self.line -= count_newlines(&bytes[pos..self.pos]);
            let start = bytes[..pos]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            self.col = self.text[start..pos].chars().count() as u32;
        }
        self.pos = pos;
        (self.line, self.col + 1)
    }
}

fn count_newlines(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u32
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
    let line_end = text[pos..hi].find('\n').map_or(hi, |i| pos + i);
    let quote = match text[lo..pos].rfind('\n') {
        Some(i) => cut(
            text[lo + i + 1..line_end].trim_end_matches('\r'),
            QUOTE_CHARS * 2,
        ),
        None if lo == 0 => cut(text[..line_end].trim_end_matches('\r'), QUOTE_CHARS * 2),
        // A line longer than the window: quote from a little before the error.
        None => {
            let mut from = pos.saturating_sub(QUOTE_CHARS / 2);
            while !text.is_char_boundary(from) {
                from += 1;
            }
            format!("…{}", cut(&text[from..line_end], QUOTE_CHARS * 2))
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

fn push_metric(
    w: &mut Where<'_>,
    pos: usize,
    value: &Value,
    options: ParseOptions,
    metrics: &mut dyn FnMut(Metric<'static>),
    errors: &mut Vec<LineError>,
) {
    match metric_from_json(value, options) {
        Ok(mut m) => {
            m.line = w.at(pos).0;
            metrics(m);
        }
        Err(message) => {
            let kind = if value.is_object() {
                ErrorKind::InvalidJsonMetric
            } else {
                ErrorKind::JsonShape
            };
            errors.push(error_at(w, pos, kind, &message))
        }
    }
}

/// Converts one decoded JSON object into a metric, or says what is wrong with it.
pub fn metric_from_json(value: &Value, options: ParseOptions) -> Result<Metric<'static>, String> {
    let obj = value
        .as_object()
        .ok_or_else(|| format!("expected a metric object, found {}", kind(value)))?;
    let name = match obj.get("name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => return Err("metric \"name\" is empty".into()),
        Some(other) => {
            return Err(format!(
                "metric \"name\" must be a string, found {}",
                kind(other)
            ))
        }
        None => return Err("metric has no \"name\"".into()),
    };
    let time = match obj.get("timestamp") {
        None | Some(Value::Null) => options.default_time,
        Some(v) => timestamp(v, options.precision)?,
    };
    let mut metric = Metric::new(Cow::Owned(name), time);
    match obj.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Object(tags)) => {
            for (k, v) in tags {
                match v {
                    Value::String(s) => {
                        // JSON object keys are unique once read: no search needed.
                        metric
                            .tags
                            .push((Cow::Owned(k.clone()), Cow::Owned(s.clone())))
                    }
                    other => {
                        return Err(format!(
                            "tag \"{k}\" must be a string, found {}",
                            kind(other)
                        ))
                    }
                }
            }
        }
        Some(other) => return Err(format!("\"tags\" must be an object, found {}", kind(other))),
    }
    let fields: &Map<String, Value> = match obj.get("fields") {
        Some(Value::Object(f)) => f,
        Some(other) => {
            return Err(format!(
                "\"fields\" must be an object, found {}",
                kind(other)
            ))
        }
        None => return Err(format!("metric \"{}\" has no \"fields\"", metric.name)),
    };
    for (k, v) in fields {
        let fv = match v {
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::String(s) => FieldValue::Str(Cow::Owned(s.clone())),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    FieldValue::Int(i)
                } else if let Some(u) = n.as_u64() {
                    FieldValue::UInt(u)
                } else {
                    FieldValue::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            other => {
                return Err(format!(
                    "field \"{k}\" must be a number, boolean or string, found {}",
                    kind(other)
                ))
            }
        };
        metric.fields.push((Cow::Owned(k.clone()), fv));
    }
    if metric.fields.is_empty() {
        return Err(format!("metric \"{}\" has no fields", metric.name));
    }
    Ok(metric)
}

fn timestamp(v: &Value, precision: Precision) -> Result<i64, String> {
    let unit = precision.nanos();
    let n = v
        .as_number()
        .ok_or_else(|| format!("\"timestamp\" must be a number, found {}", kind(v)))?;
    let ns = if let Some(i) = n.as_i64() {
        i.checked_mul(unit)
    } else {
        // Fractional timestamps (or ones beyond i64) go through f64 and must fit.
        let f = n.as_f64().unwrap_or(f64::NAN) * unit as f64;
        (f.is_finite() && f.abs() < 9.2e18).then(|| f.round() as i64)
    };
    ns.ok_or_else(|| format!("\"timestamp\" {n} is out of range"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every metric of a text, and its errors.
    fn parse(text: &str, options: ParseOptions) -> (Vec<Metric<'static>>, Vec<LineError>) {
        let mut metrics = Vec::new();
        let errors = parse_each(text, options, &mut |m| metrics.push(m));
        (metrics, errors)
    }

    const OPTS: ParseOptions = ParseOptions {
        precision: Precision::S,
        default_time: 42,
    };

    #[test]
    fn json_single_metric() {
        let (m, e) = parse(
            r#"{"fields":{"usage_idle":99.5,"n":3,"up":true,"s":"x"},"name":"cpu","tags":{"host":"a"},"timestamp":1458229140}"#,
            OPTS,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(m[0].name, "cpu");
        assert_eq!(m[0].time, 1_458_229_140_000_000_000);
        assert_eq!(m[0].tag("host"), Some("a"));
        assert!(m[0].fields.contains(&("n".into(), FieldValue::Int(3))));
        assert!(m[0]
            .fields
            .contains(&("usage_idle".into(), FieldValue::Float(99.5))));
    }

    #[test]
    fn json_batch_and_lines() {
        let text = "{\"metrics\":[{\"name\":\"a\",\"fields\":{\"v\":1},\"timestamp\":1},\n {\"name\":\"b\",\"fields\":{\"v\":2},\"timestamp\":2}]}\n{\"name\":\"c\",\"fields\":{\"v\":3},\"timestamp\":3}\n";
        let (m, e) = parse(text, OPTS);
        assert!(e.is_empty(), "{e:?}");
        let names: Vec<_> = m.iter().map(|m| (m.name.to_string(), m.line)).collect();
        assert_eq!(names, [("a".into(), 1), ("b".into(), 2), ("c".into(), 3)]);
    }

    #[test]
    fn json_per_metric_errors_keep_good_metrics() {
        let text = r#"{"metrics":[{"fields":{"v":1},"timestamp":1},{"name":"ok","fields":{"v":1}},{"name":"x","fields":{}},{"name":"y","fields":{"v":[1]}},{"name":"z","tags":{"t":1},"fields":{"v":1}},{"name":"w","fields":{"v":1},"timestamp":"x"}]}"#;
        let (m, e) = parse(text, OPTS);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].time, 42, "no timestamp takes the default time");
        let msgs: Vec<_> = e.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "metric has no \"name\"",
                "metric \"x\" has no fields",
                "field \"v\" must be a number, boolean or string, found an array",
                "tag \"t\" must be a string, found a number",
                "\"timestamp\" must be a number, found a string",
            ]
        );
        assert_eq!(e[1].column, 77);
    }

    #[test]
    fn json_syntax_error_position_and_recovery() {
        let text = "{\"name\":\"a\",\"fields\":{\"v\":1}}\n{\"name\":\"b\",\"fields\":{\"v\":}}\n{\"name\":\"c\",\"fields\":{\"v\":3}}";
        let (m, e) = parse(text, OPTS);
        assert_eq!(m.len(), 2);
        assert_eq!((e[0].line, e[0].column), (2, 27), "{e:?}");
        assert!(
            e[0].message.starts_with("invalid JSON: expected value"),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn json_precision_and_big_unsigned() {
        let text =
            r#"{"name":"a","fields":{"u":18446744073709551615,"f":1.5e300},"timestamp":1500}"#;
        let ms = ParseOptions {
            precision: Precision::Ms,
            default_time: 0,
        };
        let (m, _) = parse(text, ms);
        assert_eq!(m[0].time, 1_500_000_000);
        assert_eq!(m[0].fields[0].1, FieldValue::UInt(u64::MAX));
        let (_, e) = parse(
            r#"{"name":"a","fields":{"v":1},"timestamp":99999999999999999}"#,
            OPTS,
        );
        assert!(e[0].message.contains("out of range"));
    }

    #[test]
    fn positions_are_counted_forward_and_back() {
        let text = "ab\ncé😀d\n\nxyz";
        let mut w = Where::new(text);
        // Byte offsets of 'a', 'c', 'd' (after two multi-byte characters), 'x'.
        let d = text.find('d').unwrap();
        let x = text.find('x').unwrap();
        assert_eq!(w.at(0), (1, 1));
        assert_eq!(w.at(3), (2, 1));
        assert_eq!(w.at(d), (2, 4));
        assert_eq!(w.at(x + 2), (4, 3));
        assert_eq!(w.at(d), (2, 4), "backwards");
        assert_eq!(w.at(1), (1, 2), "backwards over a line");
        assert_eq!(w.at(x), (4, 1));
    }

    #[test]
    fn errors_in_a_one_line_batch_quote_the_text_around_them() {
        let good = r#"{"name":"m","fields":{"v":1}}"#;
        let bad = r#"{"name":"m","tags":{"t":1},"fields":{"v":1}}"#;
        let batch = format!(
            "{{\"metrics\":[{}]}}",
            vec![good; 200].join(",") + "," + bad
        );
        let (m, e) = parse(&batch, OPTS);
        assert_eq!(m.len(), 200);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].line, e[0].column as usize),
            (1, batch.find(bad).unwrap() + 1)
        );
        assert!(e[0].message.contains("tag \"t\" must be a string"), "{e:?}");
        // Far into a line longer than the window, the quote starts a little before the error.
        assert!(
            e[0].text.starts_with('…') && e[0].text.contains(r#"{"name":"m","tags":{"t":1}"#),
            "{e:?}"
        );
    }
}
