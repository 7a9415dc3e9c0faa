//! Decimal text to f64, correctly rounded, with Rust's `str::parse::<f64>` grammar: our own so
//! that the wasm carries no copy of the standard library's parser, whose 10 KB table of
//! 128-bit powers of five does not compress (see docs/performance.md).
//!
//! Three paths: a fast decimal reading for the common `[-]digits[.digits]` (line protocol and
//! JSON field values); Clinger's fast path for up to 19 digits with a small power of ten; and for
//! the rest, the exact multi-precision decimal that Go's `strconv` falls back on (shift the
//! decimal digits by powers of two until the value is in [1/2, 1), then read 53 bits and
//! round half to even, a digit beyond the 800 kept counting as "a little more").

/// 10^0 ..= 10^22, every one exact in f64.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Clinger's fast path for the common `[-]digits[.digits]`: when the digits as an integer
/// are at most 2^53 and there are at most 22 decimals, both it and the power of ten are
/// exact doubles and one correctly rounded division gives the correctly rounded value (what
/// the full reading gives). Anything else (exponents, long mantissas) is left to
/// `parse_f64_general`.
#[inline]
fn fast_decimal(b: &[u8]) -> Option<f64> {
    let (neg, rest) = match b {
        [b'-', rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    // At most 19 digits: their value fits a u64 without overflow.
    if rest.len() > 19 {
        return None;
    }
    let (mut mant, mut digits, mut decimals, mut dot) = (0u64, 0usize, 0usize, false);
    for &c in rest {
        if c == b'.' {
            if dot {
                return None;
            }
            dot = true;
            continue;
        }
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        mant = mant * 10 + d as u64;
        digits += 1;
        decimals += usize::from(dot);
    }
    if digits == 0 || mant > 1 << 53 || decimals >= EXACT_POW10.len() {
        return None;
    }
    let v = mant as f64 / EXACT_POW10[decimals];
    Some(if neg { -v } else { v })
}

/// Decimal digits (nothing else) into a u64; `None` on an empty text, another byte, or overflow.
#[inline]
pub(crate) fn parse_u64_digits(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    // Leading zeros are fine at any length, as in Go's strconv.ParseInt/ParseUint.
    let zeros = digits.iter().take_while(|&&b| b == b'0').count();
    let digits = &digits[zeros.min(digits.len() - 1)..];
    if digits.len() > 20 {
        return None;
    }
    // Up to 19 digits cannot overflow a u64, so they are read with plain arithmetic: checked
    // multiplication compiles to a 128-bit multiply call on wasm32, once per digit.
    let (head, last) = if digits.len() == 20 {
        (&digits[..19], Some(digits[19]))
    } else {
        (digits, None)
    };
    let mut v: u64 = 0;
    for &b in head {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    match last {
        None => Some(v),
        Some(b) => {
            let d = b.wrapping_sub(b'0');
            if d > 9 || v > (u64::MAX - d as u64) / 10 {
                return None;
            }
            Some(v * 10 + d as u64)
        }
    }
}

/// Reads `s` as Rust's `s.parse::<f64>()` does: optional sign, then `inf`, `infinity` or
/// `nan` (any case), or digits with an optional `.` (at least one digit in all) and an
/// optional exponent `e`/`E`, sign, digits. `None` where that parser gives an error; the
/// same value (overflow to ±inf, underflow to ±0) where it gives one.
#[inline]
pub fn parse_f64(s: &str) -> Option<f64> {
    // The common decimal (every line-protocol and JSON float of ordinary size) first.
    fast_decimal(s.as_bytes()).or_else(|| parse_f64_general(s))
}

/// [`parse_f64`] beyond the fast decimal: signs, words, exponents, long mantissas.
fn parse_f64_general(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (negative, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let v = if rest.first().is_some_and(|c| c.is_ascii_alphabetic()) {
        special(rest)?
    } else {
        Decimal::read(rest)?.into_f64()
    };
    Some(if negative { -v } else { v })
}

/// `inf`, `infinity` or `nan` in any case.
fn special(b: &[u8]) -> Option<f64> {
    let is = |word: &[u8]| b.eq_ignore_ascii_case(word);
    if is(b"inf") || is(b"infinity") {
        Some(f64::INFINITY)
    } else if is(b"nan") {
        Some(f64::NAN)
    } else {
        None
    }
}

/// Digits kept; a non-zero digit beyond them sets `trunc`.
const MAX_DIGITS: usize = 800;

/// A non-negative decimal `0.d[0]d[1]...d[nd-1] × 10^dp` (digits as values 0-9).
struct Decimal {
    d: Vec<u8>,
    dp: i32,
    /// Non-zero digits were dropped beyond `MAX_DIGITS`.
    trunc: bool,
}

impl Decimal {
    /// The unsigned part of a number; `None` if it is not one.
    fn read(b: &[u8]) -> Option<Decimal> {
        let mut d = Decimal {
            d: Vec::new(),
            dp: 0,
            trunc: false,
        };
        let (mut i, mut digits, mut dot) = (0, false, false);
        // Significant digits read, those beyond `MAX_DIGITS` too: the point sits after them.
        let mut significant: i32 = 0;
        while i < b.len() {
            match b[i] {
                // Leading zeros before the point count for nothing; after it, each moves
                // the point (through `dp`, as no digit is kept for them).
                b'.' if !dot => {
                    dot = true;
                    d.dp = significant;
                }
                c @ b'0'..=b'9' => {
                    digits = true;
                    if c == b'0' && d.d.is_empty() {
                        d.dp -= 1;
                        i += 1;
                        continue;
                    }
                    significant = significant.saturating_add(1);
                    if d.d.len() < MAX_DIGITS {
                        d.d.push(c - b'0');
                    } else if c != b'0' {
                        d.trunc = true;
                    }
                }
                _ => break,
            }
            i += 1;
        }
        if !digits {
            return None;
        }
        if !dot {
            d.dp = significant;
        }
        if i < b.len() {
            if b[i] | 0x20 != b'e' {
                return None;
            }
            i += 1;
            let negative = b.get(i) == Some(&b'-');
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if i == b.len() {
                return None;
            }
            let mut e: i32 = 0;
            for &c in &b[i..] {
                if !c.is_ascii_digit() {
                    return None;
                }
                // Beyond this every value is already 0 or infinite.
                if e < 100_000 {
                    e = e * 10 + i32::from(c - b'0');
                }
            }
            d.dp = d.dp.saturating_add(if negative { -e } else { e });
        }
        Some(d)
    }

    fn into_f64(mut self) -> f64 {
        // Drop trailing zeros: they change nothing, and the fast path counts digits.
        while self.d.last() == Some(&0) {
            self.d.pop();
        }
        if self.d.is_empty() {
            return 0.0;
        }
        if let Some(v) = self.clinger() {
            return v;
        }
        f64::from_bits(self.bits())
    }

    /// Up to 19 digits times an exact power of ten: one correctly rounded operation.
    fn clinger(&self) -> Option<f64> {
        if self.trunc || self.d.len() > 19 {
            return None;
        }
        let mant = self.d.iter().fold(0u64, |n, &c| n * 10 + u64::from(c));
        let e10 = self.dp - self.d.len() as i32;
        if mant > 1 << 53 {
            return None;
        }
        match e10 {
            0..=22 => Some(mant as f64 * EXACT_POW10[e10 as usize]),
            -22..=-1 => Some(mant as f64 / EXACT_POW10[(-e10) as usize]),
            _ => None,
        }
    }

    /// The nearest f64's bits (ties to even), by binary shifts of the decimal digits.
    fn bits(&mut self) -> u64 {
        const MANT_BITS: u32 = 52;
        const BIAS: i32 = -1023;
        const INF: u64 = 0x7ff << MANT_BITS;
        // Bits to shift by to move the point past 1, 2, ... decimal digits without overshooting.
        const POWTAB: [i32; 9] = [1, 3, 6, 9, 13, 16, 19, 23, 26];
        if self.dp > 310 {
            return INF;
        }
        if self.dp < -330 {
            return 0;
        }
        // Scale by powers of two into [1/2, 1).
        let mut exp: i32 = 0;
        while self.dp > 0 {
            let n = POWTAB.get(self.dp as usize).copied().unwrap_or(27);
            self.shift_right(n as u32);
            exp += n;
        }
        while self.dp < 0 || self.dp == 0 && self.d.first().is_some_and(|&c| c < 5) {
            let n = POWTAB.get((-self.dp) as usize).copied().unwrap_or(27);
            self.shift_left(n as u32);
            exp -= n;
        }
        // [1/2, 1) is [1, 2) one binary place up.
        exp -= 1;
        if exp < BIAS + 1 {
            // Subnormal: below the smallest exponent, give up bits of the mantissa.
            let n = BIAS + 1 - exp;
            for _ in 0..n / 60 {
                self.shift_right(60);
            }
            self.shift_right((n % 60) as u32);
            exp += n;
        }
        if exp - BIAS >= 0x7ff {
            return INF;
        }
        self.shift_left(MANT_BITS + 1);
        let mut mant = self.rounded_integer();
        if mant == 2 << MANT_BITS {
            mant >>= 1;
            exp += 1;
            if exp - BIAS >= 0x7ff {
                return INF;
            }
        }
        if mant & (1 << MANT_BITS) == 0 {
            exp = BIAS; // subnormal
        }
        (mant & ((1 << MANT_BITS) - 1)) | (((exp - BIAS) as u64 & 0x7ff) << MANT_BITS)
    }

    /// Halves the value `k` times (k ≤ 60).
    fn shift_right(&mut self, k: u32) {
        let d = &mut self.d;
        let (mut r, mut w) = (0, 0);
        let mut n: u64 = 0;
        // Read digits until the number read has k bits to give.
        while n >> k == 0 {
            if r >= d.len() {
                if n == 0 {
                    d.clear();
                    return;
                }
                while n >> k == 0 {
                    n *= 10;
                    r += 1;
                }
                break;
            }
            n = n * 10 + u64::from(d[r]);
            r += 1;
        }
        self.dp -= r as i32 - 1;
        let mask = (1u64 << k) - 1;
        while r < d.len() {
            let c = u64::from(d[r]);
            d[w] = (n >> k) as u8;
            w += 1;
            n = (n & mask) * 10 + c;
            r += 1;
        }
        d.truncate(w);
        while n > 0 {
            let digit = (n >> k) as u8;
            n = (n & mask) * 10;
            if d.len() < MAX_DIGITS {
                d.push(digit);
            } else if digit > 0 {
                self.trunc = true;
            }
        }
        while d.last() == Some(&0) {
            d.pop();
        }
    }

    /// Doubles the value `k` times (k ≤ 60): digits are written from the right, into as many
    /// new places as `k` bits can add, and leading zeros are dropped after.
    fn shift_left(&mut self, k: u32) {
        let d = &mut self.d;
        // 2^k has at most k·log10(2) + 1 digits; 0.302 > log10(2).
        let room = (k as usize * 302) / 1000 + 1;
        let old = d.len();
        d.resize(old + room, 0);
        let mut n: u64 = 0;
        let mut w = old + room;
        for r in (0..old).rev() {
            n += u64::from(d[r]) << k;
            let quo = n / 10;
            w -= 1;
            d[w] = (n - 10 * quo) as u8;
            n = quo;
        }
        while n > 0 {
            let quo = n / 10;
            w -= 1;
            d[w] = (n - 10 * quo) as u8;
            n = quo;
        }
        // `w` leading places were not needed.
        d.drain(..w);
        self.dp += (room - w) as i32;
        if d.len() > MAX_DIGITS {
            if d[MAX_DIGITS..].iter().any(|&c| c != 0) {
                self.trunc = true;
            }
            d.truncate(MAX_DIGITS);
        }
        while d.last() == Some(&0) {
            d.pop();
        }
    }

    /// Whether cutting the digits at `nd` rounds up (ties to even).
    fn round_up_at(&self, nd: usize) -> bool {
        if nd >= self.d.len() {
            return false;
        }
        if self.d[nd] == 5 && nd + 1 == self.d.len() {
            // Exactly halfway, unless digits were dropped (then a little more).
            return self.trunc || nd > 0 && self.d[nd - 1] % 2 == 1;
        }
        self.d[nd] >= 5
    }

    /// The integer part, rounded (the value is below 2^54 here).
    fn rounded_integer(&self) -> u64 {
        if self.dp < 0 {
            return 0; // below 0.1: rounds to 0
        }
        let dp = self.dp as usize;
        let mut n: u64 = 0;
        for i in 0..dp {
            n = n * 10 + u64::from(self.d.get(i).copied().unwrap_or(0));
        }
        n + u64::from(self.round_up_at(dp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path gives exactly what Rust's correctly rounding parser gives.
    #[test]
    fn fast_decimal_is_the_parser() {
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15u64);
        let mut checked = 0;
        for _ in 0..300_000 {
            let int = next() % 10u64.pow((next() % 17) as u32 + 1);
            let frac_digits = (next() % 20) as usize;
            let frac: String = (0..frac_digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let sign = if next() % 4 == 0 { "-" } else { "" };
            let dot = if frac_digits > 0 || next() % 3 == 0 {
                "."
            } else {
                ""
            };
            let text = format!("{sign}{int}{dot}{frac}");
            let want: f64 = text.parse().unwrap();
            if let Some(got) = fast_decimal(text.as_bytes()) {
                assert_eq!(got.to_bits(), want.to_bits(), "{text}");
                checked += 1;
            }
        }
        assert!(checked > 100_000, "{checked}");
        for (t, want) in [
            (".5", Some(0.5)),
            ("1.", Some(1.0)),
            (".", None),
            ("-", None),
            ("1.2.3", None),
            ("1e3", None),
            ("-0.0", Some(-0.0)),
            // 20 digits would overflow a u64 (and wrap to a wrong value): the full parser.
            ("99999999999999999999", None),
            ("1234567890123456789.0", None),
        ] {
            assert_eq!(
                fast_decimal(t.as_bytes()).map(f64::to_bits),
                want.map(f64::to_bits),
                "{t}"
            );
        }
    }

    /// Exactly what `str::parse::<f64>` gives (the same bits, or both an error), over the
    /// corners of its grammar and of rounding.
    #[test]
    fn parse_f64_is_the_standard_parser() {
        let check = |s: &str| {
            let want = s.parse::<f64>().ok();
            let got = parse_f64(s);
            match (got, want) {
                (Some(g), Some(w)) if g.is_nan() && w.is_nan() => {}
                (g, w) => assert_eq!(g.map(f64::to_bits), w.map(f64::to_bits), "{s:?}"),
            }
        };
        for s in [
            "", "+", "-", ".", "e5", "1e", "1e+", "1e-", "1.e5", "1.", ".5", "+.5", "-.e1", "+1",
            "inf", "+inf", "-Infinity", "NaN", "-nan", "infinity", "infinit", "nana", "1_0",
            "0x10", " 1", "1 ", "1e99999999999999999999", "1e-99999999999999999", "00.5e-0",
            "0", "-0", "0.0e10", "1e308", "1.7976931348623157e308", "1.7976931348623158e308",
            "1.7976931348623159e308", "2.2250738585072011e-308", "2.2250738585072014e-308",
            "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
            "5e-324", "1e-400", "9007199254740993", "9007199254740992.5", "123456789012345678901234567890",
            "0.1", "0.30000000000000004", "1e22", "1e23", "8.98846567431158e307",
            "2.225073858507201136057409796709131975934819546351645648023426109724822222021076945516529523908135087914149158913039621106870086438694594645527657207407820621743379988141063267329253552286881372149012981122451451889849057222307285255133155755015914397476397983411801999323962548289017107081850690630666655994938275772572015763062690663332647565300009245888316433037779791869612049497390377829704905051080609940730262937128958950003583799967207254304360284078895771796150945516748243471030702609144621572289880258182545180325707018860872113128079512233426288368622321503775666622503982534335974568884423900265498198385487948292206894721689831099698365846814022854243330660339850886445804001034933970427567186443383770486037861622771738545623065874679014086723327636718749999999999999999999999999999999999999e-308",
        ] {
            check(s);
        }
        // Beyond the 800 digits kept, the point still sits after every digit read (the
        // float_parse fuzz target found 1,350 digits × 10^-890 read as finite).
        for len in [799, 800, 801, 820, 1350] {
            let digits: String = (0..len).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
            for exp in [
                "", "e-890", "e-500", "e-1100", "e-1500", "e-700", "e-1000", "e-340",
            ] {
                check(&format!("{digits}{exp}"));
                check(&format!(
                    "{}.{}{exp}",
                    &digits[..len / 2],
                    &digits[len / 2..]
                ));
                check(&format!("0.000{digits}{exp}"));
            }
        }
        // Random texts over the grammar's alphabet, biased to long and halfway cases.
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15u64);
        let alphabet = b"0123456789012345678950000.eE+-";
        for round in 0..40_000 {
            let len = 1 + (next() % if round % 10 == 0 { 60 } else { 24 }) as usize;
            let s: String = (0..len)
                .map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize]))
                .collect();
            check(&s);
            // And well-formed numbers with many digits and any exponent.
            let digits: String = (0..1 + next() % 40)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let e = next() % 700;
            let s = format!("{}.{}e-{}", &digits[..1], &digits[1..], e);
            check(&s);
            let s = format!("{digits}e{}", next() % 330);
            check(&s);
        }
        // Every f64's exact decimal expansion (up to 767 significant digits) reads back as
        // itself; one unit more or less in a far digit stays on the right side of halfway.
        for _ in 0..3_000 {
            let v = f64::from_bits(next() % 0x7ff0_0000_0000_0000);
            let exact = format!("{v:.800e}");
            check(&exact);
            let (mant, exp) = exact.split_once('e').unwrap();
            check(&format!("{}1e{exp}", mant));
            let halfway_ish = format!("{}5e{exp}", mant.trim_end_matches('0'));
            check(&halfway_ish);
        }
    }
}
