//! `PATH` edits: which directories a statement puts on `PATH`, and where the old value goes.

use std::ops::Range;

use condago_syntax::Shell;

use super::word::{PartKind, Quote, Word, WordPart};
use super::{AssignOp, Scope, StartupFile, Statement, StatementKind};

/// One statement's effect on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathEdit {
    /// The variable as written: `PATH`, zsh `path`, fish `fish_user_paths`; `PATH` for
    /// `fish_add_path`.
    pub variable: String,
    pub kind: PathEditKind,
    /// The entries in order, the old value included as a [`PathEntryKind::Old`] entry.
    pub entries: Vec<PathEntry>,
    /// fish: an unquoted word mixes text with a list variable (`/x:$PATH`), which fish
    /// expands once per element (a cartesian product).
    pub cartesian: bool,
    /// `fish_add_path`, which skips directories already present and ones that do not exist.
    pub idempotent: bool,
}

/// How an edit treats the old value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathEditKind {
    /// New entries before the old value.
    Prepend,
    /// New entries after the old value.
    Append,
    /// New entries on both sides of the old value.
    Surround,
    /// The old value is not kept: everything inherited is dropped.
    Replace,
    /// Only exports or declares `PATH` (`export PATH`, `typeset -U path`).
    Declare,
}

/// One entry of a `PATH` edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathEntry {
    pub range: Range<usize>,
    pub kind: PathEntryKind,
    pub parts: Vec<WordPart>,
}

/// What a `PATH` entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathEntryKind {
    /// A directory (literal or with expansions).
    Dir,
    /// The old value (`$PATH`, `${PATH}`, zsh `$path`, fish `$PATH`).
    Old,
    /// An empty entry: the current directory in bash and fish.
    Empty,
    /// `.`: the current directory.
    Dot,
}

impl PathEdit {
    /// The entries that add a directory.
    pub fn new_entries(&self) -> impl Iterator<Item = &PathEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.kind != PathEntryKind::Old)
    }
}

impl PathEntry {
    /// The entry as a word, for its helpers.
    pub fn as_word(&self) -> Word {
        Word {
            range: self.range.clone(),
            parts: self.parts.clone(),
        }
    }

    /// The directory with expansions kept as written (`$HOME/go/bin`), quotes removed.
    pub fn display(&self, source: &[u8]) -> String {
        self.as_word().display(source)
    }
}

/// Whether a variable name is the shell's command search path.
pub fn is_path_variable(shell: Shell, name: &str) -> bool {
    match shell {
        Shell::Fish => matches!(name, "PATH" | "fish_user_paths"),
        Shell::Zsh => matches!(name, "PATH" | "path"),
        Shell::Bash | Shell::Sh => name == "PATH",
    }
}

/// The `PATH` edit a statement makes, if any.
pub(super) fn path_edit(file: &StartupFile, statement: &Statement) -> Option<PathEdit> {
    match &statement.kind {
        StatementKind::Assignment(assignment) => {
            if !is_path_variable(file.shell, &assignment.name)
                || assignment.command_prefix
                || assignment.scope == Scope::Local
                || assignment.operator == AssignOp::Erase
            {
                return None;
            }
            let old_name = assignment.name.as_str();
            let is_fish = file.shell == Shell::Fish;
            let mut entries = Vec::new();
            let mut cartesian = false;
            for value in &assignment.values {
                if is_fish || assignment.is_list {
                    if is_fish && is_cartesian(value) {
                        cartesian = true;
                    }
                    // fish splits path variables on `:` too; a zsh array element is one entry.
                    if is_fish {
                        entries.extend(split_entries(value, file.source, old_name));
                    } else {
                        entries.push(whole_entry(value, old_name));
                    }
                } else {
                    entries.extend(split_entries(value, file.source, old_name));
                }
            }
            if !assignment.has_value {
                return Some(PathEdit {
                    variable: assignment.name.clone(),
                    kind: PathEditKind::Declare,
                    entries,
                    cartesian,
                    idempotent: false,
                });
            }
            let kind = match assignment.operator {
                AssignOp::Append => PathEditKind::Append,
                AssignOp::Prepend => PathEditKind::Prepend,
                _ => kind_of(&entries),
            };
            if matches!(assignment.operator, AssignOp::Append | AssignOp::Prepend) {
                let old = PathEntry {
                    range: assignment.name_range.clone(),
                    kind: PathEntryKind::Old,
                    parts: Vec::new(),
                };
                if assignment.operator == AssignOp::Append {
                    entries.insert(0, old);
                } else {
                    entries.push(old);
                }
            }
            Some(PathEdit {
                variable: assignment.name.clone(),
                kind,
                entries,
                cartesian,
                idempotent: false,
            })
        }
        StatementKind::Command(command) if command.name.as_deref() == Some("fish_add_path") => {
            let mut append = false;
            let mut entries = Vec::new();
            for arg in &command.args {
                match arg.literal().as_deref() {
                    Some("-a") | Some("--append") => append = true,
                    Some("-n") | Some("--dry-run") => return None,
                    Some(flag) if flag.starts_with('-') => {
                        if !flag.starts_with("--") && flag.contains('a') {
                            append = true;
                        }
                    }
                    _ => entries.push(whole_entry(arg, "PATH")),
                }
            }
            let old = PathEntry {
                range: command.name_range.clone(),
                kind: PathEntryKind::Old,
                parts: Vec::new(),
            };
            if append {
                entries.insert(0, old);
            } else {
                entries.push(old);
            }
            Some(PathEdit {
                variable: "PATH".to_string(),
                kind: if append {
                    PathEditKind::Append
                } else {
                    PathEditKind::Prepend
                },
                entries,
                cartesian: false,
                idempotent: true,
            })
        }
        StatementKind::Command(_) => None,
    }
}

