//! A write's bodies packed into queue messages, and the messages into `sendBatch` calls.

use librato_core::find::piece;
use librato_core::librato::Api;

use super::message::{header, MAX_MESSAGE_BYTES};
use crate::config::LibratoConfig;
use crate::render::{render, Input, Plan, RenderOptions, Sink};

/// Queues' limits on one `sendBatch` call: messages, and bytes in all (of 1,000 each, less
/// ~100 bytes of metadata a message).
pub const MAX_BATCH_MESSAGES: usize = 100;
/// See [`MAX_BATCH_MESSAGES`].
pub const MAX_BATCH_BYTES: usize = 256_000;
const METADATA_BYTES: usize = 100;

/// The items of a full-shape body (`{"gauges":[...]}` or `{"measurements":[...]}`, as the
/// writer makes them), each one JSON object. Items hold no `},{"name":"` of their own: names,
/// sources and tags never contain braces, so that is where one item ends and the next begins.
pub fn split_items(body: &str) -> Vec<&str> {
    let inner = body
        .strip_prefix("{\"gauges\":[")
        .or_else(|| body.strip_prefix("{\"measurements\":["))
        .and_then(|b| b.strip_suffix("]}"))
        .unwrap_or("");
    let mut out = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() {
        match librato_core::find::find(rest, "},{\"name\":\"") {
            Some(i) => {
                out.push(piece(rest, ..=i));
                rest = piece(rest, i + 2..);
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

/// Packs items into messages of at most [`MAX_MESSAGE_BYTES`], in order.
pub struct Packer {
    api: Api,
    messages: Vec<String>,
    items: String,
    count: usize,
    /// At most this many items a message (a consumer that sends one request at a time wants
    /// messages of one request each).
    pub max_items: usize,
}

impl Packer {
    /// An empty packer for `api`'s items.
    pub fn new(api: Api) -> Packer {
        Packer {
            api,
            messages: Vec::new(),
            items: String::new(),
            count: 0,
            max_items: usize::MAX,
        }
    }

    /// Adds every item of a full-shape body.
    pub fn push_body(&mut self, body: &str) {
        for item in split_items(body) {
            self.push_item(item);
        }
    }

    fn push_item(&mut self, item: &str) {
        // The header's length is bounded (its numbers are at most 10 digits each).
        let room = MAX_MESSAGE_BYTES - 64;
        if self.count > 0
            && (self.items.len() + 1 + item.len() > room || self.count == self.max_items)
        {
            self.close();
        }
        self.items.push('\n');
        self.items.push_str(item);
        self.count += 1;
    }

    fn close(&mut self) {
        let mut text = header(self.api, self.count, 0);
        text.push_str(&self.items);
        self.messages.push(text);
        self.items.clear();
        self.count = 0;
    }

    /// Every message, the last one closed.
    pub fn finish(mut self) -> Vec<String> {
        if self.count > 0 {
            self.close();
        }
        self.messages
    }
}

/// Cuts messages of these sizes into as few `sendBatch` calls as Queues' limits allow
/// (100 messages and 256 KB a call), in order: `(start, end)` of each call.
///
/// ```
/// use librato_output::queue::pack::send_groups;
/// assert_eq!(send_groups(&[127_000, 127_000, 127_000, 10]), [(0, 2), (2, 4)]);
/// assert_eq!(send_groups(&[100; 250]), [(0, 100), (100, 200), (200, 250)]);
/// ```
pub fn send_groups(sizes: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        let size = size + METADATA_BYTES;
        if i > start && (i - start == MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES) {
            out.push((start, i));
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        out.push((start, sizes.len()));
    }
    out
}

/// A write packed for the queue: its messages, and the plan without bodies (counts, skipped,
/// errors, warnings).
#[derive(Debug)]
pub struct Packed {
    /// The messages, in order.
    pub messages: Vec<String>,
    /// Everything else the render said.
    pub plan: Plan,
}

/// The smallest item the writer makes is over 40 bytes, so a message holds at most this many.
const MAX_ITEMS_PER_MESSAGE: usize = MAX_MESSAGE_BYTES / 40;

/// Renders `input` (in Telegraf's full body shape, whatever `body_format` says: items are
/// regrouped by the consumer) straight into messages. Rendering stops once the write surely
/// needs more than `max_messages` (`plan.truncated` is set then).
pub fn pack_input(
    input: Input<'_>,
    config: &LibratoConfig,
    options: &RenderOptions,
    max_messages: Option<usize>,
    max_items: Option<usize>,
) -> Packed {
    let mut options = *options;
    options.full_bodies = true;
    options.max_requests =
        max_messages.map(|m| m.saturating_mul(MAX_ITEMS_PER_MESSAGE) / config.batch_size.max(1));
    let mut packer = Packer::new(config.api);
    packer.max_items = max_items.unwrap_or(usize::MAX).max(1);
    let on_batch = &mut |text: &str, batches: &[librato_core::librato::Batch]| {
        for &(s, e, _) in batches {
            packer.push_body(piece(text, s..e));
        }
    };
    let sink = Sink::Stream {
        chunk_bytes: 1 << 18,
        on_batch,
    };
    let plan = render(input, config, &options, sink);
    Packed {
        messages: packer.finish(),
        plan,
    }
}
