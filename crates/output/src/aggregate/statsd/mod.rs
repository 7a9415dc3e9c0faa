//! statsd's interval state and its flush as statsd-librato-backend posts it.
//!
//! What statsd 0.9.0 holds between flushes, and so what every flush sends (`stats.js`'s
//! `clear_metrics`): counters stay at 0 (sent as 0) unless `deleteCounters`; gauges keep their
//! value (sent again) unless `deleteGauges`, then for `gaugesMaxTTL` idle flushes; sets are
//! emptied (sent as 0) unless `deleteSets`; timers are emptied (and then not sent).
//! `deleteIdleStats` turns all four deletions on. statsd's own counters (`statsd.
//! packets_received`, `metrics_received`, `bad_lines_seen`) and gauge (`timestamp_lag`) are
//! kept as statsd keeps them; the backend skips every key matching `^statsd\.` unless
//! `skipInternalMetrics` is false.
//!
//! What the backend posts per flush (`flushStats`), in this order: counters as gauges of the
//! interval's total (`countersAsGauges`, the default; else the running total), each timer's
//! summary (`count`, `sum`, `min`, `max` and `stddev_m2`, the sample deviation, over every
//! sample) and its percentiles (see [`super::percentiles`]), gauges, sets (their number of
//! distinct values), then `numStats` (always 0: the backend never counts it) when internal
//! metrics are sent. The time is the flush's second (rounded) snapped down to `snapTime`.
//!
//! Items are written as queue messages (each with its own time and whole tag set: the
//! backend's top-level tags merged under each measurement's), so the command line sends them
//! with the same delivery, retries and spool as `execd`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use librato_core::hash::FxHasher;
use librato_core::librato::measurements::TagSet;
use librato_core::librato::{Api, Reason};

use super::percentiles::{self, backend_pct, Samples};
use super::Dropped;
use crate::statsd::map::percentile_key;
use crate::statsd::parse::{parse_packet, BadLine, ParseOptions, Sample, Value};
use table::Table;
use writer::{messages, Writer};

mod table;
mod writer;

/// Distinct values a set counts in one interval; past it, further new values are not counted.
const MAX_SET_VALUES: usize = 100_000;

/// How the state is set up (statsd's and the backend's options).
#[derive(Debug, Clone)]
pub struct StatsdSetup {
    /// Tagged measurements (the backend's default) or legacy gauges (`writeToLegacy`).
    pub api: Api,
    /// Items per message (a request's worth).
    pub batch_size: usize,
    /// The backend's `globalPrefix` (without its dot).
    pub global_prefix: String,
    /// The backend's `source`.
    pub source: Option<String>,
    /// The backend's top-level tags (its `tags`, and `host`).
    pub global_tags: Vec<(String, String)>,
    /// statsd's `percentThreshold`.
    pub percentiles: Vec<f64>,
    /// Samples a timer keeps exactly per interval.
    pub max_samples: usize,
    /// Keys held at most (counters, timers, gauges and sets together).
    pub max_series: usize,
    /// The backend's `countersAsGauges`.
    pub counters_as_gauges: bool,
    /// The backend's `alwaysSuffixPercentile`.
    pub always_suffix: bool,
    /// The backend's `skipInternalMetrics`.
    pub skip_internal: bool,
    /// statsd's `deleteCounters`, `deleteTimers`, `deleteSets`, `deleteGauges`.
    pub delete: [bool; 4],
    /// statsd's `gaugesMaxTTL`.
    pub gauges_max_ttl: u32,
    /// statsd's `prefixStats`.
    pub prefix_stats: String,
    /// statsd's `flushInterval`, ms.
    pub flush_interval_ms: f64,
    /// The backend's `snapTime`, seconds (default the flush interval's).
    pub snap_s: i64,
    /// statsd's `keyNameSanitize`.
    pub parse: ParseOptions,
}

#[derive(Default)]
struct Counter {
    interval: f64,
    total: f64,
}

struct Gauge {
    value: f64,
    ttl: u32,
}

/// What a flush gives the caller.
#[derive(Debug, Default)]
pub struct Flushed {
    /// Queue messages of at most `batch_size` items each.
    pub messages: Vec<String>,
    /// Items in them.
    pub items: usize,
    /// Bad lines since the last flush.
    pub bad: usize,
    /// The first of them.
    pub example: Option<BadLine>,
    /// What could not be kept or sent, with why and how many.
    pub dropped: Vec<Dropped>,
}

/// statsd's state between flushes.
pub struct Statsd {
    setup: StatsdSetup,
    counters: Table<Counter>,
    timers: Table<Samples>,
    gauges: Table<Gauge>,
    sets: Table<HashSet<u64>>,
    bad: usize,
    example: Option<BadLine>,
    over_limit: usize,
    over_example: Option<String>,
    old_ts: i64,
    tag_set: TagSet,
    internal: [String; 3],
}

