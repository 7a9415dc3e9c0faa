//! How the template built one metric's source, step by step, from the same walk the
//! renderer takes (the playground shows these; nothing in JS re-derives the rules).

use std::borrow::Cow;

use super::{Part, Template, FIELDNAME, TAGS};
use crate::find::contains;
use crate::librato::sanitize::push_sanitized;

/// One step: a template part (or a final pass) and what it contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The template part (`host`, `tags`, `field`...), or the pass (`join`, `FIELDNAME`,
    /// `characters`, `source`).
    pub part: String,
    /// What it contributed, in words.
    pub what: String,
}

/// Every step, and the source as sent (`None` when the metric is skipped for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Each part of the template, then the passes over the joined text.
    pub steps: Vec<Step>,
    /// The source as sent; `None` when the metric is skipped for having none.
    pub source: Option<String>,
}

fn dots(v: &str) -> String {
    v.replace('.', "_")
}

/// One part of the walk: its name, the element it adds (if any), and what it means.
struct Walked {
    part: String,
    elem: Option<String>,
    what: String,
}

impl Template {
    /// Explains how [`Template::render`] builds the source for `tags`, then how Librato's
    /// character rule changes it.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use librato_core::template::Template;
    ///
    /// let tags = [(Cow::from("host"), Cow::from("web.1"))];
    /// let e = Template::new("field").explain(&tags);
    /// // A lone `field` part: the placeholder stays, as Telegraf sends it.
    /// assert_eq!(e.source.as_deref(), Some("FIELDNAME"));
    /// let e = Template::new("host.field").explain(&tags);
    /// assert_eq!(e.source.as_deref(), Some("web_1"));
    /// assert_eq!(e.steps[0].what, r#"tag host = "web.1" → web_1"#);
    /// ```
    pub fn explain(&self, tags: &[(Cow<'_, str>, Cow<'_, str>)]) -> Explanation {
        let mut used = vec![false; tags.len()];
        let mut walked: Vec<Walked> = Vec::new();
        for part in &self.parts {
            let w = match part {
                Part::Measurement => Walked {
                    part: "measurement".into(),
                    elem: Some(String::new()),
                    what:
                        "the measurement name, always empty in a Librato source (an empty element)"
                            .into(),
                },
                Part::Tags => Walked {
                    part: "tags".into(),
                    elem: Some(TAGS.into()),
                    what: String::new(),
                },
                Part::Field => Walked {
                    part: "field".into(),
                    elem: Some(FIELDNAME.into()),
                    what: "the field placeholder FIELDNAME".into(),
                },
                Part::Tag(key) => {
                    let shown = if key.is_empty() {
                        "(empty)"
                    } else {
                        key.as_str()
                    };
                    match tags.iter().position(|(k, _)| k == key) {
                        Some(i) if !used[i] => {
                            used[i] = true;
                            let v = &tags[i].1;
                            Walked {
                                part: key.clone(),
                                elem: Some(v.to_string()),
                                what: format!("tag {key} = \"{v}\" → {}", dots(v)),
                            }
                        }
                        Some(_) => Walked {
                            part: shown.into(),
                            elem: None,
                            what: format!("tag {key} was already used: adds nothing"),
                        },
                        None => Walked {
                            part: shown.into(),
                            elem: None,
                            what: format!("no tag \"{key}\" on this metric: adds nothing"),
                        },
                    }
                }
            };
            walked.push(w);
        }
        // Telegraf expands the first element that reads "TAGS" (placeholder or tag value).
        let expand_at = walked.iter().position(|w| w.elem.as_deref() == Some(TAGS));
        let mut remaining: Vec<usize> = (0..tags.len()).filter(|&i| !used[i]).collect();
        // The crate's own small sort (the library's would add kilobytes to the wasm).
        crate::sort::sort_indices(&mut remaining, &|a, b| {
            tags[a].0.as_bytes() < tags[b].0.as_bytes()
        });
        let listed: Vec<String> = remaining
            .iter()
            .map(|&i| format!("{}={}", tags[i].0, dots(&tags[i].1)))
            .collect();
        let expanded: Vec<String> = remaining.iter().map(|&i| dots(&tags[i].1)).collect();
        let mut elements = Vec::new();
        let mut steps = Vec::new();
        for (k, w) in walked.into_iter().enumerate() {
            let placeholder = matches!(w.part.as_str(), "tags" | "field" | "measurement");
            let what = match (&w.elem, Some(k) == expand_at) {
                (Some(_), true) => {
                    let lead = if w.part == "tags" {
                        "every tag not named elsewhere in the template, sorted by key".to_string()
                    } else {
                        format!(
                            "{}; the value reads TAGS, so it is expanded like a tags part: every unused tag, sorted by key",
                            w.what
                        )
                    };
                    if listed.is_empty() {
                        format!("{lead}: none left (empty)")
                    } else {
                        format!("{lead}: {}", listed.join(", "))
                    }
                }
                (Some(_), false) if w.part == "tags" => {
                    "a second tags part stays as the literal text TAGS (as in Telegraf)".into()
                }
                _ => w.what,
            };
            if let Some(e) = w.elem {
                elements.push(if Some(k) == expand_at {
                    expanded.join(".")
                } else if placeholder {
                    e
                } else {
                    dots(&e)
                });
            }
            steps.push(Step { part: w.part, what });
        }
        let mut source = elements.join(".");
        if elements.len() > 1 {
            steps.push(Step {
                part: "join".into(),
                what: format!("the elements joined with '.': \"{source}\""),
            });
        }
        if contains(&source, FIELDNAME) {
            source = super::delete_field_placeholder(&source);
            let kept = if contains(&source, FIELDNAME) {
                " (a FIELDNAME with no dot next to it stays, as Telegraf sends it)"
            } else {
                ""
            };
            steps.push(Step {
                part: "FIELDNAME".into(),
                what: format!("\".FIELDNAME\" and \"FIELDNAME.\" are deleted{kept}: \"{source}\""),
            });
        }
        if source.is_empty() {
            steps.push(Step {
                part: "source".into(),
                what: "empty: the metric is skipped (no_source)".into(),
            });
            return Explanation {
                steps,
                source: None,
            };
        }
        let mut clean = Vec::new();
        push_sanitized(&mut clean, &source);
        let clean = String::from_utf8(clean).unwrap_or_default();
        if clean != source {
            steps.push(Step {
                part: "characters".into(),
                what: format!("every character outside .a-zA-Z0-9_- becomes '-': \"{clean}\""),
            });
        }
        Explanation {
            steps,
            source: Some(clean),
        }
    }
}
