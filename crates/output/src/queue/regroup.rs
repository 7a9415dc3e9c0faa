//! Messages regrouped into full requests: the items of every message of a consumer batch, in
//! order, cut into bodies of `batch_size`, so that many small writes become few requests. Each
//! request remembers which message each of its items came from.

use librato_core::librato::Api;

/// A run of one message's items inside a request: message `message`, items `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// Index of the message in the batch.
    pub message: usize,
    /// First item of the run in the message.
    pub start: usize,
    /// One past its last item.
    pub end: usize,
}

/// One request body and where its items came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// A full-shape body.
    pub body: String,
    /// Items in it.
    pub count: usize,
    /// Its items' messages, in body order.
    pub parts: Vec<Part>,
}

/// A full-shape body of `items`.
pub fn body<'i>(api: Api, items: impl IntoIterator<Item = &'i str>) -> String {
    let mut out = String::from(match api {
        Api::Metrics => "{\"gauges\":[",
        Api::Measurements => "{\"measurements\":[",
    });
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push_str("]}");
    out
}

/// The items of `messages` (each `(index, items)`) in order, in requests of `batch_size`.
///
/// ```
/// use librato_core::librato::Api;
/// use librato_output::queue::regroup::{regroup, Part};
///
/// let a = [r#"{"name":"a"}"#; 3];
/// let b = [r#"{"name":"b"}"#; 2];
/// let requests = regroup(Api::Metrics, &[(0, &a[..]), (1, &b[..])], 4);
/// assert_eq!(requests.len(), 2);
/// assert_eq!(requests[0].parts, [Part { message: 0, start: 0, end: 3 }, Part { message: 1, start: 0, end: 1 }]);
/// assert_eq!(requests[1].body, r#"{"gauges":[{"name":"b"}]}"#);
/// ```
pub fn regroup(api: Api, messages: &[(usize, &[&str])], batch_size: usize) -> Vec<Request> {
    let batch_size = batch_size.max(1);
    let mut out = Vec::new();
    let mut items: Vec<&str> = Vec::with_capacity(batch_size);
    let mut parts: Vec<Part> = Vec::new();
    for &(message, list) in messages {
        let mut start = 0;
        while start < list.len() {
            let take = (batch_size - items.len()).min(list.len() - start);
            items.extend_from_slice(&list[start..start + take]);
            parts.push(Part {
                message,
                start,
                end: start + take,
            });
            start += take;
            if items.len() == batch_size {
                out.push(Request {
                    body: body(api, items.drain(..)),
                    count: batch_size,
                    parts: std::mem::take(&mut parts),
                });
            }
        }
    }
    if !items.is_empty() {
        out.push(Request {
            count: items.len(),
            body: body(api, items.drain(..)),
            parts,
        });
    }
    out
}
