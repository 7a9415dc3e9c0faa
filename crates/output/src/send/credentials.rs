//! Credentials resolved for one write, and the redaction of every text that leaves the
//! library (logs, failure messages): a credential never appears in either.

use crate::config::StrMap;

use librato_core::find;
use librato_core::librato::Api;

use super::{basic_auth, SendError};
use crate::config::{resolve_secrets, LibratoConfig};

/// The `Authorization` header and the texts that must never be shown.
#[derive(Clone)]
pub struct Credentials {
    authorization: String,
    redact: Vec<String>,
}

impl Credentials {
    /// Resolves `api_user`/`api_token` (with their `@{store:key}` references) from `secrets`.
    ///
    /// ```
    /// use librato_output::config::StrMap;
    /// use librato_output::config::LibratoConfig;
    /// use librato_output::send::Credentials;
    ///
    /// let config = LibratoConfig {
    ///     api_user: "me@example.com".into(),
    ///     api_token: "@{vault:token}".into(),
    ///     ..LibratoConfig::default()
    /// };
    /// let secrets = StrMap::from_iter([("vault:token".to_string(), "s3cret-token".to_string())]);
    /// let creds = Credentials::resolve(&config, &secrets).unwrap();
    /// assert!(creds.authorization().starts_with("Basic "));
    /// assert_eq!(creds.redact("token s3cret-token refused"), "token [redacted] refused");
    /// ```
    pub fn resolve(config: &LibratoConfig, secrets: &StrMap) -> Result<Credentials, SendError> {
        let resolve = |v: &str| resolve_secrets(v, secrets).map_err(SendError::UnresolvedSecret);
        let user = resolve(&config.api_user)?;
        let token = resolve(&config.api_token)?;
        // The tagged API (AppOptics' clients) also takes the token alone, as the Basic user
        // with an empty password; the legacy API always wants the account's email.
        let token_alone = config.api == Api::Measurements && user.is_empty();
        if token.is_empty() || (user.is_empty() && !token_alone) {
            return Err(SendError::MissingCredentials);
        }
        let authorization = if token_alone {
            basic_auth::header(&token, "")
        } else {
            basic_auth::header(&user, &token)
        };
        let secret_part = authorization
            .strip_prefix("Basic ")
            .unwrap_or(&authorization)
            .to_string();
        // Very short values would blank out ordinary words in messages; they are still never
        // logged on their own, only the header they are part of.
        let redact = [user, token, secret_part]
            .into_iter()
            .filter(|s| s.len() >= 4)
            .collect();
        Ok(Credentials {
            authorization,
            redact,
        })
    }

    /// The `Authorization` header value (`Basic ...`).
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// `text` with every credential replaced by `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.redact {
            if find::contains(&out, secret) {
                out = find::replace_all(&out, secret, "[redacted]");
            }
        }
        out
    }
}
