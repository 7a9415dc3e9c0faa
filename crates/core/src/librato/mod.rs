//! From metrics to Librato gauges and request bodies, as Telegraf's `outputs.librato` builds
//! them (`buildGauges`, then batches of at most 300), plus the checks Telegraf lacks: a gauge
//! Librato would reject is skipped alone, with a reason, instead of failing its whole batch.
//! The same writer makes the tagged API's measurements ([`Api::Measurements`]): the same
//! names, values, times and skip rules, with the metric's tags ([`measurements`]) where a gauge
//! has its source.
//!
//! Bodies are written straight into one buffer as they are rendered: no gauge structs, no
//! per-gauge allocation.

mod api;
pub mod measurements;
pub mod sanitize;
mod skipped;

#[cfg(test)]
mod tests;

pub use api::{Api, BodyFormat, MAX_ABS_VALUE, MAX_BATCH, MAX_NAME_CHARS};
pub use measurements::{MAX_MEASUREMENTS_BATCH, MAX_TAGS};
pub use sanitize::{push_sanitized, push_tag_sanitized, sanitized_len};
pub use skipped::{merge_by_line, Reason, Skipped};

use crate::find::piece;
use crate::hash::FxHashMap;

use crate::metric::{FieldValue, Metric};
use crate::number::{float_text, write_float, write_int};
use crate::template::Template;

/// Where one body sits in a text of bodies, and its gauge count: `(start, end, gauges)`.
pub type Batch = (usize, usize, usize);

/// All request bodies of one render, in one buffer.
#[derive(Debug, Default, Clone)]
pub struct Bodies {
    /// The bodies back to back (ASCII only, so byte offsets are also UTF-16 offsets in JS).
    pub text: String,
    /// `(start, end, gauges)` of each body in `text`.
    pub batches: Vec<(usize, usize, usize)>,
}

impl Bodies {
    /// The `i`-th request body.
    pub fn body(&self, i: usize) -> &str {
        let (s, e, _) = self.batches[i];
        piece(&self.text, s..e)
    }

    /// Every body with its gauge count, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.batches
            .iter()
            .map(|&(s, e, n)| (piece(&self.text, s..e), n))
    }
}

/// The open compact body's top level: the tail of its first gauge (see `GaugeWriter::tail`).
#[derive(Default)]
struct CompactTop {
    tail: Vec<u8>,
    time_at: usize,
}

/// Turns metrics into gauges and bodies, one metric at a time.
pub struct GaugeWriter {
    api: Api,
    template: Template,
    batch_size: usize,
    out: Vec<u8>,
    batches: Vec<(usize, usize, usize)>,
    batch_start: usize,
    in_batch: usize,
    /// Batches closed so far (drained ones included).
    closed: usize,
    /// Total gauges written.
    pub gauges: usize,
    /// Gauges and metrics not written, with why.
    pub skipped: Vec<Skipped>,
    source: String,
    clean_source: Vec<u8>,
    /// Per metric, built once and copied into each of its gauges: the sanitised measurement,
    /// and the constant end of a gauge (`,"source":"...","measure_time":N}`, or with the
    /// measurements API `,"time":N,"tags":{...}}`).
    clean_name: Vec<u8>,
    tail: Vec<u8>,
    /// Where the tail's second part (`,"measure_time":`, or `,"tags":`) starts: a compact
    /// body writes the two parts apart.
    tail_time_at: usize,
    /// The measurements API's tags of the current metric.
    tags: measurements::TagSet,
    /// With `explain` and the measurements API: where a tag was changed or left out to fit
    /// the API, with the input line.
    tag_notes: Option<Vec<(u32, String)>>,
    /// With `explain`: the input line of every gauge written, in order.
    lines: Option<Vec<u32>>,
    /// With compact bodies: the open body's top-level source and time.
    compact: Option<CompactTop>,
    /// String fields, counted per metric name and field (they repeat on every line of a
    /// measurement, so one entry with a count says it without a flood): metric → field →
    /// index in `string_counts`, which keeps first-seen (so line) order. Nested maps so that
    /// a lookup takes two `&str` and allocates nothing.
    strings: FxHashMap<String, FxHashMap<String, usize>>,
    string_counts: Vec<StringCount>,
}

impl GaugeWriter {
    /// A writer for one config: its compiled source template and gauges per request
    /// (clamped to 1..=300).
    ///
    /// ```
    /// use librato_core::librato::GaugeWriter;
    /// use librato_core::metric::{FieldValue, Metric};
    /// use librato_core::template::Template;
    ///
    /// let mut w = GaugeWriter::new(Template::new("host"), 300);
    /// let mut m = Metric::new("cpu", 1_700_000_000_000_000_000);
    /// m.tags.push(("host".into(), "web-1".into()));
    /// m.fields.push(("idle".into(), FieldValue::Float(97.5)));
    /// w.push(&m);
    /// let (bodies, gauges, skipped) = w.finish();
    /// assert_eq!((gauges, skipped.len()), (1, 0));
    /// assert_eq!(bodies.body(0), r#"{"gauges":[{"name":"cpu.idle","value":97.5,"source":"web-1","measure_time":1700000000}]}"#);
    /// ```
    pub fn new(template: Template, batch_size: usize) -> Self {
        GaugeWriter::for_api(Api::Metrics, template, batch_size)
    }

