//! gobwas/glob's compiler (`compiler/compiler.go`, v0.2.3): a tree into matchers, with its
//! heuristics kept as they are, since they decide what matches: alternatives lose their
//! common first and last parts, runs of wildcards are glued into one matcher (with two or
//! more separators, a glued `?*` checks that the separators *as one string* do not occur),
//! fixed-length runs become a `Row`, and a text between wildcards anchors a `BTree`.

use super::matcher::{BTree, Matcher};
use super::parser::Node;

/// Compiles a tree with the separators `sep`.
pub fn compile(tree: &Node, sep: &[char]) -> Matcher {
    let m = match tree {
        Node::AnyOf(children) => {
            if let Some(n) = minimize_any_of(children) {
                return compile(&n, sep);
            }
            Matcher::AnyOf(compile_children(children, sep))
        }
        Node::Pattern(children) => {
            if children.is_empty() {
                return Matcher::Nothing;
            }
            compile_matchers(minimize_matchers(compile_children(children, sep)))
        }
        Node::Any => Matcher::Any(sep.to_vec()),
        Node::Super => Matcher::Super,
        Node::Single => Matcher::Single(sep.to_vec()),
        Node::Nothing => Matcher::Nothing,
        Node::List { chars, not } => Matcher::List {
            list: chars.chars().collect(),
            not: *not,
        },
        Node::Range { lo, hi, not } => Matcher::Range {
            lo: *lo,
            hi: *hi,
            not: *not,
        },
        Node::Text(t) => Matcher::Text(t.clone()),
    };
    optimize(m)
}

fn compile_children(children: &[Node], sep: &[char]) -> Vec<Matcher> {
    children.iter().map(|c| optimize(compile(c, sep))).collect()
}

/// `optimizeMatcher`.
fn optimize(m: Matcher) -> Matcher {
    match m {
        Matcher::Any(seps) if seps.is_empty() => Matcher::Super,
        Matcher::AnyOf(mut ms) if ms.len() == 1 => ms.remove(0),
        Matcher::List { list, not: false } if list.len() == 1 => Matcher::Text(list[0].to_string()),
        Matcher::BTree(mut b) => {
            b.left = b.left.take().map(optimize);
            b.right = b.right.take().map(optimize);
            let Matcher::Text(r) = &b.value else {
                return Matcher::BTree(b);
            };
            let r = r.clone();
            match (&b.left, &b.right) {
                (None, None) => Matcher::Text(r),
                (Some(Matcher::Super), Some(Matcher::Super)) => Matcher::Contains {
                    needle: r,
                    not: false,
                },
                (Some(Matcher::Super), None) => Matcher::Suffix(r),
                (None, Some(Matcher::Super)) => Matcher::Prefix(r),
                (None, Some(Matcher::Suffix(x))) => Matcher::PrefixSuffix(r, x.clone()),
                (Some(Matcher::Prefix(p)), None) => Matcher::PrefixSuffix(p.clone(), r),
                (Some(Matcher::Any(seps)), None) => Matcher::SuffixAny(r, seps.clone()),
                (None, Some(Matcher::Any(seps))) => Matcher::PrefixAny(r, seps.clone()),
                _ => Matcher::BTree(b),
            }
        }
        other => other,
    }
}

/// `compileMatchers`: one matcher for a sequence.
fn compile_matchers(mut ms: Vec<Matcher>) -> Matcher {
    if ms.len() == 1 {
        return ms.remove(0);
    }
    if let Some(m) = glue(&ms) {
        return m;
    }
    // The last of the longest fixed-length matchers anchors the tree.
    let mut idx = None;
    let mut max_len = -1;
    for (i, m) in ms.iter().enumerate() {
        let l = m.len();
        if l != -1 && l >= max_len {
            max_len = l;
            idx = Some(i);
        }
    }
    let Some(idx) = idx else {
        let rest = compile_matchers(ms.split_off(1));
        return Matcher::BTree(Box::new(BTree::new(ms.remove(0), None, Some(rest))));
    };
    let right = ms.split_off(idx + 1);
    let value = ms.remove(idx);
    let left = (!ms.is_empty()).then(|| compile_matchers(ms));
    let right = (!right.is_empty()).then(|| compile_matchers(right));
    Matcher::BTree(Box::new(BTree::new(value, left, right)))
}

/// `glueMatchers`.
fn glue(ms: &[Matcher]) -> Option<Matcher> {
    glue_as_every(ms).or_else(|| glue_as_row(ms))
}

fn glue_as_row(ms: &[Matcher]) -> Option<Matcher> {
    if ms.len() <= 1 {
        return None;
    }
    let mut len = 0;
    for m in ms {
        let l = m.len();
        if l == -1 {
            return None;
        }
        len += l as usize;
    }
    Some(Matcher::Row {
        matchers: ms.to_vec(),
        len,
    })
}

