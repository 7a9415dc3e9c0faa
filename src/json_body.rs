//! A response body read with the runtime's `JSON.parse` into what the error-message rules
//! (`librato_output::send::api_response`) walk: the same reading in every entry, and no JSON
//! reader of our own in librato-wasm/metrics' `.wasm`.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use librato_output::send::api_response::Json;

use crate::config_object::MAX_DEPTH;

/// `None` when the body is not JSON, or nests deeper than the JSON reader allowed.
pub fn read(body: &str) -> Option<Json> {
    let body = body.trim();
    // An empty body (the API's usual acknowledgement) is not JSON: said without a throw.
    // `JSON.parse("")` would throw a SyntaxError, which V8 builds with its stack trace.
    if body.is_empty() {
        return None;
    }
    let v = js_sys::JSON::parse(body).ok()?;
    from_js(&v, 0)
}

fn from_js(v: &JsValue, depth: u32) -> Option<Json> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(if let Some(s) = v.as_string() {
        Json::Str(s)
    } else if !v.is_object() {
        Json::Other
    } else if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        let mut items = Vec::with_capacity(a.length() as usize);
        for item in a.iter() {
            items.push(from_js(&item, depth + 1)?);
        }
        Json::Array(items)
    } else {
        let mut entries = Vec::new();
        for k in Object::keys(v.unchecked_ref::<Object>()).iter() {
            let value = Reflect::get(v, &k).ok()?;
            entries.push((
                k.as_string().unwrap_or_default(),
                from_js(&value, depth + 1)?,
            ));
        }
        Json::Object(entries)
    })
}
