//! What the conda, Go and activation-hook rules share: the statements of a block, what
//! encloses a block, and the whole lines a statement or a block stands on.

use std::ops::Range;

use condago_syntax::Shell;

use crate::model::{CondaBlock, Condition, StartupFile, Statement};
pub(crate) use crate::rules::lines::{line_break_at, own_lines};

/// What a block sits in, seen from outside it.
pub(crate) enum Enclosure<'a> {
    Function(&'a str),
    Condition(&'a Condition),
}

/// The statements inside block `index`, in order.
pub(crate) fn block_statements<'f>(
    file: &'f StartupFile,
    index: usize,
) -> impl Iterator<Item = &'f Statement> + 'f {
    let mut inside: Vec<&Statement> = file
        .conda_blocks
        .get(index)
        .map(|block| {
            file.overlapping(block.range.clone())
                .filter(|statement| statement.context.conda_block == Some(index))
                .collect()
        })
        .unwrap_or_default();
    // `overlapping` walks backwards; the rules want the order of `file.statements`, which
    // is the order of the statements in memory.
    inside.sort_by_key(|statement| std::ptr::from_ref::<Statement>(statement));
    inside.into_iter()
}

/// The function or condition around block `index`. The markers are comments, so this is
/// decided by the statements inside the block: a condition that starts before the start
/// marker encloses the whole block; a function encloses it when every statement inside is
/// in that same function.
pub(crate) fn enclosure<'f>(file: &'f StartupFile, index: usize) -> Option<Enclosure<'f>> {
    let block = file.conda_blocks.get(index)?;
    let mut statements = block_statements(file, index).peekable();
    let first = *statements.peek()?;
    if let Some(condition) = first
        .context
        .conditions
        .iter()
        .find(|condition| condition.range.start < block.range.start)
    {
        return Some(Enclosure::Condition(condition));
    }
    let function = first.context.function.as_deref()?;
    statements
        .all(|statement| statement.context.function.as_deref() == Some(function))
        .then_some(Enclosure::Function(function))
}

/// From the start of the block's first line to the start of the line after its last
/// (line break included).
pub(crate) fn block_lines(file: &StartupFile, block: &CondaBlock) -> Range<usize> {
    let first = file.line_of(block.range.start);
    let last = file.line_of(block.range.end.saturating_sub(1).max(block.range.start));
    let start = file.line_starts.get(first).copied().unwrap_or(0);
    let end = file
        .line_starts
        .get(last + 1)
        .copied()
        .unwrap_or(file.source.len());
    start..end
}

/// The lines to delete to remove a statement, when removing it leaves valid code: bash
/// and `/bin/sh` reject an `if`, loop or function whose body becomes empty, so a statement
/// that is alone in its body is not deleted there (zsh and fish accept empty bodies).
pub(crate) fn deletable_lines(file: &StartupFile, statement: &Statement) -> Option<Range<usize>> {
    let lines = own_lines(file, statement)?;
    let context = &statement.context;
    let nested = !context.conditions.is_empty() || context.function.is_some() || context.in_loop;
    if nested && matches!(file.shell, Shell::Bash | Shell::Sh) {
        let innermost = context.conditions.last().map(|condition| &condition.range);
        let sibling = file.statements.iter().any(|other| {
            !std::ptr::eq(other, statement)
                && !other.context.in_subshell
                && (other.range.end <= lines.start || other.range.start >= lines.end)
                && other.context.function == context.function
                && other
                    .context
                    .conditions
                    .last()
                    .map(|condition| &condition.range)
                    == innermost
                && other.context.conditions.len() == context.conditions.len()
        });
        if !sibling {
            return None;
        }
    }
    Some(lines)
}

/// The 1-based line number of a byte offset, for messages.
pub(crate) fn line_number(file: &StartupFile, offset: usize) -> usize {
    file.line_of(offset) + 1
}

/// The command that (re)writes a block of this tool.
pub(crate) fn init_command(tool: &str) -> &'static str {
    if tool == "conda" {
        "conda init"
    } else {
        "mamba shell init"
    }
}
