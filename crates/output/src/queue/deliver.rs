//! The queue consumer: a batch of messages regrouped into full requests, sent with the send
//! loop within the invocation's request budget, the messages of a request refused for good
//! resent unmerged to find which of them is at fault, and each message's outcome decided.

use super::message::read;
use super::outcome::{decide, Outcome, Policy, Read, Status};
use super::regroup::{body, regroup, Request};
use crate::config::LibratoConfig;
use librato_core::librato::Api;
use std::cell::Cell;

use crate::send::{send_within, Credentials, Disposition, Failed, Log, SendReport, Transport};

/// One message as the queue hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// Its text (a [`super::message`]).
    pub text: &'a str,
    /// Queues' delivery attempts, from 1.
    pub attempts: u32,
}

/// How the consumer works.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The most HTTP requests it may make (the invocation's subrequest limit, less what the
    /// queue calls need).
    pub max_requests: usize,
    /// Retry delays.
    pub policy: Policy,
}

/// What a consumer invocation did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Delivery {
    /// Per message, in batch order.
    pub outcomes: Vec<Outcome>,
    /// Items in the batch's readable messages.
    pub items: usize,
    /// Requests sent (isolation resends included).
    pub requests: usize,
    /// HTTP attempts made.
    pub attempts: u32,
}

/// What happened to one request: the send loop's [`Disposition`], decided once for every
/// caller.
fn status_of(failed: Option<&Failed>) -> Status {
    let Some(f) = failed else {
        return Status::Acked;
    };
    match f.disposition() {
        Disposition::Refused => Status::Refused {
            why: f.message.clone(),
            // A 2xx naming errors may have stored part of the request: it is not resent.
            maybe_stored: matches!(f.status, Some(200..=299)),
        },
        Disposition::Fix => Status::Fix(f.message.clone()),
        Disposition::Retry => Status::Retry(f.retry_after_ms),
        Disposition::Unsent => Status::Unsent,
    }
}

async fn send<T: Transport>(
    transport: &T,
    config: &LibratoConfig,
    creds: &Credentials,
    log: Log<'_>,
    bodies: &[(String, usize)],
    budget: &Cell<u32>,
) -> SendReport {
    let batches: Vec<(&str, usize)> = bodies.iter().map(|(b, n)| (b.as_str(), *n)).collect();
    send_within(transport, config, &batches, creds, log, Some(budget)).await
}

/// Delivers a consumer batch and decides every message's outcome (natively, over any
/// [`Transport`]; the package's JS drives the same [`Delivering`] over `fetch`).
pub async fn deliver<T: Transport>(
    transport: &T,
    config: &LibratoConfig,
    creds: &Credentials,
    log: Log<'_>,
    batch: &[Incoming<'_>],
    options: &Options,
) -> Delivery {
    let messages = batch
        .iter()
        .map(|m| (m.text.to_string(), m.attempts))
        .collect();
    let mut job = Delivering::new(config, messages, options);
    while let Some(bodies) = job.round() {
        let budget = Cell::new(job.budget());
        let report = send(transport, config, creds, log, &bodies, &budget).await;
        job.round_done(&report, budget.get());
    }
    job.finish(&mut || transport.random())
}

/// A consumer batch being delivered, round by round: round 1 the full requests; round 2 the
/// messages of those refused for good, each message's items alone, to find which of them is
/// at fault. Both within one budget of HTTP attempts (retries too: the platform limits
/// subrequests, not batches).
pub struct Delivering {
    api: Api,
    /// Each message's text and Queues' delivery attempts.
    messages: Vec<(String, u32)>,
    policy: Policy,
    round: Vec<Request>,
    rounds_left: u8,
    runs: Vec<Vec<(usize, usize, Status)>>,
    budget: u32,
    delivery: Delivery,
}

/// Every message read, for this consumer's API.
fn reads(api: Api, messages: &[(String, u32)]) -> Vec<Read<'_>> {
    messages
        .iter()
        .map(|(text, _)| match read(text) {
            Ok(msg) if msg.api == api => Read::Ok(msg),
            Ok(msg) => Read::Bad(format!(
                "the message holds items for api = \"{}\" but this relay sends api = \"{}\"",
                msg.api.name(),
                api.name()
            )),
            Err(e) => Read::Bad(format!("unreadable message: {e}")),
        })
        .collect()
}

