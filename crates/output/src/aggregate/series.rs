//! Interning series: a name (with the prefix, sanitised as gauge names are) and a source or
//! tag set become one id, once; what the API would refuse, and series past `max_series`, get
//! ids that only count their samples.

use std::borrow::Cow;
use std::hash::Hasher;

use librato_core::hash::FxHasher;
use librato_core::librato::{push_sanitized, Api, Reason, MAX_NAME_CHARS};
use librato_core::metric::Metric;

use super::{Aggregator, Dropped, Kind, Series, MAX_REFUSED, OVER_EXAMPLES, OVER_LIMIT_ID};

impl Aggregator {
    /// The id of a series (interned once; the same id for every spelling that sanitises
    /// alike), or a negative id when the API would refuse it (its samples are counted and
    /// reported). `source`: the call's, else the default; `tags`: the call's over the defaults.
    pub fn series(
        &mut self,
        kind: Kind,
        name: &str,
        source: Option<&str>,
        tags: &[(String, String)],
    ) -> i64 {
        let mut given = self.prefix.clone();
        given.push_str(name);
        match self.build(&given) {
            Err((reason, message)) => self.refuse(given, reason, message),
            Ok(head) => {
                let tail = match self.api {
                    Api::Metrics => self.source_tail(source),
                    Api::Measurements => self.tags_tail(&given, tags),
                };
                let tail = match tail {
                    Ok(t) => t,
                    Err((reason, message)) => return self.refuse(given, reason, message),
                };
                let mut item = head;
                let tail_at = item.len();
                item.extend_from_slice(&tail);
                let mut h = FxHasher::default();
                h.write_u8(kind as u8);
                h.write(&item);
                let hash = h.finish();
                let same = |id: u32| {
                    let s = &self.series[id as usize];
                    s.kind == kind && s.tail_at as usize == tail_at && *s.item == *item
                };
                let found = self
                    .index
                    .get(&hash)
                    .copied()
                    .filter(|&id| same(id))
                    .or_else(|| {
                        self.collisions
                            .iter()
                            .find(|&&(h, id)| h == hash && same(id))
                            .map(|&(_, id)| id)
                    });
                if let Some(id) = found {
                    return i64::from(id);
                }
                if self.series.len() >= self.table_limit() {
                    self.over(&given);
                    return OVER_LIMIT_ID;
                }
                let id = self.series.len() as u32;
                match self.index.entry(hash) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        self.collisions.push((hash, id))
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(id);
                    }
                }
                let series = Series {
                    kind,
                    given: None,
                    item: item.into_boxed_slice(),
                    tail_at: tail_at as u32,
                };
                let given =
                    (series.sent_name() != given.as_bytes()).then(|| given.into_boxed_str());
                self.series.push(Series { given, ..series });
                i64::from(id)
            }
        }
    }

    pub(super) fn build(&self, given: &str) -> Result<Vec<u8>, (Reason, String)> {
        let mut head = b"{\"name\":\"".to_vec();
        push_sanitized(&mut head, given);
        let chars = head.len() - 9;
        if chars == 0 {
            return Err((Reason::EmptyName, "the name is empty".into()));
        }
        if chars > MAX_NAME_CHARS {
            return Err((
                Reason::NameTooLong,
                format!("name is {chars} characters; Librato's limit is {MAX_NAME_CHARS}"),
            ));
        }
        head.push(b'"');
        Ok(head)
    }

    pub(super) fn source_tail(&self, source: Option<&str>) -> Result<Vec<u8>, (Reason, String)> {
        let Some(source) = source.filter(|s| !s.is_empty()).or(self.source.as_deref()) else {
            return Ok(Vec::new());
        };
        let mut clean = Vec::new();
        push_sanitized(&mut clean, source);
        if clean.len() > MAX_NAME_CHARS {
            return Err((
                Reason::SourceTooLong,
                format!(
                    "source is {} characters; Librato's limit is {MAX_NAME_CHARS}",
                    clean.len()
                ),
            ));
        }
        if clean.eq_ignore_ascii_case(b"all") {
            return Err((
                Reason::ReservedSource,
                "source \"all\" is reserved by Librato".into(),
            ));
        }
        let mut tail = b",\"source\":\"".to_vec();
        tail.extend_from_slice(&clean);
        tail.push(b'"');
        Ok(tail)
    }

    pub(super) fn tags_tail(
        &mut self,
        given: &str,
        tags: &[(String, String)],
    ) -> Result<Vec<u8>, (Reason, String)> {
        let mut m = Metric::new(given, 0);
        for (k, v) in self.tags.iter().chain(tags) {
            m.set_tag(Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()));
        }
        let mut tail = Vec::new();
        self.tag_set.write(&m, &mut tail, None)?;
        Ok(tail)
    }

    pub(super) fn refuse(&mut self, name: String, reason: Reason, message: String) -> i64 {
        if let Some(i) = self
            .refused
            .iter()
            .position(|r| r.name == name && r.reason == reason)
        {
            return -(i as i64) - 1;
        }
        if self.refused.len() >= MAX_REFUSED {
            // Bounded: the last entry stands for every further refused name.
            let last = self.refused.len() - 1;
            let r = &mut self.refused[last];
            if !r.message.ends_with("(and other names)") {
                r.message.push_str(" (and other names)");
            }
            return -(self.refused.len() as i64);
        }
        self.refused.push(Dropped {
            name,
            reason,
            message,
            count: 0,
        });
        -(self.refused.len() as i64)
    }

    /// Series a table may hold: `max_series` of this period and as many of periods before
    /// (rebuilt at a flush once past it, see [`Aggregator::reset_if_large`]).
    pub(super) fn table_limit(&self) -> usize {
        self.max_series.max(1).saturating_mul(2)
    }

    /// A sample of a series past `max_series`: counted, and its name kept as an example.
    pub(super) fn over(&mut self, name: &str) {
        if self.over_examples.len() < OVER_EXAMPLES && !self.over_examples.iter().any(|e| e == name)
        {
            self.over_examples.push(name.to_string());
        }
    }
}
