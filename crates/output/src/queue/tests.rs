//! The queue rules natively: message format, packing, regrouping, and the consumer over a
//! fake API that answers by body, with a property test of the per-message outcomes.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::config::StrMap;

use proptest::prelude::*;

use super::deliver::{deliver, Incoming, Options};
use super::message::{encode, read, MAX_MESSAGE_BYTES};
use super::outcome::Policy;
use super::pack::{pack_input, send_groups, split_items, Packer, MAX_BATCH_BYTES};
use super::regroup::regroup;
use crate::config::LibratoConfig;
use crate::render::{Format, Input, RenderOptions, Text};
use crate::send::{block_on, Attempt, Credentials, Post, Transport};
use librato_core::librato::Api;

/// An answer of the fake: 202 whose body names errors (nothing stored).
const ERRORS_IN_2XX: u16 = 1202;

/// The status for a body, given the number of posts before it.
type Answer = Box<dyn Fn(&str, usize) -> u16>;

/// An API that answers each POST by what its body holds, and records what it acknowledged.
struct FakeApi {
    answer: Answer,
    posts: RefCell<Vec<String>>,
    stored: RefCell<Vec<String>>,
}

impl FakeApi {
    fn new(answer: impl Fn(&str, usize) -> u16 + 'static) -> FakeApi {
        FakeApi {
            answer: Box::new(answer),
            posts: RefCell::new(Vec::new()),
            stored: RefCell::new(Vec::new()),
        }
    }
}

impl Transport for FakeApi {
    async fn post(&self, post: Post<'_>) -> Attempt {
        let n = self.posts.borrow().len();
        self.posts.borrow_mut().push(post.body.to_string());
        let answer = (self.answer)(post.body, n);
        let status = if answer == ERRORS_IN_2XX { 202 } else { answer };
        if (200..300).contains(&answer) {
            self.stored
                .borrow_mut()
                .extend(split_items(post.body).into_iter().map(str::to_string));
        }
        Attempt::Response {
            status,
            body: if status == 400 || answer == ERRORS_IN_2XX {
                r#"{"errors":{"params":{"name":["is not valid"]}}}"#.into()
            } else {
                String::new()
            },
            retry_after: None,
            location: None,
            rate_std: None,
            rate_agg: None,
        }
    }
    async fn sleep(&self, _ms: u64) {}
    fn now_ms(&self) -> f64 {
        0.0
    }
    fn random(&self) -> f64 {
        0.5
    }
}

fn config(batch_size: usize) -> LibratoConfig {
    LibratoConfig {
        api_user: "u@example.com".into(),
        api_token: "tok-123456".into(),
        batch_size,
        retries: 0,
        concurrency: 2,
        ..LibratoConfig::default()
    }
}

fn item(tag: &str, i: usize) -> String {
    format!(r#"{{"name":"{tag}.m{i}","value":{i},"source":"h","measure_time":1700000000}}"#)
}

fn message(tag: &str, n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| item(tag, i)).collect();
    encode(Api::Metrics, 0, None, items.iter().map(String::as_str))
}

fn run(
    api: &FakeApi,
    config: &LibratoConfig,
    texts: &[String],
    max_requests: usize,
) -> super::deliver::Delivery {
    run_with(api, config, texts, max_requests, 1)
}

/// `run` with Queues' delivery attempts of every message.
fn run_with(
    api: &FakeApi,
    config: &LibratoConfig,
    texts: &[String],
    max_requests: usize,
    attempts: u32,
) -> super::deliver::Delivery {
    let creds = Credentials::resolve(config, &StrMap::default()).unwrap();
    let batch: Vec<Incoming<'_>> = texts
        .iter()
        .map(|t| Incoming { text: t, attempts })
        .collect();
    let options = Options {
        max_requests,
        policy: Policy::default(),
    };
    block_on(deliver(api, config, &creds, &|_, _| {}, &batch, &options))
}

