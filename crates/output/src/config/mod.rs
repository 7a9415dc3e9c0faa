//! `[[outputs.librato]]` configuration: from TOML text (a whole Telegraf config or one table
//! body) or from a plain JS object with the same keys. Keys, defaults and validation follow
//! Telegraf's plugin (`telegraf-librato.md`), plus this project's `api_url`, `batch_size`,
//! `retries`, `concurrency`, `retry_backoff` and `retry_max_wait`.

mod api_url;
mod duration;
mod filter_keys;
mod keys;
mod redact;
mod substitute;
mod toml_reader;
mod value;

use api_url::{api_url, check_api_path};
pub use keys::from_table;

#[cfg(any(test, feature = "toml-oracle"))]
pub mod toml_oracle;

#[cfg(test)]
mod tests;

pub use duration::{format_duration, parse_duration};
pub use filter_keys::FilterSpec;
pub use redact::{redact_config, PLACEHOLDER};
pub use substitute::{
    resolve_secrets, secret_refs, substitute_env, substitute_env_mapped, SubstMap,
};
pub use value::{CTable, CValue, Entry, Pos};

/// Values by name: `${VAR}` substitutions (`env`) and secret stores' values (`secrets`).
/// Fx-hashed (`librato_core::hash`): nothing here needs SipHash's flooding resistance.
pub type StrMap = librato_core::hash::FxHashMap<String, String>;

#[cfg(feature = "filters")]
use crate::filter::Filters;
use librato_core::librato::{Api, BodyFormat, MAX_BATCH};
use librato_core::template::Template;

/// Telegraf's default `api_url` (the hosted service, now retired: set your own).
pub const DEFAULT_API_URL: &str = "https://metrics-api.librato.com/v1/metrics";
/// The tagged API's default `api_url` (`api = "measurements"`).
pub const DEFAULT_MEASUREMENTS_URL: &str = "https://metrics-api.librato.com/v1/measurements";

/// A config error: what is wrong, and where when the config came from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What kind of problem.
    pub kind: ConfigErrorKind,
    /// What is wrong, in the user's words.
    pub message: String,
    /// 1-based line in the config text, when it came from text.
    pub line: Option<u32>,
    /// 1-based column in the config text, when it came from text.
    pub column: Option<u32>,
    /// The key at fault, when one is.
    pub key: Option<String>,
}

impl ConfigError {
    /// An error of `kind` at `pos` (line, column), about `key` when it is one key's.
    pub fn new(
        kind: ConfigErrorKind,
        message: impl Into<String>,
        pos: Pos,
        key: Option<&str>,
    ) -> Self {
        ConfigError {
            kind,
            message: message.into(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            key: key.map(str::to_string),
        }
    }
}

impl std::error::Error for ConfigError {}

/// What a [`ConfigError`] is about (the JS `code` is `invalid_config` for every kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// Not TOML (the reader's message says what and where).
    InvalidToml,
    /// A `${VAR}` reference that is malformed, or required and unset.
    Substitution,
    /// A key Telegraf's `outputs.librato` does not have.
    UnknownKey,
    /// A value of the wrong type (a string where a number belongs...).
    WrongType,
    /// A value of the right type but out of range or malformed (durations, URLs, bounds).
    InvalidValue,
    /// Two keys that contradict each other (`source_tag` and `template`).
    Conflict,
    /// A `@{store:key}` reference with no value in `options.secrets`.
    UnresolvedSecret,
    /// A filter glob gobwas/glob would refuse.
    InvalidGlob,
    /// A filter key where filters are not applied (`LoadOptions::refuse_filters`).
    FilterRefused,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// One validated `[[outputs.librato]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct LibratoConfig {
    /// Which API the bodies are for: Telegraf's gauges (`metrics`) or tagged measurements.
    pub api: Api,
    /// May hold `@{store:key}` references, resolved only when sending. Optional with the
    /// measurements API (Basic auth is then the token with an empty password).
    pub api_user: String,
    /// May hold `@{store:key}` references, resolved only when sending.
    pub api_token: String,
    /// Where bodies are POSTed (`http(s)://`, never with credentials in it).
    pub api_url: String,
    /// The Graphite-style source template.
    pub template: String,
    /// Whole-request timeout.
    pub timeout_ms: u64,
    /// Log each body and response.
    pub debug: bool,
    /// Gauges per request (1-300; measurements: 1-1,000).
    pub batch_size: usize,
    /// The shape of request bodies: Telegraf's, or `source`/`measure_time` written once.
    pub body_format: BodyFormat,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// First backoff ceiling (doubles each retry).
    pub retry_backoff_ms: u64,
    /// Cap on any wait, `Retry-After` included.
    pub retry_max_wait_ms: u64,
    /// The instance's name, for logs.
    pub alias: String,
    /// Telegraf's output-level filter keys as written, and compiled once.
    #[cfg(feature = "filters")]
    pub filter_spec: FilterSpec,
    /// Telegraf's selectors, modifiers and renames, compiled.
    #[cfg(feature = "filters")]
    pub filters: Filters,
    /// Deprecations and ignored keys, for people to read.
    pub warnings: Vec<String>,
    /// The line of each key in the config text (empty for a JS object), and of each filter
    /// option as `skipped` entries name it (`fieldinclude` written as `fieldpass`, say): the
    /// playground links what a filter removed to the line that did it.
    pub key_lines: Vec<(String, u32)>,
}

