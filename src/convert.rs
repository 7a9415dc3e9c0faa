//! JS values ⇄ core types. Everything crossing the boundary is checked here, and every
//! problem becomes a real `Error` with a stable `code` (and `line`/`column`/`key` when known).

use librato_core::hash::FxHashMap;
#[cfg(feature = "full")]
use std::borrow::Cow;

use js_sys::{Array, Object, Reflect};
#[cfg(feature = "full")]
use js_sys::{BigInt, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use librato_core::librato::Skipped;
#[cfg(feature = "full")]
use librato_core::metric::{FieldValue, LineError, Metric};
use librato_output::config::{self, ConfigError, LibratoConfig, LoadOptions};
#[cfg(feature = "full")]
use librato_output::render::Plan;

/// A JS `Error` with `code` and optional extra fields.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    set(&e, "code", &code.into());
    e.into()
}

pub fn config_error(e: &ConfigError) -> JsValue {
    let err = js_error("invalid_config", &e.to_string());
    if let (Some(l), Some(c)) = (e.line, e.column) {
        set(&err, "line", &l.into());
        set(&err, "column", &c.into());
    }
    if let Some(k) = &e.key {
        set(&err, "key", &k.as_str().into());
    }
    err
}

#[wasm_bindgen]
extern "C" {
    /// An object we made ourselves, for a plain `obj[key] = value`: no `Reflect.set` behind
    /// an exception-catching shim (which cost most of `parse()`'s time: ~0.6 s of 0.8 s on
    /// 100,000 metrics), since setting a property on our own fresh objects cannot throw.
    type Own;
    #[wasm_bindgen(method, structural, indexing_setter)]
    fn put(this: &Own, key: &JsValue, value: &JsValue);
}

/// `target[key] = value` on an object this module made.
pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    target
        .unchecked_ref::<Own>()
        .put(&JsValue::from_str(key), value);
}

pub fn get(target: &JsValue, key: &str) -> JsValue {
    if target.is_object() {
        Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

pub fn type_of(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

#[cfg(feature = "full")]
use crate::options::bigint_i64;

#[cfg(feature = "full")]
fn bigint_u64(v: &JsValue) -> Option<u64> {
    let b = v.dyn_ref::<BigInt>()?;
    u64::try_from(b.clone()).ok()
}

/// A config argument: nothing (defaults), TOML text (its first librato table), or an object.
pub fn config_arg(v: &JsValue, load: &LoadOptions) -> Result<LibratoConfig, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(LibratoConfig::default());
    }
    #[cfg(not(feature = "full"))]
    if v.is_string() {
        let _ = load;
        return Err(js_error(
            "invalid_config",
            "librato-wasm/metrics takes its config as an object; for TOML text import LibratoMetrics from 'librato-wasm' (the main entry reads TOML)",
        ));
    }
    #[cfg(feature = "full")]
    if let Some(text) = v.as_string() {
        let mut all = config::load_config(&text, load).map_err(|e| config_error(&e))?;
        if all.is_empty() {
            return Err(js_error(
                "invalid_config",
                "the config text has no [[outputs.librato]] table",
            ));
        }
        return Ok(all.swap_remove(0));
    }
    if !v.is_object() || Array::is_array(v) {
        return Err(js_error(
            "invalid_config",
            &format!(
                "config must be an object or TOML text, found {}",
                type_of(v)
            ),
        ));
    }
    match crate::config_object::to_cvalue(v, &JsValue::from(""), 0)? {
        Some(config::CValue::Table(t)) => {
            config::from_table(&t, load).map_err(|e| config_error(&e))
        }
        Some(config::CValue::Other("null")) | None => Ok(LibratoConfig::default()),
        // A toJSON that gives something else: as the JSON path said it.
        Some(other) => Err(js_error(
            "invalid_config",
            &format!(
                "config must be an object or TOML text, found {}",
                other.type_name()
            ),
        )),
    }
}

#[cfg(feature = "full")]
/// `Metric[]` from JS objects. Errors name the index and the key.
pub fn metrics_from_js(arr: &Array, default_time: i64) -> Result<Vec<Metric<'static>>, JsValue> {
    let mut out = Vec::with_capacity(arr.length() as usize);
    for (i, item) in arr.iter().enumerate() {
        let bad = |msg: String| js_error("invalid_metric", &format!("metrics[{i}]: {msg}"));
        if !item.is_object() {
            return Err(bad(format!(
                "expected a metric object, found {}",
                type_of(&item)
            )));
        }
        let name = get(&item, "name")
            .as_string()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| bad("name must be a non-empty string".into()))?;
        let time = match get(&item, "time") {
            v if v.is_undefined() => default_time,
            v => bigint_i64(&v).ok_or_else(|| {
                bad(format!(
                    "time must be a bigint of nanoseconds, found {}",
                    type_of(&v)
                ))
            })?,
        };
        let mut m = Metric::new(Cow::Owned(name), time);
        let tags = get(&item, "tags");
        if tags.is_object() {
            for entry in Object::entries(tags.unchecked_ref()).iter() {
                let pair: Array = entry.unchecked_into();
                let key = pair.get(0).as_string().unwrap_or_default();
                let value = pair.get(1).as_string().ok_or_else(|| {
                    bad(format!(
                        "tags[\"{key}\"] must be a string, found {}",
                        type_of(&pair.get(1))
                    ))
                })?;
                // Object keys are unique: no search needed.
                m.tags.push((Cow::Owned(key), Cow::Owned(value)));
            }
        } else if !(tags.is_undefined() || tags.is_null()) {
            return Err(bad(format!(
                "tags must be an object, found {}",
                type_of(&tags)
            )));
        }
        let fields = get(&item, "fields");
        if !fields.is_object() {
            return Err(bad(format!(
                "fields must be an object, found {}",
                type_of(&fields)
            )));
        }
        for entry in Object::entries(fields.unchecked_ref()).iter() {
            let pair: Array = entry.unchecked_into();
            let key = pair.get(0).as_string().unwrap_or_default();
            let v = pair.get(1);
            let value = if let Some(f) = v.as_f64() {
                FieldValue::Float(f)
            } else if let Some(b) = v.as_bool() {
                FieldValue::Bool(b)
            } else if let Some(s) = v.as_string() {
                FieldValue::Str(Cow::Owned(s))
            } else if v.is_bigint() {
                match (bigint_i64(&v), bigint_u64(&v)) {
                    (Some(i), _) => FieldValue::Int(i),
                    (None, Some(u)) => FieldValue::UInt(u),
                    _ => {
                        return Err(bad(format!(
                            "fields[\"{key}\"] is a bigint outside the 64-bit range"
                        )))
                    }
                }
            } else {
                return Err(bad(format!(
                    "fields[\"{key}\"] must be a number, bigint, boolean or string, found {}",
                    type_of(&v)
                )));
            };
            m.fields.push((Cow::Owned(key), value));
        }
        if m.fields.is_empty() {
            return Err(bad("fields must hold at least one field".into()));
        }
        out.push(m);
    }
    Ok(out)
}