#[test]
fn message_round_trip_and_refusals() {
    let text = encode(
        Api::Measurements,
        3,
        Some("why\nnot"),
        ["{\"name\":\"a\"}", "{\"name\":\"b\"}"],
    );
    assert!(text.starts_with("librato-wasm-queue 1 measurements 2 3\n# why not\n"));
    let m = read(&text).unwrap();
    assert_eq!(
        (m.api, m.prior_attempts, m.note, m.items.len()),
        (Api::Measurements, 3, Some("why not"), 2)
    );
    let cut = &text[..text.len() - 13];
    assert!(read(cut)
        .unwrap_err()
        .contains("the header says 2 items but 1 follow"));
    assert!(read("hello")
        .unwrap_err()
        .contains("not a librato-wasm queue message"));
    assert!(read("librato-wasm-queue 2 metrics 0 0")
        .unwrap_err()
        .contains("version 2"));
    assert!(read("librato-wasm-queue 1 tags 0 0")
        .unwrap_err()
        .contains("unknown api"));
    // A corrupt count is an error, not an allocation of that size (found by the fuzz target).
    assert!(
        read("librato-wasm-queue 1 metrics 18446744073709551615 0\n{}")
            .unwrap_err()
            .contains("cut message")
    );
}

#[test]
fn items_split_back_out_of_the_writers_bodies() {
    for (api, text) in [
        (Api::Metrics, "cpu,host=a x=1,y=2 1700000000000000000\nmem,host=b,name=q value=3 1700000000000000000\n"),
        (Api::Measurements, "cpu,host=a,name=x x=1,y=2 1700000000000000000\nmem,host=b,c=d value=3 1700000000000000000\n"),
    ] {
        let config = LibratoConfig { api, ..LibratoConfig::default() };
        let packed = pack_input(Input::Text(Text::Str(text), Format::Influx), &config, &RenderOptions::new(Format::Influx, 0), None, None);
        assert_eq!(packed.messages.len(), 1);
        let m = read(&packed.messages[0]).unwrap();
        assert_eq!(m.items.len(), 3);
        assert_eq!(m.api, api);
        let rebuilt = super::regroup::body(api, m.items.iter().copied());
        let plan = crate::render::render(Input::Text(Text::Str(text), Format::Influx), &config, &RenderOptions::new(Format::Influx, 0), crate::render::Sink::Keep);
        assert_eq!(rebuilt, plan.bodies.body(0));
    }
}

#[test]
fn packing_fills_messages_to_the_limit_in_order() {
    let mut p = Packer::new(Api::Metrics);
    let items: Vec<String> = (0..5000).map(|i| item("p", i)).collect();
    for chunk in items.chunks(300) {
        p.push_body(&super::regroup::body(
            Api::Metrics,
            chunk.iter().map(String::as_str),
        ));
    }
    let messages = p.finish();
    assert!(messages.len() >= 3);
    let mut all = Vec::new();
    for m in &messages {
        assert!(m.len() <= MAX_MESSAGE_BYTES, "{}", m.len());
        all.extend(read(m).unwrap().items.into_iter().map(str::to_string));
    }
    assert_eq!(all, items);
    // As few sendBatch calls as 100 messages and 256 KB a call allow.
    let sizes: Vec<usize> = messages.iter().map(String::len).collect();
    for (s, e) in send_groups(&sizes) {
        assert!(
            e - s <= 100 && sizes[s..e].iter().map(|n| n + 100).sum::<usize>() <= MAX_BATCH_BYTES
        );
    }
    assert_eq!(send_groups(&sizes).len(), sizes.len().div_ceil(2));
}

#[test]
fn max_items_cuts_messages_at_a_request() {
    let text: String = (0..700)
        .map(|i| format!("m,host=h v={i} {}\n", 1_700_000_000_000_000_000i64 + i))
        .collect();
    let packed = pack_input(
        Input::Text(Text::Str(&text), Format::Influx),
        &LibratoConfig::default(),
        &RenderOptions::new(Format::Influx, 0),
        None,
        Some(300),
    );
    let counts: Vec<usize> = packed
        .messages
        .iter()
        .map(|m| read(m).unwrap().items.len())
        .collect();
    assert_eq!(counts, [300, 300, 100]);
}

