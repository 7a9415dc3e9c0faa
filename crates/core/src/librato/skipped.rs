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
    /// A name longer than Librato's 255 characters.
    NameTooLong,
    /// A source longer than Librato's 255 characters.
    SourceTooLong,
    /// The source `all` is reserved by the API.
    ReservedSource,
    /// Dropped by an output filter (namepass, fieldexclude...).
    Filtered,
    /// The measurements API requires tags, and the metric has none.
    NoTags,
    /// More tags than the measurements API takes (50).
    TooManyTags,
    /// `LibratoMetrics`: a new series past `maxSeries` in one period (counted, not kept).
    TooManySeries,
    /// `LibratoMetrics`: a series held more than `maxSamples` samples in a period, so its
    /// percentiles were estimated (a note: the samples were all counted).
    PercentileEstimated,
}

impl Reason {
    /// The stable snake_case code JS sees as `reason`.
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
            Reason::NoTags => "no_tags",
            Reason::TooManyTags => "too_many_tags",
            Reason::TooManySeries => "too_many_series",
            Reason::PercentileEstimated => "percentile_estimated",
        }
    }
}

/// A skipped metric (`field` is `None`) or gauge.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The input line (1-based), when the entry came from text.
    pub line: Option<u32>,
    /// The metric (measurement) name.
    pub metric: String,
    /// The field, when the entry is about one field.
    pub field: Option<String>,
    /// Why, as a stable code.
    pub reason: Reason,
    /// What is wrong, in the user's words.
    pub message: String,
    /// For `filtered` entries: how many metrics (or fields) this one entry stands for, so a
    /// filter that drops thousands of metrics reports counts, not a flood.
    pub count: Option<usize>,
    /// For `filtered` entries: the config key that removed it (`namepass`, `fieldexclude`...).
    pub option: Option<&'static str>,
}

/// Merges two lists that are each in line order into one in line order; on the same line,
/// `a`'s entries come first. (A merge, not a sort: both lists are built in input order.)
pub fn merge_by_line(a: Vec<Skipped>, b: Vec<Skipped>) -> Vec<Skipped> {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut b = b.into_iter().peekable();
    for x in a {
        while let Some(y) = b.next_if(|y| y.line < x.line) {
            out.push(y);
        }
        out.push(x);
    }
    out.extend(b);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: Option<u32>, metric: &str) -> Skipped {
        Skipped {
            line,
            metric: metric.to_string(),
            field: None,
            reason: Reason::TimeZero,
            message: String::new(),
            count: None,
            option: None,
        }
    }

    #[test]
    fn merge_keeps_line_order_and_a_first_on_ties() {
        let a = vec![
            at(Some(1), "a1"),
            at(Some(3), "a3"),
            at(Some(3), "a3b"),
            at(Some(9), "a9"),
        ];
        let b = vec![at(Some(2), "b2"), at(Some(3), "b3"), at(Some(10), "b10")];
        let names: Vec<String> = merge_by_line(a, b).into_iter().map(|s| s.metric).collect();
        assert_eq!(names, ["a1", "b2", "a3", "a3b", "b3", "a9", "b10"]);
        let none = merge_by_line(vec![at(None, "a")], vec![at(None, "b"), at(Some(1), "c")]);
        let names: Vec<String> = none.into_iter().map(|s| s.metric).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }
}
