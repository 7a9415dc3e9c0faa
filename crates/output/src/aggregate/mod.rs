//! `LibratoMetrics`' rules: samples recorded from code (`increment`, `measure`, `timing`)
//! folded per series and period, and once a period has ended, one summary per series written
//! as gauges (metrics API) or measurements (tagged API) in bodies of `batch_size`.
//!
//! - A **series** is the sanitised name (with the prefix, exactly as gauge names are made) and
//!   the source (metrics API; none is allowed) or the sanitised tag set (measurements API).
//!   JS interns each series once ([`Aggregator::series`]) and hands samples over in bulk as
//!   `(series, value)` pairs of one period ([`Aggregator::fold`]).
//! - **Periods** start at multiples of `period` of the clock; a sample lands in the period of
//!   its call. [`Aggregator::take`] removes the ended periods (or all) before anything is sent,
//!   so samples recorded while a flush is in flight go to open periods, and two flushes never
//!   send the same period. A period is sent once: after `take(all)` sent the open period
//!   early, later samples of that period count in the next one (a second point of the same
//!   series and time would replace or double the first, depending on the API).
//! - **Summaries**: one sample is sent as `value`; several as `count`, `sum`, `min`, `max` and
//!   `sum_squares` (metrics) or `count`, `sum`, `min`, `max`, `last`, `stddev` (measurements);
//!   the time is the period's start, with `period` set. A counter (`increment`) sends its
//!   period's total as one value.
//! - **Bad input** is not kept and is reported, counted per name, in the next flush: a value
//!   that is not finite, a name that sanitises to nothing or is too long, a source or tag set
//!   the API would refuse, and past `max_series` new series in a period (`too_many_series`:
//!   one entry per flush with the samples' count and a few names; such a series is not
//!   interned, so memory stays flat under ever new names).

mod items;
pub mod percentiles;
mod series;
pub mod statsd;
mod summary;
#[cfg(test)]
mod tests;

use std::hash::Hasher;

use librato_core::hash::{FxHashMap, FxHasher};

use librato_core::librato::measurements::TagSet;
use librato_core::librato::{Api, Reason, Skipped};

use items::out_of_range;
use percentiles::Samples;
pub use summary::Summary;

/// What a series' samples mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `increment`: the period's total is sent as one value.
    Counter,
    /// `measure` and `timing`: one value, or a summary of several.
    Gauge,
}

/// A bad-input report entry: a name, why, and how many samples it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    /// The name as given (with the prefix).
    pub name: String,
    /// Why.
    pub reason: Reason,
    /// What is wrong, in the user's words.
    pub message: String,
    /// Samples (or series) not kept.
    pub count: usize,
}

impl Dropped {
    /// The entry as a `skipped` item: a sample-per-name entry says how many times; one that
    /// counts samples of many names (`too_many_series`) or is a note says its count itself.
    pub fn to_skipped(&self) -> Skipped {
        let own_count = matches!(
            self.reason,
            Reason::TooManySeries | Reason::PercentileEstimated
        );
        Skipped {
            line: None,
            metric: self.name.clone(),
            field: None,
            reason: self.reason,
            message: if self.count > 1 && !own_count {
                format!("{} ({} times)", self.message, self.count)
            } else {
                self.message.clone()
            },
            count: Some(self.count),
            option: None,
        }
    }
}

/// One interned series, kept small (10,000 of them must fit in a few MB).
struct Series {
    kind: Kind,
    /// The name as given, for reports, when sanitising changed it.
    given: Option<Box<str>>,
    /// `{"name":"…"` then `,"source":"…"` (or nothing) or `,"tags":{…}`, in one buffer.
    item: Box<[u8]>,
    /// Where the tail starts in `item`.
    tail_at: u32,
}

impl Series {
    fn given(&self) -> &str {
        match &self.given {
            Some(g) => g,
            None => std::str::from_utf8(self.sent_name()).unwrap_or_default(),
        }
    }

    /// The name as sent: ASCII, between `{"name":"` and its closing quote.
    fn sent_name(&self) -> &[u8] {
        &self.item[9..self.tail_at as usize - 1]
    }

    fn head(&self) -> &[u8] {
        &self.item[..self.tail_at as usize]
    }
    fn tail(&self) -> &[u8] {
        &self.item[self.tail_at as usize..]
    }
}

struct Bucket {
    start_ms: i64,
    /// By series id; `count == 0` where the series has no sample in this period.
    sums: Vec<Summary>,
    /// By series id, with `percentiles` only: each `measure`/`timing` series' samples.
    samples: Vec<Samples>,
    used: usize,
}

