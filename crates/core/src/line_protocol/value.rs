//! Field values and timestamps: the typed parts of a line.

use crate::find::piece;
use crate::metric::{cut, ErrorKind, FieldValue, Precision};

/// A problem with a value: its kind and the message.
pub type ValueError = (ErrorKind, String);

/// Longest string field value, per the InfluxDB v2 line-protocol reference ("Length limit 64KB").
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// Timestamp bounds from the InfluxDB v2 line-protocol reference ("Unix timestamp").
pub const MIN_TIMESTAMP: i64 = -9_223_372_036_854_775_806;
/// The latest timestamp (nanoseconds) the reference accepts.
pub const MAX_TIMESTAMP: i64 = 9_223_372_036_854_775_806;

fn quoted(token: &str) -> String {
    format!("\"{}\"", cut(token, 40))
}

/// Parses an unquoted field value token (`1.5`, `-3i`, `7u`, `true`...).
pub fn field_value(token: &str) -> Result<FieldValue<'static>, ValueError> {
    let bytes = token.as_bytes();
    // Booleans start with a letter; numbers never do (one byte decides before ten compares).
    if matches!(bytes.first(), Some(b't' | b'T' | b'f' | b'F')) {
        match token {
            "t" | "T" | "true" | "True" | "TRUE" => return Ok(FieldValue::Bool(true)),
            "f" | "F" | "false" | "False" | "FALSE" => return Ok(FieldValue::Bool(false)),
            _ => {}
        }
    }
    match bytes.last() {
        Some(b'i') => {
            let digits = piece(token, ..token.len() - 1);
            if !is_integer(digits, true) {
                return Err((
                    ErrorKind::InvalidInteger,
                    format!(
                        "invalid integer {}: expected digits before the 'i'",
                        quoted(token)
                    ),
                ));
            }
            parse_i64(digits).map(FieldValue::Int).ok_or_else(|| {
                (
                    ErrorKind::NumberOutOfRange,
                    format!(
                        "integer {} is out of range for a 64-bit signed integer",
                        quoted(token)
                    ),
                )
            })
        }
        Some(b'u') => {
            let digits = piece(token, ..token.len() - 1);
            if digits.starts_with('-') && is_integer(piece(digits, 1..), false) {
                return Err((
                    ErrorKind::NegativeUnsigned,
                    format!("unsigned integer {} cannot be negative", quoted(token)),
                ));
            }
            if !is_integer(digits, false) {
                return Err((
                    ErrorKind::InvalidUnsigned,
                    format!(
                        "invalid unsigned integer {}: expected digits before the 'u'",
                        quoted(token)
                    ),
                ));
            }
            crate::number::parse_u64_digits(digits.as_bytes())
                .map(FieldValue::UInt)
                .ok_or_else(|| {
                    (
                        ErrorKind::NumberOutOfRange,
                        format!(
                            "unsigned integer {} is out of range for a 64-bit unsigned integer",
                            quoted(token)
                        ),
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
/// `.`, an exponent `e`/`E` with optional sign. Rust's parser accepts exactly that once a
/// leading `+` and the `inf`/`NaN` spellings are excluded: the first byte must be a digit,
/// `.` or `-`, and the result must be finite.
fn float(token: &str) -> Result<FieldValue<'static>, ValueError> {
    let first_ok = matches!(token.as_bytes().first(), Some(b'0'..=b'9' | b'.' | b'-'));
    let invalid = || {
        (
            ErrorKind::InvalidFieldValue,
            format!(
                "invalid field value {}: expected a number, a boolean or a \"string\"",
                quoted(token)
            ),
        )
    };
    if !first_ok {
        return Err(invalid());
    }
    match crate::number::parse_f64(token) {
        Some(f) if f.is_finite() => Ok(FieldValue::Float(f)),
        // "-inf" and "-NaN" parse, but are spellings, not numbers out of range.
        Some(_) if !token.bytes().any(|b| b.is_ascii_digit()) => Err(invalid()),
        Some(_) => Err((
            ErrorKind::NumberOutOfRange,
            format!("float {} is out of range for a 64-bit float", quoted(token)),
        )),
        None => Err(invalid()),
    }
}

/// Decimal digits with an optional leading `-` into an i64; `None` on anything else or overflow.
#[inline]
fn parse_i64(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let v = crate::number::parse_u64_digits(digits)?;
    if neg {
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses a timestamp token in `precision` units into nanoseconds.
pub fn timestamp(token: &str, precision: Precision) -> Result<i64, ValueError> {
    if let Some(v) = parse_i64(token) {
        let ns = match precision.nanos() {
            1 => Some(v),
            n => v.checked_mul(n),
        };
        if let Some(ns) = ns {
            if (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&ns) {
                return Ok(ns);
            }
        }
    }
    if !is_integer(token, true) {
        return Err((
            ErrorKind::InvalidTimestamp,
            format!("invalid timestamp {}: expected an integer", quoted(token)),
        ));
    }
    let out_of_range = || {
        (
            ErrorKind::TimestampOutOfRange,
            format!(
                "timestamp {} is out of range for {} precision",
                quoted(token),
                precision.name()
            ),
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
