//! What a write did: the batches not acknowledged, each with what its failure means for
//! the data ([`Disposition`], decided here once for every caller), and the totals.

/// A batch that was not acknowledged.
#[derive(Debug, Clone, PartialEq)]
pub struct Failed {
    /// Its place in the batches given to [`super::send_all`]: its body is `batches[index].0`.
    pub index: usize,
    /// The last HTTP status, if the API answered.
    pub status: Option<u16>,
    /// Why, redacted.
    pub message: String,
    /// Gauges in the batch.
    pub count: usize,
    /// HTTP attempts made.
    pub attempts: u32,
    /// Whether sending the same body again could succeed.
    pub retryable: bool,
    /// The last answer's `Retry-After`, in milliseconds from then (a queue consumer's delay).
    pub retry_after_ms: Option<u64>,
}

/// What a failed batch means for its data: decided here once, for every caller (the
/// synchronous worker's answer, the queue consumer's outcome, execd).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The API refused the data itself (400, 413, 422, or a 2xx naming `errors`): the same
    /// body would be refused again; resending it cannot help.
    Refused,
    /// The credentials or a setting were refused (401/403, a redirect, a wrong path or
    /// method), or the batch was not sent after such a refusal: the data is fine, kept.
    Fix,
    /// Failed in a way that resending later can fix (429, 5xx, timeouts, network errors).
    Retry,
    /// Not attempted: the caller's attempt budget was spent first.
    Unsent,
}

impl Disposition {
    /// The name JS sees (`FailedRequest.disposition`).
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Refused => "refused",
            Disposition::Fix => "fix",
            Disposition::Retry => "retry",
            Disposition::Unsent => "unsent",
        }
    }
}

impl Failed {
    /// What this failure means for the data.
    pub fn disposition(&self) -> Disposition {
        match self.status {
            Some(200..=299 | 400 | 413 | 422) if !self.retryable => Disposition::Refused,
            _ if self.attempts == 0 && self.retryable => Disposition::Unsent,
            _ if self.retryable => Disposition::Retry,
            _ => Disposition::Fix,
        }
    }
}

/// What a write did. `sent` + the `count`s of `failed` = every gauge given.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SendReport {
    /// Gauges acknowledged by a 2xx.
    pub sent: usize,
    /// HTTP attempts made.
    pub attempts: u32,
    /// In batch order.
    pub failed: Vec<Failed>,
    /// The last `X-Librato-RateLimit-Std` / `-Agg` headers seen.
    pub rate_std: Option<String>,
    /// See `rate_std`.
    pub rate_agg: Option<String>,
}
