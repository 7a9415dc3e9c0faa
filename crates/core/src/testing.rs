//! Helpers for this crate's tests.

/// A xorshift64 sequence from `seed` (non-zero): cheap, repeatable pseudo-random numbers for
/// tests that sweep many generated cases.
pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