#[test]
fn many_small_messages_make_the_fewest_full_requests() {
    let texts: Vec<String> = (0..200)
        .map(|i| message(&format!("w{i}"), 1 + i % 7))
        .collect();
    let total: usize = texts.iter().map(|t| read(t).unwrap().items.len()).sum();
    let api = FakeApi::new(|_, _| 200);
    let d = run(&api, &config(300), &texts, 45);
    assert_eq!(d.requests, total.div_ceil(300));
    assert!(d
        .outcomes
        .iter()
        .all(|o| o.ack && o.requeue.is_none() && o.dead_letter.is_none()));
    assert_eq!(api.stored.borrow().len(), total);
}

#[test]
fn a_refused_merged_request_is_isolated_to_the_message_at_fault() {
    let texts = vec![message("good1", 3), message("bad", 2), message("good2", 4)];
    // The API refuses any body holding a "bad" item.
    let api = FakeApi::new(|body, _| if body.contains("\"bad.") { 400 } else { 200 });
    let d = run(&api, &config(300), &texts, 45);
    assert_eq!(d.requests, 4, "one merged request, then one per message");
    let o = &d.outcomes;
    assert!(o[0].ack && o[0].dead_letter.is_none() && o[0].acked_items == 3);
    assert!(o[2].ack && o[2].dead_letter.is_none() && o[2].acked_items == 4);
    assert!(o[1].ack);
    let dead = read(o[1].dead_letter.as_deref().unwrap()).unwrap();
    assert_eq!(dead.items.len(), 2);
    assert!(
        dead.note.unwrap().contains("400: name is not valid"),
        "{:?}",
        dead.note
    );
    assert_eq!(api.stored.borrow().len(), 7);
}

#[test]
fn a_message_across_requests_requeues_only_what_was_not_stored() {
    // Message 0 has 5 items, batch 3: requests [0:0-3], [0:3-5 + 1:0-1], [1:1-4].
    let texts = vec![message("a", 5), message("b", 4)];
    let api = FakeApi::new(|_, n| if n == 1 { 503 } else { 200 });
    let d = run(&api, &config(3), &texts, 45);
    for (m, want) in [(0usize, 2usize), (1, 1)] {
        let o = &d.outcomes[m];
        assert!(o.ack && o.retry_s.is_none());
        let (text, delay) = o.requeue.as_ref().unwrap();
        let left = read(text).unwrap();
        assert_eq!(left.items.len(), want);
        assert_eq!(left.prior_attempts, 1);
        assert!(*delay >= 15 && *delay <= 30, "{delay}");
        for i in &left.items {
            assert!(
                !api.stored.borrow().iter().any(|s| s == i),
                "a stored item would be sent again"
            );
        }
    }
}

#[test]
fn refused_credentials_keep_the_data_with_the_long_delay() {
    let texts = vec![message("a", 5), message("b", 5)];
    let api = FakeApi::new(|_, _| 401);
    let d = run(&api, &config(3), &texts, 45);
    for o in &d.outcomes {
        assert_eq!((o.ack, o.retry_s, o.fix), (false, Some(900), true));
        assert!(o.dead_letter.is_none());
    }
}

#[test]
fn past_the_request_budget_messages_wait_for_the_next_invocation() {
    let texts: Vec<String> = (0..5).map(|i| message(&format!("m{i}"), 3)).collect();
    let api = FakeApi::new(|_, _| 200);
    let d = run(&api, &config(3), &texts, 2);
    assert_eq!(d.requests, 2);
    assert!(d.outcomes[0].ack && d.outcomes[1].ack);
    // Waiting for the budget spends none of Queues' max_retries: each goes back as a new
    // message, whole, with its attempts unchanged (this was its first delivery: 0 before).
    for (o, text) in d.outcomes[2..].iter().zip(&texts[2..]) {
        assert_eq!((o.ack, o.retry_s, o.attempted), (true, None, false));
        let (body, delay) = o.requeue.as_ref().unwrap();
        assert_eq!((body.as_str(), *delay), (text.as_str(), 0));
    }
    assert!(d.outcomes[0].attempted);
    // A message Queues already delivered three times keeps those attempts.
    let d = run_with(&api, &config(3), &texts, 0, 3);
    let m = read(&d.outcomes[0].requeue.as_ref().unwrap().0).unwrap();
    assert_eq!(m.prior_attempts, 2);
}

