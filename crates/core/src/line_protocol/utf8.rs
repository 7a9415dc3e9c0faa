//! Bytes in: invalid UTF-8 is the error of the line that holds it, never of the whole input
//! (and never silently replaced, as a `TextDecoder` would, which would send mangled names).

use std::borrow::Cow;

use crate::metric::{cut, ErrorKind, LineError, QUOTE_CHARS};

/// `bytes` as text, with every physical line that holds invalid UTF-8 emptied (its newline
/// kept, so line numbers stay) and reported as an error: 1-based line, **byte** column of the
/// first bad byte, the bad bytes quoted as `\xNN`. Valid input is borrowed, not copied.
///
/// ```
/// use librato_core::line_protocol::utf8_lines;
///
/// let (text, errors) = utf8_lines(b"a v=1 1\nb\xff v=2 1\nc v=3 1\n");
/// assert_eq!(text, "a v=1 1\n\nc v=3 1\n");
/// assert_eq!((errors[0].line, errors[0].column), (2, 2));
/// assert_eq!(errors[0].message, "invalid UTF-8 at byte 2 of the line: \\xFF");
/// ```
pub fn utf8_lines(bytes: &[u8]) -> (Cow<'_, str>, Vec<LineError>) {
    let first_bad = match std::str::from_utf8(bytes) {
        Ok(text) => return (Cow::Borrowed(text), Vec::new()),
        Err(e) => e.valid_up_to(),
    };
    let mut out = String::with_capacity(bytes.len());
    let mut errors = Vec::new();
    // Everything before the line of the first bad byte is valid.
    let mut start = bytes[..first_bad]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    out.push_str(std::str::from_utf8(&bytes[..start]).unwrap_or_default());
    let mut line = 1 + bytes[..start].iter().filter(|&&b| b == b'\n').count() as u32;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        let raw = &bytes[start..end];
        match std::str::from_utf8(raw) {
            Ok(text) => out.push_str(text),
            Err(e) => errors.push(bad_line(line, raw, e)),
        }
        if end < bytes.len() {
            out.push('\n');
        }
        start = end + 1;
        line += 1;
    }
    (Cow::Owned(out), errors)
}

fn bad_line(line: u32, raw: &[u8], e: std::str::Utf8Error) -> LineError {
    let at = e.valid_up_to();
    let len = e.error_len().unwrap_or(raw.len() - at).clamp(1, 4);
    let quoted: String = raw[at..at + len]
        .iter()
        .map(|b| format!("\\x{b:02X}"))
        .collect();
    LineError {
        line,
        column: at as u32 + 1,
        kind: ErrorKind::InvalidUtf8,
        message: format!("invalid UTF-8 at byte {} of the line: {quoted}", at + 1),
        text: cut(&String::from_utf8_lossy(raw), QUOTE_CHARS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_input_is_borrowed() {
        let (text, errors) = utf8_lines("m v=1 1\né v=2 2".as_bytes());
        assert!(matches!(text, Cow::Borrowed(_)));
        assert!(errors.is_empty());
    }

    #[test]
    fn each_bad_line_is_its_own_error_and_the_others_stay() {
        let input = b"ok1 v=1 1\n\xc3( v=1 1\nok2 v=2 2\nx,t=\xe2\x82 v=1 1\nok3 v=3 3";
        let (text, errors) = utf8_lines(input);
        assert_eq!(text, "ok1 v=1 1\n\nok2 v=2 2\n\nok3 v=3 3");
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].line, errors[0].column), (2, 1));
        assert_eq!(
            errors[0].message,
            "invalid UTF-8 at byte 1 of the line: \\xC3"
        );
        assert_eq!((errors[1].line, errors[1].column), (4, 5));
        // A sequence cut short by the end of the line: every byte of it is quoted.
        assert_eq!(
            errors[1].message,
            "invalid UTF-8 at byte 5 of the line: \\xE2\\x82"
        );
        assert_eq!(errors[1].text, "x,t=\u{FFFD} v=1 1");
    }

    #[test]
    fn a_bad_last_line_without_newline() {
        let (text, errors) = utf8_lines(b"a v=1 1\n\xff");
        assert_eq!(text, "a v=1 1\n");
        assert_eq!(errors[0].line, 2);
    }
}
