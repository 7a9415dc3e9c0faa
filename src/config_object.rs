//! A config object read straight from JS into the config reader's values ([`CValue`]), as
//! `JSON.stringify` would see it (so a config means what it meant when it went through JSON
//! text), without JSON text, the JSON reader and a `serde_json::Value` in between: with
//! [`crate::http`]'s `JSON.parse` of response bodies, that keeps the JSON reader out of
//! librato-wasm/metrics' `.wasm` (about 6 KB of its gzipped size).

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use librato_output::config::{CValue, Entry};

use crate::convert::js_error;

/// Deeper is refused (the JSON reader's limit was 127 levels; `JSON.stringify`'s the stack).
pub const MAX_DEPTH: u32 = 127;

fn unreadable() -> JsValue {
    js_error(
        "invalid_config",
        "config object cannot be read as JSON (does it hold a bigint or a cycle?)",
    )
}

/// `v` as `JSON.stringify` would write it, read back: `None` where it writes nothing (an
/// `undefined`, a function or a symbol as an object's value).
pub fn to_cvalue(v: &JsValue, key: &JsValue, depth: u32) -> Result<Option<CValue>, JsValue> {
    if depth > MAX_DEPTH {
        return Err(unreadable());
    }
    // toJSON first (a Date becomes its ISO string), as JSON.stringify does.
    let mut v = v.clone();
    if v.is_object() {
        if let Some(f) = Reflect::get(&v, &"toJSON".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            // call2 with a trailing `undefined` (toJSON reads one argument): the module then
            // imports one call signature fewer, and V8 compiles a wrapper per signature
            // (docs/performance.md).
            v = f.call2(&v, key, &JsValue::UNDEFINED)?;
        }
    }
    if v.is_null() {
        return Ok(Some(CValue::Other("null")));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Some(CValue::Bool(b)));
    }
    if let Some(n) = v.as_f64() {
        return Ok(Some(number(n)));
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(CValue::Str(s)));
    }
    if v.is_bigint() {
        return Err(unreadable());
    }
    if !v.is_object() || v.is_function() {
        // undefined, a symbol, a function: JSON.stringify leaves them out.
        return Ok(None);
    }
    if Array::is_array(&v) {
        let a: &Array = v.unchecked_ref();
        let mut items = Vec::with_capacity(a.length() as usize);
        for (i, item) in a.iter().enumerate() {
            let value = to_cvalue(&item, &JsValue::from(i.to_string()), depth + 1)?;
            items.push((value.unwrap_or(CValue::Other("null")), None));
        }
        return Ok(Some(CValue::Array(items)));
    }
    let mut table = Vec::new();
    for k in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let value = Reflect::get(&v, &k)?;
        if let Some(value) = to_cvalue(&value, &k, depth + 1)? {
            table.push(Entry::new(k.as_string().unwrap_or_default(), value));
        }
    }
    Ok(Some(CValue::Table(table)))
}

/// A number as its JSON text reads back: whole numbers (JSON writes them as digits below
/// 1e21) that fit an i64 are integers, every other finite number a float; NaN and ±Infinity
/// are written as null.
fn number(n: f64) -> CValue {
    // 2^63: the first whole number that no longer fits an i64.
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    if !n.is_finite() {
        CValue::Other("null")
    } else if n.fract() == 0.0 && (-I64_END..I64_END).contains(&n) {
        CValue::Int(n as i64)
    } else {
        CValue::Float(n)
    }
}
