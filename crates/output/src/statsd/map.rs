//! From a statsd key to the series statsd-librato-backend 2.0.16 posts (`addMeasure`,
//! `parseAndSetTags`, `sanitizeName` and `timerGaugePct` in its `lib/librato.js`):
//!
//! - `name#k=v,k2=v2`: the part before the first `#` is the name; the part after the **last**
//!   `#` is split at `,` into tags, each split at `=` (its first and last parts), kept when
//!   both are non-empty;
//! - the name gets `globalPrefix.` in front, then every run of characters outside
//!   `A-Za-z0-9_-.:` becomes one `_`, and it is cut to 255 characters;
//! - the config's `source` becomes a `source` tag (tagged API) or the gauge's source (legacy);
//! - a percentile's series is the timer's key with `.p` put before its `#` (the backend's
//!   string surgery, quirks kept: `a#x=1#y=2` has tag `y` on its timer but `x` and `y` on its
//!   percentiles).

/// The backend's `sanitizeName`: runs outside `[-.:_A-Za-z0-9]` become `_`, then 255 characters.
pub fn sanitize_name(name: &str) -> String {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_');
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if ok(c) {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    // ASCII only now: 255 characters are 255 bytes (JS cuts UTF-16 units: the same here).
    out.truncate(255);
    out
}

/// The name (prefixed and sanitised) and the tags in a statsd key.
pub fn series_of(key: &str, global_prefix: &str) -> (String, Vec<(String, String)>) {
    let mut tags = Vec::new();
    let mut parts = key.split('#');
    let name = parts.next().unwrap_or_default();
    if let Some(last) = key.rsplit('#').next().filter(|_| key.contains('#')) {
        for raw in last.split(',') {
            let k = raw.split('=').next().unwrap_or_default();
            let v = raw.rsplit('=').next().unwrap_or_default();
            if !k.is_empty() && !v.is_empty() {
                match tags
                    .iter_mut()
                    .find(|(t, _): &&mut (String, String)| t == k)
                {
                    Some(t) => t.1 = v.to_string(),
                    None => tags.push((k.to_string(), v.to_string())),
                }
            }
        }
    }
    (sanitize_name(&format!("{global_prefix}{name}")), tags)
}

/// The key of a timer's percentile series, as `timerGaugePct` builds it: the suffix goes
/// after the part before the first `#`, and the parts are joined again with `,` (JS
/// `Array.join`'s default), so `a#x=1` becomes `a.90#,x=1`.
pub fn percentile_key(key: &str, suffix: &str) -> String {
    let parts: Vec<&str> = key.split('#').collect();
    if parts.len() == 1 {
        return format!("{key}{suffix}");
    }
    let mut out = format!("{}{suffix}#", parts[0]);
    for p in &parts[1..] {
        out.push(',');
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tags_as_the_backend_makes_them() {
        assert_eq!(sanitize_name("a b//c"), "a_b_c");
        assert_eq!(sanitize_name("api.latency:p"), "api.latency:p");
        assert_eq!(sanitize_name("é"), "_");
        assert_eq!(sanitize_name(&"x".repeat(300)).len(), 255);
        let (name, tags) = series_of("api.latency#route=users,code=200", "");
        assert_eq!(name, "api.latency");
        assert_eq!(
            tags,
            [
                ("route".into(), "users".into()),
                ("code".into(), "200".into())
            ]
        );
        // The last '#' part holds the tags; empty names or values are left out; a=b=c is a=c.
        let (name, tags) = series_of("n#x=1#y=2,=z,w=,a=b=c", "app.");
        assert_eq!(name, "app.n");
        assert_eq!(tags, [("y".into(), "2".into()), ("a".into(), "c".into())]);
        assert_eq!(series_of("plain", "").1, []);
        assert_eq!(percentile_key("t", ".90"), "t.90");
        assert_eq!(percentile_key("t#a=1", ".90"), "t.90#,a=1");
        assert_eq!(percentile_key("t#a=1#b=2", ".99.9"), "t.99.9#,a=1,b=2");
        let (name, tags) = series_of(&percentile_key("t#a=1#b=2", ".90"), "");
        assert_eq!(name, "t.90");
        assert_eq!(tags, [("a".into(), "1".into()), ("b".into(), "2".into())]);
    }
}
