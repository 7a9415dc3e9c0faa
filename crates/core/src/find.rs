//! Searching text: substring search for the short needles the crates look for (`${`,
//! `FIELDNAME`, a secret in a message...), newline counts, and skipping eight bytes at a time. `str::find(&str)` and friends
//! bring in core's two-way searcher, about 3.4 KB of wasm, which buys nothing at these
//! lengths; the `.wasm` has a size budget.
//!
//! For the same budget, the crates slice a `str` with [`piece`], not `&s[a..b]`: the indexing
//! panic formats its message with `char`'s `Debug` and Unicode's printable tables, ~4 KB of
//! gzipped wasm that nothing else needs (measured in docs/performance.md).

use core::slice::SliceIndex;

/// `&s[range]` at offsets the caller found at ASCII delimiters or by [`find`] (always
/// character boundaries), without the slicing panic. Debug builds (the tests, the fuzz
/// targets) still assert the range is valid; a release build gives `""` for one that is not.
///
/// ```
/// use librato_core::find::piece;
/// assert_eq!(piece("cpu,host=a", 4..), "host=a");
/// assert_eq!(piece("cpu,host=a", ..3), "cpu");
/// ```
#[inline(always)]
pub fn piece<R: SliceIndex<str, Output = str>>(s: &str, range: R) -> &str {
    let got = s.get(range);
    debug_assert!(
        got.is_some(),
        "a str sliced off a character boundary or past its end"
    );
    got.unwrap_or_default()
}

/// Byte offset of the first `needle` in `hay`. A match starts where the needle's first
/// character does, so the offset is always a character boundary.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return Some(0);
    };
    let last_start = h.len().checked_sub(n.len())?;
    (0..=last_start).find(|&i| h[i] == first && &h[i..i + n.len()] == n)
}

/// Whether `needle` occurs in `hay` (a small substring search: the library's two-way
/// searcher costs kilobytes of wasm).
///
/// ```
/// assert!(librato_core::find::contains("cpu.usage_idle", "usage"));
/// assert!(!librato_core::find::contains("cpu", "mem"));
/// ```
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay` with every `needle` replaced by `with` (left to right, not overlapping).
pub fn replace_all(hay: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(piece(rest, ..i));
        out.push_str(with);
        rest = piece(rest, i + needle.len()..);
    }
    out.push_str(rest);
    out
}

/// `0x01` in every byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte of a word.
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// From `pos`, skips eight bytes at a time while `marks` marks none of them (the high bit of
/// a byte, exact for the lowest marked byte); returns the position of the first marked byte,
/// or where fewer than eight bytes are left. (Tried on line-protocol field values and
/// timestamps too: no measurable gain on tokens that short.)
#[inline(always)]
pub(crate) fn skip_words(bytes: &[u8], mut pos: usize, marks: fn(u64) -> u64) -> usize {
    while let Some(word) = bytes.get(pos..pos + 8) {
        let mask = marks(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        if mask != 0 {
            return pos + (mask.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    pos
}

/// How many `\n` bytes `bytes` holds.
pub fn count_newlines(bytes: &[u8]) -> u32 {
    // Eight bytes at a time (wasm has no vector compares unless built with SIMD): the exact
    // zero-byte test on the word xor '\n' marks each newline's high bit, and those are counted.
    const LOW7: u64 = !HIGHS;
    const NL: u64 = ONES * 0x0a;
    let mut words = bytes.chunks_exact(8);
    let mut n = 0;
    for w in &mut words {
        let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8])) ^ NL;
        n += (!(((x & LOW7) + LOW7) | x | LOW7)).count_ones();
    }
    n + words.remainder().iter().filter(|&&b| b == b'\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_the_standard_library() {
        let hays = [
            "",
            "a",
            "abc",
            "a${b}${c}",
            "éé${é",
            "xxFIELDNAME.y",
            "aaa",
            "😀@{s:k}",
        ];
        let needles = [
            "",
            "a",
            "${",
            "@{",
            "é$",
            "FIELDNAME",
            "aa",
            "zzzzzzzzzz",
            "😀",
        ];
        for h in hays {
            for n in needles {
                assert_eq!(find(h, n), h.find(n), "{h:?} / {n:?}");
                assert_eq!(contains(h, n), h.contains(n));
                if !n.is_empty() {
                    assert_eq!(
                        replace_all(h, n, "[x]"),
                        h.replace(n, "[x]"),
                        "{h:?} / {n:?}"
                    );
                }
            }
        }
        assert_eq!(replace_all("abc", "", "x"), "abc");
    }

    #[test]
    fn newlines_counted_eight_bytes_at_a_time_as_one_at_a_time() {
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| match next() % 5 {
                    0 => b'\n',
                    1 => 0x0a ^ 0x80,
                    2 => 0x0b,
                    _ => next() as u8,
                })
                .collect();
            let want = bytes.iter().filter(|&&b| b == b'\n').count() as u32;
            assert_eq!(count_newlines(&bytes), want, "{bytes:?}");
        }
        assert_eq!(count_newlines(&[b'\n'; 64]), 64);
        assert_eq!(count_newlines(&[0u8; 64]), 0);
    }
}
