//! Shell words: what an argument or a value is made of, and how it is quoted.

use std::ops::Range;

/// One shell word (an argument, a value, a list element), split into parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub range: Range<usize>,
    pub parts: Vec<WordPart>,
}

/// A piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPart {
    pub range: Range<usize>,
    pub kind: PartKind,
    pub quote: Quote,
}

/// What a piece of a word is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartKind {
    /// Literal text, with quotes and escapes removed. An unquoted `~` stays as `~`.
    Literal(String),
    /// `$NAME`, `${NAME}`; `complex` for `${NAME:-x}`, `${(s.:.)NAME}` and the like.
    Variable { name: String, complex: bool },
    /// `$(…)`, `` `…` ``, fish `(…)`.
    CommandSubstitution,
    /// Anything else: arithmetic, globs, process substitution.
    Other,
}

/// How a part is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Double,
    Single,
}

impl Word {
    /// The literal value when the word has no expansions.
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match &part.kind {
                PartKind::Literal(text) => out.push_str(text),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The literal value, or `None`; an unquoted literal `~` must not count (it expands).
    pub fn is_literal(&self, value: &str) -> bool {
        self.literal().as_deref() == Some(value)
    }

    /// Whether any part is quoted.
    pub fn is_quoted(&self) -> bool {
        self.parts.iter().any(|part| part.quote != Quote::None)
    }

    /// Whether the word refers to variable `name` (plainly or in `${name:-…}`).
    pub fn mentions_variable(&self, name: &str) -> bool {
        self.parts
            .iter()
            .any(|part| matches!(&part.kind, PartKind::Variable { name: n, .. } if n == name))
    }

    /// A rendering of the word with expansions kept as written, quotes removed: used for
    /// comparing directories (`$HOME/go/bin`).
    pub fn display(&self, source: &[u8]) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match &part.kind {
                PartKind::Literal(text) => out.push_str(text),
                PartKind::Variable {
                    name,
                    complex: false,
                } => {
                    out.push('$');
                    out.push_str(name);
                }
                _ => out.push_str(&String::from_utf8_lossy(
                    source.get(part.range.clone()).unwrap_or_default(),
                )),
            }
        }
        out
    }
}
