//! Writing what a period holds: a series' summary (or value) as an item of its API, and its
//! percentiles' items, each in the full shape of a request body.

use librato_core::librato::{Api, Reason, MAX_ABS_VALUE, MAX_NAME_CHARS};
use librato_core::number::{write_float, write_int};

use super::percentiles::{self, Samples};
use super::{Aggregator, Kind, Series, Summary};

impl Aggregator {
    /// Each percentile's summary of a series (statsd-librato-backend's names and figures),
    /// one item each; a note when the samples were past `max_samples`.
    pub(super) fn percentile_items(
        &mut self,
        items: &mut Vec<Vec<u8>>,
        id: usize,
        samples: &mut Samples,
        start_ms: i64,
    ) {
        let series = &self.series[id];
        let head = series.head();
        // `{"name":"…"`: the name without its closing quote, then the suffix.
        let name = &head[..head.len() - 1];
        let mut notes: Vec<(String, Reason, String, usize)> = Vec::new();
        for &pct in &self.percentiles {
            let Some(p) = samples.percentile(pct) else {
                continue;
            };
            let suffix = percentiles::suffix(pct);
            if name.len() - 9 + suffix.len() > MAX_NAME_CHARS {
                notes.push((
                    format!("{}{suffix}", series.given()),
                    Reason::NameTooLong,
                    format!("with its percentile suffix the name is longer than {MAX_NAME_CHARS} characters"),
                    1,
                ));
                continue;
            }
            let mut out = name.to_vec();
            out.extend_from_slice(suffix.as_bytes());
            out.push(b'"');
            let num = |out: &mut Vec<u8>, key: &str, v: f64| {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(key.as_bytes());
                out.extend_from_slice(b"\":");
                write_float(out, v);
            };
            out.extend_from_slice(b",\"count\":");
            write_int(&mut out, p.count as i64);
            num(&mut out, "sum", p.sum);
            num(&mut out, "min", p.min);
            num(&mut out, "max", p.max);
            match self.api {
                Api::Metrics => num(&mut out, "sum_squares", p.sum_squares),
                // The backend's field (the sample standard deviation, under this name).
                Api::Measurements => num(&mut out, "stddev_m2", p.stddev),
            }
            self.write_place(&mut out, series, start_ms);
            items.push(out);
        }
        let past = samples.past_max();
        if past > 0 {
            let max = self.max_samples;
            notes.push((
                series.given().to_string(),
                Reason::PercentileEstimated,
                format!("more than {max} samples in a period (maxSamples): its percentiles are estimates within 1% of the value"),
                past as usize,
            ));
        }
        for (name, reason, message, count) in notes {
            self.drop_samples(&name, reason, &|| message.clone(), count);
        }
    }

    /// The source (metrics API), time and period, and tags (measurements API) of an item,
    /// then its closing brace.
    pub(super) fn write_place(&self, out: &mut Vec<u8>, series: &Series, start_ms: i64) {
        if self.api == Api::Metrics {
            out.extend_from_slice(series.tail());
        }
        out.extend_from_slice(match self.api {
            Api::Metrics => b",\"measure_time\":",
            Api::Measurements => b",\"time\":",
        });
        write_int(out, start_ms.div_euclid(1000));
        out.extend_from_slice(b",\"period\":");
        write_int(out, (self.period_ms / 1000).max(1));
        if self.api == Api::Measurements {
            out.extend_from_slice(series.tail());
        }
        out.push(b'}');
    }

    pub(super) fn write_item(&self, out: &mut Vec<u8>, id: usize, s: &Summary, start_ms: i64) {
        let series = &self.series[id];
        out.extend_from_slice(series.head());
        let num = |out: &mut Vec<u8>, key: &str, v: f64| {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":");
            write_float(out, v);
        };
        if series.kind == Kind::Counter || s.count == 1 {
            num(out, "value", s.sum);
        } else {
            out.extend_from_slice(b",\"count\":");
            write_int(out, s.count as i64);
            num(out, "sum", s.sum);
            num(out, "min", s.min);
            num(out, "max", s.max);
            match self.api {
                Api::Metrics => num(out, "sum_squares", s.sum_squares),
                Api::Measurements => {
                    num(out, "last", s.last);
                    num(out, "stddev", s.stddev());
                }
            }
        }
        self.write_place(out, series, start_ms);
    }
}

/// Whether a summary would make the API refuse its request (a value beyond 1e127, or a sum of
/// squares that overflowed).
pub(super) fn out_of_range(kind: Kind, s: &Summary, api: Api) -> Option<String> {
    let mut values = vec![s.sum];
    if kind == Kind::Gauge && s.count > 1 {
        values.extend([s.min, s.max]);
        if api == Api::Metrics {
            values.push(s.sum_squares);
        }
    }
    values
        .iter()
        .find(|v| !v.is_finite() || v.abs() >= MAX_ABS_VALUE)
        .map(|v| {
            format!(
                "the period's summary holds {}, beyond Librato's limit (|value| < 1e127)",
                librato_core::number::float_text(*v)
            )
        })
}
