//! The retry decision as a pure function of what happened, the headers, and the attempt
//! number (Vector's HTTP sink policy, with Librato's specifics): retry 408, 429, 5xx except
//! 501, timeouts and network errors; never other 4xx, and never 3xx (redirects are not
//! followed: resending to the same URL cannot help). Any 2xx acknowledges.

/// What one attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The API answered with this status.
    Status(u16),
    /// 403 whose body says the account hit its rate limit (some accounts answer so).
    RateLimited403,
    /// A 2xx whose body still holds a non-empty `errors` (the tagged API may refuse part of
    /// a request so): not acknowledged, and the same body would be refused again.
    RejectedIn2xx,
    /// No complete answer in time.
    Timeout,
    /// The request could not be made.
    Network,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// The API acknowledged the batch.
    Success,
    /// Try again after `after_ms` milliseconds.
    Retry {
        /// How long to wait first.
        after_ms: u64,
    },
    /// Give up on this batch.
    Fail {
        /// Whether sending the same body later could succeed.
        retryable: bool,
        /// The credentials are refused, so the remaining batches would fail the same way
        /// and must not be sent.
        stop_others: bool,
    },
}

/// The config's retry settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff ceiling; doubles each attempt.
    pub backoff_ms: u64,
    /// Cap for backoff and for `Retry-After`.
    pub max_wait_ms: u64,
}

/// Whether trying again could succeed.
pub fn is_retryable(outcome: Outcome) -> bool {
    match outcome {
        Outcome::Status(s) => s == 408 || s == 429 || (500..=599).contains(&s) && s != 501,
        Outcome::RateLimited403 | Outcome::Timeout | Outcome::Network => true,
        Outcome::RejectedIn2xx => false,
    }
}

/// Decides what to do after attempt number `attempt` (1-based) ended with `outcome`.
/// `retry_after` is the raw header, `now_ms` the clock (for HTTP dates) and `random` a
/// number in [0, 1) for full jitter.
pub fn decide(
    outcome: Outcome,
    retry_after: Option<&str>,
    attempt: u32,
    policy: &Policy,
    now_ms: f64,
    random: f64,
) -> Decision {
    // Any 2xx acknowledges a batch: a Librato-compatible API may answer 201 or 204.
    if let Outcome::Status(200..=299) = outcome {
        return Decision::Success;
    }
    if !is_retryable(outcome) {
        let stop_others = matches!(outcome, Outcome::Status(401 | 403));
        return Decision::Fail {
            retryable: false,
            stop_others,
        };
    }
    if attempt > policy.retries {
        return Decision::Fail {
            retryable: true,
            stop_others: false,
        };
    }
    let after_ms = match retry_after.and_then(|h| parse_retry_after(h, now_ms)) {
        Some(ms) => ms.min(policy.max_wait_ms),
        None => backoff_ms(attempt, policy, random),
    };
    Decision::Retry { after_ms }
}

/// Exponential backoff with full jitter: uniform in [0, min(cap, base · 2^(attempt-1))].
pub fn backoff_ms(attempt: u32, policy: &Policy, random: f64) -> u64 {
    let exp = attempt.saturating_sub(1).min(30);
    let ceiling = policy
        .backoff_ms
        .saturating_mul(1u64 << exp)
        .min(policy.max_wait_ms);
    (ceiling as f64 * random.clamp(0.0, 1.0)).round() as u64
}

