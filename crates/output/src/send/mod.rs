//! Sending a plan's bodies: the send loop, generic over a [`Transport`] (the boundary's is the
//! runtime's `fetch`; tests use a fake), with the pure retry policy ([`retry`]), API response
//! reading ([`api_response`]), credentials and redaction, and the [`SendReport`].
//!
//! The guarantee, held by a property test over random fault sequences: every gauge is either
//! acknowledged by a 2xx (`sent`) or inside its exact request body in `failed`; after a 401
//! or 403 no further batch is started; never more than `concurrency` requests are in flight;
//! `Retry-After` is honoured and capped by `retry_max_wait`.

pub mod api_response;
pub mod basic_auth;
mod credentials;
mod join;
mod report;
pub mod retry;
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::fmt;

use librato_core::librato::Api;
use librato_core::number::float_text;

use crate::config::{format_duration, LibratoConfig};
pub use credentials::Credentials;
use join::{JoinAll, Task};
pub use report::{Disposition, Failed, SendReport};
use retry::{Decision, Outcome, Policy};

/// One POST the loop asks the transport to make.
#[derive(Debug, Clone, Copy)]
pub struct Post<'a> {
    /// The API URL.
    pub url: &'a str,
    /// The `Authorization` header value; a transport must never log or echo it.
    pub authorization: &'a str,
    /// JSON, sent with `Content-Type: application/json`.
    pub body: &'a str,
    /// Whole-request timeout (headers and body).
    pub timeout_ms: u64,
}

/// What one HTTP attempt ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The API answered (any status; redirects are not followed).
    Response {
        /// The HTTP status.
        status: u16,
        /// The response body.
        body: String,
        /// The `Retry-After` header.
        retry_after: Option<String>,
        /// `Location` of a 3xx, named in the failure message.
        location: Option<String>,
        /// The `X-Librato-RateLimit-Std` header.
        rate_std: Option<String>,
        /// The `X-Librato-RateLimit-Agg` header.
        rate_agg: Option<String>,
    },
    /// No complete answer within `timeout_ms`.
    Timeout,
    /// The request could not be made (refused, reset, DNS, CORS...), with why.
    Network(String),
}

/// What the send loop needs from its runtime. Single-threaded by design (wasm has one
/// thread), hence no `Send` bounds on the futures.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Makes one POST, never following redirects.
    async fn post(&self, post: Post<'_>) -> Attempt;
    /// Resolves after `ms` milliseconds.
    async fn sleep(&self, ms: u64);
    /// Milliseconds since the epoch (reads `Retry-After` dates).
    fn now_ms(&self) -> f64;
    /// A number in [0, 1) (full jitter).
    fn random(&self) -> f64;
    /// A response body read as JSON (`None`: it is not JSON), for its error messages.
    fn read_json(&self, body: &str) -> Option<api_response::Json> {
        api_response::read_json(body)
    }
}

/// Log levels, as `options.log` receives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Request and response bodies (with `debug = true`).
    Debug,
    /// A write's summary.
    Info,
    /// A retry, or a write with failures.
    Warn,
    /// A batch given up on.
    Error,
}

impl Level {
    /// The name JS sees.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Receives log lines, already redacted.
pub type Log<'a> = &'a dyn Fn(Level, &str);

/// Why a write cannot start.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SendError {
    /// `api_user` or `api_token` is empty after resolving secrets.
    MissingCredentials,
    /// A `@{store:key}` reference has no value (the message names the reference only).
    UnresolvedSecret(String),
    /// The write needs more requests than `maxRequests` allows. `at_least`: rendering
    /// stopped at the limit, so `needed` and `gauges` are lower bounds.
    TooManyRequests {
        /// Requests rendered so far.
        needed: usize,
        /// Gauges rendered so far.
        gauges: usize,
        /// The limit given.
        limit: f64,
        /// Rendering stopped at the limit: the figures are lower bounds.
        at_least: bool,
    },
}

