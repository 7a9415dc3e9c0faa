//! The Telegraf output-level filter keys of a table: read, checked, compiled once.

#[cfg(feature = "filters")]
use super::{keys::string, value::CValue, ConfigError, ConfigErrorKind, Entry, Pos};
#[cfg(feature = "filters")]
use crate::filter::By;
#[cfg(feature = "filters")]
use crate::filter::{Filters, Matcher};

/// The filter keys as written (kept for `to_table`), next to their compiled form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterSpec {
    /// As written.
    pub namepass: Vec<String>,
    /// As written.
    pub namedrop: Vec<String>,
    /// As written.
    pub namepass_separator: String,
    /// As written.
    pub namedrop_separator: String,
    /// As written: tag key → globs.
    pub tagpass: Vec<(String, Vec<String>)>,
    /// As written: tag key → globs.
    pub tagdrop: Vec<(String, Vec<String>)>,
    /// As written under each key; Telegraf appends them in this order:
    /// include = `pass` ++ `fieldpass` ++ `fieldinclude`, exclude = `drop` ++ `fielddrop` ++
    /// `fieldexclude` (see [`FilterSpec::field_include`]).
    pub pass: Vec<String>,
    /// As written.
    pub fieldpass: Vec<String>,
    /// As written.
    pub fieldinclude: Vec<String>,
    /// As written.
    pub drop: Vec<String>,
    /// As written.
    pub fielddrop: Vec<String>,
    /// As written.
    pub fieldexclude: Vec<String>,
    /// As written.
    pub taginclude: Vec<String>,
    /// As written.
    pub tagexclude: Vec<String>,
    /// Replaces the measurement name (empty: unset).
    pub name_override: String,
    /// Prepended to the name (empty: unset).
    pub name_prefix: String,
    /// Appended to the name (empty: unset).
    pub name_suffix: String,
}

