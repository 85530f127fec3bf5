//! Small helpers the `PATH` rules share: how two entries compare, what guards an edit
//! against repeating itself, and which lines a statement stands on (for fixes that delete
//! or move it).

use std::ops::Range;

use condago_syntax::Shell;

use crate::model::{
    Condition, ConditionKind, PartKind, PathEdit, PathEntry, Quote, StartupFile, Statement,
    StatementKind, Word,
};
pub(super) use crate::rules::lines::{line_break_at, own_lines};

/// The file's `PATH` edits, without statements the parser did not fully understand: a
/// grammar that stumbles on a line can glue the next lines into the value, and those pieces
/// must not count as entries.
pub(super) fn sound_path_edits<'f>(file: &'f StartupFile) -> Vec<(&'f Statement, PathEdit)> {
    let mut edits = file.path_edits();
    edits.retain(|(statement, _)| !file.in_error(&statement.range));
    edits
}

/// Whether shell text refers to the search path itself: `$PATH`, `${PATH}`,
/// `${PATH:+…}`, zsh `$path`, `${path[(Ie)…]}`, `${(@)path}`, fish `$PATH`,
/// `$fish_user_paths`. A `PATH` that is only a word (`getconf PATH`) does not count.
pub(super) fn mentions_search_path(text: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        if matches!(word, "PATH" | "path" | "fish_user_paths")
            && start > 0
            && matches!(
                bytes[start - 1],
                b'$' | b'{' | b')' | b'@' | b'#' | b'^' | b'+' | b'~' | b'='
            )
        {
            return true;
        }
    }
    false
}

/// An enclosing condition tests `PATH` itself (`case ":$PATH:" in`, `[[ ":$PATH:" !=
/// *":$d:"* ]] &&`, `if ! [[ "$PATH" =~ … ]]`, fish `if not contains $d $PATH`): the edit
/// only runs when the directory is missing, or the author decided when it runs.
pub(super) fn guarded_by_path_test(statement: &Statement) -> bool {
    statement
        .context
        .conditions
        .iter()
        .any(|condition| mentions_search_path(&condition.test))
}

/// The entry as comparable text: `~`, `${HOME}` and `$HOME` all read `$HOME`, a trailing
/// `/` is dropped, other expansions are kept as written. `None` for entries whose value
/// is not a fixed text of the file (positional and special parameters).
pub(super) fn comparable(entry: &PathEntry, source: &[u8]) -> Option<String> {
    let mut out = String::new();
    for (index, part) in entry.parts.iter().enumerate() {
        match &part.kind {
            PartKind::Literal(text) => {
                let tilde = index == 0
                    && part.quote == Quote::None
                    && (text == "~" || text.starts_with("~/"));
                if tilde {
                    out.push_str("$HOME");
                    out.push_str(&text[1..]);
                } else {
                    out.push_str(text);
                }
            }
            PartKind::Variable {
                name,
                complex: false,
            } => {
                let plain = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
                if !plain {
                    return None;
                }
                out.push('$');
                out.push_str(name);
            }
            _ => out.push_str(&String::from_utf8_lossy(
                source.get(part.range.clone()).unwrap_or_default(),
            )),
        }
    }
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    (!out.is_empty()).then_some(out)
}