impl Statsd {
    /// A state with statsd's own counters at 0.
    pub fn new(setup: StatsdSetup) -> Statsd {
        let p = &setup.prefix_stats;
        let internal = [
            format!("{p}.bad_lines_seen"),
            format!("{p}.packets_received"),
            format!("{p}.metrics_received"),
        ];
        let mut s = Statsd {
            setup,
            counters: Table::default(),
            timers: Table::default(),
            gauges: Table::default(),
            sets: Table::default(),
            bad: 0,
            example: None,
            over_limit: 0,
            over_example: None,
            old_ts: 0,
            tag_set: TagSet::default(),
            internal,
        };
        for k in s.internal.clone() {
            s.counters.insert(k, Vec::new(), Counter::default());
        }
        s
    }

    fn held(&self) -> usize {
        self.counters.live + self.timers.live + self.gauges.live + self.sets.live
    }

    fn bump_internal(&mut self, which: usize, by: f64) {
        let key = self.internal[which].clone();
        match self.counters.find(&key, &[]) {
            Some(i) => {
                if let Some(e) = &mut self.counters.entries[i] {
                    e.state.interval += by;
                    e.state.total += by;
                }
            }
            None => {
                let c = Counter {
                    interval: by,
                    total: by,
                };
                self.counters.insert(key, Vec::new(), c);
            }
        }
    }

    /// Reads one packet (a UDP datagram, or complete lines from TCP).
    pub fn ingest(&mut self, packet: &[u8]) {
        self.bump_internal(1, 1.0);
        let text = String::from_utf8_lossy(packet);
        let options = self.setup.parse;
        let mut samples: Vec<Sample<'_>> = Vec::new();
        let parsed = parse_packet(&text, &options, &mut |s| samples.push(s));
        for s in samples {
            self.add(s);
        }
        self.bump_internal(2, parsed.lines as f64);
        if parsed.bad > 0 {
            self.bump_internal(0, parsed.bad as f64);
            self.bad += parsed.bad;
            if self.example.is_none() {
                self.example = parsed.example;
            }
        }
    }

    fn full(&mut self, key: &str) -> bool {
        if self.held() < self.setup.max_series {
            return false;
        }
        self.over_limit += 1;
        if self.over_example.is_none() {
            self.over_example = Some(key.to_string());
        }
        true
    }

    fn add(&mut self, s: Sample<'_>) {
        let key: Cow<'_, str> = s.key;
        match s.value {
            Value::Counter(v) => match self.counters.find(&key, &s.tags) {
                Some(i) => {
                    if let Some(e) = &mut self.counters.entries[i] {
                        e.state.interval += v;
                        e.state.total += v;
                    }
                }
                None if !self.full(&key) => {
                    let c = Counter {
                        interval: v,
                        total: v,
                    };
                    self.counters.insert(key.into_owned(), s.tags, c);
                }
                None => {}
            },
            Value::Timer(v) => {
                let max = self.setup.max_samples;
                match self.timers.find(&key, &s.tags) {
                    Some(i) => {
                        if let Some(e) = &mut self.timers.entries[i] {
                            e.state.add(v, max);
                        }
                    }
                    None if !self.full(&key) => {
                        let mut samples = Samples::default();
                        samples.add(v, max);
                        self.timers.insert(key.into_owned(), s.tags, samples);
                    }
                    None => {}
                }
            }
            Value::Gauge { value, delta } => {
                let ttl = self.setup.gauges_max_ttl;
                match self.gauges.find(&key, &s.tags) {
                    Some(i) => {
                        if let Some(e) = &mut self.gauges.entries[i] {
                            // statsd adjusts only a value that is held and not 0.
                            if delta && e.state.value != 0.0 && !e.state.value.is_nan() {
                                e.state.value += value;
                            } else {
                                e.state.value = value;
                            }
                            e.state.ttl = ttl;
                        }
                    }
                    None if !self.full(&key) => {
                        self.gauges
                            .insert(key.into_owned(), s.tags, Gauge { value, ttl });
                    }
                    None => {}
                }
            }
            Value::Set(member) => {
                let mut h = FxHasher::default();
                member.hash(&mut h);
                let h = h.finish();
                match self.sets.find(&key, &s.tags) {
                    Some(i) => {
                        if let Some(e) = &mut self.sets.entries[i] {
                            if e.state.len() < MAX_SET_VALUES {
                                e.state.insert(h);
                            }
                        }
                    }
                    None if !self.full(&key) => {
                        self.sets
                            .insert(key.into_owned(), s.tags, HashSet::from([h]));
                    }
                    None => {}
                }
            }
        }
    }

