//! The durable relay's boundary: `LibratoOutput.pack` (a write as queue messages, grouped into
//! `sendBatch` calls) and `LibratoOutput.deliver` (a consumer batch regrouped, sent, and each
//! message's outcome). Every rule is in `librato_output::queue`; the caller only calls the
//! queue's APIs with what these return.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::convert::{self, get, js_error, set};
use crate::options::{number_option, InputJs, ReadOptions};
use crate::output::{Inner, LibratoOutput};
use crate::send_job::{Ending, SendJob};
use librato_output::queue::deliver::{Delivering, Options};
use librato_output::queue::outcome::Policy;
use librato_output::queue::pack::{pack_input, send_groups};
use librato_output::send::{Credentials, Machine, SendReport};

#[wasm_bindgen]
impl LibratoOutput {
    /// Renders `input` into queue messages: `{ messages, batches, gauges, skipped, errors,
    /// warnings, tooMany }`, `batches` being the messages cut into `sendBatch` calls.
    /// `options`: `render`'s, plus `maxMessages` (more makes `tooMany` true, and rendering
    /// stops as soon as that is sure) and `maxItems` (gauges a message at most).
    pub fn pack(&self, input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let opts = ReadOptions::read(&options)?;
        let max = number_option(&options, "maxMessages", f64::INFINITY, 0.0)?;
        let max_messages = max.is_finite().then_some(max.min(1e9) as usize);
        let items = number_option(&options, "maxItems", f64::INFINITY, 0.0)?;
        let max_items = items.is_finite().then_some(items.clamp(1.0, 1e9) as usize);
        let config = &self.inner.config;
        let input = InputJs::read(&input, opts.max_input, true)?;
        let packed = crate::text_api::whole_input(input, &opts, |input| {
            pack_input(input, config, &opts.render, max_messages, max_items)
        })?;
        let out = Object::new();
        let messages = convert::strings_js(&packed.messages);
        let sizes: Vec<usize> = packed.messages.iter().map(String::len).collect();
        let batches = Array::new();
        for (s, e) in send_groups(&sizes) {
            batches.push(&convert::strings_js(&packed.messages[s..e]));
        }
        let too_many =
            packed.plan.truncated || max_messages.is_some_and(|m| packed.messages.len() > m);
        set(&out, "messages", &messages);
        set(&out, "batches", &batches);
        set(&out, "gauges", &(packed.plan.gauges as f64).into());
        set(&out, "skipped", &convert::skipped_js(&packed.plan.skipped));
        set(&out, "errors", &convert::errors_js(&packed.plan.errors));
        set(
            &out,
            "warnings",
            &convert::strings_js(&packed.plan.warnings),
        );
        set(&out, "tooMany", &too_many.into());
        Ok(out.into())
    }

    /// Delivers a consumer batch: `messages` are `{ body, attempts }` (Queues' message body
    /// and attempts); the job (pkg/src/send.js drives it) ends with `{ outcomes, items, requests, attempts }` with, per message,
    /// `{ ack, retryDelaySeconds?, requeue?: { body, delaySeconds }, deadLetter?, reason?,
    /// ackedItems, fix, attempted, unreadable }`. `options`: `maxRequests` (default 45), `retryBaseSeconds` (30),
    /// `retryMaxSeconds` (3600), `fixDelaySeconds` (900).
    pub fn deliver(&self, messages: JsValue, options: JsValue) -> Result<SendJob, JsValue> {
        let inner = self.inner.clone();
        let policy = Policy {
            base_s: number_option(&options, "retryBaseSeconds", 30.0, 0.0)?,
            max_s: number_option(&options, "retryMaxSeconds", 3600.0, 0.0)?.min(86_400.0) as u32,
            fix_s: number_option(&options, "fixDelaySeconds", 900.0, 0.0)?.min(86_400.0) as u32,
        };
        let max_requests = number_option(&options, "maxRequests", 45.0, 0.0)?.min(1e6) as usize;
        if !Array::is_array(&messages) {
            return Err(js_error(
                "invalid_input",
                "deliver() takes an array of { body, attempts }",
            ));
        }
        let arr: &Array = messages.unchecked_ref();
        let mut batch = Vec::new();
        for (i, m) in arr.iter().enumerate() {
            let body = get(&m, "body").as_string();
            let attempts = get(&m, "attempts").as_f64().unwrap_or(1.0);
            let Some(body) = body else {
                return Err(js_error(
                    "invalid_input",
                    &format!("messages[{i}].body must be a string (send messages as text)"),
                ));
            };
            batch.push((body, attempts.clamp(1.0, 1e6) as u32));
        }
        let options = Options {
            max_requests,
            policy,
        };
        let creds = inner.credentials()?;
        let relay = Relay {
            job: Some(Delivering::new(&inner.config, batch, &options)),
            creds,
        };
        let first = relay.next_round(&inner);
        Ok(SendJob::new(inner, first, Ending::Deliver(Box::new(relay))))
    }
}

/// A consumer batch being delivered, for [`SendJob`]: each round's machine, then the
/// outcomes as JS.
pub(crate) struct Relay {
    job: Option<Delivering>,
    creds: Credentials,
}

impl Relay {
    fn next_round(&self, inner: &Inner) -> Option<Machine> {
        let job = self.job.as_ref()?;
        let bodies = job.round()?;
        Some(Machine::new(
            &inner.config,
            self.creds.clone(),
            bodies,
            Some(job.budget()),
        ))
    }

    /// Takes in a round's report; the next round's machine, if there is one.
    pub(crate) fn round_done(
        &mut self,
        report: &SendReport,
        budget_left: u32,
        inner: &Inner,
    ) -> Option<Machine> {
        self.job.as_mut()?.round_done(report, budget_left);
        self.next_round(inner)
    }

    /// `{ outcomes, items, requests, attempts }` with, per message, `{ ack,
    /// retryDelaySeconds?, requeue?, deadLetter?, reason?, ackedItems, fix, attempted,
    /// unreadable }`.
    pub(crate) fn result(&mut self) -> JsValue {
        let Some(job) = self.job.take() else {
            return JsValue::NULL;
        };
        let d = job.finish(&mut js_sys::Math::random);
        let creds = &self.creds;
        let outcomes = Array::new();
        for o in &d.outcomes {
            let x = Object::new();
            set(&x, "ack", &o.ack.into());
            if let Some(s) = o.retry_s {
                set(&x, "retryDelaySeconds", &s.into());
            }
            if let Some((body, delay)) = &o.requeue {
                let r = Object::new();
                set(&r, "body", &body.as_str().into());
                set(&r, "delaySeconds", &(*delay).into());
                set(&x, "requeue", &r);
            }
            if let Some(dead) = &o.dead_letter {
                set(&x, "deadLetter", &dead.as_str().into());
            }
            if let Some(reason) = &o.reason {
                set(&x, "reason", &creds.redact(reason).as_str().into());
            }
            set(&x, "ackedItems", &(o.acked_items as u32).into());
            set(&x, "fix", &o.fix.into());
            set(&x, "attempted", &o.attempted.into());
            set(&x, "unreadable", &o.unreadable.into());
            outcomes.push(&x);
        }
        let out = Object::new();
        set(&out, "outcomes", &outcomes);
        set(&out, "items", &(d.items as u32).into());
        set(&out, "requests", &(d.requests as u32).into());
        set(&out, "attempts", &d.attempts.into());
        out.into()
    }
}