/// The variables an entry expands (`GOROOT` in `$GOROOT/bin`), `HOME` left out.
pub(super) fn entry_variables(entry: &PathEntry) -> Vec<&str> {
    entry
        .parts
        .iter()
        .filter_map(|part| match &part.kind {
            PartKind::Variable { name, .. } if name != "HOME" => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

/// zsh's `typeset -U` in this file: whether it covers the array `path` and the scalar
/// `PATH`. Each one only de-duplicates assignments made through it: with `typeset -U path`
/// alone, `PATH=/x:$PATH` run twice still leaves `/x:/x:…` (checked with zsh 5.9).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ZshUnique {
    pub(super) array: bool,
    pub(super) scalar: bool,
}

impl ZshUnique {
    pub(super) fn of(file: &StartupFile) -> ZshUnique {
        let mut unique = ZshUnique::default();
        if file.shell != Shell::Zsh {
            return unique;
        }
        for (statement, assignment) in file.assignments() {
            let keyword = assignment.keyword.as_deref().unwrap_or("");
            let unique_flag = assignment
                .flags
                .iter()
                .any(|flag| flag.starts_with('-') && flag.contains('U'));
            if !unique_flag
                || !matches!(
                    keyword,
                    "typeset" | "declare" | "export" | "local" | "readonly"
                )
                || (statement.context.function.is_some() && keyword != "export")
            {
                continue;
            }
            match assignment.name.as_str() {
                "path" => unique.array = true,
                "PATH" => unique.scalar = true,
                _ => {}
            }
        }
        unique
    }

    /// Whether zsh drops the duplicates this edit would add.
    pub(super) fn covers(self, edit: &PathEdit) -> bool {
        match edit.variable.as_str() {
            "path" => self.array,
            "PATH" => self.scalar,
            _ => false,
        }
    }
}

/// The words a statement's entries come from: an assignment's values or a command's
/// arguments (`fish_add_path`).
pub(super) fn statement_words(statement: &Statement) -> &[Word] {
    match &statement.kind {
        StatementKind::Assignment(assignment) => &assignment.values,
        StatementKind::Command(command) => &command.args,
    }
}

/// The bytes that remove entry `index` from its statement: a list element with the
/// blanks before it, or a `:`-separated entry with one of its separators. `None` when
/// the source does not spell the entry plainly.
pub(super) fn entry_deletion(
    file: &StartupFile,
    statement: &Statement,
    entries: &[PathEntry],
    index: usize,
) -> Option<Range<usize>> {
    let source = file.source;
    let entry = entries.get(index)?;
    let words = statement_words(statement);
    if let Some(element) = sole_word(statement, entries, index) {
        let entry = PathEntry {
            range: element,
            ..entry.clone()
        };
        let mut start = entry.range.start;
        while start > 0 && matches!(source[start - 1], b' ' | b'\t') {
            start -= 1;
        }
        if start < entry.range.start {
            return Some(start..entry.range.end);
        }
        // The first element right after `(`: take the blanks after it instead.
        let mut end = entry.range.end;
        while end < source.len() && matches!(source[end], b' ' | b'\t') {
            end += 1;
        }
        return (end > entry.range.end).then_some(entry.range.start..end);
    }
    let word = words
        .iter()
        .find(|word| word.range.start <= entry.range.start && entry.range.end <= word.range.end)?;
    let text = source.get(entry.range.clone())?;
    if text.contains(&b':') {
        return None;
    }
    let end = entry.range.end;
    let next_in_word = entries
        .get(index + 1)
        .is_some_and(|next| next.range.start > end && next.range.end <= word.range.end);
    if next_in_word && source.get(end) == Some(&b':') {
        return Some(entry.range.start..end + 1);
    }
    let start = entry.range.start;
    let previous_in_word = index > 0 && start > word.range.start + 1;
    if previous_in_word && source.get(start - 1) == Some(&b':') {
        return Some(start - 1..end);
    }
    None
}

/// The range of the word that holds entry `index` and no other entry: a list element
/// (zsh array element, fish list element, `fish_add_path` argument).
pub(super) fn sole_word(
    statement: &Statement,
    entries: &[PathEntry],
    index: usize,
) -> Option<Range<usize>> {
    let entry = entries.get(index)?;
    let inside = |word: &Word, entry: &PathEntry| {
        word.range.start <= entry.range.start && entry.range.end <= word.range.end
    };
    let word = statement_words(statement)
        .iter()
        .find(|word| inside(word, entry))?;
    let alone = entries
        .iter()
        .enumerate()
        .all(|(other, entry)| other == index || !inside(word, entry));
    alone.then(|| word.range.clone())
}

/// Whether two condition stacks are branches that never both run: the `then` and `else`
/// of one `if`, two of its `elif`/`else` branches, or two items of one `case`.
pub(super) fn exclusive(a: &[Condition], b: &[Condition]) -> bool {
    let common = a
        .iter()
        .zip(b)
        .take_while(|(x, y)| x.range == y.range && x.kind == y.kind)
        .count();
    let inside = |outer: &Range<usize>, inner: &Range<usize>| {
        outer.start <= inner.start && inner.end <= outer.end
    };
    match (a.get(common), b.get(common)) {
        (Some(x), Some(y)) => match (x.kind, y.kind) {
            (ConditionKind::If, ConditionKind::Else) => inside(&x.range, &y.range),
            (ConditionKind::Else, ConditionKind::If) => inside(&y.range, &x.range),
            (ConditionKind::Else, ConditionKind::Else) => true,
            (ConditionKind::Case, ConditionKind::Case) => x.test == y.test,
            _ => false,
        },
        _ => false,
    }
}

/// Whether `outer`'s conditions hold whenever `inner`'s do (its stack is a prefix).
pub(super) fn runs_whenever(outer: &Statement, inner: &Statement) -> bool {
    let a = &outer.context.conditions;
    let b = &inner.context.conditions;
    a.len() <= b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.range == y.range && x.kind == y.kind)
        && outer.context.function == inner.context.function
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_mentions() {
        for text in [
            "\":$PATH:\"",
            "${PATH}",
            "${PATH:+:$PATH}",
            "$path[(Ie)$d]",
            "${path[(r)$d]}",
            "${(@)path:#x}",
            "contains $d $PATH",
            "$fish_user_paths",
        ] {
            assert!(mentions_search_path(text), "{text}");
        }
        for text in [
            "getconf PATH",
            "/usr/local/path/bin",
            "$GOPATH",
            "$MANPATH",
            "PATH",
        ] {
            assert!(!mentions_search_path(text), "{text}");
        }
    }
}
