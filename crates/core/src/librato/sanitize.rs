//! Telegraf's `reUnacceptedChar` (`[^.a-zA-Z0-9_-]` → `-`), applied per Unicode scalar value.

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

#[cfg(test)]
mod tests {
    use super::*;

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
