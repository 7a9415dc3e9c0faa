//! Our JSON reader against serde_json's parser: the same value and end, or the same error
//! text at the same place.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_core::json::reader::read_value;
use serde_json::Value;

/// serde_json's (line, column) once the byte at `i` has been consumed.
fn after(text: &str, i: usize) -> (usize, usize) {
    let upto = &text.as_bytes()[..i.saturating_add(1).min(text.len())];
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = upto.len() - upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    (line, col)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let theirs = stream.next();
    match (read_value(text, 0), theirs) {
        (Ok((v, end)), Some(Ok(w))) => {
            assert_eq!(v, w, "value of {text:?}");
            assert_eq!(end, stream.byte_offset(), "end of {text:?}");
        }
        (Err(e), Some(Err(f))) => {
            assert!(text.is_char_boundary(e.at), "{text:?}: {e:?}");
            let msg = f.to_string();
            let msg = msg.find(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
            assert_eq!(e.message, msg, "message for {text:?}");
            // Our places are character boundaries; serde_json may point inside the character.
                let ch_end = (e.at + 1..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
                let here: Vec<_> = (e.at.saturating_sub(1)..ch_end.max(e.at + 1))
                    .map(|k| after(text, k))
                    .chain([after(text, e.at.wrapping_sub(1))])
                    .collect();
            // serde_json stops reading a huge exponent where it overflows; we point at the
            // end of the number (a number never spans lines).
            let early = e.message == "number out of range" && f.line() == after(text, e.at.saturating_sub(1)).0;
            assert!(
                here.contains(&(f.line(), f.column()))
                    || e.at == 0 && (f.line(), f.column()) == (1, 0)
                    || early,
                "place for {text:?}: ours byte {}, serde {}:{}",
                e.at,
                f.line(),
                f.column()
            );
        }
        // Only blanks: serde_json's stream has no value, ours says the text ended.
        (Err(e), None) => assert_eq!(e.message, "EOF while parsing a value"),
        (ours, theirs) => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
});