fn glue_as_every(ms: &[Matcher]) -> Option<Matcher> {
    if ms.len() <= 1 {
        return None;
    }
    let (mut has_any, mut has_super, mut has_single) = (false, false, false);
    let mut min = 0;
    let mut separator: Option<&[char]> = None;
    for m in ms {
        let sep: &[char] = match m {
            Matcher::Super => {
                has_super = true;
                &[]
            }
            Matcher::Any(s) => {
                has_any = true;
                s
            }
            Matcher::Single(s) => {
                has_single = true;
                min += 1;
                s
            }
            // A negated class counts as one character that is none of its characters.
            Matcher::List { list, not: true } => {
                has_single = true;
                min += 1;
                list
            }
            _ => return None,
        };
        match separator {
            None => separator = Some(sep),
            Some(s) if s == sep => {}
            Some(_) => return None,
        }
    }
    let separator = separator.unwrap_or(&[]);
    if has_super && !has_any && !has_single {
        return Some(Matcher::Super);
    }
    if has_any && !has_super && !has_single {
        return Some(Matcher::Any(separator.to_vec()));
    }
    if (has_any || has_super) && min > 0 && separator.is_empty() {
        return Some(Matcher::Min(min));
    }
    let mut every = Vec::new();
    if min > 0 {
        every.push(Matcher::Min(min));
        if !has_any && !has_super {
            every.push(Matcher::Max(min));
        }
    }
    if !separator.is_empty() {
        // gobwas checks the separators joined as one string, not each of them.
        every.push(Matcher::Contains {
            needle: separator.iter().collect(),
            not: true,
        });
    }
    Some(Matcher::EveryOf(every))
}

/// `minimizeMatchers`: repeatedly glues the widest run that can be glued.
fn minimize_matchers(ms: Vec<Matcher>) -> Vec<Matcher> {
    let mut done: Option<Matcher> = None;
    let (mut left, mut right, mut count) = (0, 0, 0);
    for l in 0..ms.len() {
        for r in (l + 1..=ms.len()).rev() {
            let Some(glued) = glue(&ms[l..r]) else {
                continue;
            };
            let swap = match &done {
                None => true,
                Some(d) => {
                    let (cl, gl) = (d.len(), glued.len());
                    (cl > -1 && gl > -1 && gl > cl) || count < r - l
                }
            };
            if swap {
                done = Some(glued);
                left = l;
                right = r;
                count = r - l;
            }
        }
    }
    let Some(done) = done else {
        return ms;
    };
    let before = ms.len();
    let mut next: Vec<Matcher> = ms[..left].to_vec();
    next.push(done);
    next.extend_from_slice(&ms[right..]);
    if next.len() == before {
        return next;
    }
    minimize_matchers(next)
}

/// `minimizeTreeAnyOf`: the common first and last parts of every alternative taken out.
fn minimize_any_of(children: &[Node]) -> Option<Node> {
    let mut kids: Vec<&Vec<Node>> = Vec::with_capacity(children.len());
    for c in children {
        match c {
            Node::Pattern(k) => kids.push(k),
            _ => return None,
        }
    }
    let (common_left, common_right) = common_children(&kids);
    if common_left.is_empty() && common_right.is_empty() {
        return None;
    }
    let mut result = Vec::new();
    if !common_left.is_empty() {
        result.push(Node::Pattern(common_left.clone()));
    }
    let mut any_of: Vec<Node> = Vec::new();
    for k in &kids {
        let end = k.len().saturating_sub(common_right.len());
        let reuse = k.get(common_left.len()..end).unwrap_or_default();
        let node = if reuse.is_empty() {
            Node::Nothing
        } else {
            Node::Pattern(reuse.to_vec())
        };
        if !any_of.contains(&node) {
            any_of.push(node);
        }
    }
    match any_of.len() {
        1 if any_of[0] != Node::Nothing => result.push(any_of.remove(0)),
        n if n > 1 => result.push(Node::AnyOf(any_of)),
        _ => {}
    }
    if !common_right.is_empty() {
        result.push(Node::Pattern(common_right));
    }
    Some(Node::Pattern(result))
}

/// `commonChildren`: the parts every alternative starts and ends with, measured against
/// the one with the fewest parts.
fn common_children(nodes: &[&Vec<Node>]) -> (Vec<Node>, Vec<Node>) {
    if nodes.len() <= 1 {
        return (Vec::new(), Vec::new());
    }
    let mut idx = 0;
    for (i, n) in nodes.iter().enumerate() {
        if n.len() < nodes[idx].len() {
            idx = i;
        }
    }
    let tree = nodes[idx];
    let tree_len = tree.len();
    let mut common_left = Vec::new();
    let mut common_right: Vec<Option<Node>> = vec![None; tree_len];
    let mut last_right = tree_len;
    let (mut break_left, mut break_right) = (false, false);
    let mut total = 0;
    let (mut i, mut j) = (0usize, tree_len as isize - 1);
    while total < tree_len && j >= 0 && !(break_left && break_right) {
        let ju = j as usize;
        let (tree_left, tree_right) = (&tree[i], &tree[ju]);
        for (k, node) in nodes.iter().enumerate() {
            if break_left && break_right {
                break;
            }
            if k == idx {
                continue;
            }
            let rest_left = &node[i];
            let rest_right = &node[ju + node.len() - tree_len];
            break_left = break_left || tree_left != rest_left;
            break_right = break_right || (!break_left && j <= i as isize);
            break_right = break_right || tree_right != rest_right;
        }
        if !break_left {
            total += 1;
            common_left.push(tree_left.clone());
        }
        if !break_right {
            total += 1;
            last_right = ju;
            common_right[ju] = Some(tree_right.clone());
        }
        i += 1;
        j -= 1;
    }
    let common_right = common_right[last_right..]
        .iter()
        .flatten()
        .cloned()
        .collect();
    (common_left, common_right)
}