/// Ended periods taken out, as request bodies.
#[derive(Debug, Default)]
pub struct Taken {
    /// `(body, summaries)` of each request.
    pub bodies: Vec<(String, usize)>,
    /// Bad input since the last flush, and summaries that could not be sent.
    pub dropped: Vec<Dropped>,
    /// Series turned away past `max_series` in these periods (for the warning).
    pub over_limit: usize,
}

/// The aggregation state of one `LibratoMetrics`.
pub struct Aggregator {
    api: Api,
    period_ms: i64,
    prefix: String,
    max_series: usize,
    batch_size: usize,
    source: Option<String>,
    tags: Vec<(String, String)>,
    percentiles: Vec<f64>,
    max_samples: usize,
    series: Vec<Series>,
    /// Series by the hash of their kind and text (10,000 series held must stay small: no
    /// second copy of each text as a key); the rare second series of one hash in `collisions`.
    index: FxHashMap<u64, u32>,
    collisions: Vec<(u64, u32)>,
    /// Series refused at interning (their samples are counted here): JS holds them as
    /// negative ids, `-(i + 1)`.
    refused: Vec<Dropped>,
    buckets: Vec<Bucket>,
    /// Bad samples since the last flush; `dropped_at`: the hash of (reason, name) → index.
    dropped_at: FxHashMap<u64, u32>,
    dropped: Vec<Dropped>,
    /// Samples of series turned away past `max_series`, and a few of their names.
    over_limit: usize,
    over_examples: Vec<String>,
    /// Where the periods already sent end: a sample of a period that was sent (an open
    /// period sent early by `take(all)`) is counted in the first period after it.
    sent_until_ms: i64,
    tag_set: TagSet,
    generation: u32,
}

/// The id of a series turned away past `max_series`: it is not interned (memory stays flat
/// under ever new names) and JS does not keep it (it keeps only ids >= 0).
pub const OVER_LIMIT_ID: i64 = -1_000_000_000;
/// Names a `too_many_series` entry gives as examples.
const OVER_EXAMPLES: usize = 5;
/// Distinct refused (name, reason) entries kept; past it, refusals count in the last one.
const MAX_REFUSED: usize = 100;

/// How an aggregator is set up.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Which API the summaries are for.
    pub api: Api,
    /// Seconds per period.
    pub period_s: f64,
    /// Prepended to every name.
    pub prefix: String,
    /// New series kept per period.
    pub max_series: usize,
    /// Summaries per request.
    pub batch_size: usize,
    /// The default source (metrics API).
    pub source: Option<String>,
    /// The default tags (measurements API), under each call's own.
    pub tags: Vec<(String, String)>,
    /// Percentiles sent for each `measure`/`timing` series, as statsd-librato-backend sends
    /// them (`name.90`...); none by default.
    pub percentiles: Vec<f64>,
    /// Samples a series keeps exactly per period for its percentiles; past it, an estimate.
    pub max_samples: usize,
}

impl Aggregator {
    /// An empty aggregator.
    pub fn new(setup: Setup) -> Aggregator {
        Aggregator {
            api: setup.api,
            period_ms: ((setup.period_s * 1000.0).round() as i64).max(1),
            prefix: setup.prefix,
            max_series: setup.max_series,
            batch_size: setup.batch_size.clamp(1, setup.api.max_batch()),
            source: setup.source.filter(|s| !s.is_empty()),
            tags: setup.tags,
            percentiles: setup.percentiles,
            max_samples: setup.max_samples.max(1),
            series: Vec::new(),
            index: FxHashMap::default(),
            collisions: Vec::new(),
            refused: Vec::new(),
            buckets: Vec::new(),
            dropped_at: FxHashMap::default(),
            dropped: Vec::new(),
            over_limit: 0,
            over_examples: Vec::new(),
            sent_until_ms: i64::MIN,
            tag_set: TagSet::default(),
            generation: 0,
        }
    }

    /// Milliseconds per period.
    pub fn period_ms(&self) -> i64 {
        self.period_ms
    }

    fn drop_sample(&mut self, name: &str, reason: Reason, message: &dyn Fn() -> String) {
        self.drop_samples(name, reason, message, 1);
    }

