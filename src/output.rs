//! `LibratoOutput`: renders, then POSTs the batches with bounded concurrency, retries and a
//! report in which every gauge is either acknowledged or inside a failed request's body.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use crate::convert::{self, get, js_error, set};
use crate::http::{self, Attempt, JoinAll};
use librato_output::api_response::{error_message, parse_rate_limit, says_rate_limited};
use librato_output::basic_auth;
use librato_output::config::{format_duration, resolve_secrets, LibratoConfig};
use librato_output::retry::{self, Decision, Outcome, Policy};

#[wasm_bindgen]
pub struct LibratoOutput {
    inner: Rc<Inner>,
}

struct Inner {
    config: LibratoConfig,
    fetch: Option<Function>,
    secrets: HashMap<String, String>,
    log: Option<Function>,
}

/// Resolved credentials; only ever used for the header and for redaction.
struct Credentials {
    authorization: String,
    redact: Vec<String>,
}

/// A batch that was not acknowledged.
struct Failed {
    index: usize,
    status: Option<u16>,
    message: String,
    count: usize,
    attempts: u32,
    retryable: bool,
}

#[derive(Default)]
struct State {
    sent: usize,
    attempts: u32,
    failed: Vec<Failed>,
    /// Set after a 401/403: why the remaining batches are not sent.
    stop: Option<String>,
    rate_std: Option<String>,
    rate_agg: Option<String>,
}

