//! One value type for config read from TOML (with positions) or from a JS object (JSON),
//! so both go through the same validation.

use librato_core::find::piece;
/// Line and column (1-based) in the config text, when the config came from text.
pub type Pos = Option<(u32, u32)>;

/// A config value read from TOML or from a JS object (as JSON).
#[derive(Debug, Clone, PartialEq)]
pub enum CValue {
    /// A string.
    Str(String),
    /// A signed integer (`i` suffix).
    Int(i64),
    /// A float (no suffix).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An array, each item with its position.
    Array(Vec<(CValue, Pos)>),
    /// A table, keys in order.
    Table(CTable),
    /// A type config never uses (TOML datetime, JSON null); the name is for the error.
    Other(&'static str),
}

/// Table entries in input order: key, key position, value, value position.
pub type CTable = Vec<Entry>;

/// One key of a table with its value, and where both are in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key (the last part of a dotted key).
    pub key: String,
    /// Where the key is.
    pub key_pos: Pos,
    /// Its value.
    pub value: CValue,
    /// Where the value starts.
    pub value_pos: Pos,
}

impl CValue {
    /// "a string", "an integer"...: for type errors.
    pub fn type_name(&self) -> &'static str {
        match self {
            CValue::Str(_) => "a string",
            CValue::Int(_) => "an integer",
            CValue::Float(_) => "a float",
            CValue::Bool(_) => "a boolean",
            CValue::Array(_) => "an array",
            CValue::Table(_) => "a table",
            CValue::Other(t) => t,
        }
    }
}

impl Entry {
    /// A key and its value, from no text (no positions).
    pub fn new(key: impl Into<String>, value: CValue) -> Entry {
        Entry {
            key: key.into(),
            key_pos: None,
            value,
            value_pos: None,
        }
    }
}

/// Maps byte offsets to line and column.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The byte offset of a 1-based line and column (in characters), inverse of [`Lines::pos`].
    pub fn offset(&self, (line, col): (u32, u32)) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1) as usize) else {
            return self.text.len();
        };
        let rest = piece(self.text, start..);
        rest.char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    pub fn pos(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }
}

pub fn from_json(v: &serde_json::Value) -> CValue {
    use serde_json::Value;
    match v {
        Value::Null => CValue::Other("null"),
        Value::Bool(b) => CValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => CValue::Int(i),
            None => CValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => CValue::Str(s.clone()),
        Value::Array(a) => CValue::Array(a.iter().map(|e| (from_json(e), None)).collect()),
        Value::Object(o) => CValue::Table(
            o.iter()
                .map(|(k, v)| Entry::new(k.as_str(), from_json(v)))
                .collect(),
        ),
    }
}

/// A value as JSON, as JS sees the object the boundary builds from it (integers as numbers).
pub fn to_json(v: &CValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        CValue::Str(s) => Value::from(s.as_str()),
        CValue::Int(i) => Value::from(*i),
        CValue::Float(f) => Value::from(*f),
        CValue::Bool(b) => Value::from(*b),
        CValue::Array(items) => Value::Array(items.iter().map(|(v, _)| to_json(v)).collect()),
        CValue::Table(t) => Value::Object(
            t.iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
        CValue::Other(_) => Value::Null,
    }
}
