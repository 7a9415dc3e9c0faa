//! Telegraf duration strings: a number and a unit, possibly several (`1m30s`, `1.5s`, `500ms`).

use librato_core::find::piece;
use librato_core::number::parse_f64;

/// The longest duration accepted, in milliseconds: JS timers take a signed 32-bit count, and
/// a longer one fires at once (a `timeout` of 600h would time every request out).
pub const MAX_DURATION_MS: u64 = i32::MAX as u64;

fn too_long(s: &str) -> String {
    format!(
        "duration \"{s}\" is too long: at most {} (the longest timer JS runtimes keep)",
        format_duration(MAX_DURATION_MS)
    )
}

/// Parses a duration into milliseconds (sub-millisecond parts are rounded up to whole ms,
/// so a non-zero duration never becomes zero).
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    // Telegraf accepts a bare number as seconds.
    if let Some(secs) = parse_f64(s) {
        return match secs_to_ms(secs) {
            Some(ms) => Ok(ms),
            None if secs.is_finite() && secs > 0.0 => Err(too_long(s)),
            None if secs < 0.0 => Err(format!("invalid duration \"{s}\": it cannot be negative")),
            None => Err(format!("invalid duration \"{s}\"")),
        };
    }
    let mut total_ns: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!(
                "invalid duration \"{s}\": expected a number before \"{rest}\""
            ));
        }
        let (number, after) = (piece(rest, ..num_len), piece(rest, num_len..));
        let n: f64 = parse_f64(number).ok_or_else(|| format!("invalid duration \"{s}\""))?;
        rest = after;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let (unit, after) = (piece(rest, ..unit_len), piece(rest, unit_len..));
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "invalid duration \"{s}\": missing unit after {number}"
                ))
            }
            other => {
                return Err(format!(
                    "invalid duration \"{s}\": unknown unit \"{}\" (use ns, us, ms, s, m or h)",
                    other.trim()
                ))
            }
        };
        total_ns += n * scale;
        rest = after;
    }
    let ms = (total_ns / 1e6).ceil();
    if !ms.is_finite() || ms > MAX_DURATION_MS as f64 {
        return Err(too_long(s));
    }
    Ok(ms as u64)
}

pub(crate) fn secs_to_ms(secs: f64) -> Option<u64> {
    (secs.is_finite() && secs >= 0.0 && (secs * 1000.0).ceil() <= MAX_DURATION_MS as f64)
        .then(|| (secs * 1000.0).ceil() as u64)
}

/// An integer number of seconds (Telegraf reads a bare number as seconds), checked.
pub(crate) fn int_secs_to_ms(secs: i64) -> Result<u64, String> {
    if secs < 0 {
        return Err(format!("invalid duration {secs}: it cannot be negative"));
    }
    match (secs as u64).checked_mul(1000) {
        Some(ms) if ms <= MAX_DURATION_MS => Ok(ms),
        _ => Err(too_long(&secs.to_string())),
    }
}

/// Formats milliseconds as a Telegraf duration string (`5s`, `1m30s`, `250ms`).
pub fn format_duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let (h, rem) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rem) = (rem / 60_000, rem % 60_000);
    let (s, milli) = (rem / 1000, rem % 1000);
    if h > 0 {
        out += &format!("{h}h");
    }
    if m > 0 {
        out += &format!("{m}m");
    }
    if s > 0 {
        out += &format!("{s}s");
    }
    if milli > 0 {
        out += &format!("{milli}ms");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_forms() {
        for (s, ms) in [
            ("5s", 5000),
            ("1m30s", 90_000),
            ("500ms", 500),
            ("1.5s", 1500),
            ("2h", 7_200_000),
            ("100us", 1),
            ("100µs", 1),
            ("10", 10_000),
            ("0.25", 250),
            ("1h1m1s1ms", 3_661_001),
        ] {
            assert_eq!(parse_duration(s), Ok(ms), "{s}");
        }
        for bad in ["", "s", "5x", "5", "1m30", "-1s", "abc"] {
            if bad == "5" {
                continue;
            }
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_duration("5d")
            .unwrap_err()
            .contains("unknown unit \"d\""));
    }

    #[test]
    fn durations_longer_than_a_js_timer_are_refused() {
        assert_eq!(parse_duration("596h31m23s647ms"), Ok(MAX_DURATION_MS));
        for long in ["600h", "596h31m23s648ms", "2147483.648", "1e300"] {
            let e = parse_duration(long).unwrap_err();
            assert!(
                e.contains("is too long: at most 596h31m23s647ms"),
                "{long}: {e}"
            );
        }
        assert_eq!(int_secs_to_ms(2_147_483), Ok(2_147_483_000));
        assert!(int_secs_to_ms(2_147_484).unwrap_err().contains("too long"));
        assert!(int_secs_to_ms(i64::MAX).unwrap_err().contains("too long"));
        assert_eq!(
            int_secs_to_ms(-5).unwrap_err(),
            "invalid duration -5: it cannot be negative"
        );
        assert!(parse_duration("-1.5")
            .unwrap_err()
            .contains("cannot be negative"));
    }

    #[test]
    fn duration_format_round_trips() {
        for ms in [1, 250, 1000, 5000, 90_000, 3_661_001] {
            assert_eq!(parse_duration(&format_duration(ms)), Ok(ms));
        }
        assert_eq!(format_duration(90_000), "1m30s");
    }
}
