//! The backend's items in the full shape of the API (each with its time and whole tag set),
//! and the flush's queue messages of them.

use std::borrow::Cow;

use librato_core::librato::measurements::TagSet;
use librato_core::librato::{Api, Reason};
use librato_core::metric::Metric;
use librato_core::number::{write_float, write_int};

use crate::aggregate::percentiles::PctSummary;
use crate::aggregate::Dropped;
use crate::queue::message::{encode, MAX_MESSAGE_BYTES};
use crate::statsd::map::series_of;

/// Writes items in the full shape of the API, each with its time and tags.
pub(super) struct Writer<'a> {
    pub(super) api: Api,
    pub(super) time: i64,
    pub(super) prefix: &'a str,
    pub(super) source: Option<&'a str>,
    pub(super) global: &'a [(String, String)],
    pub(super) tag_set: &'a mut TagSet,
    pub(super) items: Vec<String>,
    pub(super) dropped: Vec<Dropped>,
}

impl Writer<'_> {
    /// `{"name":…` and what follows the numbers (source, time, tags), or why not.
    fn start(&mut self, key: &str, dog: &[(String, String)]) -> Option<(Vec<u8>, Vec<u8>)> {
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}.", self.prefix)
        };
        let (name, mut tags) = series_of(key, &prefix);
        if name.is_empty() {
            // The API would refuse the whole request for it.
            self.dropped.push(Dropped {
                name: key.to_string(),
                reason: Reason::EmptyName,
                message: "the name is empty once sanitised".into(),
                count: 1,
            });
            return None;
        }
        let mut head = b"{\"name\":\"".to_vec();
        head.extend_from_slice(name.as_bytes());
        head.push(b'"');
        let mut tail = Vec::new();
        match self.api {
            Api::Metrics => {
                if let Some(src) = self.source {
                    tail.extend_from_slice(b",\"source\":\"");
                    tail.extend_from_slice(crate::statsd::map::sanitize_name(src).as_bytes());
                    tail.push(b'"');
                }
                tail.extend_from_slice(b",\"measure_time\":");
                write_int(&mut tail, self.time);
            }
            Api::Measurements => {
                tail.extend_from_slice(b",\"time\":");
                write_int(&mut tail, self.time);
                tags.extend(dog.iter().cloned());
                if let Some(src) = self.source {
                    tags.push(("source".into(), src.into()));
                }
                // The backend sends its top-level tags once per body and each measurement's
                // own (name tags, `source`) beside them, which the API does not merge: own
                // tags replace the top-level ones, so a series with any has only those.
                let whole = if tags.is_empty() {
                    self.global
                } else {
                    &tags[..]
                };
                let mut m = Metric::new(&name, 0);
                for (k, v) in whole {
                    m.set_tag(Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()));
                }
                if let Err((reason, message)) = self.tag_set.write(&m, &mut tail, None) {
                    self.dropped.push(Dropped {
                        name,
                        reason,
                        message,
                        count: 1,
                    });
                    return None;
                }
            }
        }
        tail.push(b'}');
        Some((head, tail))
    }

    pub(super) fn value(&mut self, key: &str, dog: &[(String, String)], v: f64) {
        let Some((mut item, tail)) = self.start(key, dog) else {
            return;
        };
        item.extend_from_slice(b",\"value\":");
        write_float(&mut item, v);
        item.extend_from_slice(&tail);
        self.items.push(String::from_utf8(item).unwrap_or_default());
    }

    pub(super) fn summary(&mut self, key: &str, dog: &[(String, String)], p: &PctSummary) {
        let Some((mut item, tail)) = self.start(key, dog) else {
            return;
        };
        item.extend_from_slice(b",\"count\":");
        write_int(&mut item, p.count as i64);
        for (k, v) in [("sum", p.sum), ("min", p.min), ("max", p.max)] {
            item.extend_from_slice(b",\"");
            item.extend_from_slice(k.as_bytes());
            item.extend_from_slice(b"\":");
            write_float(&mut item, v);
        }
        // The legacy API has no stddev_m2: the backend's field goes to the tagged API only.
        if self.api == Api::Measurements {
            item.extend_from_slice(b",\"stddev_m2\":");
            write_float(&mut item, p.stddev);
        }
        item.extend_from_slice(&tail);
        self.items.push(String::from_utf8(item).unwrap_or_default());
    }
}

/// Items into messages of at most `batch` items (and the message size limit).
pub(super) fn messages(api: Api, items: &[String], batch: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let mut end = start;
        let mut bytes = 64;
        while end < items.len() && end - start < batch.max(1) {
            bytes += items[end].len() + 1;
            if bytes > MAX_MESSAGE_BYTES && end > start {
                break;
            }
            end += 1;
        }
        out.push(encode(
            api,
            0,
            None,
            items[start..end].iter().map(String::as_str),
        ));
        start = end;
    }
    out
}
