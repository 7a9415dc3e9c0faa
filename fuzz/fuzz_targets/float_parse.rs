//! Our decimal → f64 reader against the standard library's: the same bits (or both NaN), or
//! both an error, for any text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_core::number::parse_f64;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    match (parse_f64(s), s.parse::<f64>().ok()) {
        (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
        (a, b) => assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{s:?}"),
    }
});
