//! `SendJob`: a write (or a queue delivery) in progress, for the JS driver (pkg/src/send.js)
//! to run over the runtime's `fetch`. Every decision is the send [`Machine`]'s; the driver
//! only posts, waits and hands back answers, so the `.wasm` needs no futures executor.
//!
//! A step is one number (JS reads no object per step): `n >= 0` posts batch `n`, `-1` is
//! done, `-2 - ms` waits `ms` milliseconds.

use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::convert::set;
use crate::output::{report_js, Inner};
use librato_output::send::api_response::Json;
use librato_output::send::{Attempt, Env, Machine, SendReport, Step};

/// What the job ends with.
pub(crate) enum Ending {
    /// A `WriteReport`, with these `skipped` and `errors`.
    Report { skipped: JsValue, errors: JsValue },
    /// A queue consumer's outcomes (`LibratoOutput.deliver`).
    #[cfg(feature = "full")]
    Deliver(Box<crate::queue::Relay>),
}

#[wasm_bindgen(js_name = "SendJob")]
pub struct SendJob {
    inner: Rc<Inner>,
    machine: Option<Machine>,
    report: SendReport,
    /// The last round was finished (its summary logged once).
    finished: bool,
    ending: Ending,
}

/// The runtime's clock, randomness and `JSON.parse`.
struct Runtime;

impl Env for Runtime {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
    fn read_json(&self, body: &str) -> Option<Json> {
        crate::json_body::read(body)
    }
}

fn code(step: Step) -> f64 {
    match step {
        Step::Post(n) => n as f64,
        Step::Done => -1.0,
        Step::Sleep(ms) => -2.0 - ms as f64,
    }
}

impl SendJob {
    /// A job sending `machine`'s batches (`None`: nothing to send, the report is empty).
    pub(crate) fn new(inner: Rc<Inner>, machine: Option<Machine>, ending: Ending) -> SendJob {
        SendJob {
            inner,
            machine,
            report: SendReport::default(),
            finished: false,
            ending,
        }
    }

    fn step(&mut self, f: impl FnOnce(&mut Machine, Log<'_>) -> Step) -> f64 {
        let inner = &self.inner;
        let log = |level, message: &str| inner.log(level, message);
        match &mut self.machine {
            Some(m) => code(f(m, &log)),
            None => -1.0,
        }
    }
}

type Log<'a> = librato_output::send::Log<'a>;

#[wasm_bindgen(js_class = "SendJob")]
impl SendJob {
    /// Slots to drive at once (0: nothing to send).
    pub fn workers(&self) -> u32 {
        self.machine.as_ref().map_or(0, |m| m.workers() as u32)
    }

    /// `options.fetch`, or `undefined` (the driver then uses the global `fetch` of the moment).
    pub fn fetch(&self) -> JsValue {
        self.inner
            .fetch
            .clone()
            .map_or(JsValue::UNDEFINED, Into::into)
    }

    pub fn url(&self) -> String {
        self.machine.as_ref().map_or("", |m| m.url()).into()
    }

    /// The `Authorization` header (never logged or shown by the driver).
    pub fn authorization(&self) -> String {
        self.machine
            .as_ref()
            .map_or("", |m| m.authorization())
            .into()
    }

    #[wasm_bindgen(js_name = "timeoutMs")]
    pub fn timeout_ms(&self) -> f64 {
        self.machine.as_ref().map_or(0.0, |m| m.timeout_ms() as f64)
    }

    /// Batch `n`'s body as bytes copied out of wasm memory: never decoded into a JS string
    /// (and never encoded again by fetch).
    pub fn body(&self, n: usize) -> Uint8Array {
        let body = self.machine.as_ref().map_or("", |m| m.body(n));
        Uint8Array::from(body.as_bytes())
    }

    /// A slot's first step, and its step after a wait.
    pub fn start(&mut self, slot: usize) -> f64 {
        self.step(|m, log| m.start(slot, &Runtime, log))
    }

    /// A slot's step after the API answered its post.
    #[allow(clippy::too_many_arguments)]
    pub fn answered(
        &mut self,
        slot: usize,
        status: u16,
        body: String,
        retry_after: Option<String>,
        location: Option<String>,
        rate_std: Option<String>,
        rate_agg: Option<String>,
    ) -> f64 {
        let answer = Attempt::Response {
            status,
            body,
            retry_after,
            location,
            rate_std,
            rate_agg,
        };
        self.step(|m, log| m.answered(slot, answer, &Runtime, log))
    }

    /// A slot's step after its post timed out (`timed_out`) or could not be made (`message`).
    pub fn failed(&mut self, slot: usize, timed_out: bool, message: String) -> f64 {
        let answer = if timed_out {
            Attempt::Timeout
        } else {
            Attempt::Network(message)
        };
        self.step(|m, log| m.answered(slot, answer, &Runtime, log))
    }

    /// Ends the round every slot finished; `true` when another round is to be driven.
    pub fn advance(&mut self) -> bool {
        if self.finished {
            return false;
        }
        let Some(mut m) = self.machine.take() else {
            self.finished = true;
            return false;
        };
        let inner = &self.inner;
        let report = m.finish(&|level, message: &str| inner.log(level, message));
        match &mut self.ending {
            Ending::Report { .. } => {
                self.report = report;
                self.machine = Some(m);
                self.finished = true;
                false
            }
            #[cfg(feature = "full")]
            Ending::Deliver(d) => {
                let next = d.round_done(&report, m.budget_left().unwrap_or(0), &self.inner);
                self.machine = next;
                self.finished = self.machine.is_none();
                !self.finished
            }
        }
    }

    /// What the job did: a `WriteReport`, or a delivery's outcomes.
    pub fn result(&mut self) -> JsValue {
        match &mut self.ending {
            Ending::Report { skipped, errors } => {
                let batches: Vec<(&str, usize)> = match &self.machine {
                    Some(m) => m.batches().iter().map(|(b, n)| (b.as_str(), *n)).collect(),
                    None => Vec::new(),
                };
                let out = report_js(&self.report, &batches);
                set(&out, "skipped", skipped);
                set(&out, "errors", errors);
                out
            }
            #[cfg(feature = "full")]
            Ending::Deliver(d) => d.result(),
        }
    }
}

/// An empty array (a report's `skipped` or `errors`).
pub(crate) fn none() -> JsValue {
    Array::new().into()
}