#[test]
fn the_budget_counts_attempts_retries_included() {
    // Every request fails retryably and the config retries 3 times: 10 attempts allowed.
    let texts: Vec<String> = (0..6).map(|i| message(&format!("m{i}"), 3)).collect();
    let api = FakeApi::new(|_, _| 503);
    let config = LibratoConfig {
        retries: 3,
        ..config(3)
    };
    let d = run(&api, &config, &texts, 10);
    assert_eq!(d.attempts, 10, "attempts, not requests, are capped");
    assert_eq!(api.posts.borrow().len(), 10);
    // Two requests got their four attempts, the third two; the rest were never sent.
    assert_eq!(d.requests, 3);
    let tried: Vec<bool> = d.outcomes.iter().map(|o| o.attempted).collect();
    assert_eq!(tried, [true, true, true, false, false, false]);
    assert!(d.outcomes[..3]
        .iter()
        .all(|o| o.retry_s.is_some() && !o.ack));
    assert!(d.outcomes[3..].iter().all(|o| o.ack && o.requeue.is_some()));
}

#[test]
fn unreadable_and_foreign_messages_go_to_the_dead_letter_queue_replayable() {
    let foreign = encode(
        Api::Measurements,
        2,
        Some("an older note"),
        ["{\"name\":\"x\"}"],
    );
    let texts = vec!["garbage".to_string(), foreign.clone(), message("ok", 1)];
    let api = FakeApi::new(|_, _| 200);
    let d = run(&api, &config(300), &texts, 45);
    // The reason is the second line, after the header: the dead letter is the message itself.
    let garbage = d.outcomes[0].dead_letter.as_deref().unwrap();
    assert!(
        garbage.starts_with("garbage\n# unreadable message: "),
        "{garbage}"
    );
    let dead = d.outcomes[1].dead_letter.as_deref().unwrap();
    assert!(dead.contains("api = \"measurements\""));
    let back = read(dead).expect("a foreign dead letter reads back as a message");
    let was = read(&foreign).unwrap();
    assert_eq!(
        (back.api, back.prior_attempts, &back.items),
        (was.api, 2, &was.items)
    );
    assert!(back
        .note
        .unwrap()
        .contains("this relay sends api = \"metrics\""));
    // Replayed to a relay of its API, it is delivered.
    let tagged = LibratoConfig {
        api: Api::Measurements,
        ..config(300)
    };
    let d2 = run(&api, &tagged, &[dead.to_string()], 45);
    assert!(d2.outcomes[0].ack && d2.outcomes[0].dead_letter.is_none());
    assert_eq!(d2.outcomes[0].acked_items, 1);
    assert!(d.outcomes.iter().all(|o| o.ack));
    assert_eq!(d.outcomes[2].acked_items, 1);
}

#[test]
fn a_2xx_naming_errors_is_not_resent_to_isolate() {
    // Three messages in one request; the API answers 202 with errors: it may have stored some
    // of them, so nothing is sent again: every item is dead-lettered, saying so.
    let texts = vec![message("a", 2), message("b", 2), message("c", 2)];
    let api = FakeApi::new(|_, _| ERRORS_IN_2XX);
    let d = run(&api, &config(300), &texts, 45);
    assert_eq!((d.requests, api.posts.borrow().len()), (1, 1));
    for o in &d.outcomes {
        assert!(o.ack);
        let dead = read(o.dead_letter.as_deref().unwrap()).unwrap();
        assert_eq!(dead.items.len(), 2);
        assert!(dead.note.unwrap().contains("may have stored"));
    }
}

