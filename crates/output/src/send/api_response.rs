//! Reading Librato's responses: every error body shape seen in the wild becomes one readable
//! message, and the rate-limit headers become numbers. The body's JSON is read by the
//! transport ([`super::Transport::read_json`]) into [`Json`]: the JS one uses the runtime's
//! `JSON.parse`, so that an entry without a JSON reader (librato-wasm/metrics) reads bodies
//! the same way.

use librato_core::metric::cut;

/// As much of a JSON body as the message rules read: strings, arrays and objects (keys in
/// order, each once: a repeated key has its last value, as `JSON.parse` and serde_json give).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object.
    Object(Vec<(String, Json)>),
    /// A number, a boolean or null (no rule reads them).
    Other,
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn from_value(v: &serde_json::Value) -> Json {
        use serde_json::Value;
        match v {
            Value::String(s) => Json::Str(s.clone()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Json::from_value(v)))
                    .collect(),
            ),
            _ => Json::Other,
        }
    }
}

/// A body's JSON with the crate's own reader (what [`super::Transport::read_json`] does
/// unless a transport has a better one).
pub fn read_json(body: &str) -> Option<Json> {
    let v = librato_core::json::reader::from_str(body.trim()).ok()?;
    Some(Json::from_value(&v))
}

/// `"{status}: {what the body says}"`, e.g. `400: name "x y" is not a valid metric name`.
pub fn error_message(status: u16, body: &str) -> String {
    error_message_of(status, body, read_json(body).as_ref())
}

/// [`error_message`] of a body whose JSON (if it is JSON) is already read.
pub fn error_message_of(status: u16, body: &str, json: Option<&Json>) -> String {
    format!("{status}: {}", describe_body(body, json))
}

/// The human part of an error body (`json`: the body read as JSON, when it is).
pub fn describe_body(body: &str, json: Option<&Json>) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "(empty response body)".to_string();
    }
    match json {
        Some(v) => {
            let mut parts = Vec::new();
            collect(v, &mut parts);
            if parts.is_empty() {
                cut(trimmed, 300)
            } else {
                cut(&parts.join("; "), 500)
            }
        }
        None => cut(&trimmed.replace(['\n', '\r'], " "), 300),
    }
}

/// Walks the known shapes: `errors.params.<key>: [msg]`, `errors.request|system: [msg]`,
/// `errors: [msg]`, `error: msg`, `message: msg`.
fn collect(v: &Json, out: &mut Vec<String>) {
    let Json::Object(_) = v else {
        if let Json::Str(s) = v {
            out.push(s.clone());
        }
        return;
    };
    match v.get("errors") {
        Some(Json::Object(errors)) => {
            for (kind, detail) in errors {
                if kind == "params" {
                    params(detail, "", out);
                } else {
                    strings(detail, out);
                }
            }
        }
        Some(other @ (Json::Array(_) | Json::Str(_))) => strings(other, out),
        _ => {}
    }
    if let Some(Json::Str(e)) = v.get("error") {
        out.push(e.clone());
    }
    if let Some(Json::Str(m)) = v.get("message") {
        out.push(m.clone());
    }
}

/// `{"name": ["is not valid"]}` → `name is not valid`; nested keys are joined with dots.
fn params(v: &Json, prefix: &str, out: &mut Vec<String>) {
    match v {
        Json::Object(map) => {
            for (k, inner) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                params(inner, &key, out);
            }
        }
        Json::Array(items) => {
            for item in items {
                params(item, prefix, out);
            }
        }
        Json::Str(s) if prefix.is_empty() => out.push(s.clone()),
        Json::Str(s) => out.push(format!("{prefix} {s}")),
        Json::Other => {}
    }
}

fn strings(v: &Json, out: &mut Vec<String>) {
    match v {
        Json::Str(s) => out.push(s.clone()),
        Json::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Json::Object(map) => map.iter().for_each(|(_, i)| strings(i, out)),
        Json::Other => {}
    }
}

/// True when a (2xx) body holds a non-empty `errors`: the API refused (part of) the request
/// although its status says accepted.
pub fn has_errors(body: &str) -> bool {
    has_errors_in(read_json(body).as_ref())
}

