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
pub mod machine;
mod report;
pub mod retry;
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::fmt;

use librato_core::number::float_text;

use crate::config::LibratoConfig;
pub use credentials::Credentials;
use join::{JoinAll, Task};
pub use machine::{Env, Machine, Step};
pub use report::{Disposition, Failed, SendReport};

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
///
/// This drives the [`Machine`] over `transport` (the package's JS drives the same machine
/// over `fetch`).
pub async fn send_within<T: Transport>(
    transport: &T,
    config: &LibratoConfig,
    batches: &[(&str, usize)],
    creds: &Credentials,
    log: Log<'_>,
    budget: Option<&Cell<u32>>,
) -> SendReport {
    let owned = batches.iter().map(|(b, n)| (b.to_string(), *n)).collect();
    let machine = RefCell::new(Machine::new(
        config,
        creds.clone(),
        owned,
        budget.map(Cell::get),
    ));
    let env = Via(transport);
    let workers = machine.borrow().workers();
    let tasks: Vec<Task<'_>> = (0..workers)
        .map(|slot| {
            let (machine, env) = (&machine, &env);
            Box::pin(async move {
                let mut step = machine.borrow_mut().start(slot, env, log);
                loop {
                    step = match step {
                        Step::Done => break,
                        Step::Post(i) => {
                            let post = Post {
                                url: &config.api_url,
                                authorization: creds.authorization(),
                                body: batches[i].0,
                                timeout_ms: config.timeout_ms,
                            };
                            let answer = transport.post(post).await;
                            machine.borrow_mut().answered(slot, answer, env, log)
                        }
                        Step::Sleep(ms) => {
                            transport.sleep(ms).await;
                            machine.borrow_mut().start(slot, env, log)
                        }
                    };
                }
            }) as Task<'_>
        })
        .collect();
    JoinAll::new(tasks).await;
    let mut machine = machine.into_inner();
    if let (Some(b), Some(left)) = (budget, machine.budget_left()) {
        b.set(left);
    }
    machine.finish(log)
}

/// A [`Transport`] as the machine's [`Env`].
struct Via<'a, T>(&'a T);

impl<T: Transport> Env for Via<'_, T> {
    fn now_ms(&self) -> f64 {
        self.0.now_ms()
    }
    fn random(&self) -> f64 {
        self.0.random()
    }
    fn read_json(&self, body: &str) -> Option<api_response::Json> {
        self.0.read_json(body)
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
