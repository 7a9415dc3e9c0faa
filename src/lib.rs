//! librato-wasm's JS boundary, and nothing else: options in, JS objects out, `Error`s with a
//! stable `code`, and the `fetch` transport of the send loop. Every rule lives in the
//! wasm-free crates `librato-core` (the hot path) and `librato-output` (config, filters,
//! render, send), which are tested natively; their types are used here under their own
//! names, and JS-facing names are set with `js_name`.
//!
//! Only built for `wasm32`: natively this crate is empty.
#![cfg(target_arch = "wasm32")]

mod convert;
mod http;
mod output;
mod text_in;

use std::cell::RefCell;

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;

use convert::{get, js_error};
use librato_core::line_protocol;
use librato_output::config::{self as core_config, LoadOptions};
use librato_output::json_input;
use librato_output::render::{
    render_influx_pieces, render_metrics, render_text_streaming, render_text_with, BatchSink,
    Extras, Format, Plan,
};

/// Bodies are handed to JS, and line protocol read from it, in chunks of about this many
/// bytes (see `render_js`). 256 KiB: large enough for V8's large-object space (over 128 KiB)
/// and for few boundary crossings, small enough that wasm memory stays a few MB.
const STREAM_CHUNK_BYTES: usize = 1 << 18;

thread_local! {
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Keeps the panic message so the JS glue can report it after the trap (panics abort in wasm).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = msg);
    }));
}