    fn drop_samples(&mut self, name: &str, reason: Reason, message: &dyn Fn() -> String, n: usize) {
        // By hash, as the series are (the same map type: no second table's code in the .wasm);
        // another (name, reason) of the same hash is rare and found by a scan.
        let mut h = FxHasher::default();
        h.write_u8(reason as u8);
        h.write(name.as_bytes());
        let hash = h.finish();
        let same = |d: &Dropped| d.reason == reason && d.name == name;
        let at = match self.dropped_at.get(&hash) {
            Some(&i) if same(&self.dropped[i as usize]) => Some(i as usize),
            Some(_) => self.dropped.iter().position(same),
            None => None,
        };
        match at {
            Some(i) => self.dropped[i].count += n,
            None => {
                let i = self.dropped.len() as u32;
                self.dropped_at.entry(hash).or_insert(i);
                self.dropped.push(Dropped {
                    name: name.to_string(),
                    reason,
                    message: message(),
                    count: n,
                });
            }
        }
    }

    /// The period start (ms) a clock reading falls in.
    pub fn bucket_of(&self, now_ms: f64) -> i64 {
        (now_ms as i64).div_euclid(self.period_ms) * self.period_ms
    }

    /// Folds `(series, value)` pairs recorded in the period starting at `start_ms`.
    pub fn fold(&mut self, pairs: &[f64], start_ms: i64) {
        // A period is sent once: samples of one already sent count in the next period.
        let start_ms = start_ms.max(self.sent_until_ms);
        let b = match self.buckets.iter().position(|b| b.start_ms == start_ms) {
            Some(b) => b,
            None => {
                self.buckets.push(Bucket {
                    start_ms,
                    sums: Vec::new(),
                    samples: Vec::new(),
                    used: 0,
                });
                self.buckets.len() - 1
            }
        };
        for pair in pairs.chunks_exact(2) {
            let (id, v) = (pair[0] as i64, pair[1]);
            if id == OVER_LIMIT_ID {
                self.over_limit += 1;
                continue;
            }
            if id < 0 {
                if let Some(r) = self.refused.get_mut((-id - 1) as usize) {
                    r.count += 1;
                }
                continue;
            }
            let id = id as usize;
            if id >= self.series.len() {
                continue;
            }
            if !v.is_finite() {
                let name = self.series[id].given().to_string();
                let text = librato_core::number::float_text(v);
                self.drop_sample(&name, Reason::NonFinite, &|| {
                    format!("value {text} is not a finite number")
                });
                continue;
            }
            let bucket = &mut self.buckets[b];
            if bucket.sums.len() <= id {
                bucket.sums.resize(self.series.len(), Summary::default());
            }
            if bucket.sums[id].count == 0 {
                if bucket.used >= self.max_series {
                    self.over_limit += 1;
                    let name = self.series[id].given().to_string();
                    self.over(&name);
                    continue;
                }
                self.buckets[b].used += 1;
            }
            let bucket = &mut self.buckets[b];
            bucket.sums[id].add(v);
            if !self.percentiles.is_empty() && self.series[id].kind == Kind::Gauge {
                if bucket.samples.len() <= id {
                    bucket
                        .samples
                        .resize_with(self.series.len(), Samples::default);
                }
                bucket.samples[id].add(v, self.max_samples);
            }
        }
    }

