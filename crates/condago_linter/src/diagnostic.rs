//! Findings and their fixes.

use std::ops::Range;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// When a fix may be applied without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Shown, never applied automatically.
    Suggestion,
    /// Changes behaviour the user probably wants changed: `--unsafe-fixes`.
    Unsafe,
    /// Same meaning, only the mistake removed: `--fix` and fix-all.
    Safe,
}

impl Applicability {
    /// The lowercase name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Applicability::Suggestion => "suggestion",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace the bytes of `range` with `content`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }

    pub fn insert(at: usize, content: impl Into<String>) -> Self {
        Edit::replace(at..at, content)
    }

    pub fn delete(range: Range<usize>) -> Self {
        Edit::replace(range, "")
    }
}

/// A set of non-overlapping edits that together remove one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, as a command: "Replace `~` with `$HOME`".
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(applicability: Applicability, message: impl Into<String>, edits: Vec<Edit>) -> Self {
        let mut edits = edits;
        edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
        Fix {
            applicability,
            message: message.into(),
            edits,
        }
    }

    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Safe, message, edits)
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Unsafe, message, edits)
    }

    pub fn suggestion(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Suggestion, message, edits)
    }

    /// The byte span the fix touches.
    pub fn span(&self) -> Range<usize> {
        let start = self
            .edits
            .iter()
            .map(|edit| edit.range.start)
            .min()
            .unwrap_or(0);
        let end = self
            .edits
            .iter()
            .map(|edit| edit.range.end)
            .max()
            .unwrap_or(0);
        start..end
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Bytes of the source the finding is about.
    pub range: Range<usize>,
    /// What happens, in which shells.
    pub message: String,
    /// One line on what to do, shown under the snippet.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}
