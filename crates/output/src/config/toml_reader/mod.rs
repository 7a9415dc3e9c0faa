//! A TOML 1.1 reader for configs, small enough for the wasm build (the `toml` crate costs
//! about 30 KB gzipped there). It yields the config's own value type with the position of
//! every key and value, tables in the order of the text. The `toml` crate stays as the
//! oracle: the `toml_reader` fuzz target and the tests compare the two.

mod credentials;
mod scalar;

#[cfg(test)]
mod tests;

use super::value::{CTable, CValue, Entry, Lines};
use librato_core::find;
use librato_core::find::piece;

pub use credentials::{credential_spans, is_credential_key};

/// Deepest nesting read: the parts of a table header and key plus the arrays and inline
/// tables around a value, so that hostile input cannot exhaust a wasm instance's stack.
/// (Below the `toml` crate's own limit of 80, so whatever it refuses for depth, so do we.)
pub const MAX_DEPTH: usize = 64;

/// The message for input nested deeper than [`MAX_DEPTH`].
pub const TOO_DEEP: &str = "nesting is too deep";

/// A TOML error: byte offset and message.
#[derive(Debug)]
pub struct Fail {
    pub offset: usize,
    pub message: String,
}

/// Parses a TOML document into its root table; positions are (line, column) via `lines`.
pub fn parse(text: &str, lines: &Lines<'_>) -> Result<CTable, Fail> {
    let mut cur = Cursor::new(text);
    let root = cur.document()?;
    Ok(root.into_entries(lines))
}

pub(super) struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Nesting around `pos`: header and key parts, arrays and inline tables.
    depth: usize,
    /// When recording credential spans: inside a credential's table header, or its value.
    secret_header: bool,
    secret_value: bool,
    spans: Option<Vec<(usize, usize)>>,
    secret_strings: Vec<String>,
}

/// How a table came to be, which decides what may still add to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Created as the parent of a `[header]`; a later header may still define it.
    Implicit,
    /// Defined by its own `[header]` or `[[header]]`.
    Header,
    /// Created by a dotted key (`a.b = 1`).
    Dotted,
    /// `{ ... }`: complete as written.
    Inline,
}

struct Table {
    kind: Kind,
    items: Vec<Item>,
}

struct Item {
    key: String,
    key_pos: usize,
    value_pos: usize,
    node: Node,
}

enum Node {
    Value(CValue),
    Array(Vec<(Node, usize)>),
    Table(Table),
    /// An array of tables (`[[name]]`), each with its header's position.
    Tables(Vec<(Table, usize)>),
}

impl Table {
    fn new(kind: Kind) -> Self {
        Table {
            kind,
            items: Vec::new(),
        }
    }

    fn find(&self, key: &str) -> Option<usize> {
        self.items.iter().position(|i| i.key == key)
    }

    fn into_entries(self, lines: &Lines<'_>) -> CTable {
        self.items
            .into_iter()
            .map(|i| Entry {
                key: i.key,
                key_pos: Some(lines.pos(i.key_pos)),
                value: i.node.into_value(lines),
                value_pos: Some(lines.pos(i.value_pos)),
            })
            .collect()
    }
}

impl Node {
    fn into_value(self, lines: &Lines<'_>) -> CValue {
        match self {
            Node::Value(v) => v,
            Node::Array(items) => CValue::Array(
                items
                    .into_iter()
                    .map(|(n, p)| (n.into_value(lines), Some(lines.pos(p))))
                    .collect(),
            ),
            Node::Table(t) => CValue::Table(t.into_entries(lines)),
            Node::Tables(ts) => CValue::Array(
                ts.into_iter()
                    .map(|(t, p)| (CValue::Table(t.into_entries(lines)), Some(lines.pos(p))))
                    .collect(),
            ),
        }
    }
}

/// A key part and where it starts.
type Key = (String, usize);

