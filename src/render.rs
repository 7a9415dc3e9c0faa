//! The whole pipeline without I/O: input text or metrics → gauges → request bodies (a Plan).

use crate::config::LibratoConfig;
use crate::librato::{Bodies, GaugeWriter, Skipped};
use crate::metric::{LineError, Metric, ParseOptions};
use crate::{json_input, line_protocol};

/// Input formats `parse` and `render` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Influx,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "influx" | "line" | "line_protocol" => Some(Format::Influx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Everything a write would send, and everything it would not, with reasons.
#[derive(Debug, Default)]
pub struct Plan {
    pub bodies: Bodies,
    pub gauges: usize,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<LineError>,
    pub warnings: Vec<String>,
}

/// Renders text input in one streaming pass: each line becomes gauges as soon as it parses.
pub fn render_text(
    text: &str,
    format: Format,
    options: ParseOptions,
    config: &LibratoConfig,
) -> Plan {
    let template = config.compiled_template();
    let mut writer = GaugeWriter::new(&template, config.batch_size);
    let mut errors = Vec::new();
    match format {
        Format::Influx => {
            // Bodies run about three times the size of Telegraf-shaped line protocol.
            writer.reserve(text.len().saturating_mul(3));
            for item in line_protocol::parse(text, options) {
                match item {
                    Ok(m) => writer.push(&m),
                    Err(e) => errors.push(e),
                }
            }
        }
        Format::Json => {
            let (metrics, errs) = json_input::parse(text, options);
            errors = errs;
            for m in &metrics {
                writer.push(m);
            }
        }
    }
    finish(writer, errors, config)
}

/// Renders metrics that are already typed (from JS objects).
pub fn render_metrics(metrics: &[Metric<'_>], config: &LibratoConfig) -> Plan {
    let template = config.compiled_template();
    let mut writer = GaugeWriter::new(&template, config.batch_size);
    for m in metrics {
        writer.push(m);
    }
    finish(writer, Vec::new(), config)
}

fn finish(writer: GaugeWriter<'_>, errors: Vec<LineError>, config: &LibratoConfig) -> Plan {
    let (bodies, gauges, skipped) = writer.finish();
    Plan {
        bodies,
        gauges,
        skipped,
        errors,
        warnings: config.warnings.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::Precision;

    #[test]
    fn render_text_streams_good_lines_past_bad_ones() {
        let text = "cpu,host=a usage=1.5,s=\"x\" 1700000000000000000\nnot a metric\nmem,host=a used=3i 1700000000000000000\n";
        let options = ParseOptions {
            precision: Precision::Ns,
            default_time: 0,
        };
        let plan = render_text(text, Format::Influx, options, &LibratoConfig::default());
        assert_eq!(plan.gauges, 2);
        assert_eq!(plan.errors.len(), 1);
        assert_eq!(plan.errors[0].line, 2);
        assert_eq!(plan.skipped.len(), 1);
        assert_eq!(plan.skipped[0].line, Some(1));
        assert_eq!(
            plan.bodies.body(0),
            r#"{"gauges":[{"name":"cpu.usage","value":1.5,"source":"a","measure_time":1700000000},{"name":"mem.used","value":3,"source":"a","measure_time":1700000000}]}"#
        );
    }
}