impl SendError {
    /// The stable `code` of the JS `Error`.
    pub fn code(&self) -> &'static str {
        match self {
            SendError::MissingCredentials => "missing_credentials",
            SendError::UnresolvedSecret(_) => "unresolved_secret",
            SendError::TooManyRequests { .. } => "too_many_requests",
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::MissingCredentials => f.write_str(
                "api_user and api_token are required to send (api_token alone with api = \"measurements\"): set them in the config (secret references such as @{store:key} resolve from options.secrets)",
            ),
            SendError::UnresolvedSecret(m) => f.write_str(m),
            SendError::TooManyRequests {
                needed,
                gauges,
                limit,
                at_least: false,
            } => write!(
                f,
                "this write needs {needed} requests ({gauges} gauges), more than the limit of {}",
                float_text(*limit)
            ),
            SendError::TooManyRequests { gauges, limit, .. } => write!(
                f,
                "this write needs more than {} requests (rendering stopped there, after {gauges} gauges)",
                float_text(*limit)
            ),
        }
    }
}

impl std::error::Error for SendError {}

/// Refuses a write that would need more than `max` requests (a Worker's subrequest limit),
/// before anything is sent. `truncated`: rendering stopped at the limit (see
/// [`crate::render::RenderOptions::max_requests`]).
pub fn check_max_requests(
    needed: usize,
    gauges: usize,
    max: Option<f64>,
    truncated: bool,
) -> Result<(), SendError> {
    match max {
        Some(limit) if needed as f64 > limit || truncated => Err(SendError::TooManyRequests {
            needed,
            gauges,
            limit,
            at_least: truncated,
        }),
        _ => Ok(()),
    }
}

/// Shared by the concurrent workers of one write.
#[derive(Default)]
struct State {
    report: SendReport,
    /// Set after a 401/403: why the remaining batches are not sent.
    stop: Option<String>,
}

/// Sends `batches` (`(body, gauges)`) with up to `config.concurrency` in flight, retrying as
/// [`retry::decide`] says, and reports every batch as acknowledged or failed.
///
/// ```
/// use std::cell::Cell;
/// use librato_output::config::LibratoConfig;
/// use librato_output::send::{block_on, send_all, Attempt, Credentials, Post, Transport};
///
/// /// Answers 503 once, then 204.
/// struct Flaky(Cell<u32>);
/// impl Transport for Flaky {
///     async fn post(&self, _: Post<'_>) -> Attempt {
///         self.0.set(self.0.get() + 1);
///         let status = if self.0.get() == 1 { 503 } else { 204 };
///         Attempt::Response { status, body: String::new(), retry_after: Some("1".into()),
///                             location: None, rate_std: None, rate_agg: None }
///     }
///     async fn sleep(&self, _ms: u64) {}
///     fn now_ms(&self) -> f64 { 0.0 }
///     fn random(&self) -> f64 { 0.5 }
/// }
///
/// let config = LibratoConfig { api_user: "u@example.com".into(), api_token: "token".into(),
///                              ..LibratoConfig::default() };
/// let creds = Credentials::resolve(&config, &Default::default()).unwrap();
/// let batches = [(r#"{"gauges":[]}"#, 3)];
/// let report = block_on(send_all(&Flaky(Cell::new(0)), &config, &batches, &creds, &|_, _| {}));
/// assert_eq!((report.sent, report.attempts, report.failed.len()), (3, 2, 0));
/// ```
pub async fn send_all<T: Transport>(
    transport: &T,
    config: &LibratoConfig,
    batches: &[(&str, usize)],
    creds: &Credentials,
    log: Log<'_>,
) -> SendReport {
    send_within(transport, config, batches, creds, log, None).await
}

