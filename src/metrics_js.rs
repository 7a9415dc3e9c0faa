//! `parse()`'s metrics for JS as flat arrays, which `buildMetrics` in `pkg/src/api.js` (the
//! tape's only reader) makes into `Metric` objects in one plain JS loop.
//!
//! Building each object from Rust cost a boundary crossing per property (and a JS value
//! handle per string, tag and field): 100,000 metrics took most of `parse()`'s time there.
//! Instead the metrics are written into a tape of numbers, their floats and integers into
//! typed arrays and every distinct string once into a table. (The reader lives in the glue
//! every runtime entry already loads rather than in a wasm-bindgen snippet, a file every
//! bundler, Worker and page would have to list; the tests compare both ends.)
//!
//! Tape, per metric: name, tag count, (key, value)*, field count, (key, kind, [payload])*,
//! all strings as table indices. Kinds: 0 float and 1 integer (next in `floats`/`ints`,
//! integers as bigint), 2 unsigned (next in `ints`, read back as unsigned), 3 boolean
//! (payload 0/1), 4 string (payload: index). Each metric's time is the next in `ints`.

use js_sys::{BigInt64Array, Float64Array, Uint32Array};
use wasm_bindgen::prelude::*;

use librato_core::hash::FxHashMap;
use librato_core::metric::{FieldValue, Metric};

// Field kinds on the tape (`buildMetrics` reads the same numbers).
const FLOAT: u32 = 0;
const INT: u32 = 1;
const UINT: u32 = 2;
const BOOL: u32 = 3;
const STRING: u32 = 4;

/// Strings longer than this are not looked up (they rarely repeat).
const SHARED_MAX_BYTES: usize = 64;

/// Metrics written as they are parsed, made into JS objects by [`MetricsTape::into_js`].
#[derive(Default)]
pub struct MetricsTape {
    /// Every string once (long ones each time), back to back.
    table: String,
    /// UTF-16 offset of each string in `table`, and the end.
    offsets: Vec<u32>,
    /// The UTF-16 length of `table` so far.
    table_units: u32,
    index: FxHashMap<String, u32>,
    tape: Vec<u32>,
    floats: Vec<f64>,
    ints: Vec<i64>,
}

impl MetricsTape {
    /// Appends one metric.
    pub fn push(&mut self, m: &Metric<'_>) {
        let name = self.string(&m.name);
        self.tape.push(name);
        self.tape.push(m.tags.len() as u32);
        for (k, v) in &m.tags {
            let (k, v) = (self.string(k), self.string(v));
            self.tape.extend_from_slice(&[k, v]);
        }
        self.tape.push(m.fields.len() as u32);
        for (k, v) in &m.fields {
            let k = self.string(k);
            self.tape.push(k);
            match v {
                FieldValue::Float(f) => {
                    self.tape.push(FLOAT);
                    self.floats.push(*f);
                }
                FieldValue::Int(i) => {
                    self.tape.push(INT);
                    self.ints.push(*i);
                }
                FieldValue::UInt(u) => {
                    self.tape.push(UINT);
                    self.ints.push(*u as i64); // the same 64 bits, read back unsigned
                }
                FieldValue::Bool(b) => self.tape.extend_from_slice(&[BOOL, u32::from(*b)]),
                FieldValue::Str(s) => {
                    let s = self.string(s);
                    self.tape.extend_from_slice(&[STRING, s]);
                }
            }
        }
        self.ints.push(m.time);
    }

    /// The table index of `s`, adding it if new.
    fn string(&mut self, s: &str) -> u32 {
        if s.len() <= SHARED_MAX_BYTES {
            if let Some(&i) = self.index.get(s) {
                return i;
            }
        }
        let i = self.offsets.len() as u32;
        self.offsets.push(self.table_units);
        self.table.push_str(s);
        // JS slices by UTF-16 code units; ASCII is one unit a byte.
        self.table_units += match s.is_ascii() {
            true => s.len() as u32,
            false => s.encode_utf16().count() as u32,
        };
        if s.len() <= SHARED_MAX_BYTES {
            self.index.insert(s.to_string(), i);
        }
        i
    }

    /// The tape as `{ table, offsets, tape, floats, ints }` (typed arrays copied out of wasm
    /// memory) for `buildMetrics`.
    pub fn into_js(mut self) -> JsValue {
        self.offsets.push(self.table_units);
        let out = js_sys::Object::new();
        crate::convert::set(&out, "table", &JsValue::from_str(&self.table));
        crate::convert::set(&out, "offsets", &Uint32Array::from(&self.offsets[..]));
        crate::convert::set(&out, "tape", &Uint32Array::from(&self.tape[..]));
        crate::convert::set(&out, "floats", &Float64Array::from(&self.floats[..]));
        crate::convert::set(&out, "ints", &BigInt64Array::from(&self.ints[..]));
        out.into()
    }
}
