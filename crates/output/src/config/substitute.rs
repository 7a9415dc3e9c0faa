//! Config text substitutions, as Telegraf does them: `${VAR}` forms before TOML parsing, and
//! `@{store:key}` secret references resolved only when the secret is used.

use super::StrMap;

use librato_core::find::{contains, find, piece};

/// An error with the byte offset where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubstError {
    pub offset: usize,
    pub message: String,
}

/// Where substitutions changed the text, so positions in the result can be given in the
/// user's own text: each `(start, end)` in the result and the `(start, end)` it replaced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SubstMap {
    spans: Vec<((usize, usize), (usize, usize))>,
}

impl SubstMap {
    /// The offset in the original text of `offset` in the substituted one: inside a
    /// substituted value, the `${` that produced it.
    pub fn original(&self, offset: usize) -> usize {
        let i = self.spans.partition_point(|(out, _)| out.0 <= offset);
        match i.checked_sub(1).map(|k| self.spans[k]) {
            None => offset,
            Some(((_, out_end), (in_start, _))) if offset < out_end => in_start,
            Some(((_, out_end), (_, in_end))) => in_end + (offset - out_end),
        }
    }
}

/// Replaces `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`.
/// An unset `${VAR}` becomes empty, as in Telegraf. Comment lines are left alone so a
/// commented-out reference never fails the config.
pub fn substitute_env(text: &str, env: &StrMap) -> Result<String, SubstError> {
    substitute_env_mapped(text, env).map(|(out, _)| out)
}

/// [`substitute_env`], with the map from the result's positions back to `text`'s.
///
/// ```
/// use librato_output::config::StrMap;
/// use librato_output::config::substitute_env_mapped;
///
/// let env = StrMap::from_iter([("T".to_string(), "a-much-longer-value".to_string())]);
/// let (out, map) = substitute_env_mapped("x = \"${T}\"\ny = 5", &env).unwrap();
/// assert_eq!(out, "x = \"a-much-longer-value\"\ny = 5");
/// let y = out.find('y').unwrap();
/// assert_eq!(map.original(y), 11);      // "y" in the user's text
/// assert_eq!(map.original(8), 5);       // inside the value: the "${"
/// ```
pub fn substitute_env_mapped(text: &str, env: &StrMap) -> Result<(String, SubstMap), SubstError> {
    let mut map = SubstMap::default();
    if !contains(text, "${") {
        return Ok((text.to_string(), map));
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        let line_offset = line.as_ptr() as usize - text.as_ptr() as usize;
        let mut rest = line;
        while let Some(i) = find(rest, "${") {
            out.push_str(piece(rest, ..i));
            let at = line_offset + (line.len() - rest.len()) + i;
            let body_start = piece(rest, i + 2..);
            let Some(close) = body_start.find('}') else {
                return Err(SubstError {
                    offset: at,
                    message: "unterminated \"${\": missing \"}\"".into(),
                });
            };
            let out_start = out.len();
            out.push_str(&expand(piece(body_start, ..close), env, at)?);
            map.spans
                .push(((out_start, out.len()), (at, at + 2 + close + 1)));
            rest = piece(body_start, close + 1..);
        }
        out.push_str(rest);
    }
    Ok((out, map))
}

fn expand(body: &str, env: &StrMap, at: usize) -> Result<String, SubstError> {
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let (name, op) = (piece(body, ..name_len), piece(body, name_len..));
    if name.is_empty() {
        return Err(SubstError {
            offset: at,
            message: format!("invalid variable reference \"${{{body}}}\": expected a name"),
        });
    }
    let value = env.get(name);
    let set_nonempty = value.is_some_and(|v| !v.is_empty());
    let fail = |msg: &str| {
        let detail = if msg.is_empty() { "is not set" } else { msg };
        Err(SubstError {
            offset: at,
            message: format!("variable {name} {detail}"),
        })
    };
    if let Some(default) = op.strip_prefix(":-") {
        Ok(if set_nonempty {
            value.cloned().unwrap_or_default()
        } else {
            default.to_string()
        })
    } else if let Some(default) = op.strip_prefix('-') {
        Ok(value.cloned().unwrap_or_else(|| default.to_string()))
    } else if let Some(msg) = op.strip_prefix(":?") {
        if set_nonempty {
            Ok(value.cloned().unwrap_or_default())
        } else {
            fail(msg)
        }
    } else if let Some(msg) = op.strip_prefix('?') {
        match value {
            Some(v) => Ok(v.clone()),
            None => fail(msg),
        }
    } else if op.is_empty() {
        Ok(value.cloned().unwrap_or_default())
    } else {
        Err(SubstError {
            offset: at,
            message: format!("invalid variable reference \"${{{body}}}\""),
        })
    }
}

