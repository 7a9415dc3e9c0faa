//! `LibratoMetrics`' wasm half (`MetricsCore`): series interned once, samples folded in bulk
//! from a `Float64Array` of `(series, value)` pairs, and the ended periods sent with the send
//! loop. The JS half (pkg/src/api.js) keeps the series map, the sample buffer and the timer.

use wasm_bindgen::prelude::*;

use crate::convert::{self, get, js_error};
use crate::options::{number_option, percentiles_option, string_pairs};
use crate::output::Inner;
use crate::send_job::{none, Ending, SendJob};
use librato_core::librato::Skipped;
use librato_output::aggregate::{Aggregator, Dropped, Kind, Setup};
use librato_output::send::{Level, Machine};

use std::cell::RefCell;
use std::rc::Rc;

#[wasm_bindgen(js_name = "MetricsCore")]
pub struct MetricsCore {
    inner: Rc<Inner>,
    agg: Rc<RefCell<Aggregator>>,
}

#[wasm_bindgen(js_class = "MetricsCore")]
impl MetricsCore {
    /// `new MetricsCore(config, { period, prefix, source, tags, maxSeries, fetch, secrets, env, log })`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, options: JsValue) -> Result<MetricsCore, JsValue> {
        // Telegraf's filters select among metrics a plugin gathered; here the caller names
        // every series itself, so a filter key would be a silent no-op: refused on sight (in
        // both entries; the metrics entry does not even read them).
        let inner = Inner::new(&config, &options, true)?;
        let period_s = number_option(&options, "period", 60.0, 1.0)?;
        let max_series = number_option(&options, "maxSeries", 10_000.0, 1.0)?;
        let text = |key: &str| {
            if options.is_object() {
                get(&options, key).as_string()
            } else {
                None
            }
        };
        let tags = if options.is_object() {
            get(&options, "tags")
        } else {
            JsValue::UNDEFINED
        };
        let percentiles = percentiles_option(&options)?;
        let max_samples = number_option(&options, "maxSamples", 10_000.0, 1.0)?;
        let setup = Setup {
            api: inner.config.api,
            period_s,
            prefix: text("prefix").unwrap_or_default(),
            max_series: max_series.min(1e9) as usize,
            batch_size: inner.config.batch_size,
            source: text("source"),
            tags: string_pairs(&tags, "options.tags")?,
            percentiles,
            max_samples: max_samples.min(1e9) as usize,
        };
        Ok(MetricsCore {
            inner: Rc::new(inner),
            agg: Rc::new(RefCell::new(Aggregator::new(setup))),
        })
    }

    /// Milliseconds per period (JS puts each sample in its period).
    #[wasm_bindgen(js_name = "periodMs")]
    pub fn period_ms(&self) -> f64 {
        self.agg.borrow().period_ms() as f64
    }

    /// The id of a series: `counter` for `increment`; negative when the API would refuse it.
    pub fn series(
        &self,
        counter: bool,
        name: JsValue,
        source: JsValue,
        tags: JsValue,
    ) -> Result<f64, JsValue> {
        let name = name
            .as_string()
            .ok_or_else(|| js_error("invalid_input", "a metric name must be a string"))?;
        let tags = string_pairs(&tags, "opts.tags")?;
        let kind = if counter { Kind::Counter } else { Kind::Gauge };
        Ok(self
            .agg
            .borrow_mut()
            .series(kind, &name, source.as_string().as_deref(), &tags) as f64)
    }

    /// Folds `(series, value)` pairs recorded in the period starting at `start_ms`.
    pub fn fold(&self, pairs: &[f64], start_ms: f64) {
        self.agg.borrow_mut().fold(pairs, start_ms as i64);
    }

    /// Bumped when the series table was rebuilt: the JS map of ids is forgotten then.
    pub fn generation(&self) -> u32 {
        self.agg.borrow().generation()
    }

    /// The periods ended by `now_ms` (every period with `all`) as a send job
    /// (pkg/src/send.js drives it to a `WriteReport`). The periods are taken out at once.
    pub fn flush(&self, all: bool, now_ms: f64) -> Result<SendJob, JsValue> {
        let inner = self.inner.clone();
        // What can fail is checked before anything is taken out: a flush without credentials
        // leaves every period where it was, for the next flush.
        let creds = if self.agg.borrow().has_samples() {
            Some(inner.credentials()?)
        } else {
            None
        };
        let taken = {
            let mut agg = self.agg.borrow_mut();
            let t = agg.take(now_ms, all);
            agg.reset_if_large();
            t
        };
        let skipped: Vec<Skipped> = taken.dropped.iter().map(Dropped::to_skipped).collect();
        if taken.over_limit > 0 {
            inner.log(Level::Warn, &format!(
                "LibratoMetrics: {} sample(s) of series past maxSeries were counted, not kept (see skipped: too_many_series)",
                taken.over_limit
            ));
        }
        // Nothing to send: no request, and no write summary in the log.
        let machine = match creds {
            Some(creds) if !taken.bodies.is_empty() => {
                Some(Machine::new(&inner.config, creds, taken.bodies, None))
            }
            _ => None,
        };
        let ending = Ending::Report {
            skipped: convert::skipped_js(&skipped),
            errors: none(),
        };
        Ok(SendJob::new(inner, machine, ending))
    }

    /// The bodies of `report.failed` as a send job again.
    pub fn resend(&self, failed: JsValue) -> Result<SendJob, JsValue> {
        crate::output::resend(&self.inner, failed)
    }
}