fn quoted(keys: &[Key]) -> String {
    let parts: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    format!("\"{}\"", parts.join("."))
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            s: text,
            b: text.as_bytes(),
            pos: 0,
            depth: 0,
            secret_header: false,
            secret_value: false,
            spans: None,
            secret_strings: Vec::new(),
        }
    }

    /// Input text to quote in an error: inside a credential's value, a placeholder instead
    /// (no error may show a credential, whatever the syntax mistake).
    pub(super) fn shown<'t>(&self, text: &'t str) -> &'t str {
        if self.secret_value || self.secret_header {
            "(the value of a credential key, not shown)"
        } else {
            text
        }
    }

    fn fail_at(&self, offset: usize, message: &str) -> Fail {
        Fail {
            offset,
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A `#` comment up to (not including) the line break.
    fn skip_comment(&mut self) -> Result<(), Fail> {
        if self.peek() != Some(b'#') {
            return Ok(());
        }
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b == b'\n' || (b == b'\r' && self.b.get(self.pos + 1) == Some(&b'\n')) {
                break;
            }
            if scalar::is_control(b) {
                return Err(self.fail_at(self.pos, "control character in a comment"));
            }
            self.pos += 1;
        }
        // A commented-out credential is still one: its text after the '#' is a span too.
        if let Some(spans) = &mut self.spans {
            let lower = piece(self.s, start..self.pos).to_ascii_lowercase();
            if find::contains(&lower, "api_user") || find::contains(&lower, "api_token") {
                spans.push((start + 1, self.pos));
            }
        }
        Ok(())
    }

    /// A line break (or the end of input); false when something else is here.
    fn line_break(&mut self) -> bool {
        match self.peek() {
            None => true,
            Some(b'\n') => {
                self.pos += 1;
                true
            }
            Some(b'\r') if self.b.get(self.pos + 1) == Some(&b'\n') => {
                self.pos += 2;
                true
            }
            _ => false,
        }
    }

    /// After a header or key/value: blanks, an optional comment, then the end of the line.
    fn end_of_line(&mut self) -> Result<(), Fail> {
        self.skip_ws();
        self.skip_comment()?;
        if self.line_break() {
            Ok(())
        } else {
            Err(self.fail_at(
                self.pos,
                "expected the end of the line (or a # comment) here",
            ))
        }
    }

    /// Blanks, comments and line breaks (inside arrays and inline tables).
    fn skip_ws_comments_newlines(&mut self) -> Result<(), Fail> {
        loop {
            self.skip_ws();
            self.skip_comment()?;
            if self.peek().is_none() || !self.line_break() {
                return Ok(());
            }
        }
    }

    fn document(&mut self) -> Result<Table, Fail> {
        let mut root = Table::new(Kind::Header);
        if self.b.starts_with("\u{feff}".as_bytes()) {
            self.pos = 3;
        }
        // Path (item indices from the root) of the table that key/values go into.
        let mut current: Vec<usize> = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Ok(root),
                Some(b'#') => self.end_of_line()?,
                Some(b'\n' | b'\r') => {
                    if !self.line_break() {
                        return Err(self.fail_at(
                            self.pos,
                            "a carriage return must be followed by a line feed",
                        ));
                    }
                }
                Some(b'[') => {
                    self.depth = 0;
                    self.secret_header = false;
                    current = self.header(&mut root)?;
                    self.end_of_line()?;
                }
                Some(_) => {
                    let table = table_at(&mut root, &current);
                    self.depth = current.len();
                    self.key_value(table)?;
                    self.end_of_line()?;
                }
            }
        }
    }

    /// `[a.b]` or `[[a.b]]`; returns the path of the table that follows.
    fn header(&mut self, root: &mut Table) -> Result<Vec<usize>, Fail> {
        let at = self.pos;
        let array = self.b[self.pos..].starts_with(b"[[");
        self.pos += if array { 2 } else { 1 };
        self.skip_ws();
        let keys = self.key()?;
        self.skip_ws();
        let close: &[u8] = if array { b"]]" } else { b"]" };
        if !self.b[self.pos..].starts_with(close) {
            let want = if array { "']]'" } else { "']'" };
            return Err(self.fail_at(
                self.pos,
                &format!("expected {want} to close the table header"),
            ));
        }
        self.pos += close.len();
        if keys.iter().any(|(k, _)| is_credential_key(k)) {
            self.secret_header = true;
        }

        let mut path = Vec::new();
        let mut table = root;
        for (i, (key, key_pos)) in keys.iter().enumerate() {
            let last = i + 1 == keys.len();
            let idx = match table.find(key) {
                Some(idx) => idx,
                None => {
                    // A new table starts implicit; below, the last part becomes defined.
                    let node = if last && array {
                        Node::Tables(Vec::new())
                    } else {
                        Node::Table(Table::new(Kind::Implicit))
                    };
                    table.items.push(Item {
                        key: key.clone(),
                        key_pos: *key_pos,
                        value_pos: at,
                        node,
                    });
                    table.items.len() - 1
                }
            };
            path.push(idx);
            let item = &mut table.items[idx];
            let name = quoted(&keys[..=i]);
            let problem = match &item.node {
                Node::Table(t) if t.kind == Kind::Inline => {
                    Some("is an inline table and cannot be extended")
                }
                Node::Table(_) if last && array => {
                    Some("is already a table, not an array of tables")
                }
                Node::Table(t) if last && t.kind != Kind::Implicit => {
                    Some("is defined more than once")
                }
                Node::Tables(_) if last && !array => Some("is already an array of tables"),
                Node::Tables(ts) if ts.is_empty() && !last => Some("is an empty array of tables"),
                Node::Value(_) | Node::Array(_) => Some("already holds a value, not a table"),
                _ => None,
            };
            if let Some(p) = problem {
                return Err(self.fail_at(at, &format!("table {name} {p}")));
            }
            if last && !array {
                // Defined here: point at this header rather than where it was implied.
                item.key_pos = *key_pos;
                item.value_pos = at;
            }
            table = match &mut item.node {
                Node::Table(t) => {
                    if last {
                        t.kind = Kind::Header;
                    }
                    t
                }
                Node::Tables(ts) => {
                    if last {
                        ts.push((Table::new(Kind::Header), at));
                    }
                    match ts.last_mut() {
                        Some((t, _)) => t,
                        None => {
                            return Err(self
                                .fail_at(at, &format!("table {name} is an empty array of tables")))
                        }
                    }
                }
                Node::Value(_) | Node::Array(_) => {
                    return Err(self.fail_at(at, &format!("table {name} already holds a value")))
                }
            };
        }
        Ok(path)
    }

    /// A possibly dotted key: bare or quoted parts separated by dots.
    fn key(&mut self) -> Result<Vec<Key>, Fail> {
        let mut keys = Vec::new();
        loop {
            let at = self.pos;
            let part = match self.peek() {
                Some(b'"' | b'\'') => {
                    if self.b[at..].starts_with(b"\"\"\"") || self.b[at..].starts_with(b"'''") {
                        return Err(self.fail_at(at, "a key cannot be a multi-line string"));
                    }
                    self.string()?
                }
                _ => {
                    while self
                        .peek()
                        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    {
                        self.pos += 1;
                    }
                    if self.pos == at {
                        return Err(self.fail_at(
                            at,
                            "expected a key (letters, digits, '_', '-', or a quoted key)",
                        ));
                    }
                    piece(self.s, at..self.pos).to_string()
                }
            };
            keys.push((part, at));
            if self.depth + keys.len() > MAX_DEPTH {
                return Err(self.fail_at(
                    at,
                    &format!("{TOO_DEEP}: more than {MAX_DEPTH} levels of tables and arrays"),
                ));
            }
            self.skip_ws();
            if self.peek() != Some(b'.') {
                return Ok(keys);
            }
            self.pos += 1;
            self.skip_ws();
        }
    }

    /// `key = value` into `table`, creating the tables of a dotted key.
    fn key_value(&mut self, table: &mut Table) -> Result<(), Fail> {
        let keys = self.key()?;
        if self.peek() != Some(b'=') {
            return Err(self.fail_at(
                self.pos,
                &format!("expected '=' after the key {}", quoted(&keys)),
            ));
        }
        self.pos += 1;
        self.skip_ws();
        let value_pos = self.pos;
        self.depth += keys.len();
        let outer_secret = self.secret_value;
        // Tracked always: an error inside a credential's value must not quote it.
        let secret =
            outer_secret || self.secret_header || keys.iter().any(|(k, _)| is_credential_key(k));
        self.secret_value = secret;
        let node = self.value()?;
        self.secret_value = outer_secret;
        if secret {
            if let Some(spans) = &mut self.spans {
                spans.push((value_pos, self.pos));
                if let Node::Value(CValue::Str(v)) = &node {
                    self.secret_strings.push(v.clone());
                }
            }
        }
        self.depth -= keys.len();
        let mut table = table;
        let (last, parents) = keys.split_last().expect("a key has at least one part");
        for (i, (key, key_pos)) in parents.iter().enumerate() {
            let idx = match table.find(key) {
                Some(idx) => idx,
                None => {
                    table.items.push(Item {
                        key: key.clone(),
                        key_pos: *key_pos,
                        value_pos: *key_pos,
                        node: Node::Table(Table::new(Kind::Dotted)),
                    });
                    table.items.len() - 1
                }
            };
            table = match &mut table.items[idx].node {
                Node::Table(t) if t.kind == Kind::Dotted => t,
                _ => {
                    let name = quoted(&keys[..=i]);
                    return Err(self.fail_at(
                        *key_pos,
                        &format!(
                            "{name} is already defined and cannot be extended with a dotted key"
                        ),
                    ));
                }
            };
        }
        if table.find(&last.0).is_some() {
            return Err(self.fail_at(last.1, &format!("duplicate key {}", quoted(&keys))));
        }
        table.items.push(Item {
            key: last.0.clone(),
            key_pos: last.1,
            value_pos,
            node,
        });
        Ok(())
    }

    fn value(&mut self) -> Result<Node, Fail> {
        let nested = match self.peek() {
            Some(b'"' | b'\'') => return Ok(Node::Value(CValue::Str(self.string()?))),
            Some(b'[') | Some(b'{') => self.peek(),
            _ => return Ok(Node::Value(self.bare_value()?)),
        };
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail_at(
                self.pos,
                &format!("{TOO_DEEP}: more than {MAX_DEPTH} levels of tables and arrays"),
            ));
        }
        let node = if nested == Some(b'[') {
            self.array()
        } else {
            self.inline_table()
        };
        self.depth -= 1;
        node
    }

    fn array(&mut self) -> Result<Node, Fail> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::Array(items));
                }
                None => return Err(self.fail_at(start, "unterminated array: missing ']'")),
                _ => {}
            }
            let at = self.pos;
            items.push((self.value()?, at));
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => return Err(self.fail_at(self.pos, "expected ',' or ']' in the array")),
            }
        }
    }

    /// `{ k = v, ... }`; TOML 1.1 also allows line breaks, comments and a trailing comma.
    fn inline_table(&mut self) -> Result<Node, Fail> {
        let start = self.pos;
        self.pos += 1;
        let mut table = Table::new(Kind::Inline);
        loop {
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    freeze(&mut table);
                    return Ok(Node::Table(table));
                }
                None => return Err(self.fail_at(start, "unterminated inline table: missing '}'")),
                _ => {}
            }
            self.key_value(&mut table)?;
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.fail_at(self.pos, "expected ',' or '}' in the inline table")),
            }
        }
    }
}

/// Marks an inline table and the tables its dotted keys made as complete.
fn freeze(t: &mut Table) {
    t.kind = Kind::Inline;
    for item in &mut t.items {
        if let Node::Table(sub) = &mut item.node {
            freeze(sub);
        }
    }
}

/// The table at `path` (item indices; an array of tables means its last table).
fn table_at<'t>(root: &'t mut Table, path: &[usize]) -> &'t mut Table {
    let mut t = root;
    for &i in path {
        t = match &mut t.items[i].node {
            Node::Table(sub) => sub,
            Node::Tables(ts) => &mut ts.last_mut().expect("a [[header]] adds a table").0,
            // Paths come from `header`, which only walks through tables.
            Node::Value(_) | Node::Array(_) => unreachable!("header paths go through tables"),
        };
    }
    t
}
