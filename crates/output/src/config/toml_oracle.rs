//! The `toml` crate's reading of a text, in the config's value type: the oracle our own
//! reader is held to (unit tests and the `toml_reader` fuzz target). Not in the wasm build.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::value::{CTable, CValue, Entry, Lines};

/// The root table as the `toml` crate reads it, or its error's byte offset.
pub fn parse(text: &str) -> Result<CTable, Option<usize>> {
    let lines = Lines::new(text);
    let root = DeTable::parse(text).map_err(|e| e.span().map(|s| s.start))?;
    // The crate reads integers beyond 64 bits and leaves them to the caller; TOML says
    // they are errors, as our reader reports them.
    table(root.get_ref(), &lines).map_err(|()| None)
}

fn table(t: &DeTable<'_>, lines: &Lines<'_>) -> Result<CTable, ()> {
    let mut entries = Vec::new();
    for (k, v) in t.iter() {
        entries.push(Entry {
            key: k.get_ref().to_string(),
            key_pos: Some(lines.pos(k.span().start)),
            value: value(v, lines)?,
            value_pos: Some(lines.pos(v.span().start)),
        });
    }
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(entries)
}

fn value(v: &Spanned<DeValue<'_>>, lines: &Lines<'_>) -> Result<CValue, ()> {
    Ok(match v.get_ref() {
        DeValue::String(s) => CValue::Str(s.to_string()),
        DeValue::Integer(i) => {
            CValue::Int(i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| ())?)
        }
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse()
            .map(CValue::Float)
            .unwrap_or(CValue::Other("a float")),
        DeValue::Boolean(b) => CValue::Bool(*b),
        DeValue::Datetime(_) => CValue::Other("a datetime"),
        DeValue::Array(a) => {
            let mut items = Vec::new();
            for e in a.iter() {
                items.push((value(e, lines)?, Some(lines.pos(e.span().start))));
            }
            CValue::Array(items)
        }
        DeValue::Table(t) => CValue::Table(table(t, lines)?),
    })
}

/// The same tree with entries sorted by key and positions dropped, NaN made comparable:
/// what both readers must agree on.
pub fn normalized(t: &CTable) -> String {
    fn v(x: &CValue, out: &mut String) {
        match x {
            CValue::Table(t) => {
                let mut sorted: Vec<&Entry> = t.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                out.push('{');
                for e in sorted {
                    out.push_str(&format!("{:?}=", e.key));
                    v(&e.value, out);
                    out.push(',');
                }
                out.push('}');
            }
            CValue::Array(items) => {
                out.push('[');
                for (i, _) in items {
                    v(i, out);
                    out.push(',');
                }
                out.push(']');
            }
            CValue::Float(f) if f.is_nan() => out.push_str("NaN"),
            CValue::Float(f) => out.push_str(&format!("{:?}", f.to_bits())),
            other => out.push_str(&format!("{other:?}")),
        }
    }
    let mut out = String::new();
    v(&CValue::Table(t.clone()), &mut out);
    out
}