impl Default for LibratoConfig {
    fn default() -> Self {
        LibratoConfig {
            api: Api::Metrics,
            api_user: String::new(),
            api_token: String::new(),
            api_url: DEFAULT_API_URL.to_string(),
            template: "host".to_string(),
            timeout_ms: 5_000,
            debug: false,
            batch_size: MAX_BATCH,
            body_format: BodyFormat::Telegraf,
            retries: 3,
            concurrency: 4,
            retry_backoff_ms: 500,
            retry_max_wait_ms: 30_000,
            alias: String::new(),
            #[cfg(feature = "filters")]
            filter_spec: FilterSpec::default(),
            #[cfg(feature = "filters")]
            filters: Filters::default(),
            warnings: Vec::new(),
            key_lines: Vec::new(),
        }
    }
}

impl LibratoConfig {
    /// The source template, compiled (an empty one means `host`, as in Telegraf).
    pub fn compiled_template(&self) -> Template {
        Template::new(&self.template)
    }

    /// The config as the object JS sees (TOML key names; durations as strings), in the
    /// config's own value type: the boundary turns it into a JS object directly (a
    /// `serde_json::Value` in between cost the main .wasm 4.6 KB gzipped).
    pub fn to_table(&self) -> CTable {
        let text = |s: &str| CValue::Str(s.to_string());
        let int = |n: usize| CValue::Int(n as i64);
        let mut t: Vec<(&str, CValue)> = vec![
            ("api", text(self.api.name())),
            ("api_user", text(&self.api_user)),
            ("api_token", text(&self.api_token)),
            ("api_url", text(&self.api_url)),
            ("template", text(&self.template)),
            ("timeout", CValue::Str(format_duration(self.timeout_ms))),
            ("debug", CValue::Bool(self.debug)),
            ("batch_size", int(self.batch_size)),
            ("body_format", text(self.body_format.name())),
            ("retries", int(self.retries as usize)),
            ("concurrency", int(self.concurrency)),
            (
                "retry_backoff",
                CValue::Str(format_duration(self.retry_backoff_ms)),
            ),
            (
                "retry_max_wait",
                CValue::Str(format_duration(self.retry_max_wait_ms)),
            ),
            ("alias", text(&self.alias)),
        ];
        // Not used by the tagged API: left out so that this object, given back as a config,
        // does not read as a template set explicitly (and warn).
        if self.api == Api::Measurements {
            t.retain(|(k, _)| *k != "template");
        }
        #[cfg(feature = "filters")]
        filter_keys::to_table(&self.filter_spec, &mut t);
        t.into_iter().map(|(k, v)| Entry::new(k, v)).collect()
    }

    /// [`LibratoConfig::to_table`] as JSON (for the tests, and Rust callers that want it).
    pub fn to_json(&self) -> serde_json::Value {
        value::to_json(&CValue::Table(self.to_table()))
    }
}

/// Options of `loadConfig`.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Values for `${VAR}` substitutions.
    pub env: StrMap,
    /// When given, every secret reference must resolve (references stay in the values).
    pub secrets: Option<StrMap>,
    /// Refuse Telegraf's filter keys on sight (`LibratoMetrics`, whose caller names every
    /// series itself: a filter would be a silent no-op). Builds without the `filters`
    /// feature always refuse them.
    pub refuse_filters: bool,
}