impl FilterSpec {
    /// The field include list Telegraf compiles: `pass`, `fieldpass`, `fieldinclude`.
    pub fn field_include(&self) -> Vec<String> {
        [&self.pass, &self.fieldpass, &self.fieldinclude]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    /// The field exclude list Telegraf compiles: `drop`, `fielddrop`, `fieldexclude`.
    pub fn field_exclude(&self) -> Vec<String> {
        [&self.drop, &self.fielddrop, &self.fieldexclude]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

/// The config line of each filter option, named as `skipped` entries name it, where the key
/// written is another spelling (`pass`, `fieldpass`...) or the removal has two causes.
#[cfg(feature = "filters")]
pub fn option_lines(key_lines: &[(String, u32)]) -> Vec<(String, u32)> {
    let line = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| key_lines.iter().find(|(key, _)| key == k).map(|&(_, l)| l))
    };
    const INCLUDE: [&str; 3] = ["fieldinclude", "fieldpass", "pass"];
    const EXCLUDE: [&str; 3] = ["fieldexclude", "fielddrop", "drop"];
    let both = [INCLUDE, EXCLUDE].concat();
    [
        (By::FieldInclude.option(), &INCLUDE[..]),
        (By::FieldExclude.option(), &EXCLUDE[..]),
        (By::NoFieldsLeft.option(), &both[..]),
    ]
    .into_iter()
    .filter(|(option, _)| !key_lines.iter().any(|(k, _)| k == option))
    .filter_map(|(option, keys)| line(keys).map(|l| (option.to_string(), l)))
    .collect()
}

/// Where each list came from, to place glob errors.
#[cfg(feature = "filters")]
#[derive(Default)]
pub struct Positions {
    lists: Vec<(&'static str, Vec<Pos>)>,
}

pub const FILTER_KEYS: &[&str] = &[
    "namepass",
    "namedrop",
    "namepass_separator",
    "namedrop_separator",
    "tagpass",
    "tagdrop",
    "fieldinclude",
    "fieldexclude",
    "fieldpass",
    "fielddrop",
    "pass",
    "drop",
    "taginclude",
    "tagexclude",
    "name_override",
    "name_prefix",
    "name_suffix",
    "metricpass",
];

#[cfg(feature = "filters")]
fn strings(e: &Entry, what: &str) -> Result<(Vec<String>, Vec<Pos>), ConfigError> {
    let CValue::Array(items) = &e.value else {
        return Err(ConfigError::new(
            ConfigErrorKind::WrongType,
            format!(
                "{what} must be an array of strings, found {}",
                e.value.type_name()
            ),
            e.value_pos,
            Some(what),
        ));
    };
    let mut out = Vec::new();
    let mut pos = Vec::new();
    for (v, p) in items {
        match v {
            CValue::Str(s) => {
                out.push(s.clone());
                pos.push(*p);
            }
            other => {
                return Err(ConfigError::new(
                    ConfigErrorKind::WrongType,
                    format!("{what} must hold strings, found {}", other.type_name()),
                    *p,
                    Some(what),
                ))
            }
        }
    }
    Ok((out, pos))
}

/// Reads one filter key into `spec`. Returns a warning for deprecated or unevaluated keys.
#[cfg(feature = "filters")]
pub fn read(
    e: &Entry,
    spec: &mut FilterSpec,
    positions: &mut Positions,
) -> Result<Option<String>, ConfigError> {
    let key = e.key.as_str();
    let mut list = |target: &mut Vec<String>, name: &'static str| -> Result<(), ConfigError> {
        let (v, p) = strings(e, key)?;
        *target = v;
        positions.lists.push((name, p));
        Ok(())
    };
    match key {
        "namepass" => list(&mut spec.namepass, "namepass")?,
        "namedrop" => list(&mut spec.namedrop, "namedrop")?,
        "fieldinclude" => list(&mut spec.fieldinclude, "fieldinclude")?,
        "fieldexclude" => list(&mut spec.fieldexclude, "fieldexclude")?,
        // Deprecated spellings, still read by Telegraf and appended to the same list (a
        // warning only when the list is not empty, as Telegraf's notice).
        "fieldpass" | "pass" | "fielddrop" | "drop" => {
            let (target, name, instead) = match key {
                "fieldpass" => (&mut spec.fieldpass, "fieldpass", "fieldinclude"),
                "pass" => (&mut spec.pass, "pass", "fieldinclude"),
                "fielddrop" => (&mut spec.fielddrop, "fielddrop", "fieldexclude"),
                _ => (&mut spec.drop, "drop", "fieldexclude"),
            };
            list(target, name)?;
            if !target.is_empty() {
                return Ok(Some(format!(
                    "{key} is deprecated: use {instead} (its globs are added to {instead}'s, as Telegraf does)"
                )));
            }
        }
        "taginclude" => list(&mut spec.taginclude, "taginclude")?,
        "tagexclude" => list(&mut spec.tagexclude, "tagexclude")?,
        "namepass_separator" => spec.namepass_separator = string(e)?,
        "namedrop_separator" => spec.namedrop_separator = string(e)?,
        "name_override" => spec.name_override = string(e)?,
        "name_prefix" => spec.name_prefix = string(e)?,
        "name_suffix" => spec.name_suffix = string(e)?,
        "tagpass" | "tagdrop" => {
            let CValue::Table(t) = &e.value else {
                return Err(ConfigError::new(
                    ConfigErrorKind::WrongType,
                    format!(
                        "{key} must be a table of tag key = [globs], found {}",
                        e.value.type_name()
                    ),
                    e.value_pos,
                    Some(key),
                ));
            };
            let mut out = Vec::new();
            for sub in t {
                let (globs, p) = strings(sub, &format!("{key}.{}", sub.key))?;
                positions.lists.push((
                    if key == "tagpass" {
                        "tagpass"
                    } else {
                        "tagdrop"
                    },
                    p,
                ));
                out.push((sub.key.clone(), globs));
            }
            if key == "tagpass" {
                spec.tagpass = out;
            } else {
                spec.tagdrop = out;
            }
        }
        "metricpass" => {
            string(e)?;
            return Ok(Some(
                "metricpass is accepted but not evaluated by this runtime (CEL expressions are not supported)".into(),
            ));
        }
        _ => unreachable!("only called for FILTER_KEYS"),
    }
    Ok(None)
}

/// Compiles every filter once; a bad glob is an error at its line and column.
#[cfg(feature = "filters")]
pub fn compile(spec: &FilterSpec, positions: &Positions) -> Result<Filters, ConfigError> {
    // Lists of the same option (tagpass keys) are compiled in the order they were read.
    let mut used: Vec<&'static str> = Vec::new();
    let mut next_positions = |name: &'static str| -> Vec<Pos> {
        let seen = used.iter().filter(|n| **n == name).count();
        used.push(name);
        positions
            .lists
            .iter()
            .filter(|(n, _)| *n == name)
            .nth(seen)
            .map(|(_, p)| p.clone())
            .unwrap_or_default()
    };
    let mut one = |name: &'static str,
                   patterns: &[String],
                   seps: &str|
     -> Result<Option<Matcher>, ConfigError> {
        let pos = next_positions(name);
        if patterns.is_empty() {
            return Ok(None);
        }
        Matcher::compile(patterns, seps)
            .map(Some)
            .map_err(|(i, e)| {
                let at = pos
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|(l, c)| (l, c + 1 + e.offset as u32));
                ConfigError::new(
                    ConfigErrorKind::InvalidGlob,
                    format!("{name}: invalid glob \"{}\": {}", patterns[i], e.message),
                    at,
                    Some(name),
                )
            })
    };
    let namepass = one("namepass", &spec.namepass, &spec.namepass_separator)?;
    let namedrop = one("namedrop", &spec.namedrop, &spec.namedrop_separator)?;
    // The deprecated keys' globs come first, in Telegraf's order; an error names the key
    // that holds the bad pattern.
    let merged = |keys: [(&'static str, &Vec<String>); 3],
                  option: &'static str|
     -> Result<Option<Matcher>, ConfigError> {
        let mut patterns = Vec::new();
        let mut places = Vec::new();
        for (key, list) in keys {
            // Each of these keys is read once: its list is the one recorded under its name.
            let pos: Vec<Pos> = positions
                .lists
                .iter()
                .find(|(n, _)| *n == key)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            for (i, p) in list.iter().enumerate() {
                patterns.push(p.clone());
                places.push((key, pos.get(i).copied().flatten()));
            }
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        Matcher::compile(&patterns, "").map(Some).map_err(|(i, e)| {
            let (key, at) = places[i];
            ConfigError::new(
                ConfigErrorKind::InvalidGlob,
                format!(
                    "{key}: invalid glob \"{}\": {} (in {option})",
                    patterns[i], e.message
                ),
                at.map(|(l, c)| (l, c + 1 + e.offset as u32)),
                Some(key),
            )
        })
    };
    let fieldinclude = merged(
        [
            ("pass", &spec.pass),
            ("fieldpass", &spec.fieldpass),
            ("fieldinclude", &spec.fieldinclude),
        ],
        "fieldinclude",
    )?;
    let fieldexclude = merged(
        [
            ("drop", &spec.drop),
            ("fielddrop", &spec.fielddrop),
            ("fieldexclude", &spec.fieldexclude),
        ],
        "fieldexclude",
    )?;
    let taginclude = one("taginclude", &spec.taginclude, "")?;
    let tagexclude = one("tagexclude", &spec.tagexclude, "")?;
    let mut tags = |name: &'static str,
                    list: &[(String, Vec<String>)]|
     -> Result<Option<Vec<(String, Matcher)>>, ConfigError> {
        if list.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::new();
        for (key, globs) in list {
            if let Some(m) = one(name, globs, "")? {
                out.push((key.clone(), m));
            }
        }
        Ok(Some(out))
    };
    let tagpass = tags("tagpass", &spec.tagpass)?;
    let tagdrop = tags("tagdrop", &spec.tagdrop)?;
    Ok(Filters {
        namepass,
        namedrop,
        tagpass,
        tagdrop,
        fieldinclude,
        fieldexclude,
        taginclude,
        tagexclude,
        name_override: spec.name_override.clone(),
        name_prefix: spec.name_prefix.clone(),
        name_suffix: spec.name_suffix.clone(),
    })
}

/// The keys that are set, for the object form of a config ([`super::LibratoConfig::to_table`]).
#[cfg(feature = "filters")]
pub fn to_table(spec: &FilterSpec, out: &mut Vec<(&'static str, CValue)>) {
    let strings =
        |v: &[String]| CValue::Array(v.iter().map(|s| (CValue::Str(s.clone()), None)).collect());
    let (include, exclude) = (spec.field_include(), spec.field_exclude());
    for (k, v) in [
        ("namepass", &spec.namepass),
        ("namedrop", &spec.namedrop),
        ("fieldinclude", &include),
        ("fieldexclude", &exclude),
        ("taginclude", &spec.taginclude),
        ("tagexclude", &spec.tagexclude),
    ] {
        if !v.is_empty() {
            out.push((k, strings(v)));
        }
    }
    for (k, v) in [
        ("namepass_separator", &spec.namepass_separator),
        ("namedrop_separator", &spec.namedrop_separator),
        ("name_override", &spec.name_override),
        ("name_prefix", &spec.name_prefix),
        ("name_suffix", &spec.name_suffix),
    ] {
        if !v.is_empty() {
            out.push((k, CValue::Str(v.clone())));
        }
    }
    for (k, v) in [("tagpass", &spec.tagpass), ("tagdrop", &spec.tagdrop)] {
        if !v.is_empty() {
            let t = v
                .iter()
                .map(|(key, globs)| Entry::new(key, strings(globs)))
                .collect();
            out.push((k, CValue::Table(t)));
        }
    }
}
