//! What becomes of each message once its items were sent: a pure function of the messages,
//! what happened to each run of their items, the attempts and the policy.
//!
//! - every item acknowledged: `ack`;
//! - some refused for good (400, 413, 422, or a 2xx with `errors`, after isolation): those
//!   items go to the dead-letter queue with the API's message; the rest as below;
//! - items left (failed retryably, refused credentials): when none of the message was
//!   acknowledged or dead-lettered, the message is retried as it is (`retry({ delaySeconds })`);
//!   otherwise the items left are re-enqueued as a new message (with the attempts so far) and
//!   the original is acked, so items already stored are never sent again: a duplicate only
//!   comes from a request the API stored and whose answer was lost;
//! - a message none of whose items was attempted (the invocation's request budget was spent
//!   first) is re-enqueued whole as a new message with its attempts unchanged, and the
//!   original acked: waiting for the budget never counts against Queues' `max_retries`.

use librato_core::librato::Api;

use super::message::{encode, Message};

/// What happened to a run of a message's items.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Acknowledged by a 2xx.
    Acked,
    /// Refused for good; the API's message. `maybe_stored`: the refusal came in a 2xx, which
    /// may have stored part of the request (so it is not resent to isolate the fault).
    Refused {
        /// The API's message.
        why: String,
        /// The answer was a 2xx naming errors.
        maybe_stored: bool,
    },
    /// Failed in a way resending can fix: the API's `Retry-After` (ms), if any.
    Retry(Option<u64>),
    /// Refused credentials (401/403) or a setting to fix (a redirect, a wrong path): kept and
    /// retried with the long delay.
    Fix(String),
    /// Not sent: the invocation's request budget was spent first.
    Unsent,
}

/// The retry delays of a consumer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// The first retry's delay, seconds; doubles each attempt.
    pub base_s: f64,
    /// Cap on any delay, `Retry-After` included (Queues allow 24 h at most).
    pub max_s: u32,
    /// The delay after refused credentials or a setting to fix.
    pub fix_s: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            base_s: 30.0,
            max_s: 3600,
            fix_s: 900,
        }
    }
}

impl Policy {
    /// Exponential backoff from the attempts made so far (1 = the first delivery), with
    /// jitter (`random` in [0, 1): half fixed, half random), or `Retry-After`; capped.
    pub fn delay_s(&self, attempts: u32, retry_after_ms: Option<u64>, random: f64) -> u32 {
        let cap = self.max_s.min(86_400);
        if let Some(ms) = retry_after_ms {
            return (ms.div_ceil(1000)).min(u64::from(cap)) as u32;
        }
        let exp = attempts.saturating_sub(1).min(30);
        let ceiling = (self.base_s * f64::from(1u32 << exp.min(20))).min(f64::from(cap));
        (ceiling * (0.5 + 0.5 * random.clamp(0.0, 1.0))).ceil() as u32
    }
}

/// Per message: what the consumer does with it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// Acknowledge the message (every item is acknowledged, dead-lettered or re-enqueued).
    pub ack: bool,
    /// Retry the whole message after this many seconds (`ack` is false then).
    pub retry_s: Option<u32>,
    /// A new message of the items left, to enqueue with this delay before acking.
    pub requeue: Option<(String, u32)>,
    /// A dead letter to send before acking: the refused items and why.
    pub dead_letter: Option<String>,
    /// Why, when anything was not acknowledged (for the log).
    pub reason: Option<String>,
    /// Items acknowledged by the API.
    pub acked_items: usize,
    /// The credentials or a setting were refused (logged as an error).
    pub fix: bool,
    /// Some of its items reached the API in this invocation (a message only waiting for the
    /// request budget was not attempted: its attempts should not grow).
    pub attempted: bool,
    /// The message could not be read (or is for another API): its dead letter is it, as it is.
    pub unreadable: bool,
}

/// One message of the batch as the consumer read it.
pub enum Read<'a> {
    /// A readable message for this consumer's API.
    Ok(Message<'a>),
    /// Unreadable, or for another API: dead-lettered with why, as it is.
    Bad(String),
}

