//! `api_url`: a URL without credentials in it, and whose path is not the other API's.

use librato_core::find::{self, piece};
use librato_core::librato::Api;

use super::{CTable, ConfigError, ConfigErrorKind, LibratoConfig};

/// `http(s)://host[:port]/path`, never with credentials in it.
///
/// Written with byte scans, `find` and `chars()` rather than `split`/`contains` with char
/// patterns: every delimiter is ASCII, and the generic pattern searchers (and `memchr`) were
/// this check's only users in the metrics entry's .wasm.
pub(super) fn api_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "api_url must start with http:// or https://".to_string())?;
    let authority = piece(rest, ..end_at(rest, |b| matches!(b, b'/' | b'?' | b'#')));
    if find::contains(authority, "@") {
        return Err("api_url must not contain credentials; use api_user and api_token".into());
    }
    if authority.is_empty() || authority.chars().any(char::is_whitespace) {
        return Err("api_url has no valid host".to_string());
    }
    Ok(url.to_string())
}

/// Where the first byte of `s` that `stop` accepts is (its length when none is); `stop` only
/// accepts ASCII, so that is a character boundary.
fn end_at(s: &str, stop: impl Fn(u8) -> bool) -> usize {
    s.bytes().position(stop).unwrap_or(s.len())
}

/// An `api_url` whose path is the other API's endpoint can only be refused (a body of one
/// API posted to the other's path is a 400 for every request): said at load time, naming both.
pub(super) fn check_api_path(c: &LibratoConfig, t: &CTable) -> Result<(), ConfigError> {
    let url = c.api_url.as_str();
    let mut path = piece(url, ..end_at(url, |b| matches!(b, b'?' | b'#')));
    while let Some(p) = path.strip_suffix('/') {
        path = p;
    }
    let (other, want) = match c.api {
        Api::Measurements => ("/v1/metrics", "/v1/measurements"),
        Api::Metrics => ("/v1/measurements", "/v1/metrics"),
    };
    if !path.ends_with(other) {
        return Ok(());
    }
    let pos = t
        .iter()
        .find(|e| e.key == "api_url")
        .and_then(|e| e.value_pos);
    Err(ConfigError::new(
        ConfigErrorKind::Conflict,
        format!(
            "api = \"{}\" posts to {want}, but api_url ends in {other} (the {} API's path): set api_url to {}{want}",
            c.api.name(),
            if c.api == Api::Measurements { "legacy gauges" } else { "tagged measurements" },
            path.strip_suffix(other).unwrap_or(path),
        ),
        pos,
        Some("api_url"),
    ))
}
