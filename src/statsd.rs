//! `librato-wasm statsd`'s wasm half (`StatsdCore`): packets read and held as statsd holds
//! them, and each flush as queue messages that the command line delivers as execd does.
//! Every rule is `librato_output::statsd` and `librato_output::aggregate::statsd`.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::convert::{self, get, js_error, set};
use crate::options::{number_option, percentiles_option, OutputOptions};
use librato_core::librato::Skipped;
use librato_output::aggregate::statsd::{Statsd, StatsdSetup};
use librato_output::aggregate::Dropped;
use librato_output::statsd::parse::ParseOptions;

#[wasm_bindgen(js_name = "StatsdCore")]
pub struct StatsdCore {
    state: Statsd,
}

fn flag(options: &JsValue, key: &str, default: bool) -> Result<bool, JsValue> {
    let v = get(options, key);
    if v.is_undefined() || v.is_null() {
        return Ok(default);
    }
    v.as_bool().ok_or_else(|| {
        js_error(
            "invalid_options",
            &format!("options.{key} must be true or false"),
        )
    })
}

fn text(options: &JsValue, key: &str) -> Option<String> {
    get(options, key).as_string()
}

#[wasm_bindgen(js_class = "StatsdCore")]
impl StatsdCore {
    /// `new StatsdCore(config, { flushInterval (ms), percentiles, globalPrefix, source, tags,
    /// maxSeries, maxSamples, countersAsGauges, alwaysSuffixPercentile, skipInternalMetrics,
    /// deleteCounters, deleteTimers, deleteSets, deleteGauges, gaugesMaxTTL, prefixStats,
    /// snapTime (s), keyNameSanitize, env, secrets })`; `tags` holds the top-level tags
    /// (`host` included: the caller resolves the backend's default, the hostname).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, options: JsValue) -> Result<StatsdCore, JsValue> {
        let load = OutputOptions::read(&options)?.load;
        let config = convert::config_arg(&config, &load)?;
        let o = if options.is_object() {
            options.clone()
        } else {
            Object::new().into()
        };
        let flush_ms = number_option(&o, "flushInterval", 10_000.0, 1.0)?;
        let snap = number_option(&o, "snapTime", (flush_ms / 1000.0).floor().max(1.0), 1.0)?;
        let tags = get(&o, "tags");
        let mut global_tags = Vec::new();
        if tags.is_object() {
            for entry in Object::entries(tags.unchecked_ref()).iter() {
                let pair: Array = entry.unchecked_into();
                if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                    global_tags.push((k, v));
                }
            }
        }
        let delete_all = flag(&o, "deleteIdleStats", false)?;
        let setup = StatsdSetup {
            api: config.api,
            batch_size: config.batch_size,
            global_prefix: text(&o, "globalPrefix").unwrap_or_default(),
            source: text(&o, "source").filter(|s| !s.is_empty()),
            global_tags,
            percentiles: percentiles_option(&o)?,
            max_samples: number_option(&o, "maxSamples", 10_000.0, 1.0)?.min(1e9) as usize,
            max_series: number_option(&o, "maxSeries", 10_000.0, 1.0)?.min(1e9) as usize,
            counters_as_gauges: flag(&o, "countersAsGauges", true)?,
            always_suffix: flag(&o, "alwaysSuffixPercentile", false)?,
            skip_internal: flag(&o, "skipInternalMetrics", true)?,
            delete: [
                flag(&o, "deleteCounters", delete_all)?,
                flag(&o, "deleteTimers", delete_all)?,
                flag(&o, "deleteSets", delete_all)?,
                flag(&o, "deleteGauges", delete_all)?,
            ],
            gauges_max_ttl: number_option(&o, "gaugesMaxTTL", 1.0, 1.0)?.min(1e6) as u32,
            prefix_stats: text(&o, "prefixStats").unwrap_or_else(|| "statsd".into()),
            flush_interval_ms: flush_ms,
            snap_s: snap.min(1e9) as i64,
            parse: ParseOptions {
                sanitize: flag(&o, "keyNameSanitize", true)?,
            },
        };
        Ok(StatsdCore {
            state: Statsd::new(setup),
        })
    }

    /// Reads one packet (a UDP datagram, or complete lines from a TCP stream).
    pub fn ingest(&mut self, packet: &[u8]) {
        self.state.ingest(packet);
    }

    /// The flush at `now_ms`: `{ messages, items, bad, example?: { line, text, why },
    /// skipped }`; the state is then cleared as statsd clears it.
    pub fn flush(&mut self, now_ms: f64) -> JsValue {
        let f = self.state.flush(now_ms);
        let out = Object::new();
        set(&out, "messages", &convert::strings_js(&f.messages));
        set(&out, "items", &(f.items as f64).into());
        set(&out, "bad", &(f.bad as f64).into());
        if let Some(e) = &f.example {
            let x = Object::new();
            set(&x, "line", &(e.line as f64).into());
            set(&x, "text", &e.text.as_str().into());
            set(&x, "why", &e.why.into());
            set(&out, "example", &x);
        }
        let skipped: Vec<Skipped> = f.dropped.iter().map(Dropped::to_skipped).collect();
        set(&out, "skipped", &convert::skipped_js(&skipped));
        out.into()
    }

    /// Keys held.
    #[wasm_bindgen(js_name = "seriesCount")]
    pub fn series_count(&self) -> f64 {
        self.state.series_count() as f64
    }
}
