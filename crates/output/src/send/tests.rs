//! The send loop natively, over a fake transport that answers from a script of faults and
//! records everything: what was posted, how many requests were in flight, every sleep.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use crate::config::StrMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use proptest::prelude::*;

use super::*;
use librato_core::librato::Api;

/// One scripted answer.
#[derive(Debug, Clone)]
enum Fault {
    Status(u16),
    RetryAfter(u16, u64),
    RateLimited403,
    Redirect(u16),
    Timeout,
    Network,
    /// 202 whose body holds `errors` (the tagged API's partial refusal).
    ErrorsIn2xx,
}

impl Fault {
    fn attempt(&self) -> Attempt {
        let response = |status: u16, body: &str, retry_after: Option<String>| Attempt::Response {
            status,
            body: body.into(),
            retry_after,
            location: None,
            rate_std: Some(format!("limit=300,remaining={status}")),
            rate_agg: None,
        };
        match self {
            Fault::Status(s) => response(*s, "", None),
            Fault::RetryAfter(s, secs) => response(*s, "", Some(secs.to_string())),
            Fault::RateLimited403 => {
                response(403, r#"{"errors":{"request":["API Limit reached"]}}"#, None)
            }
            Fault::Redirect(s) => Attempt::Response {
                status: *s,
                body: String::new(),
                retry_after: None,
                location: Some("https://elsewhere.example/v1/metrics".into()),
                rate_std: None,
                rate_agg: None,
            },
            Fault::ErrorsIn2xx => response(
                202,
                r#"{"errors":[{"param":"tags","value":"x","reason":"too many unique tag sets"}]}"#,
                None,
            ),
            Fault::Timeout => Attempt::Timeout,
            Fault::Network => Attempt::Network("connection reset".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Event {
    /// A post started (the body).
    Start(String),
    /// A post answered (the body, the answer).
    Answer(String, Attempt),
    Sleep(u64),
}

/// Answers from `script` in the order posts complete; 200 once the script runs out.
struct Fake {
    script: RefCell<std::vec::IntoIter<Fault>>,
    in_flight: Cell<usize>,
    max_in_flight: Cell<usize>,
    events: RefCell<Vec<Event>>,
}

impl Fake {
    fn new(script: Vec<Fault>) -> Fake {
        Fake {
            script: RefCell::new(script.into_iter()),
            in_flight: Cell::new(0),
            max_in_flight: Cell::new(0),
            events: RefCell::new(Vec::new()),
        }
    }
}

/// Pending once: lets the other workers run, as a real request would.
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl Transport for Fake {
    async fn post(&self, post: Post<'_>) -> Attempt {
        assert!(post.authorization.starts_with("Basic "));
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight
            .set(self.max_in_flight.get().max(self.in_flight.get()));
        self.events
            .borrow_mut()
            .push(Event::Start(post.body.into()));
        YieldOnce(false).await;
        YieldOnce(false).await;
        self.in_flight.set(self.in_flight.get() - 1);
        let fault = self
            .script
            .borrow_mut()
            .next()
            .unwrap_or(Fault::Status(200));
        let attempt = fault.attempt();
        self.events
            .borrow_mut()
            .push(Event::Answer(post.body.into(), attempt.clone()));
        attempt
    }
    async fn sleep(&self, ms: u64) {
        self.events.borrow_mut().push(Event::Sleep(ms));
        YieldOnce(false).await;
    }
    fn now_ms(&self) -> f64 {
        0.0
    }
    fn random(&self) -> f64 {
        0.5
    }
}

fn config(concurrency: usize, retries: u32, max_wait_ms: u64) -> LibratoConfig {
    LibratoConfig {
        api_user: "user@example.com".into(),
        api_token: "tok-123456".into(),
        concurrency,
        retries,
        retry_max_wait_ms: max_wait_ms,
        ..LibratoConfig::default()
    }
}

fn bodies(n: usize) -> Vec<(String, usize)> {
    (0..n)
        .map(|i| (format!(r#"{{"gauges":[{{"name":"b{i}"}}]}}"#), 1 + i % 7))
        .collect()
}

fn run(
    fake: &Fake,
    config: &LibratoConfig,
    batches: &[(String, usize)],
) -> (SendReport, Vec<String>) {
    let creds = Credentials::resolve(config, &StrMap::default()).unwrap();
    let refs: Vec<(&str, usize)> = batches.iter().map(|(b, n)| (b.as_str(), *n)).collect();
    let logs = RefCell::new(Vec::new());
    let log = |level: Level, m: &str| logs.borrow_mut().push(format!("{}: {m}", level.as_str()));
    let report = block_on(send_all(fake, config, &refs, &creds, &log));
    (report, logs.into_inner())
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => prop::sample::select(vec![200u16, 201, 202, 204]).prop_map(Fault::Status),
        3 => prop::sample::select(vec![408u16, 429, 500, 502, 503, 504]).prop_map(Fault::Status),
        2 => (prop::sample::select(vec![429u16, 503]), 0u64..100).prop_map(|(s, r)| Fault::RetryAfter(s, r)),
        1 => prop::sample::select(vec![400u16, 404, 413, 422, 501]).prop_map(Fault::Status),
        1 => prop::sample::select(vec![401u16, 403]).prop_map(Fault::Status),
        1 => Just(Fault::RateLimited403),
        1 => prop::sample::select(vec![301u16, 302, 307]).prop_map(Fault::Redirect),
        1 => Just(Fault::Timeout),
        1 => Just(Fault::Network),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The guarantee over random fault sequences.
    #[test]
    fn every_gauge_is_sent_or_failed_with_its_body(
        n in 1usize..25,
        concurrency in 1usize..6,
        retries in 0u32..4,
        max_wait_s in 1u64..60,
        script in prop::collection::vec(fault(), 0..80),
    ) {
        let max_wait_ms = max_wait_s * 1000;
        let config = config(concurrency, retries, max_wait_ms);
        let batches = bodies(n);
        let fake = Fake::new(script);
        let (report, logs) = run(&fake, &config, &batches);
        let events = fake.events.into_inner();

        // Every gauge is counted once: sent, or in a failed batch.
        let total: usize = batches.iter().map(|b| b.1).sum();
        let failed: usize = report.failed.iter().map(|f| f.count).sum();
        prop_assert_eq!(report.sent + failed, total);
        // The write's summary is the last line logged (built without format!; this is it).
        let level = if report.failed.is_empty() { "info" } else { "warn" };
        let summary = format!(
            "{level}: write: {total} gauges in {n} request(s): {} acknowledged, {failed} failed",
            report.sent
        );
        prop_assert_eq!(logs.last(), Some(&summary));

        // A batch is acknowledged iff its last answer was a 2xx; failed ones are in order,
        // once each, and each carries exactly the body that was posted (attempts times).
        let mut last: HashMap<&str, &Attempt> = HashMap::new();
        let mut posts: HashMap<&str, u32> = HashMap::new();
        for e in &events {
            match e {
                Event::Answer(b, a) => { last.insert(b.as_str(), a); }
                Event::Start(b) => { *posts.entry(b.as_str()).or_default() += 1; }
                Event::Sleep(_) => {}
            }
        }
        let mut acked = 0;
        for (body, count) in &batches {
            if let Some(Attempt::Response { status: 200..=299, .. }) = last.get(body.as_str()) {
                acked += count;
            }
        }
        prop_assert_eq!(acked, report.sent);
        for w in report.failed.windows(2) {
            prop_assert!(w[0].index < w[1].index);
        }
        for f in &report.failed {
            let (body, count) = &batches[f.index];
            prop_assert_eq!(f.count, *count);
            prop_assert_eq!(posts.get(body.as_str()).copied().unwrap_or(0), f.attempts);
            let acknowledged = matches!(last.get(body.as_str()), Some(Attempt::Response { status: 200..=299, .. }));
            prop_assert!(!acknowledged);
            if f.attempts == 0 {
                prop_assert!(f.message.starts_with("not sent:") && !f.retryable);
            }
        }
        let attempts: u32 = posts.values().sum();
        prop_assert_eq!(report.attempts, attempts);
        prop_assert!(posts.values().all(|&a| a <= retries + 1));

        // Never more than `concurrency` in flight.
        prop_assert!(fake.max_in_flight.get() <= concurrency);

        // After a 401/403 (not a rate limit), no batch is started for the first time.
        let stop_at = events.iter().position(|e| matches!(e,
            Event::Answer(_, Attempt::Response { status: 401 | 403, body, .. }) if body.is_empty()));
        if let Some(at) = stop_at {
            let started_before: Vec<&str> = events[..at].iter().filter_map(|e| match e {
                Event::Start(b) => Some(b.as_str()), _ => None }).collect();
            for e in &events[at..] {
                if let Event::Start(b) = e {
                    prop_assert!(started_before.contains(&b.as_str()), "{} started after the stop", b);
                }
            }
        }

        // Every sleep follows the answer that asked for it: Retry-After, capped, or backoff.
        for (k, e) in events.iter().enumerate() {
            if let Event::Sleep(ms) = e {
                let Some(Event::Answer(_, a)) = k.checked_sub(1).map(|p| &events[p]) else {
                    return Err(TestCaseError::fail("a sleep without an answer before it"));
                };
                match a {
                    Attempt::Response { retry_after: Some(r), .. } => {
                        let want = (r.parse::<u64>().unwrap() * 1000).min(max_wait_ms);
                        prop_assert_eq!(*ms, want);
                    }
                    _ => prop_assert!(*ms <= max_wait_ms),
                }
            }
        }

        // No credential in any log line or message.
        for text in logs.iter().chain(report.failed.iter().map(|f| &f.message)) {
            prop_assert!(!text.contains("tok-123456") && !text.contains("user@example.com"));
        }
    }
}

#[test]
fn stop_after_401_reports_the_rest_not_sent() {
    let batches = bodies(5);
    let fake = Fake::new(vec![Fault::Status(401)]);
    let (report, _) = run(&fake, &config(1, 3, 30_000), &batches);
    assert_eq!(report.sent, 0);
    assert_eq!(report.failed.len(), 5);
    assert_eq!(report.failed[0].status, Some(401));
    assert!(report.failed[1..]
        .iter()
        .all(|f| f.attempts == 0 && !f.retryable));
    assert!(report.failed[1]
        .message
        .starts_with("not sent: an earlier request was refused with 401"));
}

#[test]
fn redirect_is_a_failure_naming_the_location() {
    let fake = Fake::new(vec![Fault::Redirect(301)]);
    let (report, _) = run(&fake, &config(1, 3, 30_000), &bodies(1));
    assert_eq!(report.failed.len(), 1);
    let f = &report.failed[0];
    assert_eq!((f.status, f.attempts, f.retryable), (Some(301), 1, false));
    assert!(
        f.message.contains("https://elsewhere.example/v1/metrics"),
        "{}",
        f.message
    );
}

#[test]
fn any_2xx_acknowledges() {
    for status in [200, 201, 202, 204, 299] {
        let fake = Fake::new(vec![Fault::Status(status)]);
        let (report, _) = run(&fake, &config(2, 3, 30_000), &bodies(1));
        assert_eq!((report.sent, report.failed.len()), (1, 0), "{status}");
    }
}

#[test]
fn retry_after_is_capped_by_retry_max_wait() {
    let fake = Fake::new(vec![Fault::RetryAfter(429, 3600), Fault::Status(204)]);
    let (report, _) = run(&fake, &config(1, 3, 7_000), &bodies(1));
    assert_eq!(report.sent, 1);
    assert!(fake.events.borrow().contains(&Event::Sleep(7_000)));
}

#[test]
fn rate_limit_headers_are_kept() {
    let fake = Fake::new(vec![Fault::Status(204)]);
    let (report, _) = run(&fake, &config(1, 3, 30_000), &bodies(1));
    assert_eq!(report.rate_std.as_deref(), Some("limit=300,remaining=204"));
}

#[test]
fn debug_logs_bodies_but_never_credentials() {
    let mut config = config(1, 0, 30_000);
    config.debug = true;
    config.api_token = "@{vault:t}".into();
    let secrets = StrMap::from_iter([("vault:t".to_string(), "the-secret".to_string())]);
    let creds = Credentials::resolve(&config, &secrets).unwrap();
    let fake = Fake::new(vec![Fault::Status(400)]);
    let logs = RefCell::new(Vec::new());
    let body = r#"{"gauges":[{"name":"the-secret"}]}"#;
    let log = |_: Level, m: &str| logs.borrow_mut().push(m.to_string());
    block_on(send_all(&fake, &config, &[(body, 1)], &creds, &log));
    let logs = logs.into_inner();
    assert!(logs.iter().any(|l| l.contains("attempt 1: POST")));
    assert!(logs.iter().all(|l| !l.contains("the-secret")), "{logs:?}");
}

#[test]
fn missing_and_unresolved_credentials() {
    let c = LibratoConfig::default();
    assert_eq!(
        Credentials::resolve(&c, &StrMap::default()).err(),
        Some(SendError::MissingCredentials)
    );
    let c = LibratoConfig {
        api_user: "u".into(),
        api_token: "@{vault:nope}".into(),
        ..LibratoConfig::default()
    };
    let e = Credentials::resolve(&c, &StrMap::default()).err().unwrap();
    assert_eq!(e.code(), "unresolved_secret");
    assert!(e.to_string().contains("@{vault:nope}"));
}

#[test]
fn too_many_requests_says_when_rendering_stopped_at_the_limit() {
    let exact = check_max_requests(3, 601, Some(2.0), false).unwrap_err();
    assert_eq!(
        exact.to_string(),
        "this write needs 3 requests (601 gauges), more than the limit of 2"
    );
    let early = check_max_requests(3, 601, Some(2.0), true).unwrap_err();
    assert_eq!(
        early.to_string(),
        "this write needs more than 2 requests (rendering stopped there, after 601 gauges)"
    );
    assert_eq!(early.code(), "too_many_requests");
    assert!(check_max_requests(2, 600, Some(2.0), false).is_ok());
    assert!(check_max_requests(2000, 600_000, None, false).is_ok());
}

#[test]
fn measurements_a_2xx_with_errors_fails_that_batch_without_retrying() {
    let tagged = LibratoConfig {
        api: Api::Measurements,
        ..config(1, 3, 1000)
    };
    let batches = bodies(3);
    let fake = Fake::new(vec![
        Fault::Status(202),
        Fault::ErrorsIn2xx,
        Fault::Status(202),
    ]);
    let (report, _) = run(&fake, &tagged, &batches);
    assert_eq!(report.attempts, 3, "not retried");
    assert_eq!(report.failed.len(), 1);
    let f = &report.failed[0];
    assert_eq!((f.index, f.status, f.retryable), (1, Some(202), false));
    assert!(
        f.message.contains("too many unique tag sets"),
        "{}",
        f.message
    );
    assert_eq!(report.sent, batches[0].1 + batches[2].1);
    assert_eq!(f.disposition(), Disposition::Refused);
    // The legacy API too: a 2xx naming errors did not store the request (not retried).
    let fake = Fake::new(vec![Fault::ErrorsIn2xx]);
    let (report, _) = run(&fake, &config(1, 3, 1000), &bodies(1));
    assert_eq!(report.attempts, 1);
    assert_eq!(report.sent, 0);
    let f = &report.failed[0];
    assert_eq!((f.status, f.retryable), (Some(202), false));
    assert!(
        f.message.contains("too many unique tag sets"),
        "{}",
        f.message
    );
}

#[test]
fn the_disposition_of_a_failure_is_decided_once() {
    let f = |status: Option<u16>, attempts: u32, retryable: bool| {
        Failed {
            index: 0,
            status,
            message: String::new(),
            count: 1,
            attempts,
            retryable,
            retry_after_ms: None,
        }
        .disposition()
    };
    use Disposition::*;
    for s in [200, 202, 400, 413, 422] {
        assert_eq!(f(Some(s), 1, false), Refused, "{s}");
    }
    for s in [401, 403, 404, 301, 405] {
        assert_eq!(f(Some(s), 1, false), Fix, "{s}");
    }
    // Not sent after a refused login: kept.
    assert_eq!(f(None, 0, false), Fix);
    for s in [Some(429), Some(500), Some(503), None] {
        assert_eq!(f(s, 3, true), Retry);
    }
    assert_eq!(f(None, 0, true), Unsent);
}

#[test]
fn a_budget_caps_attempts_retries_included() {
    let fake = Fake::new(vec![Fault::Status(503); 20]);
    let budget = Cell::new(5);
    let config = config(1, 3, 1000);
    let creds = Credentials::resolve(&config, &StrMap::default()).unwrap();
    let batches = bodies(3);
    let refs: Vec<(&str, usize)> = batches.iter().map(|(b, n)| (b.as_str(), *n)).collect();
    let report = block_on(send_within(
        &fake,
        &config,
        &refs,
        &creds,
        &|_, _| {},
        Some(&budget),
    ));
    assert_eq!((report.attempts, budget.get()), (5, 0));
    let d: Vec<(u32, Disposition)> = report
        .failed
        .iter()
        .map(|f| (f.attempts, f.disposition()))
        .collect();
    assert_eq!(
        d,
        [
            (4, Disposition::Retry),
            (1, Disposition::Retry),
            (0, Disposition::Unsent)
        ]
    );
    assert_eq!(report.failed[1].status, Some(503));
}

#[test]
fn measurements_take_the_token_alone_as_basic_user() {
    let mut config = LibratoConfig {
        api: Api::Measurements,
        api_user: String::new(),
        api_token: "tok-123456".into(),
        ..LibratoConfig::default()
    };
    let creds = Credentials::resolve(&config, &StrMap::default()).unwrap();
    assert_eq!(creds.authorization(), basic_auth::header("tok-123456", ""));
    assert_eq!(
        creds.redact("x dG9rLTEyMzQ1Njo= tok-123456"),
        "x [redacted] [redacted]"
    );
    config.api_user = "me@example.com".into();
    let creds = Credentials::resolve(&config, &StrMap::default()).unwrap();
    assert_eq!(
        creds.authorization(),
        basic_auth::header("me@example.com", "tok-123456")
    );
    // The legacy API still needs both; neither API sends without a token.
    config.api = Api::Metrics;
    config.api_user = String::new();
    assert!(Credentials::resolve(&config, &StrMap::default()).is_err());
    config.api = Api::Measurements;
    config.api_token = String::new();
    assert!(Credentials::resolve(&config, &StrMap::default()).is_err());
}
