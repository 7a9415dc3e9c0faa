//! Telegraf duration strings: a number and a unit, possibly several (`1m30s`, `1.5s`, `500ms`).

use librato_core::find::piece;

/// The longest duration accepted, in milliseconds: JS timers take a signed 32-bit count, and
/// a longer one fires at once (a `timeout` of 600h would time every request out).
pub const MAX_DURATION_MS: u64 = i32::MAX as u64;

fn too_long(s: &str) -> String {
    format!(
        "duration \"{s}\" is too long: at most {} (the longest timer JS runtimes keep)",
        format_duration(MAX_DURATION_MS)
    )
}

/// Nanoseconds per unit.
const NS_PER_S: u64 = 1_000_000_000;
const NS_PER_MS: u64 = 1_000_000;

/// Parses a duration into milliseconds (sub-millisecond parts are rounded up to whole ms,
/// so a non-zero duration never becomes zero). Exact: the decimal text is read in integers
/// (as Go's `time.ParseDuration` does), not through a float.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    let invalid = || format!("invalid duration \"{s}\"");
    // Telegraf accepts a bare number as seconds (Go's ParseFloat grammar, with an exponent).
    let (neg, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, piece(s, 1..)),
        Some(b'+') => (false, piece(s, 1..)),
        _ => (false, s),
    };
    if ["inf", "infinity", "nan"]
        .iter()
        .any(|w| unsigned.eq_ignore_ascii_case(w))
    {
        return Err(if neg && !unsigned.eq_ignore_ascii_case("nan") {
            format!("invalid duration \"{s}\": it cannot be negative")
        } else {
            invalid()
        });
    }
    if let Some(number) = Decimal::read(unsigned, true) {
        let ns = number.scaled(NS_PER_S);
        return match ns {
            Some((0, false)) => Ok(0),
            _ if neg => Err(format!("invalid duration \"{s}\": it cannot be negative")),
            Some(ns) => ms_of(ns).ok_or_else(|| too_long(s)),
            None => Err(too_long(s)),
        };
    }
    let (mut total_ns, mut inexact) = (0u64, false);
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
        let n = Decimal::read(number, false).ok_or_else(invalid)?;
        rest = after;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let (unit, after) = (piece(rest, ..unit_len), piece(rest, unit_len..));
        let scale: u64 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => NS_PER_MS,
            "s" => NS_PER_S,
            "m" => 60 * NS_PER_S,
            "h" => 3600 * NS_PER_S,
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
        let (ns, frac) = n.scaled(scale).ok_or_else(|| too_long(s))?;
        total_ns = total_ns.checked_add(ns).ok_or_else(|| too_long(s))?;
        inexact |= frac;
        rest = after;
    }
    ms_of((total_ns, inexact)).ok_or_else(|| too_long(s))
}

/// Whole nanoseconds (and whether a fraction of one was left) as milliseconds rounded up,
/// `None` past [`MAX_DURATION_MS`].
fn ms_of((ns, inexact): (u64, bool)) -> Option<u64> {
    let ms = ns / NS_PER_MS + u64::from(inexact || ns % NS_PER_MS != 0);
    (ms <= MAX_DURATION_MS).then_some(ms)
}

/// An unsigned decimal number's text as its digits and where the point falls among them.
struct Decimal {
    digits: Vec<u8>,
    /// How many digits come before the point (the exponent added; may be negative).
    point: i64,
}

impl Decimal {
    /// `digits[.digits]` (either side may be empty, not both), then with `exponent` an
    /// optional `e[+-]digits`: Rust's and Go's float grammar without sign or words.
    fn read(text: &str, exponent: bool) -> Option<Decimal> {
        let (mut digits, mut dot) = (Vec::new(), None);
        let mut rest = text.len();
        for (i, b) in text.bytes().enumerate() {
            match b {
                b'0'..=b'9' => digits.push(b - b'0'),
                b'.' if dot.is_none() => dot = Some(digits.len()),
                _ => {
                    rest = i;
                    break;
                }
            }
        }
        let mut point = dot.unwrap_or(digits.len()) as i64;
        if rest < text.len() {
            if !exponent || text.as_bytes()[rest] | 0x20 != b'e' {
                return None;
            }
            // i64's reader takes the exponent's sign; one too long for it is refused.
            point = point.checked_add(piece(text, rest + 1..).parse().ok()?)?;
        }
        (!digits.is_empty()).then_some(Decimal { digits, point })
    }

