//! gobwas/glob's matchers (`match/*.go`, v0.2.3), one variant each, with its `Match`,
//! `Index` and `Len` exactly as written there, quirks included: Telegraf matches with
//! these, so a name passes or not exactly as it would in Telegraf.
//!
//! `index` returns where the matcher first matches and the byte lengths of its possible
//! matches there (gobwas's "segments"); `len` is the length in characters when fixed.

use super::go::{
    decode, index, index_any_runes, last_index, last_index_any_runes, rune_count, rune_len, runes,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// `*`: no separator.
    Any(Vec<char>),
    AnyOf(Vec<Matcher>),
    BTree(Box<BTree>),
    Contains {
        needle: String,
        not: bool,
    },
    EveryOf(Vec<Matcher>),
    List {
        list: Vec<char>,
        not: bool,
    },
    Max(usize),
    Min(usize),
    Nothing,
    Prefix(String),
    PrefixAny(String, Vec<char>),
    PrefixSuffix(String, String),
    Range {
        lo: char,
        hi: char,
        not: bool,
    },
    Row {
        matchers: Vec<Matcher>,
        len: usize,
    },
    /// `?`: one character that is not a separator.
    Single(Vec<char>),
    Suffix(String),
    SuffixAny(String, Vec<char>),
    /// `**`: anything.
    Super,
    Text(String),
}

/// A value matcher with what must match on its left and right.
#[derive(Debug, Clone, PartialEq)]
pub struct BTree {
    pub value: Matcher,
    pub left: Option<Matcher>,
    pub right: Option<Matcher>,
    value_len: isize,
    left_len: isize,
    right_len: isize,
    len: isize,
}

impl BTree {
    /// `NewBTree`: lengths are fixed here, from the matchers as given.
    pub fn new(value: Matcher, left: Option<Matcher>, right: Option<Matcher>) -> BTree {
        let value_len = value.len();
        let mut ok = value_len != -1;
        let left_len = left.as_ref().map_or(0, Matcher::len);
        let right_len = right.as_ref().map_or(0, Matcher::len);
        ok = ok && left_len != -1 && right_len != -1;
        BTree {
            value,
            left,
            right,
            value_len,
            left_len,
            right_len,
            len: if ok {
                left_len + value_len + right_len
            } else {
                -1
            },
        }
    }

    fn is_match(&self, s: &[u8]) -> bool {
        let input_len = s.len();
        if self.len != -1 && self.len as usize > input_len {
            return false;
        }
        // Rune counts used as byte offsets, as in gobwas.
        let mut offset = if self.left_len >= 0 {
            self.left_len as usize
        } else {
            0
        };
        let limit = if self.right_len >= 0 {
            input_len.saturating_sub(self.right_len as usize)
        } else {
            input_len
        };
        while offset < limit {
            let Some((idx, segments)) = self.value.index(&s[offset..limit]) else {
                return false;
            };
            let l = &s[..offset + idx];
            let left = match &self.left {
                Some(m) => m.is_match(l),
                None => l.is_empty(),
            };
            if left {
                for &length in segments.iter().rev() {
                    let r: &[u8] = if input_len <= offset + idx + length {
                        &[]
                    } else {
                        &s[offset + idx + length..]
                    };
                    let right = match &self.right {
                        Some(m) => m.is_match(r),
                        None => r.is_empty(),
                    };
                    if right {
                        return true;
                    }
                }
            }
            let (_, step) = decode(&s[offset + idx..]);
            // (A zero step would loop for ever; gobwas never gets here with one.)
            offset += idx + step.max(1);
        }
        false
    }
}

/// Byte offsets of every character start in `s`, then `s.len()` (any cut point).
fn every_cut(s: &[u8], from: usize) -> Vec<usize> {
    let mut out: Vec<usize> = runes(s).map(|(i, _)| from + i).collect();
    out.push(from + s.len());
    out
}

/// gobwas's `appendMerge`: two sorted lists merged, equal values once.
fn append_merge(target: &[usize], sub: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(target.len() + sub.len());
    let (mut x, mut y) = (0, 0);
    while x < target.len() || y < sub.len() {
        if x >= target.len() {
            out.extend_from_slice(&sub[y..]);
            break;
        }
        if y >= sub.len() {
            out.extend_from_slice(&target[x..]);
            break;
        }
        match target[x].cmp(&sub[y]) {
            std::cmp::Ordering::Equal => {
                out.push(target[x]);
                x += 1;
                y += 1;
            }
            std::cmp::Ordering::Less => {
                out.push(target[x]);
                x += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(sub[y]);
                y += 1;
            }
        }
    }
    out
}

/// One decoded character filling all of `s` (`len(s) > w` fails; an empty `s` decodes as
/// U+FFFD, so `[!a]` and `?` match the empty string, as in gobwas).
fn single_char(s: &[u8]) -> Option<char> {
    let (r, w) = decode(s);
    (s.len() <= w).then_some(r)
}

