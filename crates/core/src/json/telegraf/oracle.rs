//! The reading the one-pass reader replaced, kept as its oracle: each value read whole into a
//! `serde_json::Value` (by the same strict tokenizer), then its shape checked. Places are
//! counted from the start of the text every time, independently of `Where`. Built for the
//! tests and, with the `json-oracle` feature, for the `json_input` fuzz target.

use super::{batch_array_start, error_at, next_line, skip_ws, Where};
use crate::json::reader::read_value;
use crate::metric::{ErrorKind, FieldValue, LineError, Metric, ParseOptions, Precision};
use serde_json::{Map, Value};
use std::borrow::Cow;

fn at(text: &str, pos: usize, kind: ErrorKind, message: &str) -> LineError {
    error_at(&mut Where::new(text), pos, kind, message)
}

/// Every metric of `text` and its errors, read the two-step way.
pub fn parse(text: &str, options: ParseOptions) -> (Vec<Metric<'static>>, Vec<LineError>) {
    let (mut metrics, mut errors) = (Vec::new(), Vec::new());
    let mut pos = skip_ws(text, 0);
    while pos < text.len() {
        if let Some(start) = batch_array_start(text, pos) {
            pos = batch(text, start, options, &mut metrics, &mut errors);
        } else {
            match value(text, pos) {
                Ok((v, end)) => {
                    push(text, pos, &v, options, &mut metrics, &mut errors);
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
    (metrics, errors)
}

fn value(text: &str, pos: usize) -> Result<(Value, usize), LineError> {
    read_value(text, pos).map_err(|e| {
        let message = format!("invalid JSON: {}", e.message);
        at(text, e.at, ErrorKind::InvalidJson, &message)
    })
}

fn batch(
    text: &str,
    mut pos: usize,
    options: ParseOptions,
    metrics: &mut Vec<Metric<'static>>,
    errors: &mut Vec<LineError>,
) -> usize {
    let b = text.as_bytes();
    pos = skip_ws(text, pos);
    if b.get(pos) == Some(&b']') {
        pos += 1;
    } else {
        loop {
            match value(text, pos) {
                Ok((v, end)) => {
                    push(text, pos, &v, options, metrics, errors);
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
                    let m = "expected ',' or ']' in the \"metrics\" array";
                    errors.push(at(text, pos, ErrorKind::JsonShape, m));
                    return next_line(text, pos);
                }
            }
        }
    }
    pos = skip_ws(text, pos);
    if b.get(pos) == Some(&b'}') {
        return pos + 1;
    }
    let m = "expected '}' after the \"metrics\" array";
    errors.push(at(text, pos, ErrorKind::JsonShape, m));
    next_line(text, pos)
}

fn push(
    text: &str,
    pos: usize,
    v: &Value,
    options: ParseOptions,
    metrics: &mut Vec<Metric<'static>>,
    errors: &mut Vec<LineError>,
) {
    match metric(v, options) {
        Ok(mut m) => {
            m.line = 1 + text[..pos].matches('\n').count() as u32;
            metrics.push(m);
        }
        Err(message) => {
            let kind = match v.is_object() {
                true => ErrorKind::InvalidJsonMetric,
                false => ErrorKind::JsonShape,
            };
            errors.push(at(text, pos, kind, &message));
        }
    }
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

fn metric(value: &Value, options: ParseOptions) -> Result<Metric<'static>, String> {
    let obj = value
        .as_object()
        .ok_or_else(|| format!("expected a metric object, found {}", kind(value)))?;
    let name = match obj.get("name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => return Err("metric \"name\" is empty".into()),
        Some(o) => {
            return Err(format!(
                "metric \"name\" must be a string, found {}",
                kind(o)
            ))
        }
        None => return Err("metric has no \"name\"".into()),
    };
    let time = match obj.get("timestamp") {
        None | Some(Value::Null) => options.default_time,
        Some(v) => timestamp(v, options.precision)?,
    };
    let mut m = Metric::new(Cow::Owned(name), time);
    match obj.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Object(tags)) => {
            for (k, v) in tags {
                match v {
                    Value::String(s) => m.tags.push((k.clone().into(), s.clone().into())),
                    o => return Err(format!("tag \"{k}\" must be a string, found {}", kind(o))),
                }
            }
        }
        Some(o) => return Err(format!("\"tags\" must be an object, found {}", kind(o))),
    }
    let fields: &Map<String, Value> = match obj.get("fields") {
        Some(Value::Object(f)) => f,
        Some(o) => return Err(format!("\"fields\" must be an object, found {}", kind(o))),
        None => return Err(format!("metric \"{}\" has no \"fields\"", m.name)),
    };
    for (k, v) in fields {
        let fv = match v {
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::String(s) => FieldValue::Str(s.clone().into()),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => FieldValue::Int(i),
                (None, Some(u)) => FieldValue::UInt(u),
                _ => FieldValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            o => {
                return Err(format!(
                    "field \"{k}\" must be a number, boolean or string, found {}",
                    kind(o)
                ))
            }
        };
        m.fields.push((k.clone().into(), fv));
    }
    if m.fields.is_empty() {
        return Err(format!("metric \"{}\" has no fields", m.name));
    }
    Ok(m)
}

fn timestamp(v: &Value, precision: Precision) -> Result<i64, String> {
    let unit = precision.nanos();
    let n = v
        .as_number()
        .ok_or_else(|| format!("\"timestamp\" must be a number, found {}", kind(v)))?;
    let ns = match n.as_i64() {
        Some(i) => i.checked_mul(unit),
        None => {
            let f = n.as_f64().unwrap_or(f64::NAN) * unit as f64;
            (f.is_finite() && f.abs() < 9.2e18).then(|| f.round() as i64)
        }
    };
    ns.ok_or_else(|| format!("\"timestamp\" {n} is out of range"))
}
