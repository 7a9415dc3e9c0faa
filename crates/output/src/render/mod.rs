//! The whole pipeline without I/O: input text or metrics → gauges → request bodies (a Plan).

use librato_core::hash::FxHashMap;
use std::borrow::Cow;

use crate::config::LibratoConfig;
use crate::filter::{By, Filters, Outcome};
use librato_core::librato::{merge_by_line, Api, Bodies, BodyFormat, GaugeWriter, Reason, Skipped};
use librato_core::metric::{LineError, Metric, ParseOptions, Precision};
use librato_core::template::{Explanation, Template};
use librato_core::{json, line_protocol};

/// Input formats `parse` and `render` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// InfluxDB line protocol.
    Influx,
    /// Telegraf's JSON serializer output.
    Json,
}

impl Format {
    /// `influx` (also `line`, `line_protocol`) or `json`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "influx" | "line" | "line_protocol" => Some(Format::Influx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The precision of timestamps when none is given: nanoseconds for line protocol, and
    /// seconds for Telegraf JSON (its serializer's default `json_timestamp_units = "1s"`).
    /// Defined here only; the JS options and the worker rely on it.
    pub fn default_precision(self) -> Precision {
        match self {
            Format::Influx => Precision::Ns,
            Format::Json => Precision::S,
        }
    }
}

/// Everything a write would send, and everything it would not, with reasons.
#[derive(Debug, Default)]
pub struct Plan {
    /// The request bodies (empty when streamed to a sink).
    pub bodies: Bodies,
    /// Gauges written.
    pub gauges: usize,
    /// Gauges and metrics not written, with why.
    pub skipped: Vec<Skipped>,
    /// Lines that could not be read, in line order.
    pub errors: Vec<LineError>,
    /// The config's warnings, and with `explain` the template's.
    pub warnings: Vec<String>,
    /// With `explain`: the input line of each gauge, in body order.
    pub gauge_lines: Option<Vec<u32>>,
    /// With `explain`: for each metric that reached the template (after the filters), its
    /// input line and how the template built its source.
    pub sources: Option<Vec<(u32, Explanation)>>,
    /// With `explain` and `api = "measurements"`: each change made to a tag to fit the API
    /// (a key or value sanitised or cut, a tag left out), with its input line.
    pub tag_notes: Option<Vec<(u32, String)>>,
    /// Rendering stopped early at `max_requests` with input left unread: the write needs
    /// more requests than `bodies` holds.
    pub truncated: bool,
}

/// Receives complete request bodies a chunk at a time: one text, and each body's
/// `(start, end, gauges)` in it.
pub type BatchSink<'a> = &'a mut dyn FnMut(&str, &[librato_core::librato::Batch]);

