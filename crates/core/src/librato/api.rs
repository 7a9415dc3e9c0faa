//! The two Librato APIs a body is for, the shape of its body, and the API's limits.

use super::MAX_MEASUREMENTS_BATCH;

/// Librato's limit on name and source length.
pub const MAX_NAME_CHARS: usize = 255;
/// Telegraf's (and Librato's recommended) measurements per request.
pub const MAX_BATCH: usize = 300;
/// The API rejects floats whose exponent is above 126.
pub const MAX_ABS_VALUE: f64 = 1e127;

/// Which Librato API the bodies are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Api {
    /// `POST /v1/metrics`: Telegraf's gauges, each with a source from the template.
    #[default]
    Metrics,
    /// `POST /v1/measurements`: the tagged API; each measurement carries its metric's tags.
    Measurements,
}

impl Api {
    /// The config value: `metrics` or `measurements`.
    pub fn parse(s: &str) -> Option<Api> {
        match s {
            "metrics" => Some(Api::Metrics),
            "measurements" => Some(Api::Measurements),
            _ => None,
        }
    }

    /// The config value of this API.
    pub fn name(self) -> &'static str {
        match self {
            Api::Metrics => "metrics",
            Api::Measurements => "measurements",
        }
    }

    /// The most measurements one request may carry.
    pub fn max_batch(self) -> usize {
        match self {
            Api::Metrics => MAX_BATCH,
            Api::Measurements => MAX_MEASUREMENTS_BATCH,
        }
    }

    /// The body's list key, quoted.
    pub(super) fn list_key(self) -> &'static [u8] {
        match self {
            Api::Metrics => b"\"gauges\":[",
            Api::Measurements => b"\"measurements\":[",
        }
    }
}

/// The shape of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyFormat {
    /// Telegraf's: every gauge carries its `source` and `measure_time`.
    #[default]
    Telegraf,
    /// `source` and `measure_time` written once at the top of each body (taken from its first
    /// gauge), and on a gauge only where they differ from the top: the API applies the top
    /// ones to every gauge that does not set its own, so Librato stores the same gauges.
    Compact,
}

impl BodyFormat {
    /// The config value: `telegraf` or `compact`.
    pub fn parse(s: &str) -> Option<BodyFormat> {
        match s {
            "telegraf" => Some(BodyFormat::Telegraf),
            "compact" => Some(BodyFormat::Compact),
            _ => None,
        }
    }

    /// The config value of this format.
    pub fn name(self) -> &'static str {
        match self {
            BodyFormat::Telegraf => "telegraf",
            BodyFormat::Compact => "compact",
        }
    }
}