/// The message of the last panic (read by the JS glue before it resets the instance).
#[wasm_bindgen(js_name = "__lastPanic")]
pub fn last_panic() -> String {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// Panics on purpose: lets the package's tests prove a panic never leaves the module unusable.
#[wasm_bindgen(js_name = "__panicForTests")]
pub fn panic_for_tests() {
    panic!("deliberate panic for tests");
}

pub(crate) fn now_ns() -> i64 {
    (js_sys::Date::now() * 1e6) as i64
}

/// `parse(text, options) → { metrics, errors }`.
#[wasm_bindgen(js_name = "parse")]
pub fn parse_js(text: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let (opts, format) = convert::parse_options(&options, now_ns())?;
    convert::check_input_size(&text, &options)?;
    let text = text_in::big_string(&text).ok_or_else(|| {
        js_error(
            "invalid_input",
            "parse() takes the metrics text as a string",
        )
    })?;
    let metrics = Array::new();
    let mut cache = convert::StringCache::default();
    let errors = match format {
        Format::Influx => {
            let mut errors = Vec::new();
            for item in line_protocol::parse(&text, opts) {
                match item {
                    Ok(m) => {
                        metrics.push(&convert::metric_to_js(&m, &mut cache));
                    }
                    Err(e) => errors.push(e),
                }
            }
            errors
        }
        Format::Json => {
            let (ms, errors) = json_input::parse(&text, opts);
            for m in &ms {
                metrics.push(&convert::metric_to_js(m, &mut cache));
            }
            errors
        }
    };
    let out = js_sys::Object::new();
    convert::set(&out, "metrics", &metrics);
    convert::set(&out, "errors", &convert::errors_js(&errors));
    Ok(out.into())
}

/// `loadConfig(toml, { env, secrets }) → LibratoConfig[]`.
#[wasm_bindgen(js_name = "loadConfig")]
pub fn load_config_js(toml: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let text = toml.as_string().ok_or_else(|| {
        js_error(
            "invalid_config",
            "loadConfig() takes the TOML text as a string",
        )
    })?;
    let load = load_options(&options)?;
    let configs = core_config::load_config(&text, &load).map_err(|e| convert::config_error(&e))?;
    let out = Array::new();
    for c in &configs {
        let obj = convert::json_to_js(&c.to_json());
        // Warnings ride along without becoming a config key (not enumerable, not in JSON).
        let desc = js_sys::Object::new();
        convert::set(&desc, "value", &convert::strings_js(&c.warnings));
        let _ = js_sys::Reflect::define_property::<js_sys::Object>(
            obj.unchecked_ref(),
            &"warnings".into(),
            &desc,
        );
        out.push(&obj);
    }
    Ok(out.into())
}

pub(crate) fn load_options(options: &JsValue) -> Result<LoadOptions, JsValue> {
    let env = convert::string_map(&get(options, "env"), "options.env")?;
    let secrets = match get(options, "secrets") {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(convert::string_map(&v, "options.secrets")?),
    };
    Ok(LoadOptions { env, secrets })
}

/// Builds the plan for `input` (text or `Metric[]`).
pub(crate) fn plan_for(
    input: &JsValue,
    config: &core_config::LibratoConfig,
    options: &JsValue,
) -> Result<Plan, JsValue> {
    let (opts, format) = convert::parse_options(options, now_ns())?;
    convert::check_input_size(input, options)?;
    let extras = Extras {
        explain: get(options, "explain").as_bool().unwrap_or(false),
    };
    if let Some(text) = text_in::big_string(input) {
        Ok(render_text_with(&text, format, opts, config, extras))
    } else if Array::is_array(input) {
        let metrics = convert::metrics_from_js(input.unchecked_ref(), opts.default_time)?;
        Ok(render_metrics(metrics, config))
    } else {
        Err(js_error(
            "invalid_input",
            "input must be line protocol / JSON text or an array of metrics",
        ))
    }
}

/// `render(input, config, options) → Plan`.
#[wasm_bindgen(js_name = "render")]
pub fn render_js(input: JsValue, config: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let load = load_options(&options)?;
    let config = convert::config_arg(&config, &load)?;
    if !input.is_string() {
        let plan = plan_for(&input, &config, &options)?;
        return Ok(convert::plan_to_js(&plan, &config.api_url, None));
    }
    // Text: complete bodies become JS strings a chunk at a time (and line protocol comes in
    // a piece at a time), so wasm memory holds a chunk or two rather than a large input and
    // every body of it. One string per chunk, each body a slice of it: a chunk this size goes
    // straight to V8's large-object space, where thousands of 30 KB strings would each be
    // copied by the young-generation collector.
    let (opts, format) = convert::parse_options(&options, now_ns())?;
    convert::check_input_size(&input, &options)?;
    let extras = Extras {
        explain: get(&options, "explain").as_bool().unwrap_or(false),
    };
    let url = JsValue::from_str(&config.api_url);
    let requests = Array::new();
    let sink: BatchSink<'_> = &mut |chunk, batches| {
        let all = JsString::from(chunk);
        for &(start, end, count) in batches {
            // Bodies are ASCII, so byte offsets are UTF-16 offsets too.
            let body = all.slice(start as u32, end as u32);
            requests.push(&convert::request_js(&url, &body.into(), count));
        }
    };
    let plan = match format {
        // Line protocol is read a piece at a time too: wasm memory stays near two chunks
        // whatever the input's size.
        Format::Influx => {
            let mut pieces = text_in::Pieces::new(&input, STREAM_CHUNK_BYTES as u32)
                .ok_or_else(|| js_error("invalid_input", "input must be a string"))?;
            let plan = render_influx_pieces(
                &mut |buf| pieces.next_into(buf),
                opts,
                &config,
                extras,
                STREAM_CHUNK_BYTES,
                sink,
            );
            if pieces.failed {
                return Err(no_encoder());
            }
            plan
        }
        Format::Json => {
            let text = text_in::big_string(&input).ok_or_else(no_encoder)?;
            render_text_streaming(
                &text,
                format,
                opts,
                &config,
                extras,
                STREAM_CHUNK_BYTES,
                sink,
            )
        }
    };
    Ok(convert::plan_to_js(&plan, &config.api_url, Some(requests)))
}

fn no_encoder() -> JsValue {
    js_error(
        "invalid_input",
        "the input could not be read as UTF-8 (this runtime's TextEncoder.encodeInto does not work)",
    )
}