/// [`send_all`] with every HTTP attempt (retries included) counted against `budget`: once it
/// is spent, a batch not yet tried fails as not attempted (`attempts` 0, retryable: its
/// [`Disposition`] is `Unsent`) and one being retried fails with its last answer. A queue
/// consumer's subrequest limit counts attempts, not batches.
pub async fn send_within<T: Transport>(
    transport: &T,
    config: &LibratoConfig,
    batches: &[(&str, usize)],
    creds: &Credentials,
    log: Log<'_>,
    budget: Option<&Cell<u32>>,
) -> SendReport {
    let state = RefCell::new(State::default());
    let next = Cell::new(0usize);
    let ctx = Ctx {
        transport,
        config,
        batches,
        creds,
        log,
        state: &state,
        budget,
    };
    let workers = config.concurrency.min(batches.len()).max(1);
    let tasks: Vec<Task<'_>> = (0..workers)
        .map(|_| {
            let (ctx, next) = (&ctx, &next);
            Box::pin(async move {
                loop {
                    let i = next.get();
                    if i >= batches.len() {
                        break;
                    }
                    next.set(i + 1);
                    let stop = ctx.state.borrow().stop.clone();
                    match stop {
                        Some(reason) => ctx.state.borrow_mut().report.failed.push(Failed {
                            index: i,
                            status: None,
                            message: reason,
                            count: batches[i].1,
                            attempts: 0,
                            retryable: false,
                            retry_after_ms: None,
                        }),
                        None => ctx.send_one(i).await,
                    }
                }
            }) as Task<'_>
        })
        .collect();
    JoinAll::new(tasks).await;
    let mut report = state.into_inner().report;
    // Into batch order. Workers finish at most `concurrency` places out of order, so an
    // insertion sort is linear here (and far smaller in wasm than the library's sort).
    librato_core::sort::insertion_sort_by_key(&mut report.failed, |f| f.index);
    let failed_gauges: usize = report.failed.iter().map(|f| f.count).sum();
    let level = if report.failed.is_empty() {
        Level::Info
    } else {
        Level::Warn
    };
    log(
        level,
        &format!(
            "write: {} {} in {} request(s): {} acknowledged, {} failed",
            report.sent + failed_gauges,
            noun(config.api),
            batches.len(),
            report.sent,
            failed_gauges
        ),
    );
    report
}

/// What the bodies hold, for log lines.
fn noun(api: Api) -> &'static str {
    match api {
        Api::Metrics => "gauges",
        Api::Measurements => "measurements",
    }
}

/// One write's shared, read-only context.
struct Ctx<'a, T> {
    transport: &'a T,
    config: &'a LibratoConfig,
    batches: &'a [(&'a str, usize)],
    creds: &'a Credentials,
    log: Log<'a>,
    state: &'a RefCell<State>,
    budget: Option<&'a Cell<u32>>,
}

