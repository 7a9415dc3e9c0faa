//! A response body read with the runtime's `JSON.parse` into the `serde_json::Value` that
//! the error-message rules (`librato_output::send::api_response`) walk: the same reading in
//! every entry, and no JSON reader of our own in librato-wasm/metrics' `.wasm`.

use js_sys::{Array, Object, Reflect};
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::config_object::MAX_DEPTH;

/// `None` when the body is not JSON, or nests deeper than the JSON reader allowed.
pub fn read(body: &str) -> Option<Value> {
    let v = js_sys::JSON::parse(body.trim()).ok()?;
    from_js(&v, 0)
}

fn from_js(v: &JsValue, depth: u32) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(if v.is_null() {
        Value::Null
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        let mut items = Vec::with_capacity(a.length() as usize);
        for item in a.iter() {
            items.push(from_js(&item, depth + 1)?);
        }
        Value::Array(items)
    } else {
        let mut map = Map::new();
        for k in Object::keys(v.unchecked_ref::<Object>()).iter() {
            let value = Reflect::get(v, &k).ok()?;
            map.insert(
                k.as_string().unwrap_or_default(),
                from_js(&value, depth + 1)?,
            );
        }
        Value::Object(map)
    })
}
