//! Glob patterns as Telegraf compiles them (`filter.Compile`, on top of gobwas/glob):
//! `*` any run of characters that are not separators, `**` any run at all, `?` one
//! non-separator character, `[abc]` `[a-z]` `[!a-z]` classes, `{a,b}` alternatives, `\` escapes
//! the next character. The whole string must match.

/// One compiled element.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Char(char),
    /// `*`: any run without separators.
    Any,
    /// `**`: any run, separators included.
    Super,
    /// `?`: one non-separator character.
    Single,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alt(Vec<Vec<Node>>),
}

/// A compiled glob.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    nodes: Vec<Node>,
    separators: Vec<char>,
}

/// A syntax error: what, and the character offset in the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    pub message: String,
    pub offset: usize,
}

impl Glob {
    pub fn compile(pattern: &str, separators: &[char]) -> Result<Glob, GlobError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let nodes = parse_seq(&chars, &mut pos, 0)?;
        if pos < chars.len() {
            return Err(GlobError {
                message: format!("unexpected '{}'", chars[pos]),
                offset: pos,
            });
        }
        Ok(Glob {
            nodes,
            separators: separators.to_vec(),
        })
    }

    pub fn is_match(&self, s: &str) -> bool {
        let input: Vec<char> = s.chars().collect();
        self.match_at(&self.nodes, &input, 0, &[])
    }

    /// Matches `nodes` then the continuation `rest` (a stack of sequences still to match).
    fn match_at(&self, nodes: &[Node], input: &[char], i: usize, rest: &[&[Node]]) -> bool {
        let Some((first, tail)) = nodes.split_first() else {
            return match rest.split_last() {
                Some((next, others)) => self.match_at(next, input, i, others),
                None => i == input.len(),
            };
        };
        let is_sep = |c: char| self.separators.contains(&c);
        match first {
            Node::Char(c) => input.get(i) == Some(c) && self.match_at(tail, input, i + 1, rest),
            Node::Single => {
                input.get(i).is_some_and(|&c| !is_sep(c)) && self.match_at(tail, input, i + 1, rest)
            }
            Node::Class { negated, ranges } => {
                input
                    .get(i)
                    .is_some_and(|&c| ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated)
                    && self.match_at(tail, input, i + 1, rest)
            }
            Node::Any | Node::Super => {
                let mut j = i;
                loop {
                    if self.match_at(tail, input, j, rest) {
                        return true;
                    }
                    match input.get(j) {
                        Some(&c) if matches!(first, Node::Super) || !is_sep(c) => j += 1,
                        _ => return false,
                    }
                }
            }
            Node::Alt(options) => options.iter().any(|opt| {
                let mut stack: Vec<&[Node]> = rest.to_vec();
                stack.push(tail);
                self.match_at(opt, input, i, &stack)
            }),
        }
    }
}

/// Parses a sequence until the end, or (inside `{}`, depth > 0) a `,` or `}`.
fn parse_seq(chars: &[char], pos: &mut usize, depth: usize) -> Result<Vec<Node>, GlobError> {
    let mut nodes = Vec::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            ',' | '}' if depth > 0 => break,
            '\\' => {
                *pos += 1;
                match chars.get(*pos) {
                    Some(&e) => nodes.push(Node::Char(e)),
                    None => {
                        return Err(GlobError {
                            message: "a '\\' at the end escapes nothing".into(),
                            offset: *pos - 1,
                        })
                    }
                }
                *pos += 1;
            }
            '*' => {
                if chars.get(*pos + 1) == Some(&'*') {
                    // Runs of stars collapse: ** (or more) crosses separators.
                    while chars.get(*pos) == Some(&'*') {
                        *pos += 1;
                    }
                    nodes.push(Node::Super);
                } else {
                    *pos += 1;
                    nodes.push(Node::Any);
                }
            }
            '?' => {
                *pos += 1;
                nodes.push(Node::Single);
            }
            '[' => nodes.push(parse_class(chars, pos)?),
            '{' => {
                let open = *pos;
                *pos += 1;
                let mut options = Vec::new();
                loop {
                    options.push(parse_seq(chars, pos, depth + 1)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => {
                            return Err(GlobError {
                                message: "unclosed '{': missing '}'".into(),
                                offset: open,
                            })
                        }
                    }
                }
                nodes.push(Node::Alt(options));
            }
            _ => {
                *pos += 1;
                nodes.push(Node::Char(c));
            }
        }
    }
    Ok(nodes)
}

