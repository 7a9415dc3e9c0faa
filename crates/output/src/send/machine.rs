//! The send loop as a synchronous state machine: every rule of a write (which batch goes
//! next, the attempt budget, each retry and its wait, the stop after a refused login, every
//! message and the report) is decided here, and whoever drives it only makes the requests
//! and keeps the timers: [`super::send_within`] natively (tests, over any [`super::Transport`]),
//! the package's JS over the runtime's `fetch` (so the `.wasm` carries no futures executor).
//!
//! A write has `workers()` slots, each a worker that sends one batch at a time: a driver asks
//! a slot to [`Machine::start`] (first, and after each wait) and hands it each answer
//! ([`Machine::answered`]); both say what that slot does next ([`Step`]). When every slot is
//! [`Step::Done`], [`Machine::finish`] gives the report.

use librato_core::librato::Api;
use librato_core::number::write_int;

use super::api_response::{self, Json};
use super::retry::{self, Decision, Outcome, Policy};
use super::{Attempt, Credentials, Failed, Level, Log, SendReport};
use crate::config::{format_duration, LibratoConfig};

/// What a slot does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// POST batch `n` (its body is [`Machine::body`]), then hand the answer to `answered`.
    Post(usize),
    /// Wait this many milliseconds, then `start` the slot again.
    Sleep(u64),
    /// Nothing left for this slot.
    Done,
}

/// What the machine asks of its runtime while deciding.
pub trait Env {
    /// Milliseconds since the epoch (reads `Retry-After` dates).
    fn now_ms(&self) -> f64;
    /// A number in [0, 1) (full jitter).
    fn random(&self) -> f64;
    /// A response body read as JSON (`None`: it is not JSON), for its error messages.
    fn read_json(&self, body: &str) -> Option<Json> {
        api_response::read_json(body)
    }
}

/// The batch a slot is working on.
struct Active {
    batch: usize,
    attempt: u32,
    /// The last retryable failure: (status, message, Retry-After), for a budget cut.
    last: Option<(Option<u16>, String, Option<String>)>,
}

/// One write (or one round of a queue delivery) in progress.
pub struct Machine {
    url: String,
    api: Api,
    debug: bool,
    timeout_ms: u64,
    policy: Policy,
    creds: Credentials,
    batches: Vec<(String, usize)>,
    next: usize,
    slots: Vec<Option<Active>>,
    budget: Option<u32>,
    report: SendReport,
    /// Set after a 401/403: why the remaining batches are not sent.
    stop: Option<String>,
}

impl Machine {
    /// A write of `batches` (`(body, gauges)`); `budget`: HTTP attempts allowed in all
    /// (retries included), once spent a batch not yet tried fails as not attempted.
    pub fn new(
        config: &LibratoConfig,
        creds: Credentials,
        batches: Vec<(String, usize)>,
        budget: Option<u32>,
    ) -> Machine {
        let workers = config.concurrency.min(batches.len()).max(1);
        Machine {
            url: config.api_url.clone(),
            api: config.api,
            debug: config.debug,
            timeout_ms: config.timeout_ms,
            policy: Policy {
                retries: config.retries,
                backoff_ms: config.retry_backoff_ms,
                max_wait_ms: config.retry_max_wait_ms,
            },
            creds,
            batches,
            next: 0,
            slots: (0..workers).map(|_| None).collect(),
            budget,
            report: SendReport::default(),
            stop: None,
        }
    }

    /// Slots to drive: at most `concurrency` requests are ever in flight.
    pub fn workers(&self) -> usize {
        self.slots.len()
    }

    /// The batches, in the order the report's `index` counts.
    pub fn batches(&self) -> &[(String, usize)] {
        &self.batches
    }

    /// The body of batch `n`.
    pub fn body(&self, n: usize) -> &str {
        &self.batches[n].0
    }

    /// The API URL every request goes to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `Authorization` header value; a driver must never log or echo it.
    pub fn authorization(&self) -> &str {
        self.creds.authorization()
    }

    /// Whole-request timeout (headers and body).
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// HTTP attempts still allowed (`None`: no budget).
    pub fn budget_left(&self) -> Option<u32> {
        self.budget
    }

    fn log(&self, log: Log<'_>, level: Level, message: &str) {
        log(level, &self.creds.redact(message));
    }

    /// A slot's next step at the start, and after the wait of a [`Step::Sleep`].
    pub fn start(&mut self, slot: usize, env: &dyn Env, log: Log<'_>) -> Step {
        match self.slots[slot].take() {
            Some(active) => match self.attempt(slot, active, env, log) {
                // The budget was spent: that batch failed, on to the next.
                Step::Done => self.pick(slot, env, log),
                step => step,
            },
            None => self.pick(slot, env, log),
        }
    }

