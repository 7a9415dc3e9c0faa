//! The few Go string functions gobwas/glob's matchers are written with, on bytes, with Go's
//! semantics: strings are byte sequences, a matcher may be handed a slice cut inside a
//! character (gobwas's `BTree` and `Row` offset by rune counts), and an invalid byte decodes
//! as U+FFFD of width 1.

/// Go's `utf8.RuneError`.
pub const RUNE_ERROR: char = '\u{FFFD}';

/// `utf8.DecodeRune`: the first character and its width; `(RUNE_ERROR, 0)` when empty and
/// `(RUNE_ERROR, 1)` on an invalid byte.
pub fn decode(s: &[u8]) -> (char, usize) {
    let Some(&b) = s.first() else {
        return (RUNE_ERROR, 0);
    };
    let want = match b {
        0x00..=0x7f => return (b as char, 1),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (RUNE_ERROR, 1),
    };
    match s.get(..want).and_then(|w| std::str::from_utf8(w).ok()) {
        Some(text) => (text.chars().next().unwrap_or(RUNE_ERROR), want),
        None => (RUNE_ERROR, 1),
    }
}

/// `for i, r := range s`: each character's byte offset and the character.
pub fn runes(s: &[u8]) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= s.len() {
            return None;
        }
        let (r, w) = decode(&s[at..]);
        let i = at;
        at += w;
        Some((i, r))
    })
}

/// `utf8.RuneLen` (of a decoded character: U+FFFD counts 3 even for one invalid byte).
pub fn rune_len(r: char) -> usize {
    r.len_utf8()
}

/// `utf8.RuneCountInString`.
pub fn rune_count(s: &[u8]) -> usize {
    runes(s).count()
}

/// `strings.Index`.
pub fn index(s: &[u8], sub: &[u8]) -> Option<usize> {
    if sub.is_empty() {
        return Some(0);
    }
    s.windows(sub.len()).position(|w| w == sub)
}

/// `strings.LastIndex`.
pub fn last_index(s: &[u8], sub: &[u8]) -> Option<usize> {
    if sub.is_empty() {
        return Some(s.len());
    }
    s.windows(sub.len()).rposition(|w| w == sub)
}

/// `strings.IndexRune` (for a valid character).
pub fn index_rune(s: &[u8], r: char) -> Option<usize> {
    let mut buf = [0u8; 4];
    index(s, r.encode_utf8(&mut buf).as_bytes())
}

/// gobwas's `IndexAnyRunes`: the index of the first *listed* separator found anywhere, not
/// of the earliest separator in `s` (so with two separators it may skip past one).
pub fn index_any_runes(s: &[u8], rs: &[char]) -> Option<usize> {
    rs.iter().find_map(|&r| index_rune(s, r))
}

/// gobwas's `LastIndexAnyRunes`: the last index of the first listed ASCII separator found;
/// for a non-ASCII separator, its *first* index (a quirk of its loop).
pub fn last_index_any_runes(s: &[u8], rs: &[char]) -> Option<usize> {
    rs.iter().find_map(|&r| {
        if r.is_ascii() {
            s.iter().rposition(|&b| b == r as u8)
        } else {
            index_rune(s, r)
        }
    })
}
