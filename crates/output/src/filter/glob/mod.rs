//! Glob patterns exactly as Telegraf matches them: gobwas/glob v0.2.3, in its own stages
//! ([`lexer`] → [`parser`] → [`compiler`] → [`matcher`]), so each rule sits where gobwas
//! has it. Syntax: `*` any run without a separator, `**` any run, `?` one non-separator
//! character, `[abc]` / `[a-z]` / `[!a-z]` classes (one range or one run of characters),
//! `{a,b}` alternatives (nesting; an unclosed `{` closes at the end), `\` escapes.
//!
//! Matching follows gobwas's matchers, corners included (see `compiler` and `matcher`):
//! what Telegraf keeps or drops, this keeps or drops.

mod compiler;
mod go;
mod lexer;
mod matcher;
mod parser;
#[cfg(test)]
mod tests;

/// A compiled glob.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    matcher: matcher::Matcher,
}

/// A pattern gobwas refuses: its message, and the character offset of the class (`[`)
/// where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    /// What is wrong, in the user's words.
    pub message: String,
    /// Character offset in the pattern.
    pub offset: usize,
}

impl Glob {
    /// `glob.Compile(pattern, separators...)`.
    ///
    /// ```
    /// use librato_output::filter::Glob;
    ///
    /// let g = Glob::compile("cpu.*.count", &['.']).unwrap();
    /// assert!(g.is_match("cpu.total.count") && !g.is_match("cpu.a.b.count"));
    /// assert!(Glob::compile("x{a,b", &[]).unwrap().is_match("xb")); // closes at the end
    /// assert!(Glob::compile("[a-]", &[]).is_err());
    /// ```
    pub fn compile(pattern: &str, separators: &[char]) -> Result<Glob, GlobError> {
        let tokens = lexer::lex(pattern).map_err(|e| GlobError {
            message: e.message.to_string(),
            offset: e.offset,
        })?;
        let tree = parser::parse(&tokens).map_err(|e| GlobError {
            message: e.message,
            offset: e.offset,
        })?;
        Ok(Glob {
            matcher: compiler::compile(&tree, separators),
        })
    }

    /// Whether the whole of `s` matches.
    pub fn is_match(&self, s: &str) -> bool {
        self.matcher.is_match(s.as_bytes())
    }
}
