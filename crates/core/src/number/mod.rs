//! Float text exactly as Go's `encoding/json` writes a float64, so our request bodies read like
//! Telegraf's: the shortest digits that read back as the same float64, plain decimal notation
//! for 1e-6 ≤ |v| < 1e21 and exponent notation (`1e+21`, `1.5e-7`) outside that range.

mod parse;

pub use parse::parse_f64;
pub(crate) use parse::parse_u64_digits;

use serde_json::ser::{CompactFormatter, Formatter};

/// Appends `v` (finite) to `out` in Go's JSON float format.
#[inline]
pub fn write_float(out: &mut Vec<u8>, v: f64) {
    // Whole numbers below 2^53 (every integer field of ordinary size, and many floats) are
    // exactly their integer digits in Go's format; skip the shortest-digits search for them.
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 && !(v == 0.0 && v.is_sign_negative())
    {
        write_int(out, v as i64);
        return;
    }
    if !write_short_decimal(out, v) {
        write_float_slow(out, v);
    }
}

/// 10^0 ..= 10^15, all exact in f64.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The common case of a fraction in plain notation (1e-6 ≤ |v| < 1e15), without the
/// shortest-digits search (whose 128-bit products are library calls in wasm): the fewest
/// decimals `d` for which the nearest `d`-decimal number reads back as `v`. Its digits are
/// the shortest round-trip digits: while `|v|·10^d < 2^52` the numbers that read back as `v`
/// span less than one unit of the d-th decimal, so at most one `d`-decimal number does, and
/// it is within half a unit of `|v|·10^d` (within the two integers around the product, whose
/// rounding error is below 1/2). Fewer decimals means fewer digits, so the first `d` found is
/// the shortest. Returns false (nothing written) when it cannot decide.
#[inline]
fn write_short_decimal(out: &mut Vec<u8>, v: f64) -> bool {
    let a = v.abs();
    if !(1e-6..1e15).contains(&a) {
        return false;
    }
    for (d, &scale) in POW10.iter().enumerate().skip(1) {
        let p = a * scale;
        if p >= 4_503_599_627_370_496.0 {
            return false; // 2^52: the argument above no longer holds
        }
        let lo = p.floor();
        // IEEE division rounds correctly, so `n / 10^d` is exactly how "n·10^-d" reads back.
        let n = if lo / scale == a {
            lo
        } else if (lo + 1.0) / scale == a {
            lo + 1.0
        } else {
            continue;
        };
        write_decimal(out, v < 0.0, n as u64, d);
        return true;
    }
    false
}

/// Writes `n·10^-decimals` in plain notation (`n` has no trailing zero).
fn write_decimal(out: &mut Vec<u8>, negative: bool, mut n: u64, decimals: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while n > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let digits = &buf[i..];
    if negative {
        out.push(b'-');
    }
    if digits.len() > decimals {
        let point = digits.len() - decimals;
        out.extend_from_slice(&digits[..point]);
        out.push(b'.');
        out.extend_from_slice(&digits[point..]);
    } else {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', decimals - digits.len()));
        out.extend_from_slice(digits);
    }
}

/// Any float as text for messages, the way Go's `%v` prints it: the JSON digits, and `NaN`,
/// `+Inf` or `-Inf`. (Rust's own float printing would add about 20 KB to the wasm.)
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let mut out = Vec::new();
    write_float(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

fn write_float_slow(out: &mut Vec<u8>, v: f64) {
    // serde_json's formatter gives the shortest round-trip digits; only its choice of
    // notation differs from Go's, so the digits are reused and the notation fixed up.
    let mut stack = [0u8; 40];
    let mut cursor = std::io::Cursor::new(&mut stack[..]);
    let _ = CompactFormatter.write_f64(&mut cursor, v);
    let len = cursor.position() as usize;
    let buf = &stack[..len];
    let exp_at = buf.iter().position(|&b| b == b'e');
    let abs = v.abs();
    let go_uses_exponent = abs != 0.0 && !(1e-6..1e21).contains(&abs);
    match exp_at {
        None => {
            let text = buf.strip_suffix(b".0").unwrap_or(buf);
            out.extend_from_slice(text);
        }
        Some(_) if go_uses_exponent => out.extend_from_slice(buf),
        Some(e) => expand_exponent(out, buf, e),
    }
}

/// Rewrites `d[.ddd]e±N` as a plain decimal.
fn expand_exponent(out: &mut Vec<u8>, text: &[u8], e: usize) {
    let (negative, mantissa) = match text[..e].strip_prefix(b"-") {
        Some(m) => (true, m),
        None => (false, &text[..e]),
    };
    let exp: i32 = std::str::from_utf8(&text[e + 1..])
        .ok()
        .and_then(|s| s.trim_start_matches('+').parse().ok())
        .unwrap_or(0);
    let dot = mantissa.iter().position(|&b| b == b'.');
    let int_len = dot.unwrap_or(mantissa.len()) as i32;
    let digits: Vec<u8> = mantissa.iter().copied().filter(|&b| b != b'.').collect();
    // The decimal point sits after `point` digits.
    let point = int_len + exp;
    if negative {
        out.push(b'-');
    }
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-point) as usize));
        out.extend_from_slice(&digits);
    } else if point as usize >= digits.len() {
        out.extend_from_slice(&digits);
        out.extend(std::iter::repeat_n(b'0', point as usize - digits.len()));
    } else {
        out.extend_from_slice(&digits[..point as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[point as usize..]);
    }
}