/// JS strings made once per `parse` call: names, keys and tag values repeat on nearly every
/// line, and each fresh Rust → JS string costs a decode.
#[derive(Default)]
pub struct StringCache {
    strings: FxHashMap<String, JsValue>,
}

impl StringCache {
    /// Caches short strings only (long ones are rarely repeated). librato-wasm/metrics
    /// caches nothing: its lists (a flush's skipped series) are short, and the map is 1.5 KB
    /// of its .wasm.
    fn get(&mut self, s: &str) -> JsValue {
        if s.len() > 64 || cfg!(not(feature = "full")) {
            return JsValue::from_str(s);
        }
        if let Some(v) = self.strings.get(s) {
            return v.clone();
        }
        let v = JsValue::from_str(s);
        self.strings.insert(s.to_string(), v.clone());
        v
    }

    fn set(&mut self, target: &JsValue, key: &str, value: &JsValue) {
        target.unchecked_ref::<Own>().put(&self.get(key), value);
    }
}

#[cfg(feature = "full")]
/// Line errors as JS objects `{ line, column, message, text }`, built directly: a text of
/// 100,000 bad lines went through a JSON value per error first (1.5 s, most of it allocation
/// and garbage). Keys come from one cache, so each is decoded once.
pub fn errors_js(errors: &[LineError]) -> JsValue {
    let mut cache = StringCache::default();
    let out = Array::new();
    for e in errors {
        let o = Object::new();
        cache.set(&o, "line", &e.line.into());
        cache.set(&o, "column", &e.column.into());
        cache.set(&o, "message", &JsValue::from_str(&e.message));
        cache.set(&o, "text", &JsValue::from_str(&e.text));
        out.push(&o);
    }
    out.into()
}

