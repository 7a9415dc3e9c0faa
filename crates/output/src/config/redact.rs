//! Credentials out of a config text, for share links: found by the TOML reader itself, so
//! every spelling TOML allows is covered, and everything else is kept byte for byte.

use librato_core::find;
use librato_core::find::piece;

use super::toml_reader;
use super::value::Lines;
use super::{ConfigError, ConfigErrorKind};

/// What a credential's value becomes (a TOML string, so the text still parses).
pub const PLACEHOLDER: &str = "\"[redacted]\"";

/// `text` with the value of every key that resolves to `api_user` or `api_token` replaced by
/// [`PLACEHOLDER`], the text of any comment that mentions one replaced too, and any other
/// occurrence of a credential's value (of 4 characters or more) replaced by `[redacted]`; the
/// rest is kept byte for byte. Text that is not TOML is an error: no guess is made about it.
///
/// ```
/// use librato_output::config::redact_config;
///
/// let text = "[[outputs.librato]]\n  'api_token' = \"\"\"\nsecret\"\"\"\n  template = \"host\"\n";
/// assert_eq!(
///     redact_config(text).unwrap(),
///     "[[outputs.librato]]\n  'api_token' = \"[redacted]\"\n  template = \"host\"\n"
/// );
/// assert!(redact_config("api_token = \"unterminated").is_err());
/// ```
pub fn redact_config(text: &str) -> Result<String, ConfigError> {
    let (spans, values) = toml_reader::credential_spans(text).map_err(|e| {
        let lines = Lines::new(text);
        ConfigError::new(
            ConfigErrorKind::InvalidToml,
            format!("invalid TOML: {}", e.message),
            Some(lines.pos(e.offset)),
            None,
        )
    })?;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        out.push_str(piece(text, at..start));
        // A comment keeps its '#' and says why its text is gone.
        if piece(text, ..start).ends_with('#') {
            out.push_str(" [redacted: it mentions a credential]");
        } else {
            out.push_str(PLACEHOLDER);
        }
        at = end;
    }
    out.push_str(piece(text, at..));
    // The same secret written again elsewhere (a comment, another key) goes too.
    for v in values.iter().filter(|v| v.chars().count() >= 4) {
        if v.as_str() != "[redacted]" && find::contains(&out, v) {
            out = find::replace_all(&out, v, "[redacted]");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_config, LoadOptions};

    const USER: &str = "telegraf-user@example.com";
    const TOKEN: &str = "tok-0123456789abcdef";

    /// Every spelling: the secrets are gone, the text still loads, and each credential
    /// key that was set reads as the placeholder.
    #[test]
    fn redacts_every_spelling_of_the_credentials() {
        let cases = [
            format!("api_user = \"{USER}\"\napi_token = \"{TOKEN}\""),
            format!("\"api_user\" = \"{USER}\"\n\"api_token\" = \"{TOKEN}\""),
            format!("'api_user' = '{USER}'\n'api_token' = '{TOKEN}'"),
            format!("api_token = \"\"\"\n{TOKEN}\"\"\"\napi_user = '''{USER}'''"),
            format!("api_token = '''\n{TOKEN}\n'''\n"),
            format!("[[outputs.librato]]\n  api_user = \"{USER}\" # the account\n  api_token = \"{TOKEN}\"\n  template = \"host\"\n"),
            format!("[[outputs.librato]]\n  template = \"host\"\n[[outputs.librato]]\n  api_token=\"{TOKEN}\"\n"),
            format!("[outputs]\nlibrato = [{{ api_user = \"{USER}\", api_token = \"{TOKEN}\" }}]"),
            format!("outputs.librato.api_token = \"{TOKEN}\""),
            format!("[outputs]\nlibrato.'api_token' = \"{TOKEN}\""),
            format!("api_token = \"\\u0074ok-0123456789abcdef\"\napi_user = \"{USER}\"\n# {TOKEN}"),
            format!("api_token = \"${{LIBRATO_TOKEN}}\"\napi_user = \"${{U:-{USER}}}\""),
            "api_token = \"\"\"tok-\\\n  0123456789abcdef\"\"\"".to_string(),
            format!("API_TOKEN = \"{TOKEN}\""),
            format!("[agent]\n  interval = \"10s\"\n[[outputs.librato]]\n  api_token = \"@{{vault:t}}\"\n  # old: api_token = \"{TOKEN}\"\n"),
            format!("[outputs.librato.api_token]\n  value = \"{TOKEN}\""),
            format!("[[outputs.librato]]\n  api_user = \"{USER}\"\n\n  [outputs.librato.tagpass]\n    host = [\"a\"]\n  api_token = \"{TOKEN}\""),
        ];
        assert!(cases.len() >= 15);
        for text in &cases {
            let out = redact_config(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert!(
                !out.contains(TOKEN) && !out.contains(USER),
                "{text:?} → {out:?}"
            );
            assert!(!out.contains("0123456789abcdef"), "{text:?} → {out:?}");
            assert!(out.contains(PLACEHOLDER), "{out:?}");
        }
    }

    #[test]
    fn keeps_everything_else_byte_for_byte() {
        let text = "# a config\r\n[[outputs.librato]]\r\n  api_user = \"u@example.com\"   # who\r\n  template = \"host.tags\"\r\n  api_token = 'x'\r\n  namepass = [\"cpu\", \"mem\"]\r\n";
        let out = redact_config(text).unwrap();
        assert_eq!(
            out,
            "# a config\r\n[[outputs.librato]]\r\n  api_user = \"[redacted]\"   # who\r\n  template = \"host.tags\"\r\n  api_token = \"[redacted]\"\r\n  namepass = [\"cpu\", \"mem\"]\r\n"
        );
        // And it still loads, with the placeholder as the credentials.
        let c = load_config(&out, &LoadOptions::default()).unwrap();
        assert_eq!(
            (c[0].api_user.as_str(), c[0].api_token.as_str()),
            ("[redacted]", "[redacted]")
        );
        assert_eq!(c[0].template, "host.tags");
        // Nothing to redact: the same text.
        assert_eq!(
            redact_config("template = \"host\"\n").unwrap(),
            "template = \"host\"\n"
        );
    }

    #[test]
    fn text_that_is_not_toml_is_refused() {
        for text in [
            "api_token = \"secret",
            "api_token = ${TOKEN}",
            "api_token = \"\"\"secret",
            "[outputs.librato\napi_token = \"secret\"",
        ] {
            let e = redact_config(text).unwrap_err();
            assert_eq!(e.kind, ConfigErrorKind::InvalidToml, "{text:?}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }
}