fn parse_class(chars: &[char], pos: &mut usize) -> Result<Node, GlobError> {
    let open = *pos;
    *pos += 1;
    let negated = chars.get(*pos) == Some(&'!');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    loop {
        let Some(&c) = chars.get(*pos) else {
            return Err(GlobError {
                message: "unclosed '[': missing ']'".into(),
                offset: open,
            });
        };
        if c == ']' {
            *pos += 1;
            break;
        }
        let lo = if c == '\\' {
            *pos += 1;
            *chars.get(*pos).ok_or(GlobError {
                message: "unclosed '[': missing ']'".into(),
                offset: open,
            })?
        } else {
            c
        };
        *pos += 1;
        if chars.get(*pos) == Some(&'-') && chars.get(*pos + 1).is_some_and(|&n| n != ']') {
            let hi = chars[*pos + 1];
            if hi < lo {
                return Err(GlobError {
                    message: format!("invalid range '{lo}-{hi}' in a class"),
                    offset: *pos - 1,
                });
            }
            ranges.push((lo, hi));
            *pos += 2;
        } else {
            ranges.push((lo, lo));
        }
    }
    if ranges.is_empty() {
        return Err(GlobError {
            message: "empty class '[]'".into(),
            offset: open,
        });
    }
    Ok(Node::Class { negated, ranges })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Glob::compile(p, &[]).unwrap().is_match(s)
    }

    fn ms(p: &str, s: &str) -> bool {
        Glob::compile(p, &['.']).unwrap().is_match(s)
    }

    #[test]
    fn glob_features() {
        assert!(m("cpu", "cpu") && !m("cpu", "cpu0") && !m("cpu", "cp"));
        assert!(m("cpu*", "cpu") && m("cpu*", "cpu_total") && !m("cpu*", "mem"));
        assert!(m("*", "") && m("*", "anything.at.all"));
        assert!(m("c?u", "cpu") && !m("c?u", "cu") && !m("c?u", "cpuu"));
        assert!(m("[abc]pu", "cpu") && !m("[abc]pu", "dpu"));
        assert!(m("disk[0-9]", "disk7") && !m("disk[0-9]", "diskx"));
        assert!(m("disk[!0-9]", "diskx") && !m("disk[!0-9]", "disk7"));
        assert!(m("{cpu,mem}", "mem") && !m("{cpu,mem}", "disk"));
        assert!(
            m("{cpu*,mem}_x", "cpu0_x") && m("{cpu*,mem}_x", "mem_x") && !m("{cpu*,mem}_x", "mem")
        );
        assert!(m("a\\*b", "a*b") && !m("a\\*b", "axb"));
        assert!(m("é*😀", "éx😀"));
        assert!(m("a{b,{c,d}}e", "ade"));
        assert!(m("a}", "a}") && m("a]", "a]"), "unmatched closers are text");
    }

    #[test]
    fn glob_separators() {
        assert!(ms("cpu.*.count", "cpu.measurement.count"));
        assert!(!ms("cpu.*.count", "cpu.count"));
        assert!(!ms("cpu.*.count", "cpu.field.measurement.count"));
        assert!(ms("cpu.**.count", "cpu.field.measurement.count"));
        assert!(!ms("cpu?x", "cpu.x") && m("cpu?x", "cpu.x"));
        assert!(ms("cpu[.]x", "cpu.x"), "classes may match separators");
        assert!(!ms("*", "a.b") && ms("**", "a.b"));
    }

    #[test]
    fn glob_errors() {
        for (p, msg, at) in [
            ("cpu[", "unclosed '['", 3),
            ("{a,b", "unclosed '{'", 0),
            ("a\\", "escapes nothing", 1),
            ("[z-a]", "invalid range", 1),
        ] {
            let e = Glob::compile(p, &[]).unwrap_err();
            assert!(e.message.contains(msg), "{p}: {}", e.message);
            assert_eq!(e.offset, at, "{p}");
        }
    }
}
