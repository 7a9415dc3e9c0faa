//! Where the credentials are in a TOML text: what `redactConfig` replaces, and what an error
//! must never quote.

use super::{Cursor, Fail};

/// Where credentials are in a text (byte spans), and their string values as read.
pub type Credentials = (Vec<(usize, usize)>, Vec<String>);

/// Whether a key part names a credential (`api_user`, `api_token`, in any case).
pub fn is_credential_key(key: &str) -> bool {
    key.trim().eq_ignore_ascii_case("api_user") || key.trim().eq_ignore_ascii_case("api_token")
}

/// The byte spans of everything in `text` that may hold a credential: the value of every key
/// whose path has a credential part (any quoting, dotted keys, table headers, inline tables,
/// every string form), and every comment that mentions one. Outermost spans only, in order;
/// and the credentials' string values as read (escapes decoded).
pub fn credential_spans(text: &str) -> Result<Credentials, Fail> {
    let mut cur = Cursor::new(text);
    cur.spans = Some(Vec::new());
    cur.document()?;
    let values = std::mem::take(&mut cur.secret_strings);
    let mut spans = cur.spans.take().unwrap_or_default();
    // Nearly in order already (an outer value's span comes after its inner ones).
    librato_core::sort::insertion_sort_by_key(&mut spans, |s| *s);
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a < last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    Ok((out, values))
}