impl<T: Transport> Ctx<'_, T> {
    fn log(&self, level: Level, message: &str) {
        (self.log)(level, &self.creds.redact(message));
    }

    fn policy(&self) -> Policy {
        Policy {
            retries: self.config.retries,
            backoff_ms: self.config.retry_backoff_ms,
            max_wait_ms: self.config.retry_max_wait_ms,
        }
    }

    async fn send_one(&self, i: usize) {
        let (body, count) = self.batches[i];
        let n = self.batches.len();
        let policy = self.policy();
        let url = self.config.api_url.as_str();
        let mut attempt = 0u32;
        // The last retryable failure: (status, message, Retry-After), for a budget cut.
        let mut last: Option<(Option<u16>, String, Option<String>)> = None;
        loop {
            if let Some(b) = self.budget {
                if b.get() == 0 {
                    let (status, message, retry_after) = last.unwrap_or_else(|| {
                        (None, "not sent: the request budget was spent".into(), None)
                    });
                    let retry_after_ms = retry_after
                        .as_deref()
                        .and_then(|h| retry::parse_retry_after(h, self.transport.now_ms()));
                    self.state.borrow_mut().report.failed.push(Failed {
                        index: i,
                        status,
                        message: self.creds.redact(&message),
                        count,
                        attempts: attempt,
                        retryable: true,
                        retry_after_ms,
                    });
                    return;
                }
                b.set(b.get() - 1);
            }
            attempt += 1;
            if self.config.debug {
                self.log(
                    Level::Debug,
                    &format!(
                        "request {}/{n} attempt {attempt}: POST {url} ({count} {}, {} bytes) {body}",
                        i + 1,
                        noun(self.config.api),
                        body.len()
                    ),
                );
            }
            let post = Post {
                url,
                authorization: self.creds.authorization(),
                body,
                timeout_ms: self.config.timeout_ms,
            };
            let result = self.transport.post(post).await;
            self.state.borrow_mut().report.attempts += 1;
            let (outcome, status, message, retry_after) = self.read(result, i, n);
            let decision = retry::decide(
                outcome,
                retry_after.as_deref(),
                attempt,
                &policy,
                self.transport.now_ms(),
                self.transport.random(),
            );
            match decision {
                Decision::Success => {
                    self.state.borrow_mut().report.sent += count;
                    return;
                }
                Decision::Retry { after_ms } => {
                    last = Some((status, message.clone(), retry_after));
                    self.log(
                        Level::Warn,
                        &format!(
                            "request {}/{n}: {message}; retrying in {after_ms} ms (attempt {} of {})",
                            i + 1,
                            attempt + 1,
                            policy.retries + 1
                        ),
                    );
                    self.transport.sleep(after_ms).await;
                }
                Decision::Fail {
                    retryable,
                    stop_others,
                } => {
                    let retry_after_ms = retry_after
                        .as_deref()
                        .and_then(|h| retry::parse_retry_after(h, self.transport.now_ms()));
                    let message = self.creds.redact(&message);
                    self.log(
                        Level::Error,
                        &format!(
                            "request {}/{n} failed after {attempt} attempt(s): {message}",
                            i + 1
                        ),
                    );
                    let mut s = self.state.borrow_mut();
                    if stop_others && s.stop.is_none() {
                        s.stop = Some(format!(
                            "not sent: an earlier request was refused with {}; fix the credentials and resend",
                            status.unwrap_or(0)
                        ));
                    }
                    s.report.failed.push(Failed {
                        index: i,
                        status,
                        message,
                        count,
                        attempts: attempt,
                        retryable,
                        retry_after_ms,
                    });
                    return;
                }
            }
        }
    }

    /// Classifies an attempt: outcome, status, message, `Retry-After`.
    fn read(
        &self,
        result: Attempt,
        i: usize,
        n: usize,
    ) -> (Outcome, Option<u16>, String, Option<String>) {
        match result {
            Attempt::Response {
                status,
                body,
                retry_after,
                location,
                rate_std,
                rate_agg,
            } => {
                {
                    let report = &mut self.state.borrow_mut().report;
                    if rate_std.is_some() {
                        report.rate_std = rate_std;
                    }
                    if rate_agg.is_some() {
                        report.rate_agg = rate_agg;
                    }
                }
                if self.config.debug {
                    self.log(
                        Level::Debug,
                        &format!("response {}/{n}: {status} {body}", i + 1),
                    );
                }
                // Read once (a redirect's message does not quote its body).
                let json = if !(300..=399).contains(&status) {
                    self.transport.read_json(&body)
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
                let message = match (status, location) {
                    (300..=399, Some(to)) => format!(
                        "{status}: the API redirects to {to}; redirects are not followed: set api_url to the final URL"
                    ),
                    (300..=399, None) => format!(
                        "{status}: the API answered with a redirect; redirects are not followed: set api_url to the final URL"
                    ),
                    _ => api_response::error_message_of(status, &body, json.as_ref()),
                };
                (outcome, Some(status), message, retry_after)
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
            Attempt::Network(m) => (Outcome::Network, None, format!("network error: {m}"), None),
        }
    }
}

/// Drives a future to completion on the current thread, polling it until it is ready (for
/// native callers and tests; in wasm the JS event loop drives the send loop instead). Meant
/// for transports whose futures wake promptly; it spins rather than parks.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