    /// Takes every period that has ended by `now_ms` (or every period, with `all`) out of the
    /// state, as request bodies, with the bad input reported since the last take.
    pub fn take(&mut self, now_ms: f64, all: bool) -> Taken {
        let now = now_ms as i64;
        let period = self.period_ms;
        let (ended, open): (Vec<Bucket>, Vec<Bucket>) = std::mem::take(&mut self.buckets)
            .into_iter()
            .partition(|b| all || b.start_ms + period <= now);
        self.buckets = open;
        let mut ended = ended;
        if let Some(end) = ended.iter().map(|b| b.start_ms + period).max() {
            self.sent_until_ms = self.sent_until_ms.max(end);
        }
        librato_core::sort::insertion_sort_by_key(&mut ended, |b| b.start_ms);
        let mut taken = Taken::default();
        let mut body = Vec::new();
        let mut in_body = 0;
        let mut items: Vec<Vec<u8>> = Vec::new();
        for bucket in &mut ended {
            for (id, s) in bucket.sums.iter().enumerate() {
                if s.count == 0 {
                    continue;
                }
                let series = &self.series[id];
                if let Some(problem) = out_of_range(series.kind, s, self.api) {
                    let given = series.given().to_string();
                    self.drop_sample(&given, Reason::OutOfRange, &|| problem.clone());
                    continue;
                }
                items.clear();
                let mut item = Vec::new();
                self.write_item(&mut item, id, s, bucket.start_ms);
                items.push(item);
                if let Some(samples) = bucket.samples.get_mut(id).filter(|x| x.count() > 0) {
                    self.percentile_items(&mut items, id, samples, bucket.start_ms);
                }
                for item in items.drain(..) {
                    if in_body == 0 {
                        body.extend_from_slice(match self.api {
                            Api::Metrics => b"{\"gauges\":[".as_slice(),
                            Api::Measurements => b"{\"measurements\":[".as_slice(),
                        });
                    } else {
                        body.push(b',');
                    }
                    body.extend_from_slice(&item);
                    in_body += 1;
                    if in_body == self.batch_size {
                        body.extend_from_slice(b"]}");
                        taken.bodies.push((
                            String::from_utf8(std::mem::take(&mut body)).unwrap_or_default(),
                            in_body,
                        ));
                        in_body = 0;
                    }
                }
            }
        }
        if in_body > 0 {
            body.extend_from_slice(b"]}");
            taken
                .bodies
                .push((String::from_utf8(body).unwrap_or_default(), in_body));
        }
        taken.dropped = std::mem::take(&mut self.dropped);
        self.dropped_at.clear();
        for r in &mut self.refused {
            if r.count > 0 {
                taken.dropped.push(r.clone());
                r.count = 0;
            }
        }
        taken.over_limit = std::mem::take(&mut self.over_limit);
        if taken.over_limit > 0 {
            let examples = std::mem::take(&mut self.over_examples);
            taken.dropped.push(Dropped {
                name: examples[0].clone(),
                reason: Reason::TooManySeries,
                message: format!(
                    "{} sample(s) of series past maxSeries ({}) in a period were counted, not kept (e.g. {})",
                    taken.over_limit,
                    self.max_series,
                    examples.join(", ")
                ),
                count: taken.over_limit,
            });
        }
        taken
    }

    /// Whether any sample waits in a period (a flush would send something).
    pub fn has_samples(&self) -> bool {
        self.buckets.iter().any(|b| b.used > 0)
    }

    /// Bounds memory under ever new series (a name per request id, say): at a flush, once more
    /// than `max_series` are interned, the table is rebuilt from the series that hold samples
    /// in the open periods, renumbered (between flushes it holds at most twice `max_series`:
    /// past that a new series is not interned). Returns whether it was (the caller's ids are
    /// then stale: JS forgets its map, see [`Aggregator::generation`]).
    pub fn reset_if_large(&mut self) -> bool {
        if self.series.len() <= self.max_series.max(1) {
            return false;
        }
        self.rebuild();
        true
    }

    /// Out of line: every flush asks, few rebuild, and a first flush compiles (V8 compiles a
    /// wasm function on its first call) only the check.
    #[inline(never)]
    fn rebuild(&mut self) {
        let mut new_id = vec![u32::MAX; self.series.len()];
        let mut kept = Vec::new();
        for bucket in &self.buckets {
            for (id, s) in bucket.sums.iter().enumerate() {
                if s.count > 0 && new_id[id] == u32::MAX {
                    new_id[id] = kept.len() as u32;
                    kept.push(id);
                }
            }
        }
        let mut old: Vec<Option<Series>> = std::mem::take(&mut self.series)
            .into_iter()
            .map(Some)
            .collect();
        self.index.clear();
        self.collisions.clear();
        for &id in &kept {
            let series = old[id].take().expect("each kept once");
            let mut h = FxHasher::default();
            h.write_u8(series.kind as u8);
            h.write(&series.item);
            let hash = h.finish();
            let id = self.series.len() as u32;
            match self.index.entry(hash) {
                std::collections::hash_map::Entry::Occupied(_) => self.collisions.push((hash, id)),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(id);
                }
            }
            self.series.push(series);
        }
        for bucket in &mut self.buckets {
            let mut sums = vec![Summary::default(); kept.len()];
            for (id, s) in bucket.sums.iter().enumerate() {
                if s.count > 0 {
                    sums[new_id[id] as usize] = *s;
                }
            }
            bucket.sums = sums;
            if !bucket.samples.is_empty() {
                let mut samples = vec![Samples::default(); kept.len()];
                for (id, x) in std::mem::take(&mut bucket.samples).into_iter().enumerate() {
                    if x.count() > 0 && new_id[id] != u32::MAX {
                        samples[new_id[id] as usize] = x;
                    }
                }
                bucket.samples = samples;
            }
        }
        self.refused.clear();
        self.generation += 1;
    }

    /// How many times the series table was rebuilt (ids from before are stale).
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Series interned so far.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// Refused (name, reason) entries held.
    pub fn refused_count(&self) -> usize {
        self.refused.len()
    }
}
