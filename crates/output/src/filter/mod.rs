//! Telegraf's output-level selectors, modifiers and renames (`models/filter.go`,
//! `models/running_output.go`), applied in Telegraf's order: select (namepass/namedrop, then
//! tagpass/tagdrop), modify (fieldinclude/fieldexclude, then taginclude/tagexclude), drop a
//! metric left without fields, rename (name_override, name_prefix, name_suffix).

mod glob;

// They read configs' compiled filters, which only the `filters` feature builds.
#[cfg(all(test, feature = "filters"))]
mod tests;

use std::borrow::Cow;

pub use glob::{Glob, GlobError};

use librato_core::metric::Metric;

/// Telegraf's `filter.Compile`: a list in which no pattern has `*`, `?` or `[` (and no
/// separator is given) matches by string equality; otherwise **each pattern is its own
/// glob** and the list matches if any does (patterns are never joined into one glob).
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// No wildcard anywhere: string equality with any of these.
    Exact(Vec<String>),
    /// One glob per pattern.
    Globs(Vec<Glob>),
}

impl Matcher {
    /// `Err((index of the pattern at fault, error))`: one bad pattern fails the list.
    ///
    /// ```
    /// use librato_output::filter::Matcher;
    ///
    /// let list = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    /// let m = Matcher::compile(&list(&["x,y*", "q*"]), "").unwrap();
    /// assert!(m.is_match("x,yz") && !m.is_match("x"));
    /// // No wildcard anywhere: exact text, braces included.
    /// assert!(Matcher::compile(&list(&["{a,b}"]), "").unwrap().is_match("{a,b}"));
    /// ```
    pub fn compile(patterns: &[String], separators: &str) -> Result<Matcher, (usize, GlobError)> {
        let has_meta = patterns.iter().any(|p| p.contains(['*', '?', '[']));
        if separators.is_empty() && !has_meta {
            return Ok(Matcher::Exact(patterns.to_vec()));
        }
        // Telegraf passes the separator string as its characters.
        let seps: Vec<char> = separators.chars().collect();
        let mut globs = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            globs.push(Glob::compile(p, &seps).map_err(|e| (i, e))?);
        }
        Ok(Matcher::Globs(globs))
    }

    /// Whether `s` matches the list (any of its patterns).
    pub fn is_match(&self, s: &str) -> bool {
        match self {
            Matcher::Exact(set) => set.iter().any(|p| p == s),
            Matcher::Globs(globs) => globs.iter().any(|g| g.is_match(s)),
        }
    }
}

/// Which option removed something (for reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum By {
    /// `namepass`.
    NamePass,
    /// `namedrop`.
    NameDrop,
    /// `tagpass`.
    TagPass,
    /// `tagdrop`.
    TagDrop,
    /// `fieldinclude` (and `fieldpass`, `pass`).
    FieldInclude,
    /// `fieldexclude` (and `fielddrop`, `drop`).
    FieldExclude,
    /// No field was left after the field filters: the metric is dropped.
    NoFieldsLeft,
}

impl By {
    /// The config key, as reports name it.
    pub fn option(self) -> &'static str {
        match self {
            By::NamePass => "namepass",
            By::NameDrop => "namedrop",
            By::TagPass => "tagpass",
            By::TagDrop => "tagdrop",
            By::FieldInclude => "fieldinclude",
            By::FieldExclude => "fieldexclude",
            By::NoFieldsLeft => "fieldinclude/fieldexclude (no field left)",
        }
    }
}

/// The compiled filters of one output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    /// Compiled, when set.
    pub namepass: Option<Matcher>,
    /// Compiled, when set.
    pub namedrop: Option<Matcher>,
    /// Tag key → compiled globs, when set.
    pub tagpass: Option<Vec<(String, Matcher)>>,
    /// Tag key → compiled globs, when set.
    pub tagdrop: Option<Vec<(String, Matcher)>>,
    /// Compiled from `pass` ++ `fieldpass` ++ `fieldinclude`, when any is set.
    pub fieldinclude: Option<Matcher>,
    /// Compiled from `drop` ++ `fielddrop` ++ `fieldexclude`, when any is set.
    pub fieldexclude: Option<Matcher>,
    /// Compiled, when set.
    pub taginclude: Option<Matcher>,
    /// Compiled, when set.
    pub tagexclude: Option<Matcher>,
    /// Replaces the measurement name (empty: unset).
    pub name_override: String,
    /// Prepended to the name (empty: unset).
    pub name_prefix: String,
    /// Appended to the name (empty: unset).
    pub name_suffix: String,
}

/// What happened to one metric.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Kept; the listed fields were removed by the given option.
    Kept(Vec<(String, By)>),
    /// Dropped whole by the given option.
    Dropped(By),
}

impl Filters {
    /// Whether any selector, modifier or rename is set (else filtering is skipped).
    pub fn is_active(&self) -> bool {
        *self != Filters::default()
    }

    /// Applies select, modify and rename to `m` in place.
    pub fn apply<'a>(&self, m: &mut Metric<'a>) -> Outcome {
        // Select.
        if let Some(p) = &self.namepass {
            if !p.is_match(&m.name) {
                return Outcome::Dropped(By::NamePass);
            }
        }
        if let Some(d) = &self.namedrop {
            if d.is_match(&m.name) {
                return Outcome::Dropped(By::NameDrop);
            }
        }
        if let Some(pass) = &self.tagpass {
            if !tags_match(pass, m) {
                return Outcome::Dropped(By::TagPass);
            }
        }
        if let Some(drop) = &self.tagdrop {
            if tags_match(drop, m) {
                return Outcome::Dropped(By::TagDrop);
            }
        }
        // Modify: fields first, then tags.
        let mut removed = Vec::new();
        if self.fieldinclude.is_some() || self.fieldexclude.is_some() {
            m.fields.retain(|(k, _)| {
                let by = if self.fieldinclude.as_ref().is_some_and(|i| !i.is_match(k)) {
                    Some(By::FieldInclude)
                } else if self.fieldexclude.as_ref().is_some_and(|e| e.is_match(k)) {
                    Some(By::FieldExclude)
                } else {
                    None
                };
                if let Some(by) = by {
                    removed.push((k.to_string(), by));
                }
                by.is_none()
            });
        }
        if self.taginclude.is_some() || self.tagexclude.is_some() {
            m.tags.retain(|(k, _)| {
                self.taginclude.as_ref().is_none_or(|i| i.is_match(k))
                    && !self.tagexclude.as_ref().is_some_and(|e| e.is_match(k))
            });
        }
        if m.fields.is_empty() {
            return Outcome::Dropped(By::NoFieldsLeft);
        }
        // Rename.
        if !self.name_override.is_empty() {
            m.name = Cow::Owned(self.name_override.clone());
        }
        if !self.name_prefix.is_empty() || !self.name_suffix.is_empty() {
            m.name = Cow::Owned(format!(
                "{}{}{}",
                self.name_prefix, m.name, self.name_suffix
            ));
        }
        Outcome::Kept(removed)
    }
}

/// Telegraf's tagpass/tagdrop test: any listed key present with a value matching its globs.
fn tags_match(filters: &[(String, Matcher)], m: &Metric<'_>) -> bool {
    filters
        .iter()
        .any(|(key, matcher)| m.tags.iter().any(|(k, v)| k == key && matcher.is_match(v)))
}