impl Matcher {
    /// `Len()`: the length in characters when fixed, else -1.
    pub fn len(&self) -> isize {
        match self {
            Matcher::AnyOf(ms) => {
                let mut l = -1;
                for m in ms {
                    let ml = m.len();
                    if l == -1 {
                        l = ml;
                    } else if ml == -1 || l != ml {
                        return -1;
                    }
                }
                l
            }
            Matcher::BTree(b) => b.len,
            // gobwas's loop starts at 0 and only adds while positive: -1 for any matcher.
            Matcher::EveryOf(ms) if ms.is_empty() => 0,
            Matcher::List { .. } | Matcher::Range { .. } | Matcher::Single(_) => 1,
            Matcher::Nothing => 0,
            Matcher::Row { len, .. } => *len as isize,
            Matcher::Text(t) => rune_count(t.as_bytes()) as isize,
            _ => -1,
        }
    }

    /// `Match()`: whether all of `s` matches.
    pub fn is_match(&self, s: &[u8]) -> bool {
        match self {
            Matcher::Any(seps) => index_any_runes(s, seps).is_none(),
            Matcher::AnyOf(ms) => ms.iter().any(|m| m.is_match(s)),
            Matcher::BTree(b) => b.is_match(s),
            Matcher::Contains { needle, not } => index(s, needle.as_bytes()).is_some() != *not,
            Matcher::EveryOf(ms) => ms.iter().all(|m| m.is_match(s)),
            Matcher::List { list, not } => {
                single_char(s).is_some_and(|r| list.contains(&r) != *not)
            }
            Matcher::Max(limit) => rune_count(s) <= *limit,
            // Counts up to the limit: an empty string never reaches it, even a limit of 0.
            Matcher::Min(limit) => runes(s).enumerate().any(|(n, _)| n + 1 >= *limit),
            Matcher::Nothing => s.is_empty(),
            Matcher::Prefix(p) => s.starts_with(p.as_bytes()),
            Matcher::PrefixAny(p, seps) => {
                s.starts_with(p.as_bytes()) && index_any_runes(&s[p.len()..], seps).is_none()
            }
            Matcher::PrefixSuffix(p, x) => s.starts_with(p.as_bytes()) && s.ends_with(x.as_bytes()),
            Matcher::Range { lo, hi, not } => {
                single_char(s).is_some_and(|r| (*lo <= r && r <= *hi) != *not)
            }
            Matcher::Row { matchers, len } => rune_count(s) == *len && row_match_all(matchers, s),
            Matcher::Single(seps) => single_char(s).is_some_and(|r| !seps.contains(&r)),
            Matcher::Suffix(x) => s.ends_with(x.as_bytes()),
            Matcher::SuffixAny(x, seps) => {
                s.ends_with(x.as_bytes())
                    && index_any_runes(&s[..s.len() - x.len()], seps).is_none()
            }
            Matcher::Super => true,
            Matcher::Text(t) => s == t.as_bytes(),
        }
    }

