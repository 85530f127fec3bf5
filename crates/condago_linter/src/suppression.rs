//! `# condago: disable=CG101` (this line or the next) and `# condago: disable-file=CG101`,
//! and CG003 for the ones that suppress nothing.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::lines::LineIndex;
use crate::registry;
use crate::rule::Rule;

/// One suppression comment.
#[derive(Debug)]
struct Suppression {
    /// 0-based line of the comment.
    line: usize,
    /// The comment applies to the next line too (it stands alone on its line).
    covers_next_line: bool,
    file_level: bool,
    /// Removing the whole line (own-line comment) or the comment and the blanks before it.
    removal: Range<usize>,
    /// The listed codes or names, with their ranges and whether they were used.
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    text: String,
    range: Range<usize>,
    rule: Option<&'static Rule>,
    used: bool,
}

/// What every suppression comment starts with.
const MARKER: &[u8] = b"condago:";

/// Drops suppressed findings and, when `report_unused` holds, adds CG003 for entries that
/// suppressed nothing. `is_enabled` says which rules ran: a suppression for a rule that did
/// not run is not "unused".
pub(crate) fn apply(
    source: &[u8],
    tree: Option<&condago_syntax::tree_sitter::Tree>,
    diagnostics: Vec<Diagnostic>,
    is_enabled: &dyn Fn(&Rule) -> bool,
    report_unused: bool,
) -> Vec<Diagnostic> {
    // Most files have no suppression at all: skip the line index and the per-line scan.
    if find_bytes(source, MARKER).is_none() {
        return diagnostics;
    }
    let index = LineIndex::new(source);
    let mut suppressions = find(source, &index, tree);
    if suppressions.is_empty() {
        return diagnostics;
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let line = index.line_of(diagnostic.range.start);
        let mut suppressed = false;
        for suppression in suppressions.iter_mut() {
            let covers = suppression.file_level
                || suppression.line == line
                || (suppression.covers_next_line && suppression.line + 1 == line);
            if !covers {
                continue;
            }
            for entry in suppression.entries.iter_mut() {
                if entry.rule.is_some_and(|rule| rule.code == diagnostic.code) {
                    entry.used = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(diagnostic);
        }
    }
    if report_unused {
        for suppression in &suppressions {
            kept.extend(unused(suppression, is_enabled));
        }
    }
    kept
}

fn unused(suppression: &Suppression, is_enabled: &dyn Fn(&Rule) -> bool) -> Vec<Diagnostic> {
    let rule = &crate::rules::file::unused_suppression::RULE;
    let unused: Vec<&Entry> = suppression
        .entries
        .iter()
        .filter(|entry| !entry.used && entry.rule.is_none_or(is_enabled))
        .collect();
    if unused.is_empty() {
        return Vec::new();
    }
    let all_unused = unused.len() == suppression.entries.len();
    let fix = if all_unused {
        Fix::safe(
            "Remove the unused suppression comment",
            vec![Edit::delete(suppression.removal.clone())],
        )
    } else {
        // Keep the used entries, in their order.
        let kept: Vec<&str> = suppression
            .entries
            .iter()
            .filter(|entry| entry.used || entry.rule.is_some_and(|rule| !is_enabled(rule)))
            .map(|entry| entry.text.as_str())
            .collect();
        let first = suppression
            .entries
            .first()
            .map_or(0, |entry| entry.range.start);
        let last = suppression
            .entries
            .last()
            .map_or(0, |entry| entry.range.end);
        Fix::safe(
            "Remove the unused codes from the suppression",
            vec![Edit::replace(first..last, kept.join(","))],
        )
    };
    unused
        .into_iter()
        .map(|entry| {
            let message = match entry.rule {
                Some(rule) => format!(
                    "`{}` ({}) is suppressed here but reports nothing on {}",
                    rule.code,
                    rule.name,
                    if suppression.file_level {
                        "this file"
                    } else {
                        "this line"
                    }
                ),
                None => format!("`{}` is not a condago rule code or name", entry.text),
            };
            Diagnostic {
                code: rule.code,
                name: rule.name,
                severity: rule.severity,
                range: entry.range.clone(),
                message,
                help: Some(
                    "remove it, so the comments that remain are the ones that matter".into(),
                ),
                fix: Some(fix.clone()),
            }
        })
        .collect()
}

/// The suppression comments; with a tree, only where the parser saw a comment (a marker
/// in a string that runs over several lines is text, not a comment).
fn find(
    source: &[u8],
    index: &LineIndex,
    tree: Option<&condago_syntax::tree_sitter::Tree>,
) -> Vec<Suppression> {
    let mut out = Vec::new();
    for line in 0..index.line_count() {
        let start = index.line_start(line);
        let mut end = index.line_start(line + 1).min(source.len());
        while end > start && matches!(source[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        let text = &source[start..end];
        let Some(marker) = find_bytes(text, MARKER) else {
            continue;
        };
        let Some(hash) = text[..marker].iter().rposition(|&b| b == b'#') else {
            continue;
        };
        if !text[hash + 1..marker]
            .iter()
            .all(|b| b.is_ascii_whitespace())
        {
            continue;
        }
        // A `#` is a comment only where a word starts, and not inside quotes opened
        // earlier on the line (`PATH="$HOME/x# condago: …"` is a value, not a comment).
        let before_hash = &text[..hash];
        let word_start = before_hash
            .last()
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b';' | b'&' | b'|' | b'(' | b')'));
        let open_quotes = |quote: u8| before_hash.iter().filter(|&&b| b == quote).count() % 2 == 1;
        if !word_start || open_quotes(b'"') || open_quotes(b'\'') {
            continue;
        }
        let at = start + hash;
        let is_comment = |tree: &condago_syntax::tree_sitter::Tree| {
            tree.root_node()
                .descendant_for_byte_range(at, at + 1)
                .is_some_and(|node| node.kind() == "comment" && node.start_byte() == at)
        };
        if tree.is_some_and(|tree| !is_comment(tree)) {
            continue;
        }
        let after = &text[marker + MARKER.len()..];
        let skip = after.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let after = &after[skip..];
        let (file_level, keyword_len) = if after.starts_with(b"disable-file=") {
            (true, "disable-file=".len())
        } else if after.starts_with(b"disable=") {
            (false, "disable=".len())
        } else {
            continue;
        };
        let list_start = start + marker + MARKER.len() + skip + keyword_len;
        let list_len = source[list_start..end]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b',' | b'-' | b'_' | b' '))
            .count();
        let mut entries = Vec::new();
        let mut at = list_start;
        for piece in source[list_start..list_start + list_len].split(|&b| b == b',') {
            let lead = piece.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let trimmed = String::from_utf8_lossy(piece).trim().to_string();
            if !trimmed.is_empty() {
                let range = at + lead..at + lead + trimmed.len();
                entries.push(Entry {
                    rule: registry::find(&trimmed),
                    text: trimmed,
                    range,
                    used: false,
                });
            }
            at += piece.len() + 1;
        }
        if entries.is_empty() {
            continue;
        }
        let own_line = before_hash.iter().all(|b| b.is_ascii_whitespace());
        let removal = if own_line {
            start..index.line_start(line + 1).min(source.len())
        } else {
            let blanks = before_hash
                .iter()
                .rev()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
            start + hash - blanks..end
        };
        out.push(Suppression {
            line,
            covers_next_line: own_line,
            file_level,
            removal,
            entries,
        });
    }
    out
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
