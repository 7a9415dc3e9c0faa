//! Reading one `[[outputs.librato]]` table's keys into a `LibratoConfig` (TOML text and config
//! objects alike), each value checked where it stands.

use super::*;

/// Keys every Telegraf output accepts that only matter to Telegraf's agent loop.
const AGENT_KEYS: &[&str] = &[
    "flush_interval",
    "flush_jitter",
    "metric_batch_size",
    "metric_buffer_limit",
    "log_level",
];

/// What a table's keys said beyond the config itself, for the checks made once all are read.
#[derive(Default)]
struct Seen<'t> {
    source_tag: Option<(String, Pos)>,
    template_set: bool,
    api_url_set: bool,
    batch_size: Option<&'t Entry>,
    #[cfg(feature = "filters")]
    filter_positions: filter_keys::Positions,
}

/// Validates one table's keys and values (`load`: only `refuse_filters` matters here).
pub fn from_table(t: &CTable, load: &LoadOptions) -> Result<LibratoConfig, ConfigError> {
    let mut c = LibratoConfig::default();
    let mut seen = Seen::default();
    for e in t {
        if let Some((line, _)) = e.key_pos {
            c.key_lines.push((e.key.clone(), line));
        }
        // The keys every config names are read here, the others in `other_key`: V8 compiles
        // a wasm function on its first call, whole, and a LibratoMetrics that names these three
        // then compiles none of the rest (docs/performance.md).
        match e.key.as_str() {
            "api_user" => c.api_user = string(e)?,
            "api_token" => c.api_token = string(e)?,
            "api_url" => {
                c.api_url = api_url(&string(e)?).map_err(|m| invalid(e, m))?;
                seen.api_url_set = true;
            }
            _ => other_key(&mut c, &mut seen, e, load)?,
        }
    }
    // Without the `filters` feature (the metrics entry) there is nothing to read or compile:
    // its LibratoMetrics refuses filter keys in `other_key`, as the main entry's does.
    #[cfg(feature = "filters")]
    {
        c.filters = filter_keys::compile(&c.filter_spec, &seen.filter_positions)?;
    }
    if let Some(e) = seen.batch_size {
        c.batch_size = int_in(e, 1, c.api.max_batch() as i64)? as usize;
    }
    if seen.api_url_set {
        check_api_path(&c, t)?;
    }
    if c.api == Api::Measurements || seen.source_tag.is_some() {
        settle_source(&mut c, seen)?;
    }
    // Filter options' lines: without the `filters` feature there are none.
    #[cfg(feature = "filters")]
    c.key_lines.extend(filter_keys::option_lines(&c.key_lines));
    Ok(c)
}

/// Every key but the three `from_table` reads itself.
#[inline(never)]
fn other_key<'t>(
    c: &mut LibratoConfig,
    seen: &mut Seen<'t>,
    e: &'t Entry,
    load: &LoadOptions,
) -> Result<(), ConfigError> {
    let key = e.key.as_str();
    match key {
        "api" => {
            let v = string(e)?;
            c.api = Api::parse(&v).ok_or_else(|| {
                invalid(
                    e,
                    format!("api must be \"metrics\" or \"measurements\", not \"{v}\""),
                )
            })?;
        }
        "template" => {
            c.template = string(e)?;
            seen.template_set = true;
        }
        "source_tag" => seen.source_tag = Some((string(e)?, e.value_pos)),
        "timeout" => {
            c.timeout_ms = duration(e)?;
            if c.timeout_ms == 0 {
                return Err(invalid(e, "timeout must be greater than zero".into()));
            }
        }
        "debug" => c.debug = boolean(e)?,
        // Its bounds depend on `api`, which may come later in the table.
        "batch_size" => {
            int_in(e, i64::MIN, i64::MAX)?;
            seen.batch_size = Some(e);
        }
        "body_format" => {
            let v = string(e)?;
            c.body_format = BodyFormat::parse(&v).ok_or_else(|| {
                invalid(
                    e,
                    format!("body_format must be \"telegraf\" or \"compact\", not \"{v}\""),
                )
            })?;
        }
        "retries" => c.retries = int_in(e, 0, 20)? as u32,
        "concurrency" => c.concurrency = int_in(e, 1, 64)? as usize,
        "retry_backoff" => c.retry_backoff_ms = duration(e)?,
        "retry_max_wait" => c.retry_max_wait_ms = duration(e)?,
        "alias" => c.alias = string(e)?,
        k if filter_keys::FILTER_KEYS.contains(&k) => {
            // Without the `filters` feature there is nothing to apply them with.
            if load.refuse_filters || cfg!(not(feature = "filters")) {
                return Err(ConfigError::new(
                    ConfigErrorKind::FilterRefused,
                    format!("{k}: LibratoMetrics does not apply Telegraf's filters (namepass, tagpass, fieldinclude...): remove it from this config"),
                    e.key_pos,
                    Some(k),
                ));
            }
            #[cfg(feature = "filters")]
            if let Some(w) = filter_keys::read(e, &mut c.filter_spec, &mut seen.filter_positions)? {
                c.warnings.push(w);
            }
        }
        k if AGENT_KEYS.contains(&k) => c.warnings.push(format!(
            "{k} is accepted but not used: this runtime does not schedule flushes (the caller decides when to write)"
        )),
        _ => {
            return Err(ConfigError::new(
                ConfigErrorKind::UnknownKey,
                format!("unknown key \"{key}\" in [[outputs.librato]]"),
                e.key_pos,
                Some(key),
            ))
        }
    }
    Ok(())
}

