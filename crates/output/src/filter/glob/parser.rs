//! gobwas/glob's parser (`syntax/ast/parser.go`, v0.2.3): tokens into a tree of patterns
//! and alternatives. `}` closes the innermost alternative; at the end of the pattern any
//! still open simply end.

use super::lexer::Token;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A sequence.
    Pattern(Vec<Node>),
    /// `{a,b}`: each child is a `Pattern` (or, after minimising, `Nothing`).
    AnyOf(Vec<Node>),
    Text(String),
    Any,
    Super,
    Single,
    List {
        chars: String,
        not: bool,
    },
    Range {
        lo: char,
        hi: char,
        not: bool,
    },
    Nothing,
}

/// A parse error and the character offset of the `[` where it began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
}

/// The tree under construction: nodes in an arena, with parents (as gobwas keeps them).
struct Arena {
    kinds: Vec<Node>,
    children: Vec<Vec<usize>>,
    parent: Vec<usize>,
}

impl Arena {
    fn add(&mut self, node: Node, parent: usize) -> usize {
        let id = self.kinds.len();
        self.kinds.push(node);
        self.children.push(Vec::new());
        self.parent.push(parent);
        if id != parent {
            self.children[parent].push(id);
        }
        id
    }

    fn build(&self, id: usize) -> Node {
        let kids = || self.children[id].iter().map(|&c| self.build(c)).collect();
        match &self.kinds[id] {
            Node::Pattern(_) => Node::Pattern(kids()),
            Node::AnyOf(_) => Node::AnyOf(kids()),
            other => other.clone(),
        }
    }
}

/// The tree of `tokens`.
pub fn parse(tokens: &[Token]) -> Result<Node, ParseError> {
    let mut a = Arena {
        kinds: Vec::new(),
        children: Vec::new(),
        parent: Vec::new(),
    };
    let root = a.add(Node::Pattern(Vec::new()), 0);
    let mut tree = root;
    let mut it = tokens.iter();
    while let Some(token) = it.next() {
        match token {
            Token::Text(t) => {
                a.add(Node::Text(t.clone()), tree);
            }
            Token::Any => {
                a.add(Node::Any, tree);
            }
            Token::Super => {
                a.add(Node::Super, tree);
            }
            Token::Single => {
                a.add(Node::Single, tree);
            }
            Token::TermsOpen => {
                let any_of = a.add(Node::AnyOf(Vec::new()), tree);
                tree = a.add(Node::Pattern(Vec::new()), any_of);
            }
            Token::Separator => {
                let any_of = a.parent[tree];
                tree = a.add(Node::Pattern(Vec::new()), any_of);
            }
            Token::TermsClose => tree = a.parent[a.parent[tree]],
            Token::RangeOpen(at) => {
                let node = parse_range(&mut it, *at)?;
                a.add(node, tree);
            }
            // The lexer emits these only inside a class.
            Token::Not | Token::RangeLo(_) | Token::RangeHi(_) | Token::RangeClose => {
                return Err(ParseError {
                    message: "unexpected token outside a class".into(),
                    offset: 0,
                });
            }
        }
    }
    Ok(a.build(root))
}

fn parse_range<'t>(
    it: &mut impl Iterator<Item = &'t Token>,
    at: usize,
) -> Result<Node, ParseError> {
    let error = |message: String| {
        Err(ParseError {
            message,
            offset: at,
        })
    };
    let (mut not, mut lo, mut hi, mut chars) = (false, '\0', '\0', String::new());
    loop {
        match it.next() {
            None => return error("unexpected end".into()),
            Some(Token::Not) => not = true,
            Some(Token::RangeLo(r)) => lo = *r,
            Some(Token::RangeHi(r)) => {
                hi = *r;
                if hi < lo {
                    return error(format!(
                        "hi character '{hi}' should be greater than lo '{lo}'"
                    ));
                }
            }
            Some(Token::Text(t)) => chars = t.clone(),
            Some(Token::RangeClose) => {
                // gobwas tells a range from a list by non-zero bounds.
                let is_range = lo != '\0' && hi != '\0';
                let is_chars = !chars.is_empty();
                if is_chars == is_range {
                    return error("could not parse range".into());
                }
                return Ok(if is_range {
                    Node::Range { lo, hi, not }
                } else {
                    Node::List { chars, not }
                });
            }
            Some(_) => {}
        }
    }
}