#[test]
fn backoff_grows_with_attempts_and_follows_retry_after() {
    let p = Policy {
        base_s: 2.0,
        max_s: 60,
        fix_s: 600,
    };
    assert_eq!(p.delay_s(1, None, 1.0), 2);
    assert_eq!(p.delay_s(3, None, 1.0), 8);
    assert_eq!(p.delay_s(3, None, 0.0), 4);
    assert_eq!(p.delay_s(30, None, 1.0), 60);
    assert_eq!(p.delay_s(1, Some(7_500), 0.3), 8);
    assert_eq!(p.delay_s(1, Some(1_000_000), 0.3), 60);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Over random batches and answers: every item ends up exactly once as stored, dead-lettered,
    /// or still queued (re-enqueued, or its whole message retried); a stored item is never
    /// queued again; requests stay within the budget.
    #[test]
    fn every_item_is_stored_dead_lettered_or_still_queued_once(
        sizes in prop::collection::vec(1usize..12, 1..12),
        batch_size in 1usize..10,
        budget in 1usize..12,
        answers in prop::collection::vec(prop::sample::select(vec![200u16, 200, 200, 202, 400, ERRORS_IN_2XX, 401, 429, 500, 503]), 1..40),
        bad in prop::collection::vec(any::<bool>(), 12),
    ) {
        let texts: Vec<String> = sizes.iter().enumerate().map(|(m, &n)| {
            let tag = if bad[m] { format!("bad{m}") } else { format!("ok{m}") };
            message(&tag, n)
        }).collect();
        let answers2 = answers.clone();
        let api = FakeApi::new(move |body, n| {
            let a = answers2[n % answers2.len()];
            if (a == 400 || a == ERRORS_IN_2XX) && !body.contains("\"bad") { 200 } else { a }
        });
        let d = run(&api, &config(batch_size), &texts, budget);
        prop_assert!(d.attempts as usize <= budget);
        prop_assert!(d.requests <= budget);
        let stored: Vec<String> = api.stored.borrow().clone();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for s in &stored { *seen.entry(s.clone()).or_default() += 1; }
        for (m, o) in d.outcomes.iter().enumerate() {
            let items = read(&texts[m]).unwrap().items;
            let mut elsewhere: Vec<String> = Vec::new();
            if let Some(t) = &o.dead_letter { elsewhere.extend(read(t).unwrap().items.iter().map(|s| s.to_string())); }
            if let Some((t, _)) = &o.requeue { elsewhere.extend(read(t).unwrap().items.iter().map(|s| s.to_string())); }
            if o.retry_s.is_some() {
                prop_assert!(!o.ack);
                prop_assert_eq!(o.acked_items, 0);
                elsewhere.extend(items.iter().map(|s| s.to_string()));
            }
            for i in &items {
                let stored_n = seen.get(*i).copied().unwrap_or(0);
                let queued = elsewhere.iter().filter(|e| e == i).count();
                prop_assert_eq!(stored_n + queued, 1, "item {} stored {} queued {}", i, stored_n, queued);
            }
            prop_assert_eq!(o.acked_items, items.iter().filter(|i| seen.contains_key(**i)).count());
        }
    }
}

#[test]
fn regroup_keeps_order_and_covers_every_item_once() {
    let a: Vec<String> = (0..7).map(|i| item("a", i)).collect();
    let b: Vec<String> = (0..2).map(|i| item("b", i)).collect();
    let la: Vec<&str> = a.iter().map(String::as_str).collect();
    let lb: Vec<&str> = b.iter().map(String::as_str).collect();
    let requests = regroup(Api::Metrics, &[(0, &la), (5, &lb)], 4);
    assert_eq!(
        requests.iter().map(|r| r.count).collect::<Vec<_>>(),
        [4, 4, 1]
    );
    let all: Vec<&str> = requests.iter().flat_map(|r| split_items(&r.body)).collect();
    let want: Vec<&str> = la.iter().chain(&lb).copied().collect();
    assert_eq!(all, want);
    assert_eq!(
        requests[1]
            .parts
            .iter()
            .map(|p| (p.message, p.start, p.end))
            .collect::<Vec<_>>(),
        [(0, 4, 7), (5, 0, 1)]
    );
}