    /// `Index()`: the first position where this matches and the possible lengths there.
    pub fn index(&self, s: &[u8]) -> Option<(usize, Vec<usize>)> {
        match self {
            Matcher::Any(seps) => match index_any_runes(s, seps) {
                Some(0) => Some((0, vec![0])),
                Some(found) => Some((0, every_cut(&s[..found], 0))),
                None => Some((0, every_cut(s, 0))),
            },
            Matcher::AnyOf(ms) => {
                let mut best: Option<(usize, Vec<usize>)> = None;
                for m in ms {
                    let Some((idx, seg)) = m.index(s) else {
                        continue;
                    };
                    best = match best {
                        None => Some((idx, seg)),
                        Some((at, _)) if idx < at => Some((idx, seg)),
                        Some((at, cur)) if idx > at => Some((at, cur)),
                        Some((at, cur)) => Some((at, append_merge(&cur, &seg))),
                    };
                }
                best
            }
            Matcher::BTree(_) => None,
            Matcher::Contains { needle, not } => {
                let idx = index(s, needle.as_bytes());
                let (offset, rest) = if !*not {
                    let at = idx?;
                    let offset = at + needle.len();
                    if s.len() <= offset {
                        return Some((0, vec![offset]));
                    }
                    (offset, &s[offset..])
                } else {
                    (0, idx.map_or(s, |i| &s[..i]))
                };
                Some((0, every_cut(rest, offset)))
            }
            Matcher::EveryOf(ms) => every_of_index(ms, s),
            Matcher::List { list, not } => runes(s)
                .find(|&(_, r)| *not != list.contains(&r))
                .map(|(i, r)| (i, vec![rune_len(r)])),
            Matcher::Max(limit) => {
                let mut segs = vec![0];
                for (count, (i, r)) in runes(s).enumerate() {
                    if count + 1 > *limit {
                        break;
                    }
                    segs.push(i + rune_len(r));
                }
                Some((0, segs))
            }
            Matcher::Min(limit) => {
                if s.len() < *limit {
                    return None;
                }
                let segs: Vec<usize> = runes(s)
                    .enumerate()
                    .filter(|(count, _)| count + 1 >= *limit)
                    .map(|(_, (i, r))| i + rune_len(r))
                    .collect();
                (!segs.is_empty()).then_some((0, segs))
            }
            Matcher::Nothing => Some((0, vec![0])),
            Matcher::Prefix(p) => {
                let idx = index(s, p.as_bytes())?;
                let n = p.len();
                let sub = &s[(idx + n).min(s.len())..];
                let mut segs = vec![n];
                segs.extend(runes(sub).map(|(i, r)| n + i + rune_len(r)));
                Some((idx, segs))
            }
            Matcher::PrefixAny(p, seps) => {
                let idx = index(s, p.as_bytes())?;
                let n = p.len();
                let mut sub = &s[idx + n..];
                if let Some(i) = index_any_runes(sub, seps) {
                    sub = &sub[..i];
                }
                let mut segs = vec![n];
                segs.extend(runes(sub).map(|(i, r)| n + i + rune_len(r)));
                Some((idx, segs))
            }
            Matcher::PrefixSuffix(p, x) => {
                let prefix_idx = index(s, p.as_bytes())?;
                if x.is_empty() {
                    return Some((prefix_idx, vec![s.len() - prefix_idx]));
                }
                if s.len() - prefix_idx == 0 {
                    return None;
                }
                let mut segs = Vec::new();
                let mut sub = &s[prefix_idx..];
                while let Some(i) = last_index(sub, x.as_bytes()) {
                    segs.push(i + x.len());
                    sub = &sub[..i];
                }
                if segs.is_empty() {
                    return None;
                }
                segs.reverse();
                Some((prefix_idx, segs))
            }
            Matcher::Range { lo, hi, not } => runes(s)
                .find(|&(_, r)| *not != (*lo <= r && r <= *hi))
                .map(|(i, r)| (i, vec![rune_len(r)])),
            Matcher::Row { matchers, len } => {
                for (i, _) in runes(s) {
                    if s.len() - i < *len {
                        break;
                    }
                    if row_match_all(matchers, &s[i..]) {
                        return Some((i, vec![*len]));
                    }
                }
                None
            }
            Matcher::Single(seps) => runes(s)
                .find(|&(_, r)| !seps.contains(&r))
                .map(|(i, r)| (i, vec![rune_len(r)])),
            Matcher::Suffix(x) => {
                let idx = index(s, x.as_bytes())?;
                Some((0, vec![idx + x.len()]))
            }
            Matcher::SuffixAny(x, seps) => {
                let idx = index(s, x.as_bytes())?;
                let i = last_index_any_runes(&s[..idx], seps).map_or(0, |i| i + 1);
                Some((i, vec![idx + x.len() - i]))
            }
            Matcher::Super => Some((0, every_cut(s, 0))),
            Matcher::Text(t) => index(s, t.as_bytes()).map(|i| (i, vec![t.len()])),
        }
    }
}

/// `Row.matchAll`: each fixed-length matcher against the next piece, the piece cut one
/// byte past the start of its last character (a multi-byte last character is cut, as in
/// gobwas). Where gobwas would slice past the end (a zero-length part, from an empty
/// alternative, at the end of the text: it panics there), the piece is empty.
fn row_match_all(matchers: &[Matcher], s: &[u8]) -> bool {
    let mut idx = 0;
    for m in matchers {
        let length = m.len().max(0) as usize;
        let rest = s.get(idx..).unwrap_or_default();
        let mut next = 0;
        let mut i = 0;
        for (at, _) in runes(rest) {
            next = at;
            i += 1;
            if i == length {
                break;
            }
        }
        if i < length || !m.is_match(rest.get(..next + 1).unwrap_or(rest)) {
            return false;
        }
        idx += next + 1;
    }
    true
}

/// `EveryOf.Index`: positions where every matcher matches with the same lengths.
fn every_of_index(ms: &[Matcher], s: &[u8]) -> Option<(usize, Vec<usize>)> {
    let mut index = 0usize;
    let mut offset = 0usize;
    let mut current: Vec<usize> = Vec::new();
    let mut sub = s;
    for (n, m) in ms.iter().enumerate() {
        let (idx, seg) = m.index(sub)?;
        if n == 0 {
            current = seg;
        } else {
            let delta = index as isize - (idx + offset) as isize;
            let next: Vec<usize> = current
                .iter()
                .flat_map(|&ex| {
                    seg.iter()
                        .filter(move |&&x| ex as isize + delta == x as isize)
                        .copied()
                })
                .collect();
            if next.is_empty() {
                return None;
            }
            current = next;
        }
        index = idx + offset;
        sub = &s[index..];
        offset += idx;
    }
    Some((index, current))
}
