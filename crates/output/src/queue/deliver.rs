//! The queue consumer: a batch of messages regrouped into full requests, sent with the send
//! loop within the invocation's request budget, the messages of a request refused for good
//! resent unmerged to find which of them is at fault, and each message's outcome decided.

use super::message::read;
use super::outcome::{decide, Outcome, Policy, Read, Status};
use super::regroup::{body, regroup, Request};
use crate::config::LibratoConfig;
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

/// Delivers a consumer batch and decides every message's outcome.
pub async fn deliver<T: Transport>(
    transport: &T,
    config: &LibratoConfig,
    creds: &Credentials,
    log: Log<'_>,
    batch: &[Incoming<'_>],
    options: &Options,
) -> Delivery {
    let api = config.api;
    let texts: Vec<&str> = batch.iter().map(|m| m.text).collect();
    let read: Vec<Read<'_>> = batch
        .iter()
        .map(|m| match read(m.text) {
            Ok(msg) if msg.api == api => Read::Ok(msg),
            Ok(msg) => Read::Bad(format!(
                "the message holds items for api = \"{}\" but this relay sends api = \"{}\"",
                msg.api.name(),
                api.name()
            )),
            Err(e) => Read::Bad(format!("unreadable message: {e}")),
        })
        .collect();
    let lists: Vec<(usize, &[&str])> = read
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Read::Ok(m) => Some((i, m.items.as_slice())),
            Read::Bad(_) => None,
        })
        .collect();
    let items = lists.iter().map(|(_, l)| l.len()).sum();
    // Round 1: the full requests; round 2: the messages of those refused for good, each
    // message's items alone, to find which of them is at fault. Both within the budget.
    let mut round: Vec<Request> = regroup(api, &lists, config.batch_size);
    let mut runs: Vec<Vec<(usize, usize, Status)>> = vec![Vec::new(); batch.len()];
    // Every HTTP attempt (retries too) counts: the platform limits subrequests, not batches.
    let budget = Cell::new(options.max_requests.min(u32::MAX as usize) as u32);
    let mut delivery = Delivery {
        items,
        ..Delivery::default()
    };
    for first in [true, false] {
        if round.is_empty() {
            break;
        }
        let bodies: Vec<(String, usize)> =
            round.iter().map(|r| (r.body.clone(), r.count)).collect();
        let report = send(transport, config, creds, log, &bodies, &budget).await;
        // Requests that reached the API (not those cut by the budget or a refused login).
        delivery.requests += round.len() - report.failed.iter().filter(|f| f.attempts == 0).count();
        delivery.attempts += report.attempts;
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
                            body: body(api, m.items[p.start..p.end].iter().copied()),
                            count: p.end - p.start,
                            parts: vec![*p],
                        });
                    }
                }
                continue;
            }
            for p in &r.parts {
                runs[p.message].push((p.start, p.end, status.clone()));
            }
        }
        round = isolate;
    }
    // Runs in item order, per message (isolated ones came last).
    for r in &mut runs {
        librato_core::sort::insertion_sort_by_key(r, |x| x.0);
    }
    let attempts: Vec<u32> = batch.iter().map(|m| m.attempts).collect();
    let mut random = || transport.random();
    delivery.outcomes = decide(
        api,
        &texts,
        &read,
        &runs,
        &attempts,
        &options.policy,
        &mut random,
    );
    delivery
}