/// Metrics text, whole.
#[derive(Debug, Clone, Copy)]
pub enum Text<'a> {
    /// Already a string.
    Str(&'a str),
    /// UTF-8 bytes, as a request body arrives. A line holding invalid UTF-8 is that line's
    /// error (column in bytes); every other line is used.
    Bytes(&'a [u8]),
}

impl<'a> Text<'a> {
    /// The text to parse, and the errors of the lines that were not UTF-8 (emptied in it).
    fn read(self) -> (Cow<'a, str>, Vec<LineError>) {
        match self {
            Text::Str(text) => (Cow::Borrowed(text), Vec::new()),
            Text::Bytes(bytes) => line_protocol::utf8_lines(bytes),
        }
    }
}

/// What to render.
pub enum Input<'a> {
    /// Line protocol or Telegraf JSON, whole.
    Text(Text<'a>, Format),
    /// Line protocol supplied a piece at a time (see [`TextSource`]), so the whole input is
    /// never held at once.
    Pieces(TextSource<'a>),
    /// Metrics that are already typed (from JS objects).
    Metrics(Vec<Metric<'a>>),
}

/// How to read the input, and what to render besides the bodies. Read once per call.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// How to read the input.
    pub parse: ParseOptions,
    /// Record each gauge's input line and how the template built each source.
    pub explain: bool,
    /// Stop as soon as the gauges need more requests than this (a Worker's subrequest
    /// limit), so a huge input costs what the limit allows, not its whole size.
    pub max_requests: Option<usize>,
    /// Telegraf's full body shape whatever the config's `body_format` (a queue's items are
    /// regrouped by its consumer, so each must carry its own source or tags and time).
    pub full_bodies: bool,
}

impl RenderOptions {
    /// Defaults for `format`: its default precision, `default_time` as given.
    pub fn new(format: Format, default_time: i64) -> RenderOptions {
        RenderOptions {
            parse: ParseOptions {
                precision: format.default_precision(),
                default_time,
            },
            explain: false,
            max_requests: None,
            full_bodies: false,
        }
    }
}

/// Where complete request bodies go.
pub enum Sink<'a> {
    /// Kept in the plan's `bodies`.
    Keep,
    /// Handed to `on_batch` whenever they add up to `chunk_bytes` (and the rest at the end);
    /// the plan's `bodies` stays empty, so neither the input nor every body is held at once.
    Stream {
        /// Hand bodies over once they add up to this many bytes.
        chunk_bytes: usize,
        /// Receives them.
        on_batch: BatchSink<'a>,
    },
}

/// The one entry from input to request bodies: parse, filter, template, gauges, batches.
///
/// ```
/// use librato_output::config::LibratoConfig;
/// use librato_output::render::{render, Format, Input, RenderOptions, Sink, Text};
///
/// let config = LibratoConfig::default(); // template "host", 300 gauges per request
/// let text = "cpu,host=web-1 usage_idle=98.5 1700000000000000000\n";
/// let plan = render(Input::Text(Text::Str(text), Format::Influx), &config,
///                   &RenderOptions::new(Format::Influx, 0), Sink::Keep);
/// assert_eq!(plan.gauges, 1);
/// assert_eq!(plan.bodies.body(0),
///     r#"{"gauges":[{"name":"cpu.usage_idle","value":98.5,"source":"web-1","measure_time":1700000000}]}"#);
/// ```
pub fn render<'c>(
    input: Input<'_>,
    config: &'c LibratoConfig,
    options: &RenderOptions,
    sink: Sink<'c>,
) -> Plan {
    let on_batch = match sink {
        Sink::Keep => None,
        Sink::Stream {
            chunk_bytes,
            on_batch,
        } => Some((chunk_bytes, on_batch)),
    };
    let streaming = on_batch.is_some();
    let mut stage = Stage::new(config, options, on_batch);
    let mut errors = Vec::new();
    match input {
        Input::Text(text, format) => {
            let (text, bad) = text.read();
            stage.push_text(&text, format, options.parse, streaming, &mut errors);
            errors = merge_errors(bad, errors);
        }
        Input::Pieces(source) => push_pieces(&mut stage, source, options.parse, &mut errors),
        Input::Metrics(metrics) => {
            for mut m in metrics {
                if stage.stopped {
                    stage.truncated = true;
                    break;
                }
                stage.push(&mut m);
            }
        }
    }
    stage.finish(errors, config)
}