/// Every `@{store:key}` reference in `s`, with its byte range.
pub fn secret_refs(s: &str) -> Vec<(usize, usize)> {
    let mut refs = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(off) = find(piece(s, i..), "@{") {
        let start = i + off;
        let mut j = start + 2;
        let word = |j: &mut usize| {
            let from = *j;
            while *j < b.len() && (b[*j].is_ascii_alphanumeric() || b[*j] == b'_') {
                *j += 1;
            }
            *j > from
        };
        if word(&mut j) && b.get(j) == Some(&b':') {
            j += 1;
            if word(&mut j) && b.get(j) == Some(&b'}') {
                refs.push((start, j + 1));
                i = j + 1;
                continue;
            }
        }
        i = start + 2;
    }
    refs
}

/// Replaces every secret reference in `s` in place. The error names the reference only.
pub fn resolve_secrets(s: &str, secrets: &StrMap) -> Result<String, String> {
    let refs = secret_refs(s);
    if refs.is_empty() {
        return Ok(s.to_string());
    }
    let mut out = String::new();
    let mut last = 0;
    for (start, end) in refs {
        out.push_str(piece(s, last..start));
        let reference = piece(s, start..end);
        let inner = piece(reference, 2..reference.len() - 1);
        // Accept both the full "store:key" and the bare "key" as lookup names.
        let key = find(inner, ":").map_or(inner, |i| piece(inner, i + 1..));
        match secrets.get(inner).or_else(|| secrets.get(key)) {
            Some(v) => out.push_str(v),
            None => return Err(format!("unresolved secret reference {reference}")),
        }
        last = end;
    }
    out.push_str(piece(s, last..));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> StrMap {
        [("USER", "me@example.com"), ("EMPTY", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn env_forms() {
        let e = env();
        let s = |t: &str| substitute_env(t, &e);
        assert_eq!(s("a = \"${USER}\"").unwrap(), "a = \"me@example.com\"");
        assert_eq!(s("${MISSING}").unwrap(), "");
        assert_eq!(s("${MISSING:-d}").unwrap(), "d");
        assert_eq!(s("${EMPTY:-d}").unwrap(), "d");
        assert_eq!(s("${EMPTY-d}").unwrap(), "");
        assert_eq!(s("${MISSING-d}").unwrap(), "d");
        assert_eq!(s("${USER:?need it}").unwrap(), "me@example.com");
        assert_eq!(
            s("x\n  y ${EMPTY:?need it}").unwrap_err(),
            SubstError {
                offset: 6,
                message: "variable EMPTY need it".into()
            }
        );
        assert_eq!(
            s("${MISSING?}").unwrap_err().message,
            "variable MISSING is not set"
        );
        assert_eq!(s("${EMPTY?}").unwrap(), "");
        assert_eq!(s("# ${MISSING:?x}\nb").unwrap(), "# ${MISSING:?x}\nb");
        assert!(s("${USER").unwrap_err().message.contains("unterminated"));
        assert!(s("${}").unwrap_err().message.contains("expected a name"));
    }

    #[test]
    fn secrets_resolve_in_place() {
        let secrets: StrMap = [
            ("vault:token".to_string(), "s3cret".to_string()),
            ("user".to_string(), "u".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            resolve_secrets("Bearer @{vault:token}!", &secrets).unwrap(),
            "Bearer s3cret!"
        );
        assert_eq!(
            resolve_secrets("@{env:user}@{vault:token}", &secrets).unwrap(),
            "us3cret"
        );
        assert_eq!(
            resolve_secrets("plain @{not a ref}", &secrets).unwrap(),
            "plain @{not a ref}"
        );
        let err = resolve_secrets("@{vault:missing}", &secrets).unwrap_err();
        assert_eq!(err, "unresolved secret reference @{vault:missing}");
        assert!(!err.contains("s3cret"));
    }
}