    /// A writer for `api`: the template makes sources for the metrics API and is not used by
    /// the measurements API (tags are sent instead); `batch_size` is clamped to the API's
    /// limit (300 or 1,000).
    ///
    /// ```
    /// use librato_core::librato::{Api, GaugeWriter};
    /// use librato_core::metric::{FieldValue, Metric};
    /// use librato_core::template::Template;
    ///
    /// let mut w = GaugeWriter::for_api(Api::Measurements, Template::new("host"), 300);
    /// let mut m = Metric::new("cpu", 1_700_000_000_000_000_000);
    /// m.tags.push(("host".into(), "web-1".into()));
    /// m.tags.push(("cpu".into(), "cpu0".into()));
    /// m.fields.push(("usage_idle".into(), FieldValue::Float(97.5)));
    /// w.push(&m);
    /// let (bodies, _, _) = w.finish();
    /// assert_eq!(bodies.body(0), r#"{"measurements":[{"name":"cpu.usage_idle","value":97.5,"time":1700000000,"tags":{"cpu":"cpu0","host":"web-1"}}]}"#);
    /// ```
    pub fn for_api(api: Api, template: Template, batch_size: usize) -> Self {
        GaugeWriter {
            api,
            template,
            batch_size: batch_size.clamp(1, api.max_batch()),
            out: Vec::new(),
            batches: Vec::new(),
            batch_start: 0,
            in_batch: 0,
            closed: 0,
            gauges: 0,
            skipped: Vec::new(),
            source: String::new(),
            clean_source: Vec::new(),
            clean_name: Vec::new(),
            tail: Vec::new(),
            tail_time_at: 0,
            tags: measurements::TagSet::default(),
            tag_notes: None,
            lines: None,
            compact: None,
            strings: FxHashMap::default(),
            string_counts: Vec::new(),
        }
    }

    /// Records the input line of every gauge (for the playground's table).
    pub fn explain(&mut self) {
        self.lines = Some(Vec::new());
        if self.api == Api::Measurements {
            self.tag_notes = Some(Vec::new());
        }
    }

    /// Writes bodies in the given shape (Telegraf's unless told).
    pub fn body_format(&mut self, format: BodyFormat) {
        self.compact = (format == BodyFormat::Compact).then(CompactTop::default);
    }

    /// Pre-sizes the output buffer (bodies are about five times the size of line protocol).
    pub fn reserve(&mut self, bytes: usize) {
        self.out.reserve(bytes);
    }

    /// Writes the gauges of one metric, or records why (some of) it was skipped.
    pub fn push(&mut self, m: &Metric<'_>) {
        // Go's Time.Unix(): seconds rounded toward negative infinity.
        let measure_time = m.time.div_euclid(1_000_000_000);
        if measure_time == 0 {
            self.skip(m, None, Reason::TimeZero, String::from(
                "time is zero: its whole seconds since 1970 are 0, which Telegraf treats as unset",
            ));
            return;
        }
        self.tail.clear();
        let source_problem = match self.api {
            Api::Metrics => match self.source_tail(m, measure_time) {
                Ok(problem) => problem,
                Err(()) => return,
            },
            Api::Measurements => {
                self.tail.extend_from_slice(b",\"time\":");
                write_int(&mut self.tail, measure_time);
                self.tail_time_at = self.tail.len();
                let mut notes = Vec::new();
                let written = self.tags.write(
                    m,
                    &mut self.tail,
                    self.tag_notes.is_some().then_some(&mut notes),
                );
                if let Some(all) = &mut self.tag_notes {
                    all.extend(notes.into_iter().map(|n| (m.line, n)));
                }
                if let Err((reason, msg)) = written {
                    self.skip(m, None, reason, msg);
                    return;
                }
                None
            }
        };
        self.tail.push(b'}');
        self.clean_name.clear();
        push_sanitized(&mut self.clean_name, &m.name);
        let name_chars = self.clean_name.len();
        for (key, value) in &m.fields {
            let Some(v) = value.as_f64() else {
                if let FieldValue::Str(_) = value {
                    self.count_string(&m.name, key, m.line);
                }
                continue;
            };
            let is_value = key == "value";
            let name_len = if is_value {
                name_chars
            } else {
                name_chars + 1 + sanitized_len(key)
            };
            // The usual gauge passes two comparisons; what to say about one that does not is
            // cold code out of line (at opt-level 3 its messages were inlined here: KBs of wasm).
            let problem = if !v.is_finite()
                || v.abs() >= MAX_ABS_VALUE
                || name_len == 0
                || name_len > MAX_NAME_CHARS
            {
                Some(gauge_problem(v, key, name_len))
            } else {
                source_problem.clone()
            };
            if let Some((reason, msg)) = problem {
                self.skip(m, Some(key), reason, msg);
                continue;
            }
            self.write_gauge((!is_value).then_some(key.as_ref()), v);
            if let Some(lines) = &mut self.lines {
                lines.push(m.line);
            }
        }
    }