/// Parses text or bytes into metrics without rendering (`parse()` in JS): each metric goes to
/// `on_metric` as it is read; returns the line errors in line order.
///
/// ```
/// use librato_core::metric::{ParseOptions, Precision};
/// use librato_output::render::{parse, Format, Text};
///
/// let mut names = Vec::new();
/// let errors = parse(Text::Bytes(b"a v=1 1\nb v=\xff 2\nc v=3 3"), Format::Influx,
///                    ParseOptions::new(Precision::Ns, 0), &mut |m| names.push(m.name.to_string()));
/// assert_eq!(names, ["a", "c"]);
/// assert_eq!((errors[0].line, errors[0].column), (2, 5));
/// ```
pub fn parse(
    text: Text<'_>,
    format: Format,
    options: ParseOptions,
    on_metric: &mut dyn FnMut(&Metric<'_>),
) -> Vec<LineError> {
    let (text, bad) = text.read();
    let errors = match format {
        Format::Influx => {
            let mut errors = Vec::new();
            let mut lines = line_protocol::parse(&text, options);
            let mut m = Metric::new("", 0);
            while let Some(item) = lines.next_into(&mut m) {
                match item {
                    Ok(()) => on_metric(&m),
                    Err(e) => errors.push(e),
                }
            }
            errors
        }
        Format::Json => json::telegraf::parse_each(&text, options, &mut |m| on_metric(m)),
    };
    merge_errors(bad, errors)
}

/// A generous size of one full request body (300 Telegraf-shaped gauges), for reserving.
const MAX_BODY_BYTES: usize = 300 * 128;

/// Two error lists, each in line order, as one in line order.
fn merge_errors(a: Vec<LineError>, b: Vec<LineError>) -> Vec<LineError> {
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.line <= y.line,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
}

/// Supplies line-protocol text a piece at a time: appends the next piece (whole UTF-8
/// characters) to the buffer and says whether more may follow.
pub type TextSource<'a> = &'a mut dyn FnMut(&mut Vec<u8>) -> bool;

/// Line protocol read a piece at a time; lines parse exactly as in the whole text (see
/// `line_protocol::parse_piece`).
fn push_pieces(
    stage: &mut Stage<'_>,
    source: TextSource<'_>,
    options: ParseOptions,
    errors: &mut Vec<LineError>,
) {
    let mut buf = Vec::new();
    let mut line = 1;
    let mut more = true;
    while more && !stage.stopped {
        more = fill(source, &mut buf);
        let Ok(text) = std::str::from_utf8(&buf) else {
            // Sources hand over whole characters; say so rather than lose lines quietly.
            errors.push(LineError {
                line,
                column: 1,
                kind: librato_core::metric::ErrorKind::InvalidUtf8,
                message: "the input is not valid UTF-8".into(),
                text: String::new(),
            });
            break;
        };
        let mut lines = line_protocol::parse_piece(text, options, line);
        if !more {
            lines = lines.finishing();
        }
        stage.push_lines(&mut lines, errors);
        let (used, next_line) = lines.consumed();
        if stage.stopped && (more || !lines.at_end()) {
            stage.truncated = true;
        }
        buf.drain(..used);
        line = next_line;
    }
}

/// Appends pieces to `buf`, which may start with the unfinished tail of the last piece,
/// until at least as many new bytes as that tail (or the end of the text). Each pass parses
/// the tail again, so a line longer than a piece (an unterminated quote, a huge string) must
/// not be re-read once per piece: growing the buffer geometrically keeps the whole render
/// linear in the input. Returns whether more text follows.
fn fill(source: TextSource<'_>, buf: &mut Vec<u8>) -> bool {
    let carried = buf.len();
    loop {
        let more = source(buf);
        if !more || buf.len() - carried >= carried {
            return more;
        }
    }
}

/// Filters then gauges, for one metric at a time.
struct Stage<'c> {
    filters: Option<&'c Filters>,
    /// With `explain`: the template again, and each metric's explanation.
    explain: Option<(Template, Vec<(u32, Explanation)>)>,
    /// With `explain`: every tag key the template saw (to warn of parts that match none).
    /// (A list: explain is for a page's worth of metrics, and a set would be one more hash
    /// table type in the wasm.)
    tag_keys: Vec<String>,
    /// `max_requests`, and whether it was exceeded (nothing more is rendered then), with
    /// input left unread.
    limit: Option<usize>,
    stopped: bool,
    truncated: bool,
    writer: GaugeWriter,
    tally: FilterTally,
    /// Where complete bodies go when streaming, and in chunks of how many bytes.
    on_batch: Option<(usize, BatchSink<'c>)>,
}

impl<'c> Stage<'c> {
    fn new(
        config: &'c LibratoConfig,
        options: &RenderOptions,
        on_batch: Option<(usize, BatchSink<'c>)>,
    ) -> Self {
        let explain = options.explain;
        let mut writer =
            GaugeWriter::for_api(config.api, config.compiled_template(), config.batch_size);
        writer.body_format(if options.full_bodies {
            BodyFormat::Telegraf
        } else {
            config.body_format
        });
        if explain {
            writer.explain();
        }
        // Sources are only made for the metrics API (measurements carry tags instead).
        let explain_sources = explain && config.api == Api::Metrics;
        Stage {
            #[cfg(feature = "filters")]
            filters: config.filters.is_active().then_some(&config.filters),
            // Without the `filters` feature a config has none (their keys are refused).
            #[cfg(not(feature = "filters"))]
            filters: None,
            explain: explain_sources.then(|| (config.compiled_template(), Vec::new())),
            tag_keys: Default::default(),
            limit: options.max_requests,
            stopped: false,
            truncated: false,
            writer,
            tally: FilterTally::default(),
            on_batch,
        }
    }

    /// A whole text through the stage.
    fn push_text(
        &mut self,
        text: &str,
        format: Format,
        options: ParseOptions,
        streaming: bool,
        errors: &mut Vec<LineError>,
    ) {
        match format {
            Format::Influx => {
                // Bodies run about three times the size of Telegraf-shaped line protocol (and
                // never beyond what the request limit lets through).
                if !streaming {
                    let most = self.limit.map_or(usize::MAX, |l| (l + 1) * MAX_BODY_BYTES);
                    self.writer.reserve(text.len().saturating_mul(3).min(most));
                }
                let mut lines = line_protocol::parse(text, options);
                self.push_lines(&mut lines, errors);
                if self.stopped && !lines.at_end() {
                    self.truncated = true;
                }
            }
            Format::Json => {
                *errors = json::telegraf::parse_each(text, options, &mut |m| self.push(m));
            }
        }
    }

    /// Every metric line of `lines` through the stage, through one reused `Metric`; line
    /// errors go to `errors`.
    fn push_lines<'t>(
        &mut self,
        lines: &mut line_protocol::Lines<'t>,
        errors: &mut Vec<LineError>,
    ) {
        let mut m = Metric::new("", 0);
        while !self.stopped {
            match lines.next_into(&mut m) {
                None => return,
                Some(Ok(())) => self.push(&mut m),
                Some(Err(e)) => errors.push(e),
            }
        }
    }

    fn push(&mut self, m: &mut Metric<'_>) {
        if self.stopped {
            // (Telegraf JSON hands metrics over without a way to stop its reader.)
            self.truncated = true;
            return;
        }
        if let Some(filters) = self.filters {
            let name = m.name.to_string();
            match filters.apply(m) {
                Outcome::Dropped(by) => {
                    self.tally.add(by, &name, None, m.line);
                    return;
                }
                Outcome::Kept(removed) => {
                    for (field, by) in removed {
                        self.tally.add(by, &name, Some(field), m.line);
                    }
                }
            }
        }
        if let Some((template, out)) = self.explain.as_mut() {
            out.push((m.line, template.explain(&m.tags)));
            for (k, _) in &m.tags {
                if !self.tag_keys.iter().any(|t| t == k) {
                    self.tag_keys.push(k.to_string());
                }
            }
        }
        self.writer.push(m);
        if self.limit.is_some_and(|l| self.writer.requests() > l) {
            self.stopped = true;
        }
        if let Some((chunk, f)) = self.on_batch.as_mut() {
            self.writer.drain_batches(*chunk, &mut **f);
        }
    }

    fn finish(mut self, errors: Vec<LineError>, config: &LibratoConfig) -> Plan {
        if let Some((_, f)) = self.on_batch.as_mut() {
            self.writer.flush();
            self.writer.drain_batches(0, &mut **f);
        }
        let gauge_lines = self.writer.take_lines();
        let tag_notes = self.writer.take_tag_notes();
        let (bodies, gauges, skipped) = self.writer.finish();
        let skipped = merge_by_line(skipped, self.tally.into_skipped());
        let mut warnings = config.warnings.clone();
        if let Some((template, seen)) = &self.explain {
            if !seen.is_empty() {
                for part in template.tag_parts() {
                    if !part.is_empty() && !self.tag_keys.iter().any(|t| t == part) {
                        warnings.push(format!(
                            "template part \"{part}\" matches no tag in these metrics: it adds nothing to any source"
                        ));
                    }
                }
            }
        }
        Plan {
            bodies,
            gauges,
            skipped,
            errors,
            warnings,
            gauge_lines,
            sources: self.explain.map(|(_, out)| out),
            tag_notes,
            truncated: self.truncated,
        }
    }
}

/// Counts what the filters removed, per option, metric name and field.
#[derive(Default)]
struct FilterTally {
    /// (option, metric, field) → index in `counts`.
    index: FxHashMap<(By, String, Option<String>), usize>,
    /// (option, metric, field, count, first line), in first-seen (so line) order.
    counts: Vec<(By, String, Option<String>, usize, u32)>,
}

impl FilterTally {
    fn add(&mut self, by: By, metric: &str, field: Option<String>, line: u32) {
        let key = (by, metric.to_string(), field);
        match self.index.get(&key) {
            Some(&i) => self.counts[i].3 += 1,
            None => {
                self.counts
                    .push((key.0, key.1.clone(), key.2.clone(), 1, line));
                self.index.insert(key, self.counts.len() - 1);
            }
        }
    }

    fn into_skipped(self) -> Vec<Skipped> {
        self.counts
            .into_iter()
            .map(|(by, metric, field, count, line)| {
                let what = match &field {
                    Some(f) => format!("field \"{f}\" removed by {}", by.option()),
                    None => format!("metric dropped by {}", by.option()),
                };
                let times = if count > 1 {
                    format!(" ({count} times)")
                } else {
                    String::new()
                };
                Skipped {
                    line: (line > 0).then_some(line),
                    metric,
                    field,
                    reason: Reason::Filtered,
                    message: format!("{what}{times}"),
                    count: Some(count),
                    option: Some(by.option()),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
