//! Telegraf's `reUnacceptedChar` (`[^.a-zA-Z0-9_-]` → `-`), applied per Unicode scalar value,
//! for gauge names and sources; and the tagged API's tag rules (`librato-api.md`): a tag key
//! keeps `-.:_A-Za-z0-9`, a tag value also `?`, `\`, `/` and space, every other character
//! becomes `_` (as librato-java's and appoptics-api-go's sanitisers do).

const fn allowed_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-';
        b += 1;
    }
    t
}
static ALLOWED: [bool; 256] = allowed_table();

#[inline]
fn allowed(b: u8) -> bool {
    ALLOWED[b as usize]
}

/// Appends the sanitised form of `s` to `out`: every character outside `.a-zA-Z0-9_-`
/// becomes one `-` (a multi-byte character too). The output is always ASCII.
#[inline]
pub fn push_sanitized(out: &mut Vec<u8>, s: &str) {
    // Nearly every name is clean already: copy it whole.
    if s.bytes().all(allowed) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    for &b in s.as_bytes() {
        if b < 0x80 {
            out.push(if allowed(b) { b } else { b'-' });
        } else if b >= 0xC0 {
            // Lead byte of a multi-byte character: one '-' for the whole character.
            out.push(b'-');
        }
        // Continuation bytes (0x80..=0xBF) add nothing.
    }
}

/// Length in characters of the sanitised form of `s` (= its number of Unicode scalar values).
#[inline]
pub fn sanitized_len(s: &str) -> usize {
    s.as_bytes().iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Which characters a tag key (`false`) or a tag value (`true`) keeps.
const fn tag_table(value: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'.' | b':' | b'_')
            || (value && matches!(c, b'?' | b'\\' | b'/' | b' '));
        b += 1;
    }
    t
}
static TAG_KEY: [bool; 256] = tag_table(false);
static TAG_VALUE: [bool; 256] = tag_table(true);

/// Appends `s` sanitised as a tag key (`value = false`) or tag value (`true`), at most `max`
/// characters: one `_` for each character outside the allowed set (a multi-byte character
/// too). Returns whether anything was changed or cut. The output is always ASCII.
pub fn push_tag_sanitized(out: &mut Vec<u8>, s: &str, value: bool, max: usize) -> bool {
    let table = if value { &TAG_VALUE } else { &TAG_KEY };
    let start = out.len();
    if s.len() <= max && s.bytes().all(|b| table[b as usize]) {
        out.extend_from_slice(s.as_bytes());
        return false;
    }
    for &b in s.as_bytes() {
        if out.len() - start == max {
            return true;
        }
        if b < 0x80 {
            out.push(if table[b as usize] { b } else { b'_' });
        } else if b >= 0xC0 {
            out.push(b'_');
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str, value: bool, max: usize) -> (String, bool) {
        let mut out = Vec::new();
        let changed = push_tag_sanitized(&mut out, s, value, max);
        (String::from_utf8(out).unwrap(), changed)
    }

    #[test]
    fn tag_keys_and_values_per_character() {
        assert_eq!(tag("host", false, 64), ("host".into(), false));
        assert_eq!(tag("a b/c?d", false, 64), ("a_b_c_d".into(), true));
        assert_eq!(tag("a b/c?d\\e", true, 255), ("a b/c?d\\e".into(), false));
        assert_eq!(tag("é=\"😀", true, 255), ("____".into(), true));
        assert_eq!(tag("x:y.z-_", false, 64), ("x:y.z-_".into(), false));
        assert_eq!(tag(&"k".repeat(70), false, 64), ("k".repeat(64), true));
        assert_eq!(tag(&"日".repeat(300), true, 255), ("_".repeat(255), true));
        assert_eq!(tag("", true, 255), (String::new(), false));
    }

    fn san(s: &str) -> String {
        let mut out = Vec::new();
        push_sanitized(&mut out, s);
        assert_eq!(out.len(), sanitized_len(s));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sanitize_per_character() {
        assert_eq!(san("a b"), "a-b");
        assert_eq!(san("cpu.usage_idle-1"), "cpu.usage_idle-1");
        assert_eq!(san("😀"), "-");
        assert_eq!(san("é:x/y=z"), "--x-y-z");
        assert_eq!(san("日本"), "--");
        assert_eq!(san(""), "");
    }
}
