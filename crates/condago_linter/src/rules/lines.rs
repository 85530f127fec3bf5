//! Line-level helpers for fixes that move or delete whole statements.

use std::ops::Range;

use crate::diagnostic::{Edit, Fix};
use crate::model::{StartupFile, Statement};

/// The whole lines a statement stands on alone: from the start of its first line to the
/// start of the line after it (indentation, a `;`, a trailing comment and the line break
/// included). `None` when other code shares those lines or the statement is part of an
/// `&&`/`||` list.
pub(crate) fn own_lines(file: &StartupFile, statement: &Statement) -> Option<Range<usize>> {
    let source = file.source;
    let range = &statement.range;
    let first = file.line_of(range.start);
    let last = file.line_of(range.end.saturating_sub(1).max(range.start));
    let start = *file.line_starts.get(first)?;
    if !source
        .get(start..range.start)?
        .iter()
        .all(|b| matches!(b, b' ' | b'\t'))
    {
        return None;
    }
    let line_end = file.line_range(last).end.max(range.end);
    let rest = String::from_utf8_lossy(source.get(range.end..line_end)?);
    let rest = rest.trim();
    let rest = rest.strip_prefix(';').unwrap_or(rest).trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let lines = start
        ..file
            .line_starts
            .get(last + 1)
            .copied()
            .unwrap_or(source.len());
    let alone = file.overlapping(lines.clone()).all(|other| {
        std::ptr::eq(other, statement)
            || (other.context.in_subshell
                && range.start <= other.range.start
                && other.range.end <= range.end
                && other.range != *range)
    });
    let itself = usize::from(!statement.context.in_subshell);
    let in_list = file.list_len(statement.chain.list) > itself;
    (alone && !in_list && statement.chain.after.is_none()).then_some(lines)
}

/// The line break of the line holding `offset`: `\r\n` or `\n` (`\n` for a last line
/// without one).
pub(crate) fn line_break_at(file: &StartupFile, offset: usize) -> &'static str {
    let line = file.line_of(offset);
    let end = file.line_range(line).end;
    if file.source.get(end) == Some(&b'\r') {
        "\r\n"
    } else {
        "\n"
    }
}

/// An unsafe fix that moves the lines a statement stands on alone to `at` (a line start
/// before them), keeping their line breaks; the last line of a file without a final line
/// break gets the line break of the line at `at`.
pub(crate) fn move_lines_to(
    file: &StartupFile,
    statement: &Statement,
    at: usize,
    message: String,
) -> Option<Fix> {
    let lines = own_lines(file, statement)?;
    let source = file.source;
    let mut moved = String::from_utf8(source.get(lines.clone())?.to_vec()).ok()?;
    let mut deletion = lines.clone();
    if !moved.ends_with('\n') {
        moved.push_str(line_break_at(file, at));
        let before = if source[..lines.start].ends_with(b"\r\n") {
            2
        } else {
            usize::from(source[..lines.start].ends_with(b"\n"))
        };
        deletion = lines.start - before..lines.end;
    }
    Some(Fix::unsafe_(
        message,
        vec![Edit::insert(at, moved), Edit::delete(deletion)],
    ))
}