    /// A slot's next step after the answer to its [`Step::Post`].
    pub fn answered(&mut self, slot: usize, result: Attempt, env: &dyn Env, log: Log<'_>) -> Step {
        let Some(mut active) = self.slots[slot].take() else {
            // An answer for a slot that posted nothing: a driver's mistake, not the API's.
            return self.pick(slot, env, log);
        };
        let (i, attempt) = (active.batch, active.attempt);
        let count = self.batches[i].1;
        self.report.attempts += 1;
        let (outcome, status, message, retry_after) = self.read(result, i, env, log);
        let decision = retry::decide(
            outcome,
            retry_after.as_deref(),
            attempt,
            &self.policy,
            env.now_ms(),
            env.random(),
        );
        match decision {
            Decision::Success => {
                self.report.sent += count;
                self.pick(slot, env, log)
            }
            Decision::Retry { after_ms } => {
                active.last = Some((status, message, retry_after));
                self.retry_later(slot, active, after_ms, log)
            }
            Decision::Fail {
                retryable,
                stop_others,
            } => {
                let failed = Failed {
                    index: i,
                    status,
                    message,
                    count,
                    attempts: attempt,
                    retryable,
                    retry_after_ms: None,
                };
                self.give_up(slot, failed, retry_after, stop_others, env, log)
            }
        }
    }

    // The two arms an acknowledged request never runs, each its own function: V8 compiles a
    // wasm function on its first call, whole, so a first flush compiles only the success arm.

    /// A retryable failure: said, and the slot sleeps before the next attempt.
    #[inline(never)]
    fn retry_later(&mut self, slot: usize, active: Active, after_ms: u64, log: Log<'_>) -> Step {
        let (i, attempt) = (active.batch, active.attempt);
        let message = active.last.as_ref().map_or("", |l| l.1.as_str());
        self.log(
            log,
            Level::Warn,
            &format!(
                "request {}/{}: {message}; retrying in {after_ms} ms (attempt {} of {})",
                i + 1,
                self.batches.len(),
                attempt + 1,
                self.policy.retries + 1
            ),
        );
        self.slots[slot] = Some(active);
        Step::Sleep(after_ms)
    }

    /// A request given up: its failure reported (credentials redacted) and, after a refused
    /// login, the rest stopped.
    #[inline(never)]
    fn give_up(
        &mut self,
        slot: usize,
        mut failed: Failed,
        retry_after: Option<String>,
        stop_others: bool,
        env: &dyn Env,
        log: Log<'_>,
    ) -> Step {
        failed.retry_after_ms = retry_after
            .as_deref()
            .and_then(|h| retry::parse_retry_after(h, env.now_ms()));
        failed.message = self.creds.redact(&failed.message);
        self.log(
            log,
            Level::Error,
            &format!(
                "request {}/{} failed after {} attempt(s): {}",
                failed.index + 1,
                self.batches.len(),
                failed.attempts,
                failed.message
            ),
        );
        if stop_others && self.stop.is_none() {
            self.stop = Some(format!(
                "not sent: an earlier request was refused with {}; fix the credentials and resend",
                failed.status.unwrap_or(0)
            ));
        }
        self.report.failed.push(failed);
        self.pick(slot, env, log)
    }

    /// The report, once every slot is done: failures in batch order, and the write's summary
    /// logged.
    pub fn finish(&mut self, log: Log<'_>) -> SendReport {
        let mut report = std::mem::take(&mut self.report);
        // Into batch order. Workers finish at most `concurrency` places out of order, so an
        // insertion sort is linear here (and far smaller in wasm than the library's sort).
        librato_core::sort::insertion_sort_by_key(&mut report.failed, |f| f.index);
        let failed_gauges: usize = report.failed.iter().map(|f| f.count).sum();
        let level = if report.failed.is_empty() {
            Level::Info
        } else {
            Level::Warn
        };
        // "write: {n} {noun} in {requests} request(s): {sent} acknowledged, {failed} failed",
        // built without format!: a flush that logs nothing else runs none of core::fmt (V8
        // compiles each wasm function on its first call; docs/performance.md).
        let mut line = b"write: ".to_vec();
        write_int(&mut line, (report.sent + failed_gauges) as i64);
        line.push(b' ');
        line.extend_from_slice(noun(self.api).as_bytes());
        for (text, n) in [
            (" in ", self.batches.len()),
            (" request(s): ", report.sent),
            (" acknowledged, ", failed_gauges),
        ] {
            line.extend_from_slice(text.as_bytes());
            write_int(&mut line, n as i64);
        }
        line.extend_from_slice(b" failed");
        log(level, std::str::from_utf8(&line).unwrap_or_default());
        report
    }

