//! Substring search for the short needles the crates look for (`${`, `FIELDNAME`, a secret
//! in a message...). `str::find(&str)` and friends bring in core's two-way searcher, about
//! 3.4 KB of wasm, which buys nothing at these lengths; the `.wasm` has a size budget.

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
        out.push_str(&rest[..i]);
        out.push_str(with);
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
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
}
