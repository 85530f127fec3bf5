//! CG3xx: fish.

pub mod add_path_universal;
pub mod bash_syntax;
pub mod export;
pub mod list_concatenation;
pub mod path_prepend_not_idempotent;
pub mod universal_path;

use crate::model::{PartKind, Quote, Word};

/// A variable fish keeps as a list of directories: `PATH`, any `*PATH`, `fish_user_paths`.
pub(crate) fn is_list_path_variable(name: &str) -> bool {
    name.ends_with("PATH") || name == "fish_user_paths"
}

/// The unquoted path-list variable a word joins text to with `:` (`$PATH:/x`, `/x:$PATH`):
/// fish expands such a word once per element of the list (a cartesian product), where a
/// `:`-separated string was meant. `$GOPATH/bin` is not one: no `:`, and one directory per
/// element of `GOPATH` is what it means.
pub(crate) fn joined_list_variable(word: &Word) -> Option<&str> {
    colon_joined_list_variables(word).into_iter().next()
}

/// Every unquoted path-list variable joined to its neighbour with `:` in a word, in order.
pub(crate) fn colon_joined_list_variables(word: &Word) -> Vec<&str> {
    if word.parts.len() < 2 {
        return Vec::new();
    }
    let literal = |index: Option<usize>| match index.and_then(|i| word.parts.get(i)) {
        Some(part) => match &part.kind {
            PartKind::Literal(text) => Some(text.as_str()),
            _ => None,
        },
        None => None,
    };
    let mut found = Vec::new();
    for (index, part) in word.parts.iter().enumerate() {
        let PartKind::Variable { name, .. } = &part.kind else {
            continue;
        };
        if part.quote != Quote::None || !is_list_path_variable(name) {
            continue;
        }
        let before = literal(index.checked_sub(1)).is_some_and(|text| text.ends_with(':'));
        let after = literal(Some(index + 1)).is_some_and(|text| text.starts_with(':'));
        if before || after {
            found.push(name.as_str());
        }
    }
    found
}

/// The text joined to the list variable `variable`, for messages (`/x` in `$PATH:/x`).
pub(crate) fn joined_text(word: &Word, source: &[u8], variable: &str) -> String {
    let shown = word.display(source);
    let itself = format!("${variable}");
    let pieces: Vec<&str> = shown
        .split(':')
        .filter(|piece| !piece.is_empty() && *piece != itself)
        .collect();
    if pieces.is_empty() {
        shown
    } else {
        pieces.join(":")
    }
}

/// Whether the word's list variable comes first (`$PATH:/x`): the text lands after each entry.
pub(crate) fn list_comes_first(word: &Word) -> bool {
    matches!(
        word.parts.first().map(|part| &part.kind),
        Some(PartKind::Variable { .. })
    )
}

/// The word rewritten as a fish list, one element per `:`-separated piece: `$PATH:/x`
/// becomes `$PATH /x`, `"$HOME/bin":$PATH` becomes `"$HOME/bin" $PATH`. `None` when that
/// cannot be written exactly (an empty piece, a command substitution, escapes inside double
/// quotes).
pub(crate) fn as_list(word: &Word, source: &[u8]) -> Option<String> {
    let mut elements: Vec<String> = Vec::new();
    let mut current = Element::default();
    for part in &word.parts {
        match &part.kind {
            PartKind::Literal(text) => {
                if part.quote == Quote::Double && text.contains(['\\', '"', '$']) {
                    return None;
                }
                let mut pieces = text.split(':').peekable();
                while let Some(piece) = pieces.next() {
                    if !piece.is_empty() {
                        current.literal(piece, part.quote == Quote::Double);
                    }
                    if pieces.peek().is_some() {
                        elements.push(std::mem::take(&mut current).finish()?);
                    }
                }
            }
            PartKind::Variable { .. } => {
                let text = std::str::from_utf8(source.get(part.range.clone())?).ok()?;
                if !text.starts_with('$') || part.quote == Quote::Single {
                    return None;
                }
                current.variable(text, part.quote == Quote::Double);
            }
            PartKind::CommandSubstitution | PartKind::Other => return None,
        }
    }
    elements.push(current.finish()?);
    Some(elements.join(" "))
}

/// One list element being written: plain text, and double-quoted runs kept together.
#[derive(Default)]
struct Element {
    text: String,
    written: bool,
    in_double: bool,
    /// The last thing written is a variable, which a following name character extends.
    after_variable: bool,
}

impl Element {
    fn extends_variable(&self, text: &str) -> bool {
        self.after_variable
            && text
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '[')
    }

    fn open_double(&mut self) {
        if !self.in_double {
            self.text.push('"');
            self.in_double = true;
        }
    }

    fn close_double(&mut self) {
        if self.in_double {
            self.text.push('"');
            self.in_double = false;
        }
    }

    fn literal(&mut self, text: &str, double: bool) {
        if self.extends_variable(text) {
            self.close_double();
            self.text.push_str(&format!("'{}'", escape_single(text)));
        } else if double {
            self.open_double();
            self.text.push_str(text);
        } else {
            self.close_double();
            self.text.push_str(&render_literal(text));
        }
        self.written = true;
        self.after_variable = false;
    }

    fn variable(&mut self, text: &str, double: bool) {
        if double {
            self.open_double();
        } else {
            self.close_double();
        }
        self.text.push_str(text);
        self.written = true;
        self.after_variable = true;
    }

    /// The element's source, `None` when it is empty.
    fn finish(mut self) -> Option<String> {
        if !self.written {
            return None;
        }
        self.close_double();
        Some(self.text)
    }
}

fn escape_single(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\'', "\\'")
}

/// A literal as fish source: bare when it is plain text, else single-quoted.
fn render_literal(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_alphanumeric() || "_./@%+,=-~".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", escape_single(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WordPart;

    fn part(range: std::ops::Range<usize>, kind: PartKind, quote: Quote) -> WordPart {
        WordPart { range, kind, quote }
    }

    #[test]
    fn lists_keep_each_piece() {
        // `$PATH:/x`
        let source = b"$PATH:/x";
        let word = Word {
            range: 0..8,
            parts: vec![
                part(
                    0..5,
                    PartKind::Variable {
                        name: "PATH".into(),
                        complex: false,
                    },
                    Quote::None,
                ),
                part(5..8, PartKind::Literal(":/x".into()), Quote::None),
            ],
        };
        assert_eq!(joined_list_variable(&word), Some("PATH"));
        assert_eq!(as_list(&word, source).as_deref(), Some("$PATH /x"));
        // `$PATH':/my dir'`
        let source = b"$PATH':/my dir'";
        let word = Word {
            range: 0..15,
            parts: vec![
                part(
                    0..5,
                    PartKind::Variable {
                        name: "PATH".into(),
                        complex: false,
                    },
                    Quote::None,
                ),
                part(5..15, PartKind::Literal(":/my dir".into()), Quote::Single),
            ],
        };
        assert_eq!(as_list(&word, source).as_deref(), Some("$PATH '/my dir'"));
        // `$PATH:` has an empty piece: no exact list.
        let word = Word {
            range: 0..6,
            parts: vec![
                part(
                    0..5,
                    PartKind::Variable {
                        name: "PATH".into(),
                        complex: false,
                    },
                    Quote::None,
                ),
                part(5..6, PartKind::Literal(":".into()), Quote::None),
            ],
        };
        assert_eq!(as_list(&word, b"$PATH:"), None);
    }
}