/// A message set aside as it is, with `# why` as its second line (after the header, where a
/// reader looks for it; a note it had is replaced), so that replaying it is sending it back
/// unchanged once its cause is fixed (another deploy's API, a newer format's reader).
fn with_note(text: &str, why: &str) -> String {
    let (head, rest) = text.split_once('\n').unwrap_or((text, ""));
    let rest = match rest.strip_prefix("# ") {
        Some(r) => r.split_once('\n').map_or("", |(_, after)| after),
        None => rest,
    };
    let mut out = format!("{head}\n# {}", why.replace(['\n', '\r'], " "));
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(rest);
    }
    out
}

/// The longest of the delays asked for.
fn later(delay: &mut Option<u32>, d: u32) {
    *delay = Some(delay.map_or(d, |x| x.max(d)));
}

/// Decides each message's outcome. `runs[m]`: the status of each `(start, end)` run of
/// message `m`'s items; `attempts[m]`: Queues' delivery attempts of it (from 1).
pub fn decide(
    api: Api,
    texts: &[&str],
    read: &[Read<'_>],
    runs: &[Vec<(usize, usize, Status)>],
    attempts: &[u32],
    policy: &Policy,
    random: &mut dyn FnMut() -> f64,
) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(read.len());
    for (m, r) in read.iter().enumerate() {
        let message = match r {
            Read::Bad(why) => {
                out.push(Outcome {
                    ack: true,
                    dead_letter: Some(with_note(texts[m], why)),
                    reason: Some(why.clone()),
                    unreadable: true,
                    ..Outcome::default()
                });
                continue;
            }
            Read::Ok(message) => message,
        };
        let tried = message.prior_attempts + attempts[m].max(1);
        let mut o = Outcome::default();
        let mut refused: Vec<&str> = Vec::new();
        let mut left: Vec<&str> = Vec::new();
        let mut refused_why = None;
        let mut delay: Option<u32> = None;
        let mut why_left = None;
        for (start, end, status) in &runs[m] {
            let items = &message.items[*start..*end];
            o.attempted |= *status != Status::Unsent;
            match status {
                Status::Acked => o.acked_items += items.len(),
                Status::Refused { why, maybe_stored } => {
                    refused.extend_from_slice(items);
                    refused_why.get_or_insert_with(|| {
                        if *maybe_stored {
                            format!("{why} (a 2xx naming errors: the API may have stored some of these; not resent)")
                        } else {
                            why.clone()
                        }
                    });
                }
                Status::Retry(after) => {
                    left.extend_from_slice(items);
                    later(&mut delay, policy.delay_s(tried, *after, random()));
                    why_left.get_or_insert_with(|| "delivery failed; retrying".to_string());
                }
                Status::Fix(why) => {
                    left.extend_from_slice(items);
                    later(&mut delay, policy.fix_s.min(86_400));
                    o.fix = true;
                    why_left = Some(why.clone());
                }
                Status::Unsent => {
                    left.extend_from_slice(items);
                    later(&mut delay, 0);
                    why_left.get_or_insert_with(|| {
                        "not sent within this invocation's request budget".to_string()
                    });
                }
            }
        }
        if let Some(why) = &refused_why {
            o.dead_letter = Some(encode(api, tried, Some(why), refused.iter().copied()));
        }
        let delay = delay.unwrap_or(0);
        if left.is_empty() {
            o.ack = true;
        } else if !o.attempted {
            // Only waiting for the request budget: it goes back as a new message with the
            // attempts so far, so waiting never spends Queues' max_retries.
            o.requeue = Some((encode(api, tried - 1, None, left.iter().copied()), delay));
            o.ack = true;
        } else if o.acked_items == 0 && refused.is_empty() {
            o.retry_s = Some(delay);
        } else {
            o.requeue = Some((encode(api, tried, None, left.iter().copied()), delay));
            o.ack = true;
        }
        o.reason = refused_why.or(why_left);
        out.push(o);
    }
    out
}