    /// Flushes at `now_ms`: what the backend would post, as queue messages; then clears the
    /// state as statsd does.
    pub fn flush(&mut self, now_ms: f64) -> Flushed {
        let ts = percentiles::js_round(now_ms / 1000.0) as i64;
        let lag_key = format!("{}.timestamp_lag", self.setup.prefix_stats);
        if self.old_ts > 0 {
            let lag = (ts - self.old_ts) as f64 - self.setup.flush_interval_ms / 1000.0;
            match self.gauges.find(&lag_key, &[]) {
                Some(i) => {
                    if let Some(e) = &mut self.gauges.entries[i] {
                        e.state.value = lag;
                    }
                }
                None => {
                    let g = Gauge {
                        value: lag,
                        ttl: self.setup.gauges_max_ttl,
                    };
                    self.gauges.insert(lag_key, Vec::new(), g);
                }
            }
        }
        self.old_ts = ts;
        let snap = self.setup.snap_s.max(1);
        let time = ts.div_euclid(snap) * snap;
        let mut w = Writer {
            api: self.setup.api,
            time,
            prefix: &self.setup.global_prefix,
            source: self.setup.source.as_deref(),
            global: &self.setup.global_tags,
            tag_set: &mut self.tag_set,
            items: Vec::new(),
            dropped: Vec::new(),
        };
        let skip = |key: &str| self.setup.skip_internal && key.starts_with("statsd.");
        for e in self.counters.iter() {
            if skip(&e.key) {
                continue;
            }
            let v = if self.setup.counters_as_gauges {
                e.state.interval
            } else {
                e.state.total
            };
            w.value(&e.key, &e.tags, v);
        }
        let mut notes = Vec::new();
        for e in self.timers.entries.iter_mut().flatten() {
            if e.state.count() == 0 || (self.setup.skip_internal && e.key.starts_with("statsd.")) {
                continue;
            }
            let main = if self.setup.always_suffix {
                percentile_key(&e.key, ".100")
            } else {
                e.key.clone()
            };
            let all = match e.state.sorted() {
                Some(v) => backend_pct(v, 100.0),
                None => e.state.percentile(100.0),
            };
            if let Some(p) = all {
                w.summary(&main, &e.tags, &p);
            }
            for &pct in &self.setup.percentiles {
                if let Some(p) = e.state.percentile(pct) {
                    w.summary(
                        &percentile_key(&e.key, &percentiles::suffix(pct)),
                        &e.tags,
                        &p,
                    );
                }
            }
            if e.state.past_max() > 0 {
                notes.push(Dropped {
                    name: e.key.clone(),
                    reason: Reason::PercentileEstimated,
                    message: format!(
                        "more than {} samples in a flush interval: its summary and percentiles are estimates within 1% of the value",
                        self.setup.max_samples
                    ),
                    count: e.state.past_max() as usize,
                });
            }
        }
        for e in self.gauges.iter() {
            if !skip(&e.key) {
                w.value(&e.key, &e.tags, e.state.value);
            }
        }
        for e in self.sets.iter() {
            if !skip(&e.key) {
                w.value(&e.key, &e.tags, e.state.len() as f64);
            }
        }
        if !self.setup.skip_internal {
            w.value("numStats", &[], 0.0);
        }
        let mut flushed = Flushed {
            items: w.items.len(),
            dropped: std::mem::take(&mut w.dropped),
            ..Flushed::default()
        };
        flushed.messages = messages(self.setup.api, &w.items, self.setup.batch_size);
        flushed.dropped.extend(notes);
        if self.over_limit > 0 {
            flushed.dropped.push(Dropped {
                name: self.over_example.take().unwrap_or_default(),
                reason: Reason::TooManySeries,
                message: format!(
                    "{} value(s) of keys past the {} held (maxSeries) were counted, not kept",
                    self.over_limit, self.setup.max_series
                ),
                count: std::mem::take(&mut self.over_limit),
            });
        }
        flushed.bad = std::mem::take(&mut self.bad);
        flushed.example = self.example.take();
        self.clear();
        flushed
    }

    /// statsd's `clear_metrics`.
    fn clear(&mut self) {
        let [del_counters, del_timers, del_sets, del_gauges] = self.setup.delete;
        for i in 0..self.counters.entries.len() {
            let Some(e) = &mut self.counters.entries[i] else {
                continue;
            };
            let internal = ["packets_received", "metrics_received", "bad_lines_seen"]
                .iter()
                .any(|k| e.key.contains(k));
            if del_counters && !internal {
                self.counters.remove(i);
            } else {
                e.state.interval = 0.0;
            }
        }
        for i in 0..self.timers.entries.len() {
            if del_timers {
                self.timers.remove(i);
            } else if let Some(e) = &mut self.timers.entries[i] {
                e.state = Samples::default();
            }
        }
        for i in 0..self.sets.entries.len() {
            if del_sets {
                self.sets.remove(i);
            } else if let Some(e) = &mut self.sets.entries[i] {
                e.state = HashSet::new();
            }
        }
        if del_gauges {
            for i in 0..self.gauges.entries.len() {
                let Some(e) = &mut self.gauges.entries[i] else {
                    continue;
                };
                e.state.ttl = e.state.ttl.saturating_sub(1);
                if e.state.ttl < 1 {
                    self.gauges.remove(i);
                }
            }
        }
        self.counters.compact();
        self.timers.compact();
        self.sets.compact();
        self.gauges.compact();
    }

    /// Keys held now.
    pub fn series_count(&self) -> usize {
        self.held()
    }
}
