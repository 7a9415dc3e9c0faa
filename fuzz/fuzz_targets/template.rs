//! Source templates: any template against any tags never panics, and an empty result is
//! reported as such (never an empty source).
#![no_main]
use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use librato_core::template::Template;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\n');
    let template = Template::new(parts.next().unwrap_or(""));
    let tags: Vec<(Cow<str>, Cow<str>)> = parts
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
        .collect();
    let mut out = String::new();
    let ok = template.render(&tags, &mut out);
    assert_eq!(ok, !out.is_empty());
});