/// `Retry-After` as delay-seconds or an HTTP date (IMF-fixdate), in milliseconds from now.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let v = value.trim();
    // delay-seconds is digits only (RFC 9110); more than an i64 holds is as long as a wait
    // can be (capped by the policy). Parsed as i64, the date's fields' type: one parser.
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            v.parse::<i64>()
                .map_or(u64::MAX, |s| (s as u64).saturating_mul(1000)),
        );
    }
    let at = parse_http_date(v)?;
    Some((at - now_ms).max(0.0) as u64)
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into milliseconds since the epoch.
// A char predicate for ':' on purpose (see `parse_rate_limit`).
#[allow(clippy::manual_pattern_char_comparison)]
pub fn parse_http_date(s: &str) -> Option<f64> {
    let s = librato_core::find::find(s, ", ").map_or(s, |i| librato_core::find::piece(s, i + 2..));
    let mut it = s.split_ascii_whitespace();
    let day: i64 = it.next()?.parse().ok()?;
    let month = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = it.next()?.parse().ok()?;
    let mut hms = it
        .next()?
        .split(|c| c == ':')
        .map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if it.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + sec) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Policy = Policy {
        retries: 3,
        backoff_ms: 500,
        max_wait_ms: 30_000,
    };

    #[test]
    fn retry_policy_table() {
        use Decision::*;
        let fail = |retryable, stop_others| Fail {
            retryable,
            stop_others,
        };
        let cases: &[(Outcome, u32, Decision)] = &[
            (Outcome::Status(200), 1, Success),
            (Outcome::Status(202), 1, Success),
            (Outcome::Status(400), 1, fail(false, false)),
            (Outcome::Status(401), 1, fail(false, true)),
            (Outcome::Status(403), 1, fail(false, true)),
            (Outcome::Status(404), 1, fail(false, false)),
            (Outcome::Status(415), 1, fail(false, false)),
            (Outcome::Status(422), 1, fail(false, false)),
            (Outcome::Status(501), 1, fail(false, false)),
            (Outcome::Status(201), 1, Success),
            (Outcome::Status(204), 1, Success),
            (Outcome::Status(299), 1, Success),
            (Outcome::Status(199), 1, fail(false, false)),
            (Outcome::Status(301), 1, fail(false, false)),
            (Outcome::Status(302), 2, fail(false, false)),
            (Outcome::Status(307), 1, fail(false, false)),
            (Outcome::Status(308), 1, fail(false, false)),
            (Outcome::Status(408), 1, Retry { after_ms: 250 }),
            (Outcome::Status(429), 1, Retry { after_ms: 250 }),
            (Outcome::RateLimited403, 1, Retry { after_ms: 250 }),
            (Outcome::Status(500), 1, Retry { after_ms: 250 }),
            (Outcome::Status(502), 2, Retry { after_ms: 500 }),
            (Outcome::Status(503), 3, Retry { after_ms: 1000 }),
            (Outcome::Status(599), 1, Retry { after_ms: 250 }),
            (Outcome::Timeout, 1, Retry { after_ms: 250 }),
            (Outcome::Network, 2, Retry { after_ms: 500 }),
            (Outcome::Status(503), 4, fail(true, false)),
            (Outcome::Timeout, 4, fail(true, false)),
        ];
        for &(outcome, attempt, want) in cases {
            assert_eq!(
                decide(outcome, None, attempt, &P, 0.0, 0.5),
                want,
                "{outcome:?} attempt {attempt}"
            );
        }
    }

    #[test]
    fn retry_zero_retries_fails_at_once() {
        let p = Policy { retries: 0, ..P };
        assert_eq!(
            decide(Outcome::Status(503), None, 1, &p, 0.0, 0.5),
            Decision::Fail {
                retryable: true,
                stop_others: false
            }
        );
    }

    #[test]
    fn retry_after_seconds_and_dates_capped() {
        let now = parse_http_date("Wed, 25 Nov 2026 16:00:00 GMT").unwrap();
        let d = |h: &str| decide(Outcome::Status(429), Some(h), 1, &P, now, 0.5);
        assert_eq!(d("1"), Decision::Retry { after_ms: 1000 });
        assert_eq!(
            d("Wed, 25 Nov 2026 16:00:05 GMT"),
            Decision::Retry { after_ms: 5000 }
        );
        assert_eq!(
            d("Wed, 25 Nov 2026 15:00:00 GMT"),
            Decision::Retry { after_ms: 0 }
        );
        assert_eq!(d("3600"), Decision::Retry { after_ms: 30_000 });
        assert_eq!(
            d("99999999999999999999"),
            Decision::Retry { after_ms: 30_000 }
        );
        // Garbage (and signed numbers: delay-seconds is digits only) falls back to backoff.
        for garbage in ["soon", "-5", "-0", "+5", ""] {
            assert_eq!(d(garbage), Decision::Retry { after_ms: 250 }, "{garbage:?}");
        }
        // Retry-After never makes a non-retryable status retryable.
        assert_eq!(
            decide(Outcome::Status(400), Some("1"), 1, &P, now, 0.5),
            Decision::Fail {
                retryable: false,
                stop_others: false
            }
        );
    }

    #[test]
    fn backoff_full_jitter_bounds() {
        assert_eq!(backoff_ms(1, &P, 0.0), 0);
        assert_eq!(backoff_ms(1, &P, 1.0), 500);
        assert_eq!(backoff_ms(4, &P, 1.0), 4000);
        assert_eq!(backoff_ms(20, &P, 1.0), 30_000);
        assert_eq!(backoff_ms(u32::MAX, &P, 1.0), 30_000);
    }

    #[test]
    fn http_date_epoch() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000.0)
        );
        assert_eq!(
            parse_http_date("06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000.0)
        );
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
    }
}