/// Skipped gauges as JS objects `{ line?, metric, field?, reason, message, count? }`.
/// Metric names, fields and reasons repeat: they come from the cache too.
pub fn skipped_js(skipped: &[Skipped]) -> JsValue {
    let mut cache = StringCache::default();
    let out = Array::new();
    for s in skipped {
        let o = Object::new();
        if let Some(l) = s.line {
            cache.set(&o, "line", &l.into());
        }
        let metric = cache.get(&s.metric);
        cache.set(&o, "metric", &metric);
        if let Some(f) = &s.field {
            let f = cache.get(f);
            cache.set(&o, "field", &f);
        }
        let reason = cache.get(s.reason.code());
        cache.set(&o, "reason", &reason);
        cache.set(&o, "message", &JsValue::from_str(&s.message));
        if let Some(c) = s.count {
            cache.set(&o, "count", &(c as f64).into());
        }
        if let Some(option) = s.option {
            let option = cache.get(option);
            cache.set(&o, "option", &option);
        }
        out.push(&o);
    }
    out.into()
}

#[cfg(feature = "full")]
/// A config value (`LibratoConfig::to_table`'s) as the same JS value, built directly.
pub fn cvalue_to_js(v: &librato_output::config::CValue) -> JsValue {
    use librato_output::config::CValue;
    match v {
        CValue::Str(s) => JsValue::from_str(s),
        CValue::Int(i) => JsValue::from_f64(*i as f64),
        CValue::Float(f) => JsValue::from_f64(*f),
        CValue::Bool(b) => JsValue::from_bool(*b),
        CValue::Array(items) => items
            .iter()
            .map(|(v, _)| cvalue_to_js(v))
            .collect::<Array>()
            .into(),
        CValue::Table(t) => {
            let o = Object::new();
            for e in t {
                set(&o, &e.key, &cvalue_to_js(&e.value));
            }
            o.into()
        }
        CValue::Other(_) => JsValue::NULL,
    }
}

#[cfg(feature = "full")]
/// Strings as a JS array.
pub fn strings_js(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

#[cfg(feature = "full")]
/// One JS `LibratoRequest`.
pub fn request_js(url: &JsValue, body: &JsValue, count: usize) -> JsValue {
    let r = Object::new();
    set(&r, "method", &"POST".into());
    set(&r, "url", url);
    let headers = Object::new();
    set(&headers, "Content-Type", &"application/json".into());
    set(&r, "headers", &headers);
    set(&r, "body", body);
    set(&r, "count", &(count as u32).into());
    r.into()
}

#[cfg(feature = "full")]
/// The JS `Plan`: metadata in one JSON crossing; the requests either given (built while
/// streaming) or sliced out of the plan's one string of bodies.
pub fn plan_to_js(plan: &Plan, url: &str, streamed: Option<Array>) -> JsValue {
    let obj: JsValue = Object::new().into();
    set(&obj, "gauges", &(plan.gauges as f64).into());
    set(&obj, "skipped", &skipped_js(&plan.skipped));
    set(&obj, "errors", &errors_js(&plan.errors));
    set(&obj, "warnings", &strings_js(&plan.warnings));
    let requests = streamed.unwrap_or_else(|| {
        let all = JsString::from(plan.bodies.text.as_str());
        let url = JsValue::from_str(url);
        let requests = Array::new();
        for &(start, end, count) in &plan.bodies.batches {
            requests.push(&request_js(
                &url,
                &all.slice(start as u32, end as u32).into(),
                count,
            ));
        }
        requests
    });
    set(&obj, "requests", &requests);
    if let Some(sources) = &plan.sources {
        let out = Array::new();
        for (line, e) in sources {
            let o = Object::new();
            set(&o, "line", &(*line).into());
            set(
                &o,
                "source",
                &e.source.as_deref().map_or(JsValue::NULL, JsValue::from_str),
            );
            let steps = Array::new();
            for step in &e.steps {
                let s = Object::new();
                set(&s, "part", &step.part.as_str().into());
                set(&s, "what", &step.what.as_str().into());
                steps.push(&s);
            }
            set(&o, "steps", &steps);
            out.push(&o);
        }
        set(&obj, "sources", &out);
    }
    if let Some(notes) = &plan.tag_notes {
        let out = Array::new();
        for (line, message) in notes {
            let o = Object::new();
            set(&o, "line", &(*line).into());
            set(&o, "message", &message.as_str().into());
            out.push(&o);
        }
        set(&obj, "tagNotes", &out);
    }
    if let Some(lines) = &plan.gauge_lines {
        set(
            &obj,
            "gaugeLines",
            &js_sys::Uint32Array::from(lines.as_slice()).into(),
        );
    }
    obj
}
