//! gobwas/glob's lexer (`syntax/lexer/lexer.go`, v0.2.3): characters into tokens.
//!
//! Outside braces, `,` and `}` are text; inside, they separate and close alternatives. A
//! `{` that is never closed is simply not closed. A backslash makes the next character text
//! (a trailing one is dropped). Classes are lexed whole: `[` then `!`, then either one
//! `lo-hi` range or a run of characters, then `]`; anything else there is an error.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(String),
    /// `*`
    Any,
    /// `**`
    Super,
    /// `?`
    Single,
    /// `[`, at this character offset (for error positions).
    RangeOpen(usize),
    /// `!` right after `[`.
    Not,
    RangeLo(char),
    RangeHi(char),
    RangeClose,
    TermsOpen,
    /// `,` inside braces.
    Separator,
    TermsClose,
}

/// A lexing error and the character offset of the `[` where it began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub message: &'static str,
    pub offset: usize,
}

const TEXT_BREAKERS: &[char] = &['?', '*', '[', '{'];
const TERMS_BREAKERS: &[char] = &['?', '*', '[', '{', '}', ','];

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    /// Width (0 at the end, else 1) of the last read, for `unread`.
    last: usize,
    terms_level: usize,
    tokens: Vec<Token>,
}

/// Every token of `pattern`, or the first error.
pub fn lex(pattern: &str) -> Result<Vec<Token>, LexError> {
    let mut l = Lexer {
        chars: pattern.chars().collect(),
        pos: 0,
        last: 0,
        terms_level: 0,
        tokens: Vec::new(),
    };
    while l.fetch_item()? {}
    Ok(l.tokens)
}

impl Lexer {
    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        self.last = usize::from(c.is_some());
        self.pos += self.last;
        c
    }

    fn unread(&mut self) {
        self.pos -= self.last;
        self.last = 0;
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// One item; false at the end.
    fn fetch_item(&mut self) -> Result<bool, LexError> {
        let in_terms = self.terms_level > 0;
        match self.read() {
            None => return Ok(false),
            Some('{') => {
                self.terms_level += 1;
                self.tokens.push(Token::TermsOpen);
            }
            Some(',') if in_terms => self.tokens.push(Token::Separator),
            Some('}') if in_terms => {
                self.tokens.push(Token::TermsClose);
                self.terms_level -= 1;
            }
            Some('[') => {
                let at = self.pos - 1;
                self.tokens.push(Token::RangeOpen(at));
                self.fetch_range(at)?;
            }
            Some('?') => self.tokens.push(Token::Single),
            Some('*') => {
                if self.read() == Some('*') {
                    self.tokens.push(Token::Super);
                } else {
                    self.unread();
                    self.tokens.push(Token::Any);
                }
            }
            Some(_) => {
                self.unread();
                let breakers = if in_terms {
                    TERMS_BREAKERS
                } else {
                    TEXT_BREAKERS
                };
                self.fetch_text(breakers);
            }
        }
        Ok(true)
    }

    fn fetch_range(&mut self, at: usize) -> Result<(), LexError> {
        let error = |message| {
            Err(LexError {
                message,
                offset: at,
            })
        };
        let (mut want_hi, mut want_close, mut seen_not) = (false, false, false);
        loop {
            let Some(r) = self.read() else {
                return error("unexpected end of input");
            };
            if want_close {
                if r != ']' {
                    return error("expected close range character");
                }
                self.tokens.push(Token::RangeClose);
                return Ok(());
            }
            if want_hi {
                self.tokens.push(Token::RangeHi(r));
                want_close = true;
                continue;
            }
            if !seen_not && r == '!' {
                self.tokens.push(Token::Not);
                seen_not = true;
                continue;
            }
            if self.peek() == Some('-') {
                self.pos += 1;
                self.tokens.push(Token::RangeLo(r));
                want_hi = true;
                continue;
            }
            self.unread();
            self.fetch_text(&[']']);
            want_close = true;
        }
    }

    fn fetch_text(&mut self, breakers: &[char]) {
        let mut data = String::new();
        let mut escaped = false;
        while let Some(r) = self.read() {
            if !escaped {
                if r == '\\' {
                    escaped = true;
                    continue;
                }
                if breakers.contains(&r) {
                    self.unread();
                    break;
                }
            }
            escaped = false;
            data.push(r);
        }
        if !data.is_empty() {
            self.tokens.push(Token::Text(data));
        }
    }
}
