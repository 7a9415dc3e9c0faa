//! The tagged API's (`POST /v1/measurements`) own part of a measurement: its tags. Names,
//! values, times and every other skip rule are the gauges' (see `GaugeWriter`), so a dashboard
//! can move between the two APIs by name.
//!
//! Tags are sanitised to what the API accepts (`librato-api.md`), sorted by key and written
//! once per metric as `,"tags":{...}`; every measurement of the metric copies that text.

use super::sanitize::push_tag_sanitized;
use super::Reason;
use crate::metric::{cut, Metric};
use crate::sort::sort_indices;

#[cfg(test)]
mod tests;

/// The API's limit on tags per measurement.
pub const MAX_TAGS: usize = 50;
/// The API's limit on a tag key's length.
pub const MAX_TAG_KEY_CHARS: usize = 64;
/// The API's limit on a tag value's length.
pub const MAX_TAG_VALUE_CHARS: usize = 255;
/// Measurements per request the API takes ("keep batch requests under 1,000").
pub const MAX_MEASUREMENTS_BATCH: usize = 1000;

/// Beyond this many tags a metric is refused before sanitising (it could never come down to
/// 50 distinct keys in practice, and the duplicate check is quadratic).
const MAX_TAGS_READ: usize = 4 * MAX_TAGS;

/// One tag: its key and value as `(start, end)` in the buffer, and whether it is sent.
type Span = ((usize, usize), (usize, usize), bool);

/// Reused buffers for one metric's tags.
#[derive(Default)]
pub struct TagSet {
    /// Sanitised keys and values, back to back.
    buf: Vec<u8>,
    /// Per tag: key and value as `(start, end)` in `buf`, and whether it is kept.
    spans: Vec<Span>,
    order: Vec<usize>,
}

impl TagSet {
    /// Appends `,"tags":{"k":"v",...}` for `m` to `out`, or says why the metric cannot be sent
    /// to the tagged API. With `notes`, says where a tag was changed or left out to fit it.
    pub fn write(
        &mut self,
        m: &Metric<'_>,
        out: &mut Vec<u8>,
        mut notes: Option<&mut Vec<String>>,
    ) -> Result<(), (Reason, String)> {
        if m.tags.len() > MAX_TAGS_READ {
            return Err(too_many(m.tags.len()));
        }
        self.buf.clear();
        self.spans.clear();
        for (k, v) in &m.tags {
            let ks = self.buf.len();
            let key_changed = push_tag_sanitized(&mut self.buf, k, false, MAX_TAG_KEY_CHARS);
            let vs = self.buf.len();
            let value_changed = push_tag_sanitized(&mut self.buf, v, true, MAX_TAG_VALUE_CHARS);
            let ve = self.buf.len();
            let kept = ks < vs && vs < ve;
            self.spans.push(((ks, vs), (vs, ve), kept));
            if let Some(notes) = notes.as_deref_mut() {
                if !kept {
                    let what = if ks == vs { "its key" } else { "its value" };
                    notes.push(format!("tag {} left out: {what} is empty", quoted(k)));
                    continue;
                }
                let key = std::str::from_utf8(&self.buf[ks..vs]).unwrap_or_default();
                if key_changed {
                    notes.push(format!("tag key {} sent as {}", quoted(k), quoted(key)));
                }
                if value_changed {
                    let value = std::str::from_utf8(&self.buf[vs..ve]).unwrap_or_default();
                    notes.push(format!(
                        "tag {key}: value {} sent as {}",
                        quoted(v),
                        quoted(value)
                    ));
                }
            }
        }
        // Sorted by the key as sent, ties by the key as given (deterministic either way).
        self.order.clear();
        self.order.extend(0..self.spans.len());
        let (buf, spans, tags) = (&self.buf, &mut self.spans, &m.tags);
        let key = |spans: &[Span], i: usize| &buf[spans[i].0 .0..spans[i].0 .1];
        sort_indices(&mut self.order, &|a, b| {
            (key(spans, a), tags[a].0.as_bytes()) < (key(spans, b), tags[b].0.as_bytes())
        });
        // The API lower-cases keys: two keys equal but for case (or equal once sanitised)
        // would be one tag there. The first in sorted order is kept.
        let mut kept = 0;
        for n in 0..self.order.len() {
            let i = self.order[n];
            if !spans[i].2 {
                continue;
            }
            let twin = self.order[..n]
                .iter()
                .find(|&&j| spans[j].2 && key(spans, j).eq_ignore_ascii_case(key(spans, i)));
            if let Some(&j) = twin {
                spans[i].2 = false;
                if let Some(notes) = notes.as_deref_mut() {
                    notes.push(format!(
                        "tag {} left out: the API would read its key as the same as {}'s (it lower-cases tag keys)",
                        quoted(&tags[i].0),
                        quoted(&tags[j].0)
                    ));
                }
                continue;
            }
            kept += 1;
        }
        if kept == 0 {
            let message = if m.tags.is_empty() {
                "no tags: the measurements API requires at least one tag".to_string()
            } else {
                "no tags left once empty keys and values are left out: the measurements API requires at least one tag".to_string()
            };
            return Err((Reason::NoTags, message));
        }
        if kept > MAX_TAGS {
            return Err(too_many(kept));
        }
        out.extend_from_slice(b",\"tags\":{");
        let mut first = true;
        for &i in &self.order {
            let ((ks, ke), (vs, ve), keep) = self.spans[i];
            if !keep {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'"');
            out.extend_from_slice(&self.buf[ks..ke]);
            out.extend_from_slice(b"\":\"");
            // `\` is the one allowed character JSON escapes (`/` needs none).
            for &b in &self.buf[vs..ve] {
                if b == b'\\' {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b'"');
        }
        out.push(b'}');
        Ok(())
    }
}

fn too_many(n: usize) -> (Reason, String) {
    (
        Reason::TooManyTags,
        format!("{n} tags; the measurements API allows at most {MAX_TAGS} per measurement"),
    )
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", cut(s, 80))
}
