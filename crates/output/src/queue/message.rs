//! The queue message format, version 1: one header line, an optional note line, then one
//! gauge (or measurement) per line, each exactly as it stands in a full-shape request body:
//!
//! ```text
//! librato-wasm-queue 1 metrics 2 0
//! {"name":"cpu.idle","value":97.5,"source":"web-1","measure_time":1700000000}
//! {"name":"cpu.user","value":2,"source":"web-1","measure_time":1700000000}
//! ```
//!
//! The header says the format version, the API the items are for, how many items follow (so a
//! cut message is caught) and the delivery attempts made before this message (a remainder
//! re-enqueued by a consumer keeps counting). A dead letter carries `# <why>` as its second
//! line and is otherwise a message like any other, so replaying one is sending it back to the
//! relay's queue. Items hold no line breaks (bodies are ASCII JSON with escaped strings).
//!
//! A reader of a newer deploy reads every version written before it; a version it does not
//! know is an unreadable message (dead-lettered, never dropped).

use librato_core::librato::Api;

/// The header's first word.
pub const MAGIC: &str = "librato-wasm-queue";
/// The format this build writes.
pub const VERSION: u32 = 1;
/// Bytes of text in one message: Queues' 128 KB (of 1,000 bytes) less its ~100 bytes of
/// metadata, with room to spare.
pub const MAX_MESSAGE_BYTES: usize = 127_000;

/// A message read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Message<'a> {
    /// The API its items are for.
    pub api: Api,
    /// Delivery attempts made before this message was written.
    pub prior_attempts: u32,
    /// A dead letter's reason.
    pub note: Option<&'a str>,
    /// The items, each a JSON object as in a full-shape body.
    pub items: Vec<&'a str>,
}

/// The header line (without its line break).
pub fn header(api: Api, count: usize, prior_attempts: u32) -> String {
    format!("{MAGIC} {VERSION} {} {count} {prior_attempts}", api.name())
}

/// A whole message of `items`, with an optional note (made one line).
pub fn encode<'i>(
    api: Api,
    prior_attempts: u32,
    note: Option<&str>,
    items: impl IntoIterator<Item = &'i str>,
) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    let mut out = header(api, items.len(), prior_attempts);
    if let Some(note) = note {
        out.push_str("\n# ");
        out.push_str(&note.replace(['\n', '\r'], " "));
    }
    for item in items {
        out.push('\n');
        out.push_str(item);
    }
    out
}

/// Reads a message, or says why it cannot be read.
///
/// ```
/// use librato_core::librato::Api;
/// use librato_output::queue::message::{encode, read};
///
/// let text = encode(Api::Metrics, 2, None, [r#"{"name":"a","value":1,"source":"h","measure_time":1}"#]);
/// let m = read(&text).unwrap();
/// assert_eq!((m.api, m.prior_attempts, m.items.len()), (Api::Metrics, 2, 1));
/// assert!(read("librato-wasm-queue 9 metrics 0 0").unwrap_err().contains("version 9"));
/// ```
pub fn read(text: &str) -> Result<Message<'_>, String> {
    let mut lines = text.split('\n');
    let head = lines.next().unwrap_or_default();
    let words: Vec<&str> = head.split(' ').collect();
    if words.first() != Some(&MAGIC) || words.len() < 5 {
        return Err(format!(
            "not a librato-wasm queue message (its first line is \"{}\")",
            librato_core::metric::cut(head, 60)
        ));
    }
    let version: u32 = words[1]
        .parse()
        .map_err(|_| "its version is not a number".to_string())?;
    if version != VERSION {
        return Err(format!(
            "message format version {version}: this build reads version {VERSION}"
        ));
    }
    let api = Api::parse(words[2]).ok_or_else(|| format!("unknown api \"{}\"", words[2]))?;
    let count: usize = words[3]
        .parse()
        .map_err(|_| "its item count is not a number".to_string())?;
    let prior_attempts: u32 = words[4]
        .parse()
        .map_err(|_| "its attempts are not a number".to_string())?;
    let mut note = None;
    // The header's count is not trusted for the allocation (a corrupt one could ask for any size).
    let mut items = Vec::with_capacity(count.min(text.len() / 2));
    for line in lines {
        if let Some(n) = line.strip_prefix("# ") {
            note = Some(n);
        } else if line.starts_with('{') && line.ends_with('}') {
            items.push(line);
        } else {
            return Err(format!(
                "line {} is not an item: \"{}\"",
                items.len() + 2,
                librato_core::metric::cut(line, 60)
            ));
        }
    }
    if items.len() != count {
        return Err(format!(
            "the header says {count} items but {} follow (a cut message)",
            items.len()
        ));
    }
    Ok(Message {
        api,
        prior_attempts,
        note,
        items,
    })
}