fn kind_of(entries: &[PathEntry]) -> PathEditKind {
    let old_at = entries
        .iter()
        .position(|entry| entry.kind == PathEntryKind::Old);
    match old_at {
        None => PathEditKind::Replace,
        Some(0) if entries.len() == 1 => PathEditKind::Append,
        Some(0) => PathEditKind::Append,
        Some(at) if at == entries.len() - 1 => PathEditKind::Prepend,
        Some(_) => PathEditKind::Surround,
    }
}

/// fish: an unquoted word joining text and a list variable.
fn is_cartesian(word: &Word) -> bool {
    let unquoted_list = word
        .parts
        .iter()
        .any(|part| part.quote == Quote::None && matches!(&part.kind, PartKind::Variable { .. }));
    unquoted_list && word.parts.len() > 1
}

fn whole_entry(word: &Word, old_name: &str) -> PathEntry {
    PathEntry {
        range: word.range.clone(),
        kind: classify(&word.parts, old_name),
        parts: word.parts.clone(),
    }
}

fn classify(parts: &[WordPart], old_name: &str) -> PathEntryKind {
    let is_old = |name: &str| {
        name == old_name
            || (old_name == "path" && name == "PATH")
            || (old_name == "PATH" && name == "path")
    };
    match parts {
        [] => PathEntryKind::Empty,
        [WordPart {
            kind: PartKind::Variable { name, .. },
            ..
        }] if is_old(name) => PathEntryKind::Old,
        _ => {
            let literal: Option<String> = parts
                .iter()
                .map(|part| match &part.kind {
                    PartKind::Literal(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            match literal.as_deref() {
                Some("") => PathEntryKind::Empty,
                Some(".") => PathEntryKind::Dot,
                _ => PathEntryKind::Dir,
            }
        }
    }
}

/// Splits a `PATH` value on `:` (outside expansions) into entries.
fn split_entries(word: &Word, source: &[u8], old_name: &str) -> Vec<PathEntry> {
    let mut entries = Vec::new();
    let mut current: Vec<WordPart> = Vec::new();
    let mut current_start = word.range.start;
    for part in &word.parts {
        let PartKind::Literal(text) = &part.kind else {
            current.push(part.clone());
            continue;
        };
        if !text.contains(':') {
            current.push(part.clone());
            continue;
        }
        // Map each `:` to a source offset when the source spells the text plainly.
        let raw = source.get(part.range.clone()).unwrap_or_default();
        let plain = raw == text.as_bytes();
        let mut piece_start = 0;
        for (at, _) in text.match_indices(':') {
            let piece = &text[piece_start..at];
            let range = if plain {
                part.range.start + piece_start..part.range.start + at
            } else {
                part.range.clone()
            };
            if !piece.is_empty() {
                current.push(WordPart {
                    range: range.clone(),
                    kind: PartKind::Literal(piece.to_string()),
                    quote: part.quote,
                });
            }
            let end = range.end;
            entries.push(finish(
                std::mem::take(&mut current),
                current_start..end,
                old_name,
            ));
            current_start = if plain {
                part.range.start + at + 1
            } else {
                part.range.end
            };
            piece_start = at + 1;
        }
        let rest = &text[piece_start..];
        if !rest.is_empty() {
            let range = if plain {
                part.range.start + piece_start..part.range.end
            } else {
                part.range.clone()
            };
            current.push(WordPart {
                range,
                kind: PartKind::Literal(rest.to_string()),
                quote: part.quote,
            });
        }
    }
    let end = word.range.end;
    // A value that is a quoted empty string still has one (empty) entry.
    let trailing_range = current
        .first()
        .map_or(current_start..current_start, |first| first.range.start..end);
    let trailing_start = trailing_range.start;
    let last = finish(
        current,
        trailing_start..trailing_range.end.max(trailing_start),
        old_name,
    );
    entries.push(last);
    entries
}

fn finish(parts: Vec<WordPart>, range: Range<usize>, old_name: &str) -> PathEntry {
    let range = match (parts.first(), parts.last()) {
        (Some(first), Some(last)) => first.range.start..last.range.end,
        _ => range,
    };
    PathEntry {
        kind: classify(&parts, old_name),
        range,
        parts,
    }
}