#[wasm_bindgen]
impl LibratoOutput {
    /// `new LibratoOutput(config, { fetch, secrets, env, log })`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, options: JsValue) -> Result<LibratoOutput, JsValue> {
        let load = crate::load_options(&options)?;
        let config = convert::config_arg(&config, &load)?;
        let fetch = match get(&options, "fetch") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(
                v.dyn_into::<Function>()
                    .map_err(|_| js_error("invalid_options", "options.fetch must be a function"))?,
            ),
        };
        let log = match get(&options, "log") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(
                v.dyn_into::<Function>()
                    .map_err(|_| js_error("invalid_options", "options.log must be a function"))?,
            ),
        };
        Ok(LibratoOutput {
            inner: Rc::new(Inner {
                config,
                fetch,
                secrets: load.secrets.unwrap_or_default(),
                log,
            }),
        })
    }

    /// Renders `input` and sends it; resolves to a `WriteReport`.
    pub fn write(&self, input: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        let prepared = crate::plan_for(&input, &inner.config, &options)
            .and_then(|plan| check_max_requests(&plan, &options).map(|_| plan))
            .and_then(|plan| Ok((plan, inner.credentials()?)));
        let (plan, creds) = match prepared {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        future_to_promise(async move {
            let batches: Vec<(&str, usize)> = plan.bodies.iter().collect();
            let state = inner.send_all(&batches, &creds).await;
            let report = inner.report(&state, &batches, &creds);
            set(&report, "skipped", &convert::skipped_js(&plan.skipped));
            set(&report, "errors", &convert::errors_js(&plan.errors));
            Ok(report)
        })
    }

    /// Sends the bodies of `report.failed` again; resolves to a report of the same shape.
    pub fn resend(&self, failed: JsValue) -> Promise {
        let inner = self.inner.clone();
        let prepared = failed_from_js(&failed).and_then(|f| Ok((f, inner.credentials()?)));
        let (items, creds) = match prepared {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        future_to_promise(async move {
            let batches: Vec<(&str, usize)> = items.iter().map(|(b, n)| (b.as_str(), *n)).collect();
            let state = inner.send_all(&batches, &creds).await;
            let report = inner.report(&state, &batches, &creds);
            set(&report, "skipped", &Array::new());
            set(&report, "errors", &Array::new());
            Ok(report)
        })
    }
}

/// `options.maxRequests`: refuse a write that would need more requests than the caller can
/// make (a Worker's subrequest limit), before anything is sent.
fn check_max_requests(
    plan: &librato_output::render::Plan,
    options: &JsValue,
) -> Result<(), JsValue> {
    let Some(max) = get(options, "maxRequests").as_f64() else {
        return Ok(());
    };
    let needed = plan.bodies.batches.len();
    if needed as f64 > max {
        let e = js_error(
            "too_many_requests",
            &format!(
                "this write needs {needed} requests ({} gauges), more than the limit of {}",
                plan.gauges,
                librato_core::number::float_text(max)
            ),
        );
        set(&e, "requests", &(needed as u32).into());
        set(&e, "gauges", &(plan.gauges as u32).into());
        return Err(e);
    }
    Ok(())
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
        let body = get(&item, "body").as_string();
        let count = get(&item, "count").as_f64();
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

impl Inner {
    fn credentials(&self) -> Result<Credentials, JsValue> {
        let resolve = |v: &str| {
            resolve_secrets(v, &self.secrets).map_err(|m| js_error("unresolved_secret", &m))
        };
        let user = resolve(&self.config.api_user)?;
        let token = resolve(&self.config.api_token)?;
        if user.is_empty() || token.is_empty() {
            return Err(js_error(
                "missing_credentials",
                "api_user and api_token are required to send: set them in the config (secret references such as @{store:key} resolve from options.secrets)",
            ));
        }
        let authorization = basic_auth::header(&user, &token);
        let secret_part = authorization
            .strip_prefix("Basic ")
            .unwrap_or(&authorization)
            .to_string();
        let redact = [user, token, secret_part]
            .into_iter()
            .filter(|s| s.len() >= 4)
            .collect();
        Ok(Credentials {
            authorization,
            redact,
        })
    }

    fn log(&self, creds: &Credentials, level: &str, message: &str) {
        if let Some(f) = &self.log {
            let _ = f.call2(
                &JsValue::UNDEFINED,
                &level.into(),
                &redact(creds, message).into(),
            );
        }
    }

    fn policy(&self) -> Policy {
        Policy {
            retries: self.config.retries,
            backoff_ms: self.config.retry_backoff_ms,
            max_wait_ms: self.config.retry_max_wait_ms,
        }
    }

    async fn send_all(&self, batches: &[(&str, usize)], creds: &Credentials) -> State {
        let state = RefCell::new(State::default());
        let next = Cell::new(0usize);
        let workers = self.config.concurrency.min(batches.len()).max(1);
        let tasks: Vec<Pin<Box<dyn Future<Output = ()> + '_>>> = (0..workers)
            .map(|_| {
                let state = &state;
                let next = &next;
                Box::pin(async move {
                    loop {
                        let i = next.get();
                        if i >= batches.len() {
                            break;
                        }
                        next.set(i + 1);
                        let stop = state.borrow().stop.clone();
                        if let Some(reason) = stop {
                            state.borrow_mut().failed.push(Failed {
                                index: i,
                                status: None,
                                message: reason,
                                count: batches[i].1,
                                attempts: 0,
                                retryable: false,
                            });
                            continue;
                        }
                        self.send_one(i, batches, creds, state).await;
                    }
                }) as Pin<Box<dyn Future<Output = ()> + '_>>
            })
            .collect();
        JoinAll::new(tasks).await;
        let mut state = state.into_inner();
        // Into batch order. Workers finish at most `concurrency` places out of order, so an
        // insertion sort is linear here (and far smaller in wasm than the library's sort).
        let failed = &mut state.failed;
        for i in 1..failed.len() {
            let mut j = i;
            while j > 0 && failed[j].index < failed[j - 1].index {
                failed.swap(j, j - 1);
                j -= 1;
            }
        }
        state
    }

    async fn send_one(
        &self,
        i: usize,
        batches: &[(&str, usize)],
        creds: &Credentials,
        state: &RefCell<State>,
    ) {
        let (body, count) = batches[i];
        let n = batches.len();
        let policy = self.policy();
        let url = &self.config.api_url;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if self.config.debug {
                self.log(creds, "debug", &format!(
                    "request {}/{n} attempt {attempt}: POST {url} ({count} gauges, {} bytes) {body}",
                    i + 1,
                    body.len()
                ));
            }
            let result = http::post(
                self.fetch.as_ref(),
                url,
                &creds.authorization,
                body,
                self.config.timeout_ms,
            )
            .await;
            state.borrow_mut().attempts += 1;
            let (outcome, status, message, retry_after) = match result {
                Attempt::Response {
                    status,
                    body: resp,
                    retry_after,
                    rate_std,
                    rate_agg,
                } => {
                    {
                        let mut s = state.borrow_mut();
                        if rate_std.is_some() {
                            s.rate_std = rate_std;
                        }
                        if rate_agg.is_some() {
                            s.rate_agg = rate_agg;
                        }
                    }
                    if self.config.debug {
                        self.log(
                            creds,
                            "debug",
                            &format!("response {}/{n}: {status} {resp}", i + 1),
                        );
                    }
                    let outcome = if status == 403 && says_rate_limited(&resp) {
                        Outcome::RateLimited403
                    } else {
                        Outcome::Status(status)
                    };
                    (
                        outcome,
                        Some(status),
                        error_message(status, &resp),
                        retry_after,
                    )
                }
                Attempt::Timeout => (
                    Outcome::Timeout,
                    None,
                    format!(
                        "timed out after {}",
                        format_duration(self.config.timeout_ms)
                    ),
                    None,
                ),
                Attempt::Network(m) => {
                    (Outcome::Network, None, format!("network error: {m}"), None)
                }
            };
            let decision = retry::decide(
                outcome,
                retry_after.as_deref(),
                attempt,
                &policy,
                js_sys::Date::now(),
                js_sys::Math::random(),
            );
            match decision {
                Decision::Success => {
                    state.borrow_mut().sent += count;
                    return;
                }
                Decision::Retry { after_ms } => {
                    self.log(
                        creds,
                        "warn",
                        &format!(
                        "request {}/{n}: {message}; retrying in {after_ms} ms (attempt {} of {})",
                        i + 1,
                        attempt + 1,
                        policy.retries + 1
                    ),
                    );
                    http::sleep(after_ms).await;
                }
                Decision::Fail {
                    retryable,
                    stop_others,
                } => {
                    let message = redact(creds, &message);
                    self.log(
                        creds,
                        "error",
                        &format!(
                            "request {}/{n} failed after {attempt} attempt(s): {message}",
                            i + 1
                        ),
                    );
                    let mut s = state.borrow_mut();
                    if stop_others && s.stop.is_none() {
                        s.stop = Some(format!(
                            "not sent: an earlier request was refused with {}; fix the credentials and resend",
                            status.unwrap_or(0)
                        ));
                    }
                    s.failed.push(Failed {
                        index: i,
                        status,
                        message,
                        count,
                        attempts: attempt,
                        retryable,
                    });
                    return;
                }
            }
        }
    }

    fn report(&self, state: &State, batches: &[(&str, usize)], creds: &Credentials) -> JsValue {
        let report = Object::new();
        let failed = Array::new();
        for f in &state.failed {
            let o = Object::new();
            set(&o, "status", &f.status.map_or(JsValue::NULL, |s| s.into()));
            set(&o, "message", &redact(creds, &f.message).into());
            set(&o, "body", &batches[f.index].0.into());
            set(&o, "count", &(f.count as u32).into());
            set(&o, "attempts", &f.attempts.into());
            set(&o, "retryable", &f.retryable.into());
            failed.push(&o);
        }
        set(&report, "ok", &state.failed.is_empty().into());
        set(&report, "sent", &(state.sent as u32).into());
        set(&report, "requests", &(batches.len() as u32).into());
        set(&report, "attempts", &state.attempts.into());
        set(&report, "failed", &failed);
        set(&report, "rateLimit", &rate_limit_js(state));
        let failed_gauges: usize = state.failed.iter().map(|f| f.count).sum();
        let summary = format!(
            "write: {} gauges in {} request(s): {} acknowledged, {} failed",
            state.sent + failed_gauges,
            batches.len(),
            state.sent,
            failed_gauges
        );
        self.log(
            creds,
            if state.failed.is_empty() {
                "info"
            } else {
                "warn"
            },
            &summary,
        );
        report.into()
    }
}

fn rate_limit_js(state: &State) -> JsValue {
    if state.rate_std.is_none() && state.rate_agg.is_none() {
        return JsValue::NULL;
    }
    let out = Object::new();
    for (key, header) in [("std", &state.rate_std), ("agg", &state.rate_agg)] {
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

/// Removes credentials from any text that leaves the library.
fn redact(creds: &Credentials, text: &str) -> String {
    let mut out = text.to_string();
    for secret in &creds.redact {
        if librato_core::find::contains(&out, secret) {
            out = librato_core::find::replace_all(&out, secret, "[redacted]");
        }
    }
    out
}
