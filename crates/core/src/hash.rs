//! A fast hash for maps keyed by our own strings (metric names, field names, JS string caches):
//! the standard library's SipHash resists hash flooding, which nothing here needs, and costs
//! much more per key, in wasm above all.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Firefox's multiply-rotate hash ("Fx"), eight bytes at a time.
///
/// ```
/// use librato_core::hash::FxHashMap;
///
/// let mut m: FxHashMap<String, u32> = FxHashMap::default();
/// m.insert("cpu".into(), 1);
/// assert_eq!(m.get("cpu"), Some(&1));
/// ```
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault};

    #[test]
    fn different_keys_hash_apart_and_equal_keys_alike() {
        let b = BuildHasherDefault::<FxHasher>::default();
        let h = |s: &str| b.hash_one(s);
        assert_eq!(h("usage_idle"), h("usage_idle"));
        let keys = [
            "a",
            "b",
            "ab",
            "ba",
            "usage_idle",
            "usage_user",
            "12345678",
            "123456789",
        ];
        for (i, x) in keys.iter().enumerate() {
            for y in &keys[i + 1..] {
                assert_ne!(h(x), h(y), "{x} {y}");
            }
        }
    }
}