/// "00" to "99": two digits per division when writing integers.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends a decimal integer.
#[inline]
pub fn write_int(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = v.unsigned_abs();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(v: f64) -> String {
        let mut out = Vec::new();
        write_float(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    /// The shortest-digits search itself, for comparison with the fast path.
    fn slow(v: f64) -> String {
        let mut out = Vec::new();
        write_float_slow(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn short_decimals_match_the_shortest_digits_search() {
        // xorshift64*: values from decimal text of 1..=17 digits at many scales (the
        // inputs line protocol carries), and from raw bit patterns.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let mut fast = 0;
        for i in 0..400_000 {
            let r = next();
            let v = if i % 4 == 3 {
                f64::from_bits(r)
            } else {
                let digits = 1 + (r % 17) as u32;
                let mantissa = (next() % 10u64.pow(digits)) as f64;
                let exp = (r >> 8) % 30;
                let v: f64 = format!("{mantissa}e-{exp}").parse().unwrap();
                if r & (1 << 40) != 0 {
                    -v
                } else {
                    v
                }
            };
            if !v.is_finite() || v.fract() == 0.0 {
                continue;
            }
            let mut out = Vec::new();
            if write_short_decimal(&mut out, v) {
                fast += 1;
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    slow(v),
                    "{v:e} ({:#x})",
                    v.to_bits()
                );
            }
        }
        assert!(fast > 100_000, "the fast path ran {fast} times");
        // Edges: the ends of the range, many digits, and values next to them.
        for v in [
            1e-6f64,
            1.5e-6,
            0.1,
            0.3,
            2.0 / 3.0,
            123456.789,
            999999999999999.9,
            4503599627370495.5,
        ] {
            for w in [
                v,
                f64::from_bits(v.to_bits() + 1),
                f64::from_bits(v.to_bits() - 1),
            ] {
                let mut out = Vec::new();
                if write_short_decimal(&mut out, w) {
                    assert_eq!(String::from_utf8(out).unwrap(), slow(w), "{w:e}");
                }
            }
        }
    }

    #[test]
    fn float_text_prints_non_finite_like_go() {
        assert_eq!(float_text(f64::NAN), "NaN");
        assert_eq!(float_text(f64::INFINITY), "+Inf");
        assert_eq!(float_text(f64::NEG_INFINITY), "-Inf");
        assert_eq!(float_text(1.5e300), "1.5e+300");
        assert_eq!(float_text(-2.0), "-2");
    }

    #[test]
    fn float_text_matches_go_encoding_json() {
        // Expected strings are what Go's json.Marshal prints for these float64 values.
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (100.0, "100"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (112345.0, "112345"),
            (11234.5, "11234.5"),
            (123456789012.0, "123456789012"),
            (1e16, "10000000000000000"),
            (1e20, "100000000000000000000"),
            (1.2345678901234568e20, "123456789012345680000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.000001, "0.000001"),
            (0.0000012345, "0.0000012345"),
            (1e-7, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (9007199254740993.0, "9007199254740992"),
            (18446744073709551615.0, "18446744073709552000"),
            (-9.223372036854776e18, "-9223372036854776000"),
            (12345.678, "12345.678"),
            (9007199254740991.0, "9007199254740991"),
            (-9007199254740991.0, "-9007199254740991"),
            (9007199254740992.0, "9007199254740992"),
            (4294967296.0, "4294967296"),
            (-42.0, "-42"),
        ];
        for (v, want) in cases {
            assert_eq!(go(v), want, "{v:e}");
            assert_eq!(
                go(v).parse::<f64>().unwrap().to_bits(),
                v.to_bits(),
                "{v:e} round trip"
            );
        }
    }

    #[test]
    fn write_int_extremes() {
        for v in [
            0i64,
            -1,
            7,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            -10,
            i64::MIN,
            i64::MAX,
            1_257_894_000,
        ] {
            let mut out = Vec::new();
            write_int(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }
}