    /// The number times `scale`, as its whole part and whether a fraction was left; `None`
    /// when the whole part overflows. All in u64 (u128 division would link compiler-rt's).
    fn scaled(&self, scale: u64) -> Option<(u64, bool)> {
        let split = self.point.clamp(0, self.digits.len() as i64) as usize;
        let (int_digits, frac_digits) = self.digits.split_at(split);
        let mut int = 0u64;
        for &d in int_digits {
            int = int.checked_mul(10)?.checked_add(d.into())?;
        }
        // Zeros between the last digit and the point.
        if int != 0 {
            for _ in self.digits.len() as i64..self.point {
                int = int.checked_mul(10)?;
            }
        }
        // floor(0.d1 d2 ... dk × scale) by Horner's rule from the last digit: flooring at each
        // step gives the exact floor, and any remainder on the way means a fraction was left.
        // Zeros between the point and the first digit are steps too (past 20 nothing is left:
        // the carry is below 10^14).
        let leading_zeros = (-self.point).clamp(0, 20) as usize;
        let (mut carry, mut inexact) = (0u64, false);
        for &d in frac_digits
            .iter()
            .rev()
            .chain([0u8].iter().cycle().take(leading_zeros))
        {
            let v = u64::from(d) * scale + carry;
            inexact |= v % 10 != 0;
            carry = v / 10;
        }
        Some((int.checked_mul(scale)?.checked_add(carry)?, inexact))
    }
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
    fn durations_are_read_exactly_in_integers() {
        for (s, ms) in [
            ("0.001", 1),
            ("1e-3", 1),
            ("1.5e3", 1_500_000),
            ("1.5E+3", 1_500_000),
            ("+5", 5000),
            (".5", 500),
            ("5.", 5000),
            ("-0", 0),
            ("0e999999999", 0),
            // A positive duration never rounds to zero, however small.
            ("0.0000000001", 1),
            ("1e-999999", 1),
            ("1ns", 1),
            ("1.0000001ms", 2),
            ("0.999999999999999999999999s", 1000),
            ("1.000000000000000000000001s", 1001),
            ("1.5h", 5_400_000),
            ("1.5m0.5s", 90_500),
            ("2147483.647", MAX_DURATION_MS),
            ("1000000us", 1000),
            ("1000001us", 1001),
        ] {
            assert_eq!(parse_duration(s), Ok(ms), "{s}");
        }
        for long in [
            "2147483.6470001",
            "1e10",
            "99999999999999999999999999999999999999999h",
            "596h31m23.6471s",
        ] {
            assert!(
                parse_duration(long).unwrap_err().contains("too long"),
                "{long}"
            );
        }
        for (bad, message) in [
            ("inf", "invalid duration \"inf\""),
            ("NaN", "invalid duration \"NaN\""),
            ("-nan", "invalid duration \"-nan\""),
            (
                "-Infinity",
                "invalid duration \"-Infinity\": it cannot be negative",
            ),
            ("-1.5", "invalid duration \"-1.5\": it cannot be negative"),
            ("-1e-9", "invalid duration \"-1e-9\": it cannot be negative"),
            (".", "invalid duration \".\""),
            ("1.2.3s", "invalid duration \"1.2.3s\""),
            (
                "1e",
                "invalid duration \"1e\": unknown unit \"e\" (use ns, us, ms, s, m or h)",
            ),
            (
                "1e+s",
                "invalid duration \"1e+s\": unknown unit \"e+s\" (use ns, us, ms, s, m or h)",
            ),
            (
                "-1s",
                "invalid duration \"-1s\": expected a number before \"-1s\"",
            ),
        ] {
            assert_eq!(parse_duration(bad), Err(message.to_string()), "{bad}");
        }
    }

    #[test]
    fn duration_format_round_trips() {
        for ms in [1, 250, 1000, 5000, 90_000, 3_661_001] {
            assert_eq!(parse_duration(&format_duration(ms)), Ok(ms));
        }
        assert_eq!(format_duration(90_000), "1m30s");
    }
}
