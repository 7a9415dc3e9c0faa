//! JS options read through typed getters, once per call: every option name the package
//! accepts is declared here and nowhere else.

use js_sys::{Array, Function, Object};
#[cfg(feature = "full")]
use js_sys::{BigInt, JsString, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::convert::{get, js_error, type_of};
#[cfg(feature = "full")]
use librato_core::metric::{ParseOptions, Precision};
use librato_output::config::{LoadOptions, StrMap};
#[cfg(feature = "full")]
use librato_output::render::{Format, RenderOptions};

#[wasm_bindgen]
extern "C" {
    /// `ParseOptions & { maxInputBytes, explain, env, secrets, maxRequests }`: the second
    /// argument of `parse`, `render` and `write` (each reads the keys it takes).
    pub type CallOptionsJs;
    #[cfg(feature = "full")]
    #[wasm_bindgen(method, getter)]
    fn format(this: &CallOptionsJs) -> JsValue;
    #[cfg(feature = "full")]
    #[wasm_bindgen(method, getter)]
    fn precision(this: &CallOptionsJs) -> JsValue;
    #[cfg(feature = "full")]
    #[wasm_bindgen(method, getter, js_name = defaultTime)]
    fn default_time(this: &CallOptionsJs) -> JsValue;
    #[cfg(feature = "full")]
    #[wasm_bindgen(method, getter, js_name = maxInputBytes)]
    fn max_input_bytes(this: &CallOptionsJs) -> JsValue;
    #[cfg(feature = "full")]
    #[wasm_bindgen(method, getter)]
    fn explain(this: &CallOptionsJs) -> JsValue;
    #[cfg(feature = "full")]
    #[wasm_bindgen(method, getter, js_name = maxRequests)]
    fn max_requests(this: &CallOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn env(this: &CallOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn secrets(this: &CallOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn fetch(this: &CallOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn log(this: &CallOptionsJs) -> JsValue;

    /// One entry of `report.failed`, as `resend` reads it.
    pub type FailedJs;
    #[wasm_bindgen(method, getter)]
    pub fn body(this: &FailedJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn count(this: &FailedJs) -> JsValue;
}

#[cfg(feature = "full")]
/// Default for `options.maxInputBytes`: far below what a wasm instance can hold (4 GiB, of
/// which input, bodies and working memory all take a share).
pub const DEFAULT_MAX_INPUT: f64 = 128.0 * 1024.0 * 1024.0;

/// The options object, or `None` when absent; an error when it is not an object.
fn object(options: &JsValue) -> Result<Option<&CallOptionsJs>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() || Array::is_array(options) {
        return Err(js_error(
            "invalid_options",
            &format!("options must be an object, found {}", type_of(options)),
        ));
    }
    Ok(Some(options.unchecked_ref()))
}

#[cfg(feature = "full")]
/// What `parse` and `render` read.
pub struct ReadOptions {
    pub format: Format,
    pub render: RenderOptions,
    pub max_input: f64,
    pub load: LoadOptions,
}

#[cfg(feature = "full")]
impl ReadOptions {
    /// Reads the options of `parse`/`render`; `defaultTime` defaults to now.
    pub fn read(options: &JsValue) -> Result<ReadOptions, JsValue> {
        let Some(o) = object(options)? else {
            return Ok(ReadOptions {
                format: Format::Influx,
                render: RenderOptions::new(Format::Influx, now_ns()),
                max_input: DEFAULT_MAX_INPUT,
                load: LoadOptions::default(),
            });
        };
        let format = match o.format() {
            v if v.is_undefined() => Format::Influx,
            v => v
                .as_string()
                .as_deref()
                .and_then(Format::parse)
                .ok_or_else(|| {
                    js_error(
                        "invalid_options",
                        "options.format must be 'influx' or 'json'",
                    )
                })?,
        };
        let precision = match o.precision() {
            v if v.is_undefined() => format.default_precision(),
            v => v.as_string().as_deref().and_then(Precision::parse).ok_or_else(|| {
                js_error(
                    "invalid_options",
                    "options.precision must be one of 'ns', 'us', 'ms', 's' (or InfluxDB v1's 'n', 'u', 'm', 'h')",
                )
            })?,
        };
        let default_time = match o.default_time() {
            v if v.is_undefined() => now_ns(),
            v => bigint_i64(&v).ok_or_else(|| {
                js_error(
                    "invalid_options",
                    "options.defaultTime must be a bigint of nanoseconds within the 64-bit range",
                )
            })?,
        };
        let max_input = match o.max_input_bytes() {
            v if v.is_undefined() => DEFAULT_MAX_INPUT,
            v => v.as_f64().filter(|m| *m >= 0.0).ok_or_else(|| {
                js_error(
                    "invalid_options",
                    "options.maxInputBytes must be a non-negative number",
                )
            })?,
        };
        let explain = match o.explain() {
            v if v.is_undefined() || v.is_null() => false,
            v => v
                .as_bool()
                .ok_or_else(|| js_error("invalid_options", "options.explain must be a boolean"))?,
        };
        Ok(ReadOptions {
            format,
            render: RenderOptions {
                parse: ParseOptions::new(precision, default_time),
                explain,
                max_requests: None,
                full_bodies: false,
            },
            max_input,
            load: load_options(o)?,
        })
    }
}

#[cfg(feature = "full")]
/// What `write` reads: `render`'s options and `maxRequests`.
pub struct WriteOptions {
    pub read: ReadOptions,
    pub max_requests: Option<f64>,
}

#[cfg(feature = "full")]
impl WriteOptions {
    pub fn read(options: &JsValue) -> Result<WriteOptions, JsValue> {
        let mut read = ReadOptions::read(options)?;
        let max_requests = match object(options)?.map(|o| o.max_requests()) {
            None => None,
            Some(v) if v.is_undefined() || v.is_null() => None,
            // A string or NaN used to mean "no limit" silently: a limit must be a number.
            Some(v) => Some(v.as_f64().filter(|m| *m >= 0.0).ok_or_else(|| {
                js_error(
                    "invalid_options",
                    &format!(
                        "options.maxRequests must be a non-negative number, found {}",
                        type_of(&v)
                    ),
                )
            })?),
        };
        // Render no further than the limit allows: a huge input costs only that much.
        read.render.max_requests = max_requests.map(|m| m.min(1e9) as usize);
        Ok(WriteOptions { read, max_requests })
    }
}

/// What `new LibratoOutput(config, options)` reads.
pub struct OutputOptions {
    pub load: LoadOptions,
    pub fetch: Option<Function>,
    pub log: Option<Function>,
}

impl OutputOptions {
    pub fn read(options: &JsValue) -> Result<OutputOptions, JsValue> {
        let Some(o) = object(options)? else {
            return Ok(OutputOptions {
                load: LoadOptions::default(),
                fetch: None,
                log: None,
            });
        };
        let function = |v: JsValue, what: &str| match v {
            v if v.is_undefined() || v.is_null() => Ok(None),
            v => v.dyn_into::<Function>().map(Some).map_err(|_| {
                js_error(
                    "invalid_options",
                    &format!("options.{what} must be a function"),
                )
            }),
        };
        Ok(OutputOptions {
            load: load_options(o)?,
            fetch: function(o.fetch(), "fetch")?,
            log: function(o.log(), "log")?,
        })
    }
}

/// `env` and `secrets` (for `loadConfig`, and for TOML text given to `render`/`LibratoOutput`).
#[cfg(feature = "full")]
pub fn load_options_of(options: &JsValue) -> Result<LoadOptions, JsValue> {
    match object(options)? {
        None => Ok(LoadOptions::default()),
        Some(o) => load_options(o),
    }
}

fn load_options(o: &CallOptionsJs) -> Result<LoadOptions, JsValue> {
    let env = string_map(&o.env(), "options.env")?;
    let secrets = match o.secrets() {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(string_map(&v, "options.secrets")?),
    };
    Ok(LoadOptions {
        env,
        secrets,
        refuse_filters: false,
    })
}

/// A `Record<string, string>` option such as `secrets` or `env`.
fn string_map(v: &JsValue, what: &str) -> Result<StrMap, JsValue> {
    Ok(string_pairs(v, what)?.into_iter().collect())
}

/// A JS `{ key: value }` of strings as pairs in order (`undefined`/`null`: none); anything
/// else is refused, naming the key.
pub fn string_pairs(v: &JsValue, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    let mut out = Vec::new();
    if v.is_undefined() || v.is_null() {
        return Ok(out);
    }
    if !v.is_object() {
        return Err(js_error(
            "invalid_options",
            &format!("{what} must be an object of strings"),
        ));
    }
    for entry in Object::entries(v.unchecked_ref()).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let Some(value) = pair.get(1).as_string() else {
            return Err(js_error(
                "invalid_options",
                &format!("{what}[\"{key}\"] must be a string"),
            ));
        };
        out.push((key, value));
    }
    Ok(out)
}

#[cfg(feature = "full")]
pub fn bigint_i64(v: &JsValue) -> Option<i64> {
    let b = v.dyn_ref::<BigInt>()?;
    i64::try_from(b.clone()).ok()
}

#[cfg(feature = "full")]
pub fn now_ns() -> i64 {
    // Whole milliseconds times 10^6 in integers: the product in f64 is not exact at this
    // size (1.8e18) and could land below the millisecond, which `precision: "ms"` then cut.
    (js_sys::Date::now() as i64).saturating_mul(1_000_000)
}

#[cfg(feature = "full")]
/// The input of `parse`, `render` and `write`, by its JS type.
pub enum InputJs {
    Text(JsString),
    /// `Uint8Array` or `ArrayBuffer`, copied once into wasm memory (no UTF-16 round trip).
    Bytes(Vec<u8>),
    Metrics(Array),
}

#[cfg(feature = "full")]
impl InputJs {
    /// Classifies `input`, refusing text or bytes over `max_input` before any copy.
    pub fn read(input: &JsValue, max_input: f64, metrics_ok: bool) -> Result<InputJs, JsValue> {
        let too_large = |len: f64, unit: &str| {
            let e = js_error(
                "input_too_large",
                // Whole numbers as u64: printing an f64 would link Rust's float formatting.
                &format!(
                    "input is {} {unit}, more than maxInputBytes ({}): split it, or raise options.maxInputBytes",
                    len as u64, max_input as u64
                ),
            );
            crate::convert::set(&e, "limit", &max_input.into());
            e
        };
        if let Some(s) = input.dyn_ref::<JsString>() {
            // UTF-16 units: a lower bound of the UTF-8 size.
            let len = s.length() as f64;
            if len > max_input {
                return Err(too_large(len, "characters"));
            }
            return Ok(InputJs::Text(s.clone()));
        }
        let bytes = if let Some(b) = input.dyn_ref::<Uint8Array>() {
            Some(b.clone())
        } else {
            input
                .dyn_ref::<js_sys::ArrayBuffer>()
                .map(|b| Uint8Array::new(b))
        };
        if let Some(b) = bytes {
            let len = b.length() as f64;
            if len > max_input {
                return Err(too_large(len, "bytes"));
            }
            return Ok(InputJs::Bytes(b.to_vec()));
        }
        if metrics_ok && Array::is_array(input) {
            return Ok(InputJs::Metrics(input.clone().unchecked_into()));
        }
        Err(js_error(
            "invalid_input",
            if metrics_ok {
                "input must be line protocol / JSON text (a string, Uint8Array or ArrayBuffer) or an array of metrics"
            } else {
                "parse() takes the metrics text as a string, Uint8Array or ArrayBuffer"
            },
        ))
    }
}

/// A number option of at least `min` (`options[key]`), or `default` when it is absent.
pub fn number_option(options: &JsValue, key: &str, default: f64, min: f64) -> Result<f64, JsValue> {
    let v = if options.is_object() {
        crate::convert::get(options, key)
    } else {
        JsValue::UNDEFINED
    };
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        // Infinity only where the default is (no limit).
        Some(n) if n >= min && (n.is_finite() || default.is_infinite()) => Ok(n),
        _ => Err(js_error(
            "invalid_options",
            &format!(
                "options.{key} must be a number of at least {}, found {}",
                min as u64,
                type_of(&v)
            ),
        )),
    }
}

/// `options.percentiles`: numbers in (0, 100), each once, in the order given.
pub fn percentiles_option(options: &JsValue) -> Result<Vec<f64>, JsValue> {
    let v = if options.is_object() {
        get(options, "percentiles")
    } else {
        JsValue::UNDEFINED
    };
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    let bad = || {
        js_error(
            "invalid_options",
            "options.percentiles must be an array of numbers between 0 and 100 (exclusive), e.g. [90, 99]",
        )
    };
    if !Array::is_array(&v) {
        return Err(bad());
    }
    let mut out: Vec<f64> = Vec::new();
    for x in Array::from(&v).iter() {
        match x.as_f64() {
            Some(p) if p > 0.0 && p < 100.0 => {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}