/// The measurements API's defaults and the deprecated `source_tag`, once every key is read.
#[inline(never)]
fn settle_source(c: &mut LibratoConfig, seen: Seen<'_>) -> Result<(), ConfigError> {
    let template_set = seen.template_set.then_some("template");
    if c.api == Api::Measurements {
        if !seen.api_url_set {
            c.api_url = DEFAULT_MEASUREMENTS_URL.to_string();
        }
        if let Some(key) = template_set.or(seen.source_tag.as_ref().map(|_| "source_tag")) {
            c.warnings.push(format!(
                "{key} is not used with api = \"measurements\": each measurement carries its metric's tags instead of a source"
            ));
        }
    }
    if let Some((tag, pos)) = seen.source_tag {
        if template_set.is_some() && tag != c.template {
            return Err(ConfigError::new(ConfigErrorKind::Conflict,
                format!(
                    "source_tag = \"{tag}\" conflicts with template = \"{}\"; remove the deprecated source_tag",
                    c.template
                ),
                pos,
                Some("source_tag"),
            ));
        }
        c.warnings.push(format!(
            "source_tag is deprecated: use template = \"{tag}\" instead"
        ));
        c.template = tag;
    }
    Ok(())
}

/// An invalid value, the error naming its key and position.
fn invalid(e: &Entry, msg: String) -> ConfigError {
    ConfigError::new(
        ConfigErrorKind::InvalidValue,
        msg,
        e.value_pos,
        Some(&e.key),
    )
}

fn type_error(e: &Entry, want: &str) -> ConfigError {
    ConfigError::new(
        ConfigErrorKind::WrongType,
        format!("{} must be {want}, found {}", e.key, e.value.type_name()),
        e.value_pos,
        Some(&e.key),
    )
}

/// A string value, or a type error naming the key.
pub(super) fn string(e: &Entry) -> Result<String, ConfigError> {
    match &e.value {
        CValue::Str(s) => Ok(s.clone()),
        _ => Err(type_error(e, "a string")),
    }
}

fn boolean(e: &Entry) -> Result<bool, ConfigError> {
    match e.value {
        CValue::Bool(b) => Ok(b),
        _ => Err(type_error(e, "a boolean")),
    }
}

fn int_in(e: &Entry, min: i64, max: i64) -> Result<i64, ConfigError> {
    let v = match e.value {
        CValue::Int(i) => i,
        CValue::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => f as i64,
        _ => return Err(type_error(e, "an integer")),
    };
    if v < min || v > max {
        return Err(ConfigError::new(
            ConfigErrorKind::InvalidValue,
            format!("{} must be between {min} and {max}, found {v}", e.key),
            e.value_pos,
            Some(&e.key),
        ));
    }
    Ok(v)
}

/// A Telegraf duration string, or a number of seconds.
fn duration(e: &Entry) -> Result<u64, ConfigError> {
    let r = match &e.value {
        CValue::Str(s) => parse_duration(s),
        CValue::Int(i) => duration::int_secs_to_ms(*i),
        // A bare number is seconds, as in Telegraf.
        CValue::Float(f) => {
            let text = librato_core::number::float_text(*f);
            match duration::secs_to_ms(*f) {
                Some(ms) => Ok(ms),
                None if *f < 0.0 => Err(format!("invalid duration {text}: it cannot be negative")),
                None if f.is_nan() => Err(format!("invalid duration \"{text}\"")),
                None => Err(format!(
                    "duration {text} is too long: at most {} (the longest timer JS runtimes keep)",
                    format_duration(duration::MAX_DURATION_MS)
                )),
            }
        }
        _ => return Err(type_error(e, "a duration string such as \"5s\"")),
    };
    r.map_err(|m| {
        ConfigError::new(
            ConfigErrorKind::InvalidValue,
            format!("{}: {m}", e.key),
            e.value_pos,
            Some(&e.key),
        )
    })
}