/// [`has_errors`] of a body already read as JSON (`None`: it is not JSON).
pub fn has_errors_in(json: Option<&Json>) -> bool {
    match json.and_then(|v| v.get("errors")) {
        Some(Json::Array(a)) => !a.is_empty(),
        Some(Json::Object(o)) => !o.is_empty(),
        Some(Json::Str(s)) => !s.is_empty(),
        _ => false,
    }
}

/// True when a 403 body says the account is rate limited rather than forbidden.
pub fn says_rate_limited(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    librato_core::find::contains(&lower, "rate limit")
        || librato_core::find::contains(&lower, "api limit")
}

/// `X-Librato-RateLimit-Std: limit=300,remaining=299,reset=1700000000` → pairs. Every value
/// the API sends is a whole number (a count, epoch seconds): read as i64, Retry-After's and
/// the dates' parser, so no float reader is linked for this (a value that is not is left out).
// Char predicates, not char patterns: those link a memchr searcher into librato-wasm/metrics
// for this alone (0.6 KB with the date's split below).
#[allow(clippy::manual_pattern_char_comparison)]
pub fn parse_rate_limit(header: &str) -> Vec<(String, f64)> {
    header
        .split(|c| c == ',')
        .filter_map(|kv| {
            let (k, v) = kv.split_once(|c| c == '=')?;
            Some((k.trim().to_string(), v.trim().parse::<i64>().ok()? as f64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_every_shape() {
        let cases = [
            (
                400,
                r#"{"errors":{"params":{"name":["\"x y\" is not a valid metric name"]}}}"#,
                r#"400: name "x y" is not a valid metric name"#,
            ),
            (
                400,
                r#"{"errors":{"params":{"measure_time":["is too far in the past"]}},"request_time":1700000000}"#,
                "400: measure_time is too far in the past",
            ),
            (
                401,
                r#"{"errors":{"request":["Please provide credentials for authentication."]}}"#,
                "401: Please provide credentials for authentication.",
            ),
            (
                500,
                r#"{"errors":{"system":["The API is temporarily unavailable."]}}"#,
                "500: The API is temporarily unavailable.",
            ),
            (
                400,
                r#"{"errors":["first","second"]}"#,
                "400: first; second",
            ),
            (
                403,
                r#"{"error":"You have hit the API limit for measurements [measure:raw_rate]"}"#,
                "403: You have hit the API limit for measurements [measure:raw_rate]",
            ),
            (
                400,
                r#"{"code":400,"message":"Unable to process JSON"}"#,
                "400: Unable to process JSON",
            ),
            (
                400,
                r#"{"errors":{"params":{"gauges":{"0":{"value":["is not a number"]}}}}}"#,
                "400: gauges.0.value is not a number",
            ),
            (
                502,
                "<html>\n<b>Bad gateway</b></html>",
                "502: <html> <b>Bad gateway</b></html>",
            ),
            (503, "", "503: (empty response body)"),
            (500, r#"{"unexpected":true}"#, r#"500: {"unexpected":true}"#),
        ];
        for (status, body, want) in cases {
            assert_eq!(error_message(status, body), want);
        }
    }

    #[test]
    fn errors_in_a_success_body() {
        assert!(has_errors(
            r#"{"errors":[{"param":"name","value":"x","reason":"invalid"}]}"#
        ));
        assert!(has_errors(
            r#"{"errors":{"params":{"sum":["is required"]}}}"#
        ));
        assert!(!has_errors(r#"{"errors":[]}"#));
        assert!(!has_errors(r#"{"errors":{}}"#));
        assert!(!has_errors(
            r#"{"measurements":{"summary":{"total":1,"accepted":1}}}"#
        ));
        assert!(!has_errors(""));
        assert!(!has_errors("accepted"));
    }

    #[test]
    fn rate_limit_headers() {
        assert_eq!(
            parse_rate_limit("limit=300, remaining=299,reset=1700000000"),
            vec![
                ("limit".into(), 300.0),
                ("remaining".into(), 299.0),
                ("reset".into(), 1.7e9)
            ]
        );
        assert!(parse_rate_limit("garbage").is_empty());
        assert_eq!(
            parse_rate_limit("limit=1.5,remaining=-2"),
            vec![("remaining".into(), -2.0)]
        );
        assert!(says_rate_limited(
            r#"{"error":"You have hit the API limit"}"#
        ));
        assert!(!says_rate_limited(
            r#"{"errors":{"request":["forbidden"]}}"#
        ));
    }
}
