//! Field values and timestamps: the typed parts of a line.

use crate::metric::{cut, FieldValue, Precision};

/// Longest string field value, per the InfluxDB v2 line-protocol reference ("Length limit 64KB").
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// Timestamp bounds from the InfluxDB v2 line-protocol reference ("Unix timestamp").
pub const MIN_TIMESTAMP: i64 = -9_223_372_036_854_775_806;
pub const MAX_TIMESTAMP: i64 = 9_223_372_036_854_775_806;

fn quoted(token: &str) -> String {
    format!("\"{}\"", cut(token, 40))
}

/// Parses an unquoted field value token (`1.5`, `-3i`, `7u`, `true`...).
pub fn field_value(token: &str) -> Result<FieldValue<'static>, String> {
    let bytes = token.as_bytes();
    match token {
        "t" | "T" | "true" | "True" | "TRUE" => return Ok(FieldValue::Bool(true)),
        "f" | "F" | "false" | "False" | "FALSE" => return Ok(FieldValue::Bool(false)),
        _ => {}
    }
    match bytes.last() {
        Some(b'i') => {
            let digits = &token[..token.len() - 1];
            if !is_integer(digits, true) {
                return Err(format!(
                    "invalid integer {}: expected digits before the 'i'",
                    quoted(token)
                ));
            }
            digits.parse::<i64>().map(FieldValue::Int).map_err(|_| {
                format!(
                    "integer {} is out of range for a 64-bit signed integer",
                    quoted(token)
                )
            })
        }
        Some(b'u') => {
            let digits = &token[..token.len() - 1];
            if digits.starts_with('-') && is_integer(&digits[1..], false) {
                return Err(format!(
                    "unsigned integer {} cannot be negative",
                    quoted(token)
                ));
            }
            if !is_integer(digits, false) {
                return Err(format!(
                    "invalid unsigned integer {}: expected digits before the 'u'",
                    quoted(token)
                ));
            }
            digits.parse::<u64>().map(FieldValue::UInt).map_err(|_| {
                format!(
                    "unsigned integer {} is out of range for a 64-bit unsigned integer",
                    quoted(token)
                )
            })
        }
        _ => float(token),
    }
}

fn is_integer(s: &str, allow_minus: bool) -> bool {
    let digits = match s.strip_prefix('-') {
        Some(rest) if allow_minus => rest,
        _ => s,
    };
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A float as InfluxDB's `scanNumber` accepts it: optional leading `-`, digits, at most one
/// `.`, an exponent `e`/`E` with optional sign. `NaN`, `Inf`, `+1`, hex and `_` are rejected
/// here, because Rust's own float parser would accept some of them.
fn float(token: &str) -> Result<FieldValue<'static>, String> {
    let bytes = token.as_bytes();
    let body = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut seen_exp = false;
    let mut exp_digit = false;
    let mut prev = 0u8;
    let mut valid = !body.is_empty();
    for &b in body {
        match b {
            b'0'..=b'9' => {
                if seen_exp {
                    exp_digit = true;
                } else {
                    seen_digit = true;
                }
            }
            b'.' if !seen_dot && !seen_exp => seen_dot = true,
            b'e' | b'E' if seen_digit && !seen_exp => seen_exp = true,
            b'+' | b'-' if matches!(prev, b'e' | b'E') => {}
            _ => {
                valid = false;
                break;
            }
        }
        prev = b;
    }
    if !valid || !seen_digit || (seen_exp && !exp_digit) {
        return Err(format!(
            "invalid field value {}: expected a number, a boolean or a \"string\"",
            quoted(token)
        ));
    }
    match token.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(FieldValue::Float(f)),
        _ => Err(format!(
            "float {} is out of range for a 64-bit float",
            quoted(token)
        )),
    }
}

/// Parses a timestamp token in `precision` units into nanoseconds.
pub fn timestamp(token: &str, precision: Precision) -> Result<i64, String> {
    if !is_integer(token, true) {
        return Err(format!(
            "invalid timestamp {}: expected an integer",
            quoted(token)
        ));
    }
    let out_of_range = || {
        format!(
            "timestamp {} is out of range for {} precision",
            quoted(token),
            precision.name()
        )
    };
    let value: i64 = token.parse().map_err(|_| out_of_range())?;
    let ns = value
        .checked_mul(precision.nanos())
        .ok_or_else(out_of_range)?;
    if !(MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&ns) {
        return Err(out_of_range());
    }
    Ok(ns)
}