impl Delivering {
    /// Reads `messages` (`(text, attempts)`) and regroups them into round 1's requests.
    pub fn new(config: &LibratoConfig, messages: Vec<(String, u32)>, options: &Options) -> Self {
        let api = config.api;
        let read = reads(api, &messages);
        let lists: Vec<(usize, &[&str])> = read
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r {
                Read::Ok(m) => Some((i, m.items.as_slice())),
                Read::Bad(_) => None,
            })
            .collect();
        let items = lists.iter().map(|(_, l)| l.len()).sum();
        let round = regroup(api, &lists, config.batch_size);
        let runs = vec![Vec::new(); messages.len()];
        drop(read);
        Delivering {
            api,
            messages,
            policy: options.policy,
            round,
            rounds_left: 2,
            runs,
            budget: options.max_requests.min(u32::MAX as usize) as u32,
            delivery: Delivery {
                items,
                ..Delivery::default()
            },
        }
    }

    /// The bodies (`(body, items)`) of the next round to send; `None` once there is none.
    pub fn round(&self) -> Option<Vec<(String, usize)>> {
        (self.rounds_left > 0 && !self.round.is_empty()).then(|| {
            self.round
                .iter()
                .map(|r| (r.body.clone(), r.count))
                .collect()
        })
    }

    /// HTTP attempts still allowed.
    pub fn budget(&self) -> u32 {
        self.budget
    }

    /// Takes in the report of the round [`Delivering::round`] gave, and what is left of the
    /// budget after it.
    pub fn round_done(&mut self, report: &SendReport, budget_left: u32) {
        let first = self.rounds_left == 2;
        self.rounds_left = self.rounds_left.saturating_sub(1);
        self.budget = budget_left;
        let round = std::mem::take(&mut self.round);
        // Requests that reached the API (not those cut by the budget or a refused login).
        self.delivery.requests +=
            round.len() - report.failed.iter().filter(|f| f.attempts == 0).count();
        self.delivery.attempts += report.attempts;
        let read = reads(self.api, &self.messages);
        let mut isolate = Vec::new();
        for (i, r) in round.iter().enumerate() {
            let status = status_of(report.failed.iter().find(|f| f.index == i));
            // Only a request refused as a whole (nothing stored) is resent a message at a
            // time; a 2xx naming errors may have stored some of it.
            let whole = matches!(
                status,
                Status::Refused {
                    maybe_stored: false,
                    ..
                }
            );
            if first && whole && r.parts.len() > 1 {
                for p in &r.parts {
                    if let Read::Ok(m) = &read[p.message] {
                        isolate.push(Request {
                            body: body(self.api, m.items[p.start..p.end].iter().copied()),
                            count: p.end - p.start,
                            parts: vec![*p],
                        });
                    }
                }
                continue;
            }
            for p in &r.parts {
                self.runs[p.message].push((p.start, p.end, status.clone()));
            }
        }
        self.round = isolate;
    }

    /// Every message's outcome, once the rounds are done.
    pub fn finish(mut self, random: &mut dyn FnMut() -> f64) -> Delivery {
        // Runs in item order, per message (isolated ones came last).
        for r in &mut self.runs {
            librato_core::sort::insertion_sort_by_key(r, |x| x.0);
        }
        let read = reads(self.api, &self.messages);
        let texts: Vec<&str> = self.messages.iter().map(|(t, _)| t.as_str()).collect();
        let attempts: Vec<u32> = self.messages.iter().map(|(_, a)| *a).collect();
        let mut delivery = std::mem::take(&mut self.delivery);
        delivery.outcomes = decide(
            self.api,
            &texts,
            &read,
            &self.runs,
            &attempts,
            &self.policy,
            random,
        );
        delivery
    }
}
