//! `LibratoOutput`: renders, then hands the bodies to a send job (`crate::send_job`, driven
//! over `fetch` by pkg/src/send.js), and turns its report into JS.

use std::rc::Rc;

use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::convert::{self, js_error, set};
use crate::options::{FailedJs, OutputOptions};
use crate::send_job::{none, Ending, SendJob};
use librato_output::config::{LibratoConfig, StrMap};
use librato_output::send::api_response::parse_rate_limit;
use librato_output::send::{Credentials, Level, Machine, SendError, SendReport};

/// `LibratoOutput` of the main entry (the metrics entry has only `Inner`, for `MetricsCore`).
#[cfg(feature = "full")]
#[wasm_bindgen]
pub struct LibratoOutput {
    pub(crate) inner: Rc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: LibratoConfig,
    /// `options.fetch` (the driver uses the global `fetch` without it).
    pub(crate) fetch: Option<Function>,
    secrets: StrMap,
    log: Option<Function>,
}

#[cfg(feature = "full")]
#[wasm_bindgen]
impl LibratoOutput {
    /// `new LibratoOutput(config, { fetch, secrets, env, log })`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, options: JsValue) -> Result<LibratoOutput, JsValue> {
        Ok(LibratoOutput {
            inner: Rc::new(Inner::new(&config, &options, false)?),
        })
    }

    /// Renders `input` into a send job (pkg/src/send.js drives it to a `WriteReport`).
    pub fn write(&self, input: JsValue, options: JsValue) -> Result<SendJob, JsValue> {
        use crate::options::WriteOptions;
        let inner = self.inner.clone();
        let opts = WriteOptions::read(&options)?;
        let plan = crate::plan_for(&input, &inner.config, &opts.read)?;
        librato_output::send::check_max_requests(
            plan.bodies.batches.len(),
            plan.gauges,
            opts.max_requests,
            plan.truncated,
        )
        .map_err(|e| send_error(&e))?;
        let creds = inner.credentials()?;
        let batches = plan
            .bodies
            .iter()
            .map(|(b, n)| (b.to_string(), n))
            .collect();
        let machine = Machine::new(&inner.config, creds, batches, None);
        let ending = Ending::Report {
            skipped: convert::skipped_js(&plan.skipped),
            errors: convert::errors_js(&plan.errors),
        };
        Ok(SendJob::new(inner, Some(machine), ending))
    }

    /// The bodies of `report.failed` as a send job again (a report of the same shape).
    pub fn resend(&self, failed: JsValue) -> Result<SendJob, JsValue> {
        resend(&self.inner, failed)
    }
}

/// The bodies of `report.failed` as a send job again (a report of the same shape).
pub(crate) fn resend(inner: &Rc<Inner>, failed: JsValue) -> Result<SendJob, JsValue> {
    let items = failed_from_js(&failed)?;
    let creds = inner.credentials()?;
    let machine = Machine::new(&inner.config, creds, items, None);
    let ending = Ending::Report {
        skipped: none(),
        errors: none(),
    };
    Ok(SendJob::new(inner.clone(), Some(machine), ending))
}

impl Inner {
    /// The config (object, or TOML text in the main entry) and `{ fetch, secrets, env, log }`;
    /// `refuse_filters` for `LibratoMetrics` (see `LoadOptions::refuse_filters`).
    pub(crate) fn new(
        config: &JsValue,
        options: &JsValue,
        refuse_filters: bool,
    ) -> Result<Inner, JsValue> {
        let mut options = OutputOptions::read(options)?;
        options.load.refuse_filters = refuse_filters;
        let config = convert::config_arg(config, &options.load)?;
        Ok(Inner {
            config,
            fetch: options.fetch,
            secrets: options.load.secrets.unwrap_or_default(),
            log: options.log,
        })
    }

    pub(crate) fn credentials(&self) -> Result<Credentials, JsValue> {
        Credentials::resolve(&self.config, &self.secrets).map_err(|e| send_error(&e))
    }

    /// Hands a line to `options.log`, if given (messages arrive redacted).
    pub(crate) fn log(&self, level: Level, message: &str) {
        if let Some(f) = &self.log {
            let _ = f.call2(&JsValue::UNDEFINED, &level.as_str().into(), &message.into());
        }
    }
}

/// A `SendError` as a JS `Error` with its `code` (and the figures of `too_many_requests`).
pub(crate) fn send_error(e: &SendError) -> JsValue {
    let err = js_error(e.code(), &e.to_string());
    if let SendError::TooManyRequests { needed, gauges, .. } = e {
        set(&err, "requests", &(*needed as u32).into());
        set(&err, "gauges", &(*gauges as u32).into());
    }
    err
}

fn failed_from_js(v: &JsValue) -> Result<Vec<(String, usize)>, JsValue> {
    if !Array::is_array(v) {
        return Err(js_error(
            "invalid_input",
            "resend() takes the report's failed array",
        ));
    }
    let arr: &Array = v.unchecked_ref();
    let mut out = Vec::new();
    for (i, item) in arr.iter().enumerate() {
        let (body, count) = if item.is_object() {
            let item: &FailedJs = item.unchecked_ref();
            (item.body().as_string(), item.count().as_f64())
        } else {
            (None, None)
        };
        match (body, count) {
            (Some(b), Some(n)) if n >= 0.0 && n.fract() == 0.0 => out.push((b, n as usize)),
            _ => {
                return Err(js_error(
                    "invalid_input",
                    &format!("failed[{i}] must have a string body and an integer count"),
                ))
            }
        }
    }
    Ok(out)
}

/// The `WriteReport` object (without `skipped`/`errors`, which the caller adds).
pub(crate) fn report_js(report: &SendReport, batches: &[(&str, usize)]) -> JsValue {
    let out = Object::new();
    let failed = Array::new();
    for f in &report.failed {
        let o = Object::new();
        set(&o, "status", &f.status.map_or(JsValue::NULL, |s| s.into()));
        set(&o, "message", &f.message.as_str().into());
        set(&o, "body", &batches[f.index].0.into());
        set(&o, "count", &(f.count as u32).into());
        set(&o, "attempts", &f.attempts.into());
        set(&o, "retryable", &f.retryable.into());
        set(&o, "disposition", &f.disposition().as_str().into());
        failed.push(&o);
    }
    set(&out, "ok", &report.failed.is_empty().into());
    set(&out, "sent", &(report.sent as u32).into());
    set(&out, "requests", &(batches.len() as u32).into());
    set(&out, "attempts", &report.attempts.into());
    set(&out, "failed", &failed);
    set(&out, "rateLimit", &rate_limit_js(report));
    out.into()
}

fn rate_limit_js(report: &SendReport) -> JsValue {
    if report.rate_std.is_none() && report.rate_agg.is_none() {
        return JsValue::NULL;
    }
    let out = Object::new();
    for (key, header) in [("std", &report.rate_std), ("agg", &report.rate_agg)] {
        if let Some(h) = header {
            let o = Object::new();
            for (k, v) in parse_rate_limit(h) {
                set(&o, &k, &v.into());
            }
            set(&out, key, &o);
        }
    }
    out.into()
}