    /// The metrics API's part of the tail, `,"source":"…","measure_time":N` (without its `}`),
    /// and a problem of the source that skips each gauge; `Err` when the metric was skipped.
    fn source_tail(
        &mut self,
        m: &Metric<'_>,
        measure_time: i64,
    ) -> Result<Option<(Reason, String)>, ()> {
        if !self.template.render(&m.tags, &mut self.source) {
            let msg = format!(
                "undeterminable source: the template gives an empty source for tags {}",
                describe_tags(m)
            );
            self.skip(m, None, Reason::NoSource, msg);
            return Err(());
        }
        self.clean_source.clear();
        push_sanitized(&mut self.clean_source, &self.source);
        let source_problem = if self.clean_source.len() > MAX_NAME_CHARS {
            Some((
                Reason::SourceTooLong,
                format!(
                    "source is {} characters; Librato's limit is {MAX_NAME_CHARS}",
                    self.clean_source.len()
                ),
            ))
        } else if self.clean_source.eq_ignore_ascii_case(b"all") {
            Some((
                Reason::ReservedSource,
                "source \"all\" is reserved by Librato".to_string(),
            ))
        } else {
            None
        };
        self.tail.extend_from_slice(b",\"source\":\"");
        self.tail.extend_from_slice(&self.clean_source);
        self.tail.push(b'"');
        self.tail_time_at = self.tail.len();
        self.tail.extend_from_slice(b",\"measure_time\":");
        write_int(&mut self.tail, measure_time);
        Ok(source_problem)
    }

    /// Appends one gauge of the current metric (name, source and time prepared by `push`).
    fn write_gauge(&mut self, field: Option<&str>, value: f64) {
        let out = &mut self.out;
        // The tail without its `}`, in its two parts: `,"source":"…"` then `,"measure_time":…`
        // (or `,"time":…` then `,"tags":{…}`).
        let (source, time) = self.tail[..self.tail.len() - 1].split_at(self.tail_time_at);
        if self.in_batch == 0 {
            self.batch_start = out.len();
            match &mut self.compact {
                None => {
                    out.push(b'{');
                    out.extend_from_slice(self.api.list_key());
                }
                // `{"source":"…","measure_time":…,"gauges":[`, from this gauge's tail.
                Some(top) => {
                    out.push(b'{');
                    out.extend_from_slice(&source[1..]);
                    out.extend_from_slice(time);
                    out.push(b',');
                    out.extend_from_slice(self.api.list_key());
                    top.tail.clone_from(&self.tail);
                    top.time_at = self.tail_time_at;
                }
            }
        } else {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"name\":\"");
        out.extend_from_slice(&self.clean_name);
        if let Some(f) = field {
            out.push(b'.');
            push_sanitized(out, f);
        }
        out.extend_from_slice(b"\",\"value\":");
        write_float(out, value);
        match &self.compact {
            None => out.extend_from_slice(&self.tail),
            // Only what differs from the top of the body.
            Some(top) => {
                let (top_source, top_time) = top.tail[..top.tail.len() - 1].split_at(top.time_at);
                if source != top_source {
                    out.extend_from_slice(source);
                }
                if time != top_time {
                    out.extend_from_slice(time);
                }
                out.push(b'}');
            }
        }
        self.in_batch += 1;
        self.gauges += 1;
        if self.in_batch == self.batch_size {
            self.close_batch();
        }
    }

    /// Closes the open batch, if any (it is closed by `finish` otherwise).
    pub fn flush(&mut self) {
        if self.in_batch > 0 {
            self.close_batch();
        }
    }

    /// Once the closed batches hold at least `min_bytes`, hands them to `f` as one text with
    /// each body's `(start, end, gauges)` in it, and drops them from the buffer: a streaming
    /// caller's memory holds about one chunk at a time instead of all the bodies.
    pub fn drain_batches(&mut self, min_bytes: usize, f: &mut dyn FnMut(&str, &[Batch])) {
        let Some(&(_, last_end, _)) = self.batches.last() else {
            return;
        };
        if last_end < min_bytes {
            return;
        }
        // Only ASCII is ever written, so this is always valid UTF-8.
        f(
            std::str::from_utf8(&self.out[..last_end]).unwrap_or_default(),
            &self.batches,
        );
        self.batches.clear();
        self.out.drain(..last_end);
        self.batch_start = self.batch_start.saturating_sub(last_end);
    }