    /// The next batch for `slot` (those after a refused login fail unsent).
    fn pick(&mut self, slot: usize, env: &dyn Env, log: Log<'_>) -> Step {
        loop {
            let i = self.next;
            if i >= self.batches.len() {
                return Step::Done;
            }
            self.next = i + 1;
            if let Some(reason) = &self.stop {
                self.report.failed.push(Failed {
                    index: i,
                    status: None,
                    message: reason.clone(),
                    count: self.batches[i].1,
                    attempts: 0,
                    retryable: false,
                    retry_after_ms: None,
                });
                continue;
            }
            let active = Active {
                batch: i,
                attempt: 0,
                last: None,
            };
            match self.attempt(slot, active, env, log) {
                Step::Done => continue,
                step => return step,
            }
        }
    }

    /// One more attempt at the slot's batch, within the budget (`Done`: it was spent, and
    /// the batch failed with its last answer).
    fn attempt(&mut self, slot: usize, mut active: Active, env: &dyn Env, log: Log<'_>) -> Step {
        let i = active.batch;
        let (body, count) = (&self.batches[i].0, self.batches[i].1);
        if let Some(b) = self.budget {
            if b == 0 {
                let (status, message, retry_after) = active.last.take().unwrap_or_else(|| {
                    (None, "not sent: the request budget was spent".into(), None)
                });
                let retry_after_ms = retry_after
                    .as_deref()
                    .and_then(|h| retry::parse_retry_after(h, env.now_ms()));
                self.report.failed.push(Failed {
                    index: i,
                    status,
                    message: self.creds.redact(&message),
                    count,
                    attempts: active.attempt,
                    retryable: true,
                    retry_after_ms,
                });
                return Step::Done;
            }
            self.budget = Some(b - 1);
        }
        active.attempt += 1;
        if self.debug {
            self.log(
                log,
                Level::Debug,
                &format!(
                    "request {}/{} attempt {}: POST {} ({count} {}, {} bytes) {body}",
                    i + 1,
                    self.batches.len(),
                    active.attempt,
                    self.url,
                    noun(self.api),
                    body.len()
                ),
            );
        }
        self.slots[slot] = Some(active);
        Step::Post(i)
    }

    /// Classifies an attempt: outcome, status, message, `Retry-After`.
    fn read(
        &mut self,
        result: Attempt,
        i: usize,
        env: &dyn Env,
        log: Log<'_>,
    ) -> (Outcome, Option<u16>, String, Option<String>) {
        let n = self.batches.len();
        match result {
            Attempt::Response {
                status,
                body,
                retry_after,
                location,
                rate_std,
                rate_agg,
            } => {
                if rate_std.is_some() {
                    self.report.rate_std = rate_std;
                }
                if rate_agg.is_some() {
                    self.report.rate_agg = rate_agg;
                }
                if self.debug {
                    self.log(
                        log,
                        Level::Debug,
                        &format!("response {}/{n}: {status} {body}", i + 1),
                    );
                }
                // Read once (a redirect's message does not quote its body).
                let json = if !(300..=399).contains(&status) {
                    env.read_json(&body)
                } else {
                    None
                };
                let outcome = if status == 403 && api_response::says_rate_limited(&body) {
                    Outcome::RateLimited403
                } else if (200..300).contains(&status) && api_response::has_errors_in(json.as_ref())
                {
                    // Both APIs: a 2xx naming errors did not store (all of) the request, and
                    // the same body would be refused again.
                    Outcome::RejectedIn2xx
                } else {
                    Outcome::Status(status)
                };
                // An acknowledgement has nothing to say (`retry::decide` takes any 2xx as
                // one): no message is made for each body sent.
                let message = if matches!(outcome, Outcome::Status(200..=299)) {
                    String::new()
                } else {
                    failure_message(status, location, &body, json.as_ref())
                };
                (outcome, Some(status), message, retry_after)
            }
            Attempt::Timeout => (
                Outcome::Timeout,
                None,
                format!("timed out after {}", format_duration(self.timeout_ms)),
                None,
            ),
            Attempt::Network(m) => (Outcome::Network, None, format!("network error: {m}"), None),
        }
    }
}

/// What a request that was not acknowledged is told (its own function, like `give_up`: a
/// first flush does not compile it).
#[inline(never)]
fn failure_message(
    status: u16,
    location: Option<String>,
    body: &str,
    json: Option<&Json>,
) -> String {
    match (status, location) {
        (300..=399, Some(to)) => format!(
            "{status}: the API redirects to {to}; redirects are not followed: set api_url to the final URL"
        ),
        (300..=399, None) => format!(
            "{status}: the API answered with a redirect; redirects are not followed: set api_url to the final URL"
        ),
        _ => api_response::error_message_of(status, body, json),
    }
}

/// What the bodies hold, for log lines.
fn noun(api: Api) -> &'static str {
    match api {
        Api::Metrics => "gauges",
        Api::Measurements => "measurements",
    }
}
