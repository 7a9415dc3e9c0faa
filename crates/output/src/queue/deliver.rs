//! The queue consumer: a batch of messages regrouped into full requests, sent with the send
//! loop within the invocation's request budget, the messages of a request refused for good
//! resent unmerged to find which of them is at fault, and each message's outcome decided.

use super::message::read;
use super::outcome::{decide, Outcome, Policy, Read, Status};
use super::regroup::{body, regroup, Request};
use crate::config::LibratoConfig;
use crate::send::{send_all, Credentials, Failed, Log, SendReport, Transport};

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

/// What happened to one request.
fn status_of(failed: Option<&Failed>) -> Status {
    let Some(f) = failed else {
        return Status::Acked;
    };
    match f.status {
        // A 2xx that is a failure holds `errors`; 400/413/422: the data itself is refused.
        Some(200..=299 | 400 | 413 | 422) => Status::Refused(f.message.clone()),
        Some(401 | 403) if !f.retryable => Status::Fix(f.message.clone()),
        _ if f.retryable => Status::Retry(f.retry_after_ms),
        // Not sent after refused credentials.
        None if f.attempts == 0 => Status::Fix(f.message.clone()),
        // A redirect, a wrong path or method: a setting to fix, the data kept.
        _ => Status::Fix(f.message.clone()),
    }
}

async fn send<T: Transport>(
    transport: &T,
    config: &LibratoConfig,
    creds: &Credentials,
    log: Log<'_>,
    bodies: &[(String, usize)],
) -> SendReport {
    let batches: Vec<(&str, usize)> = bodies.iter().map(|(b, n)| (b.as_str(), *n)).collect();
    send_all(transport, config, &batches, creds, log).await
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
    let mut budget = options.max_requests;
    let mut delivery = Delivery {
        items,
        ..Delivery::default()
    };
    for first in [true, false] {
        if round.is_empty() {
            break;
        }
        let sent = round.len().min(budget);
        budget -= sent;
        let bodies: Vec<(String, usize)> = round[..sent]
            .iter()
            .map(|r| (r.body.clone(), r.count))
            .collect();
        let report = send(transport, config, creds, log, &bodies).await;
        delivery.requests += sent;
        delivery.attempts += report.attempts;
        let mut isolate = Vec::new();
        for (i, r) in round.iter().enumerate() {
            let status = if i < sent {
                status_of(report.failed.iter().find(|f| f.index == i))
            } else {
                Status::Unsent
            };
            if first && matches!(status, Status::Refused(_)) && r.parts.len() > 1 {
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