    /// Requests the gauges so far need: closed batches and the open one.
    pub fn requests(&self) -> usize {
        self.closed + usize::from(self.in_batch > 0)
    }

    fn close_batch(&mut self) {
        self.closed += 1;
        self.out.extend_from_slice(b"]}");
        self.batches
            .push((self.batch_start, self.out.len(), self.in_batch));
        self.in_batch = 0;
    }

    #[cold]
    #[inline(never)]
    fn count_string(&mut self, metric: &str, field: &str, line: u32) {
        let fields = match self.strings.get_mut(metric) {
            Some(f) => f,
            None => self.strings.entry(metric.to_string()).or_default(),
        };
        // A map per metric, not a list: a metric may carry thousands of distinct string
        // fields across a write (a list made 200,000 of them take 54 s).
        match fields.get(field) {
            Some(&i) => self.string_counts[i].count += 1,
            None => {
                fields.insert(field.to_string(), self.string_counts.len());
                self.string_counts.push(StringCount {
                    metric: metric.to_string(),
                    field: field.to_string(),
                    count: 1,
                    line,
                });
            }
        }
    }

    /// Records a skipped metric (no field) or gauge.
    #[cold]
    #[inline(never)]
    pub fn skip(&mut self, m: &Metric<'_>, field: Option<&str>, reason: Reason, message: String) {
        self.skipped.push(Skipped {
            line: (m.line > 0).then_some(m.line),
            metric: m.name.to_string(),
            field: field.map(str::to_string),
            reason,
            message,
            count: None,
            option: None,
        });
    }

    /// With `explain` and the measurements API: each change made to a tag to fit the API, with
    /// its input line.
    pub fn take_tag_notes(&mut self) -> Option<Vec<(u32, String)>> {
        self.tag_notes.take()
    }

    /// The input line of each gauge, when `explain` was asked for.
    pub fn take_lines(&mut self) -> Option<Vec<u32>> {
        self.lines.take()
    }

    /// Closes the last batch: the bodies, the number of gauges, and what was skipped (in
    /// line order).
    pub fn finish(mut self) -> (Bodies, usize, Vec<Skipped>) {
        if self.in_batch > 0 {
            self.close_batch();
        }
        let counted = self
            .string_counts
            .into_iter()
            .map(|c| {
                let times = if c.count > 1 {
                    format!(" ({} times)", c.count)
                } else {
                    String::new()
                };
                Skipped {
                    line: (c.line > 0).then_some(c.line),
                    message: format!(
                        "field \"{}\" is a string; Librato gauges are numbers (Telegraf drops it too){times}",
                        c.field
                    ),
                    metric: c.metric,
                    field: Some(c.field),
                    reason: Reason::StringValue,
                    count: Some(c.count),
                    option: None,
                }
            })
            .collect();
        // Per-gauge entries are in input order already; counted ones go where they first occurred.
        let skipped = merge_by_line(self.skipped, counted);
        // Only ASCII was written: sanitised names and sources, numbers and JSON punctuation.
        let text = String::from_utf8(self.out).unwrap_or_default();
        (
            Bodies {
                text,
                batches: self.batches,
            },
            self.gauges,
            skipped,
        )
    }
}

/// One string field of one measurement: how often it was seen, and first where.
struct StringCount {
    metric: String,
    field: String,
    count: usize,
    line: u32,
}

/// Why a gauge is not sent: its value is not finite or out of Librato's range, or its name
/// is empty or too long (the caller checked that one of these holds).
#[cold]
#[inline(never)]
fn gauge_problem(v: f64, key: &str, name_len: usize) -> (Reason, String) {
    if !v.is_finite() {
        (
            Reason::NonFinite,
            format!(
                "value {} of field \"{key}\" is not a finite number",
                float_text(v)
            ),
        )
    } else if v.abs() >= MAX_ABS_VALUE {
        (
            Reason::OutOfRange,
            format!(
                "value {} of field \"{key}\" is beyond Librato's limit (|value| < 1e127)",
                float_text(v)
            ),
        )
    } else if name_len == 0 {
        (Reason::EmptyName, "the gauge name is empty".to_string())
    } else {
        (
            Reason::NameTooLong,
            format!("name is {name_len} characters; Librato's limit is {MAX_NAME_CHARS}"),
        )
    }
}

fn describe_tags(m: &Metric<'_>) -> String {
    if m.tags.is_empty() {
        return "(none)".to_string();
    }
    let list: Vec<String> = m.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    crate::metric::cut(&list.join(","), 80)
}
