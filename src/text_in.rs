//! JS strings into wasm memory as UTF-8: whole, or a piece at a time for large inputs.
//!
//! The runtime's native `TextEncoder.encodeInto` writes the UTF-8 straight into wasm memory,
//! one copy in all. (`JsValue::as_string` walks the string in a JS loop first, and `encode`
//! makes a JS copy first: each costs more than the whole parse on big inputs.)

use js_sys::JsString;
use wasm_bindgen::prelude::*;

use crate::convert::get;

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, input: &JsString, dest: &js_sys::Uint8Array) -> JsValue;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A JS string as a Rust `String`; `None` if no encoder works.
pub fn big_string(s: &JsString) -> Option<String> {
    let mut buf = Vec::new();
    encode_range(s, 0, s.length(), &mut buf).then_some(())?;
    // encodeInto writes only well-formed UTF-8 (lone surrogates become U+FFFD) and never
    // splits a character across rounds; checking costs little next to the parse.
    String::from_utf8(buf).ok()
}

/// A JS string handed over a piece of about `units` UTF-16 units at a time, so wasm memory
/// never holds all of a large input (it would stay grown after the call: wasm memory does
/// not shrink).
pub struct Pieces {
    s: JsString,
    len: u32,
    at: u32,
    units: u32,
    /// Set if the encoder made no progress (not a working `encodeInto`).
    pub failed: bool,
}

impl Pieces {
    pub fn new(s: JsString, units: u32) -> Pieces {
        Pieces {
            len: s.length(),
            s,
            at: 0,
            units: units.max(2),
            failed: false,
        }
    }

    /// Appends the next piece to `buf`; says whether more follows.
    pub fn next_into(&mut self, buf: &mut Vec<u8>) -> bool {
        let mut end = self.at.saturating_add(self.units).min(self.len);
        // A surrogate pair split between pieces would encode as two U+FFFD.
        if end < self.len && (0xD800..0xDC00).contains(&(self.s.char_code_at(end - 1) as u32)) {
            end -= 1;
        }
        if !encode_range(&self.s, self.at, end, buf) {
            self.failed = true;
            return false;
        }
        self.at = end;
        self.at < self.len
    }
}

/// Appends the UTF-8 of units `from..to` of `s` to `buf`; false if the encoder stalls.
fn encode_range(s: &JsString, from: u32, to: u32, buf: &mut Vec<u8>) -> bool {
    // One byte per UTF-16 unit is exact for ASCII, the usual case; the rest of a non-ASCII
    // text gets room for its worst case (3 bytes per unit) on the next round.
    buf.reserve((to - from) as usize);
    let mut read = from;
    while read < to {
        let rest = if read == 0 && to == s.length() {
            s.clone()
        } else {
            s.slice(read, to)
        };
        let spare = buf.capacity() - buf.len();
        // SAFETY: the view covers the Vec's spare capacity and is used before anything else
        // can allocate (which could grow and move wasm memory).
        let view =
            unsafe { js_sys::Uint8Array::view_mut_raw(buf.as_mut_ptr().add(buf.len()), spare) };
        let done = ENCODER.with(|e| e.encode_into(&rest, &view));
        let units_read = get(&done, "read").as_f64().unwrap_or(0.0) as u32;
        let written = get(&done, "written").as_f64().unwrap_or(0.0) as usize;
        // SAFETY: encodeInto wrote `written` bytes (never more than the view's length).
        unsafe { buf.set_len(buf.len() + written.min(spare)) };
        if units_read == 0 && spare >= 4 {
            return false; // no progress with room for any character: not a working encoder
        }
        read += units_read;
        if read < to {
            buf.reserve((to - read) as usize * 3);
        }
    }
    true
}
