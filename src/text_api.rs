//! The main entry's text functions: `parse`, `loadConfig`, `redactConfig` and `render`, and
//! the plan `LibratoOutput.write` sends (built only with the `full` feature: the metrics
//! entry, `librato-wasm/metrics`, has none of them).

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;

use crate::convert::{self, js_error};
use crate::options::{self, InputJs, ReadOptions};
use crate::text_in;
use librato_output::config::{self as core_config, CValue, LibratoConfig};
use librato_output::render::{self, BatchSink, Format, Input, Plan, Sink, Text};

/// Bodies are handed to JS, and line protocol read from it, in chunks of about this many
/// bytes (see `render_js`). 256 KiB: large enough for V8's large-object space (over 128 KiB)
/// and for few boundary crossings, small enough that wasm memory stays a few MB.
const STREAM_CHUNK_BYTES: usize = 1 << 18;

/// `parse(text, options) → { metrics, errors }`; text is a string, `Uint8Array` or `ArrayBuffer`.
#[wasm_bindgen(js_name = "parse")]
pub fn parse_js(text: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let opts = ReadOptions::read(&options)?;
    let mut tape = crate::metrics_js::MetricsTape::default();
    let mut push = |m: &librato_core::metric::Metric<'_>| tape.push(m);
    let errors = match InputJs::read(&text, opts.max_input, false)? {
        InputJs::Text(s) => {
            let text = text_in::big_string(&s).ok_or_else(no_encoder)?;
            render::parse(Text::Str(&text), opts.format, opts.render.parse, &mut push)
        }
        InputJs::Bytes(bytes) => render::parse(
            Text::Bytes(&bytes),
            opts.format,
            opts.render.parse,
            &mut push,
        ),
        InputJs::Metrics(_) => Vec::new(),
    };
    let out = js_sys::Object::new();
    convert::set(&out, "metrics", &tape.into_js());
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
    let load = options::load_options_of(&options)?;
    let configs = core_config::load_config(&text, &load).map_err(|e| convert::config_error(&e))?;
    let out = Array::new();
    for c in &configs {
        let obj = convert::cvalue_to_js(&CValue::Table(c.to_table()));
        // Warnings ride along without becoming a config key (not enumerable, not in JSON).
        let desc = js_sys::Object::new();
        convert::set(&desc, "value", &convert::strings_js(&c.warnings));
        let _ = js_sys::Reflect::define_property::<js_sys::Object>(
            obj.unchecked_ref(),
            &"warnings".into(),
            &desc,
        );
        let lines = js_sys::Object::new();
        for (key, line) in &c.key_lines {
            convert::set(&lines, key, &(*line).into());
        }
        let desc = js_sys::Object::new();
        convert::set(&desc, "value", &lines);
        let _ = js_sys::Reflect::define_property::<js_sys::Object>(
            obj.unchecked_ref(),
            &"keyLines".into(),
            &desc,
        );
        out.push(&obj);
    }
    Ok(out.into())
}

/// `redactConfig(toml) → string`: the text with every credential's value replaced (found by
/// the TOML reader, any spelling); throws `invalid_config` when the text is not TOML.
#[wasm_bindgen(js_name = "redactConfig")]
pub fn redact_config_js(toml: JsValue) -> Result<String, JsValue> {
    let text = toml.as_string().ok_or_else(|| {
        js_error(
            "invalid_config",
            "redactConfig() takes the TOML text as a string",
        )
    })?;
    core_config::redact_config(&text).map_err(|e| convert::config_error(&e))
}

/// The plan for `input` with every body kept (what `write` sends).
pub(crate) fn plan_for(
    input: &JsValue,
    config: &LibratoConfig,
    opts: &ReadOptions,
) -> Result<Plan, JsValue> {
    render_input(input, config, opts, Sink::Keep)
}

/// Renders any JS input into `sink`. When streaming, line protocol text is also read a piece
/// at a time, so wasm memory holds neither the whole input nor every body.
fn render_input<'c>(
    input: &JsValue,
    config: &'c LibratoConfig,
    opts: &ReadOptions,
    sink: Sink<'c>,
) -> Result<Plan, JsValue> {
    let streaming = matches!(sink, Sink::Stream { .. });
    Ok(match InputJs::read(input, opts.max_input, true)? {
        InputJs::Text(s) if streaming && opts.format == Format::Influx => {
            let mut pieces = text_in::Pieces::new(s, STREAM_CHUNK_BYTES as u32);
            let plan = render::render(
                Input::Pieces(&mut |buf| pieces.next_into(buf)),
                config,
                &opts.render,
                sink,
            );
            if pieces.failed {
                return Err(no_encoder());
            }
            plan
        }
        other => whole_input(other, opts, |input| {
            render::render(input, config, &opts.render, sink)
        })?,
    })
}

/// Hands a whole input (text, bytes or metrics) to `f` as the renderer's `Input`.
pub(crate) fn whole_input<R>(
    input: InputJs,
    opts: &ReadOptions,
    f: impl FnOnce(Input<'_>) -> R,
) -> Result<R, JsValue> {
    Ok(match input {
        InputJs::Text(s) => {
            let text = text_in::big_string(&s).ok_or_else(no_encoder)?;
            f(Input::Text(Text::Str(&text), opts.format))
        }
        InputJs::Bytes(bytes) => f(Input::Text(Text::Bytes(&bytes), opts.format)),
        InputJs::Metrics(arr) => {
            let metrics = convert::metrics_from_js(&arr, opts.render.parse.default_time)?;
            f(Input::Metrics(metrics))
        }
    })
}

/// `render(input, config, options) → Plan`.
#[wasm_bindgen(js_name = "render")]
pub fn render_js(input: JsValue, config: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let opts = ReadOptions::read(&options)?;
    let config = convert::config_arg(&config, &opts.load)?;
    // Complete bodies become JS strings a chunk at a time (and line protocol text comes in a
    // piece at a time), so wasm memory holds a chunk or two rather than a large input and
    // every body of it. One string per chunk, each body a slice of it: a chunk this size goes
    // straight to V8's large-object space, where thousands of 30 KB strings would each be
    // copied by the young-generation collector.
    let url = JsValue::from_str(&config.api_url);
    let requests = Array::new();
    let on_batch: BatchSink<'_> = &mut |chunk, batches| {
        let all = JsString::from(chunk);
        for &(start, end, count) in batches {
            // Bodies are ASCII, so byte offsets are UTF-16 offsets too.
            let body = all.slice(start as u32, end as u32);
            requests.push(&convert::request_js(&url, &body.into(), count));
        }
    };
    let sink = Sink::Stream {
        chunk_bytes: STREAM_CHUNK_BYTES,
        on_batch,
    };
    let plan = render_input(&input, &config, &opts, sink)?;
    Ok(convert::plan_to_js(&plan, &config.api_url, Some(requests)))
}

fn no_encoder() -> JsValue {
    js_error(
        "invalid_input",
        "the input could not be read as UTF-8 (this runtime's TextEncoder.encodeInto does not work)",
    )
}