/// Telegraf's top-level sections: a text with one of these is a whole config file.
const TELEGRAF_SECTIONS: &[&str] = &[
    "agent",
    "global_tags",
    "inputs",
    "outputs",
    "processors",
    "aggregators",
    "secretstores",
];

/// TOML text as the config's value type (no substitution, no validation): for comparing the
/// reader with the `toml` crate.
pub fn parse_toml(text: &str) -> Result<CTable, ConfigError> {
    let lines = value::Lines::new(text);
    toml_reader::parse(text, &lines).map_err(|e| {
        ConfigError::new(
            ConfigErrorKind::InvalidToml,
            format!("invalid TOML: {}", e.message),
            Some(lines.pos(e.offset)),
            None,
        )
    })
}

/// Parses TOML text into one config per `[[outputs.librato]]` table (or one for a bare body).
pub fn load_config(text: &str, options: &LoadOptions) -> Result<Vec<LibratoConfig>, ConfigError> {
    let lines0 = value::Lines::new(text);
    let (substituted, map) = substitute_env_mapped(text, &options.env).map_err(|e| {
        ConfigError::new(
            ConfigErrorKind::Substitution,
            e.message,
            Some(lines0.pos(e.offset)),
            None,
        )
    })?;
    load_substituted(&substituted, options).map_err(|mut e| {
        // Positions found in the substituted text, given in the user's own text.
        if let (Some(line), Some(column)) = (e.line, e.column) {
            let at = value::Lines::new(&substituted).offset((line, column));
            let (line, column) = lines0.pos(map.original(at));
            (e.line, e.column) = (Some(line), Some(column));
        }
        e
    })
}

fn load_substituted(text: &str, options: &LoadOptions) -> Result<Vec<LibratoConfig>, ConfigError> {
    let root = parse_toml(text)?;
    let is_whole_file = root
        .iter()
        .any(|e| TELEGRAF_SECTIONS.contains(&e.key.as_str()));
    let tables: Vec<(CTable, Pos)> = if !is_whole_file {
        vec![(root, Some((1, 1)))]
    } else {
        let outputs = root.iter().find(|e| e.key == "outputs");
        let librato = outputs.and_then(|o| match &o.value {
            CValue::Table(t) => t.iter().find(|e| e.key == "librato"),
            _ => None,
        });
        match librato.map(|e| (&e.value, e.value_pos)) {
            None => Vec::new(),
            Some((CValue::Array(items), _)) => items
                .iter()
                .map(|(v, pos)| match v {
                    CValue::Table(t) => Ok((t.clone(), *pos)),
                    other => Err(ConfigError::new(
                        ConfigErrorKind::WrongType,
                        format!(
                            "outputs.librato must be a table, found {}",
                            other.type_name()
                        ),
                        *pos,
                        Some("outputs.librato"),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some((CValue::Table(t), pos)) => vec![(t.clone(), pos)],
            Some((other, pos)) => {
                return Err(ConfigError::new(
                    ConfigErrorKind::WrongType,
                    format!(
                        "outputs.librato must be a table, found {}",
                        other.type_name()
                    ),
                    pos,
                    Some("outputs.librato"),
                ))
            }
        }
    };
    tables
        .iter()
        .map(|(t, _)| {
            let config = from_table(t, options)?;
            if let Some(secrets) = &options.secrets {
                check_secrets(t, &config, secrets)?;
            }
            Ok(config)
        })
        .collect()
}

/// Config from a plain JS object (already decoded from JSON).
pub fn from_json_object(v: &serde_json::Value) -> Result<LibratoConfig, ConfigError> {
    match value::from_json(v) {
        CValue::Table(t) => from_table(&t, &LoadOptions::default()),
        CValue::Other("null") => Ok(LibratoConfig::default()),
        other => Err(ConfigError::new(
            ConfigErrorKind::WrongType,
            format!(
                "config must be an object or TOML text, found {}",
                other.type_name()
            ),
            None,
            None,
        )),
    }
}

fn check_secrets(t: &CTable, config: &LibratoConfig, secrets: &StrMap) -> Result<(), ConfigError> {
    for (key, v) in [
        ("api_user", &config.api_user),
        ("api_token", &config.api_token),
    ] {
        if let Err(message) = resolve_secrets(v, secrets) {
            let pos = t.iter().find(|e| e.key == key).and_then(|e| e.value_pos);
            return Err(ConfigError::new(
                ConfigErrorKind::UnresolvedSecret,
                message,
                pos,
                Some(key),
            ));
        }
    }
    Ok(())
}
