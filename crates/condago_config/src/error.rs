//! What is wrong with a configuration file, worded for the user: the file, the line, the
//! column, the key, and what to write instead.

use std::fmt;
use std::path::{Path, PathBuf};

/// Everything wrong with one configuration file (or with a directory holding two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

/// One mistake, at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The key it is about (`select`, `home.layout`, `shells."*.sh"`), if any.
    pub key: Option<String>,
    pub message: String,
    /// What to write instead (`did you mean …?`).
    pub help: Option<String>,
}

impl ConfigError {
    pub(crate) fn whole_file(path: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            problems: vec![Problem {
                line: 0,
                column: 0,
                key: None,
                message: message.into(),
                help: None,
            }],
        }
    }
}

impl fmt::Display for ConfigError {
    /// One line per problem: `condago.toml:3:1: `selct`: unknown key; did you mean `select`?`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.path.display())?;
            if problem.line > 0 {
                write!(f, ":{}:{}", problem.line, problem.column)?;
            }
            write!(f, ": ")?;
            if let Some(key) = &problem.key {
                write!(f, "`{key}`: ")?;
            }
            write!(f, "{}", problem.message)?;
            if let Some(help) = &problem.help {
                write!(f, "; {help}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The closest candidate to a misspelled word, if one is close enough to be what was meant.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::levenshtein(&word_lower, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 10), (2, 4));
    }

    #[test]
    fn suggests_only_close_words() {
        let keys = ["select", "ignore", "extend-select"];
        assert_eq!(did_you_mean("selct", keys), Some("select"));
        assert_eq!(did_you_mean("extend_select", keys), Some("extend-select"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
