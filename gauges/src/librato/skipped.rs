//! Why a metric or gauge was not sent, with a stable code for programs and a message for people.

/// Stable snake_case reason codes (part of the public API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The metric's time is in [0 s, 1 s): Telegraf treats it as unset.
    TimeZero,
    /// The template rendered an empty source.
    NoSource,
    /// String fields have no numeric value.
    StringValue,
    /// NaN or ±Infinity (possible from JSON or JS objects, not from line protocol).
    NonFinite,
    /// |value| ≥ 1e127: the API rejects the exponent.
    OutOfRange,
    /// The gauge name would be empty.
    EmptyName,
    NameTooLong,
    SourceTooLong,
    /// The source `all` is reserved by the API.
    ReservedSource,
    /// Dropped by an output filter (namepass, fieldexclude...).
    Filtered,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::TimeZero => "time_zero",
            Reason::NoSource => "no_source",
            Reason::StringValue => "string_value",
            Reason::NonFinite => "non_finite",
            Reason::OutOfRange => "out_of_range",
            Reason::EmptyName => "empty_name",
            Reason::NameTooLong => "name_too_long",
            Reason::SourceTooLong => "source_too_long",
            Reason::ReservedSource => "reserved_source",
            Reason::Filtered => "filtered",
        }
    }
}

/// A skipped metric (`field` is `None`) or gauge.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub line: Option<u32>,
    pub metric: String,
    pub field: Option<String>,
    pub reason: Reason,
    pub message: String,
    /// For `filtered` entries: how many metrics (or fields) this one entry stands for, so a
    /// filter that drops thousands of metrics reports counts, not a flood.
    pub count: Option<usize>,
}
