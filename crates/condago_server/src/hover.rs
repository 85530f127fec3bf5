//! Hover: the rule's documentation on a finding; on a line that changes `PATH`, the `PATH`
//! as the file has built it up to that line, each entry with the line that put it there.

use std::ops::Range;

use condago_linter::model::{PathEditKind, PathEntryKind, StartupFile};
use condago_linter::{registry, Diagnostic};
use ropey::Rope;

use crate::convert::rule_url;
use crate::document::Syntax;

/// The Markdown to show at a byte offset, and the range it is about.
pub fn hover(
    path: &std::path::Path,
    text: &str,
    rope: &Rope,
    syntax: &Syntax,
    findings: &[Diagnostic],
    offset: usize,
) -> Option<(String, Range<usize>)> {
    let mut sections = Vec::new();
    let mut about: Option<Range<usize>> = None;
    let mut seen: Vec<&str> = Vec::new();
    // Compared as the client sees the ranges (a finding may start inside a CRLF).
    let visible = |at: usize| crate::position::snap(rope, at);
    for finding in findings.iter().filter(|finding| {
        visible(finding.range.start) <= offset && offset <= visible(finding.range.end)
    }) {
        if seen.contains(&finding.code) {
            continue;
        }
        seen.push(finding.code);
        about.get_or_insert(finding.range.clone());
        sections.push(rule_section(finding));
    }
    if let Some((section, range)) = path_section(path, text, rope, syntax, offset) {
        sections.push(section);
        about.get_or_insert(range);
    }
    let about = about?;
    Some((sections.join("\n\n---\n\n"), about))
}

fn rule_section(finding: &Diagnostic) -> String {
    let mut out = format!(
        "**{}** `{}`: {}",
        finding.code, finding.name, finding.message
    );
    if let Some(help) = &finding.help {
        out.push_str(&format!("\n\n*Help:* {help}"));
    }
    if let Some(rule) = registry::find(finding.code) {
        // The doc comes from `///` lines: drop the space each line starts with.
        let doc: Vec<&str> = rule
            .doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect();
        out.push_str("\n\n");
        out.push_str(doc.join("\n").trim());
    }
    out.push_str(&format!(
        "\n\n[{} documentation]({})",
        finding.code,
        rule_url(finding.code)
    ));
    out
}

/// One entry of the `PATH` being built.
#[derive(Debug, Clone)]
struct Entry {
    /// The directory as written, or `None` for the inherited `PATH`.
    dir: Option<String>,
    kind: PathEntryKind,
    /// 1-based line that put it there.
    line: usize,
    /// A condition it depends on, or where it comes from.
    note: Option<String>,
}

/// What changes `PATH`, in order.
enum Step {
    Edit {
        at: usize,
        statement: Range<usize>,
        entries: Vec<Entry>,
        idempotent: bool,
        declare_only: bool,
    },
    Conda {
        at: usize,
        base: String,
        lines: (usize, usize),
    },
}

fn path_section(
    path: &std::path::Path,
    text: &str,
    rope: &Rope,
    syntax: &Syntax,
    offset: usize,
) -> Option<(String, Range<usize>)> {
    let source = text.as_bytes();
    let file = StartupFile::new(path, source, &syntax.parse, syntax.detection.read_by_sh);
    let line_no = |byte: usize| rope.byte_to_line(byte.min(rope.len_bytes())) + 1;
    let line = rope.byte_to_line(offset.min(rope.len_bytes()));
    let line_start = rope.line_to_byte(line);
    let line_end = if line + 1 < rope.len_lines() {
        rope.line_to_byte(line + 1)
    } else {
        rope.len_bytes()
    };

    let mut steps = Vec::new();
    for (statement, edit) in file.path_edits() {
        let context = &statement.context;
        // Code in a function runs when it is called, not when the file is read; what a
        // conda block does is modelled below as a whole.
        if context.function.is_some() || context.conda_block.is_some() {
            continue;
        }
        let note = context
            .conditions
            .last()
            .map(|condition| format!("only if `{}`", condition.test.trim()));
        let entries = edit
            .entries
            .iter()
            .map(|entry| Entry {
                dir: (entry.kind != PathEntryKind::Old).then(|| entry.display(source)),
                kind: entry.kind,
                line: line_no(entry.range.start),
                note: note.clone(),
            })
            .collect();
        steps.push(Step::Edit {
            at: statement.range.start,
            statement: statement.range.clone(),
            entries,
            idempotent: edit.idempotent,
            declare_only: edit.kind == PathEditKind::Declare,
        });
    }
    for block in &file.conda_blocks {
        if !block.is_well_formed() || block.hooks.is_empty() {
            continue;
        }
        steps.push(Step::Conda {
            at: block.range.start,
            base: block
                .base
                .clone()
                .unwrap_or_else(|| "<conda base>".to_string()),
            lines: (line_no(block.range.start), line_no(block.range.end)),
        });
    }
    steps.sort_by_key(|step| match step {
        Step::Edit { at, .. } | Step::Conda { at, .. } => *at,
    });

    // The step the hovered line belongs to.
    let hovered = steps.iter().position(|step| match step {
        Step::Edit {
            statement,
            declare_only,
            ..
        } => !declare_only && statement.start < line_end && line_start <= statement.end,
        Step::Conda { .. } => false,
    })?;
    let range = match &steps[hovered] {
        Step::Edit { statement, .. } => statement.clone(),
        Step::Conda { .. } => line_start..line_end,
    };

    let mut current = vec![Entry {
        dir: None,
        kind: PathEntryKind::Old,
        line: 0,
        note: None,
    }];
    let mut dropped_on: Option<usize> = None;
    for step in &steps[..=hovered] {
        match step {
            Step::Edit {
                entries,
                idempotent,
                declare_only,
                statement,
                ..
            } => {
                if *declare_only {
                    continue;
                }
                let keeps_old = entries.iter().any(|entry| entry.kind == PathEntryKind::Old);
                if !keeps_old && current.iter().any(|entry| entry.dir.is_none()) {
                    dropped_on = Some(line_no(statement.start));
                }
                let mut next: Vec<Entry> = Vec::new();
                for entry in entries {
                    if entry.kind == PathEntryKind::Old {
                        next.extend(current.iter().cloned());
                    } else if !(*idempotent
                        && (current.iter().chain(&next)).any(|other| other.dir == entry.dir))
                    {
                        next.push(entry.clone());
                    }
                }
                current = next;
            }
            Step::Conda { base, lines, .. } => {
                let note = Some(format!(
                    "conda init block, lines {}–{}, with base auto-activation",
                    lines.0, lines.1
                ));
                let mut next = Vec::new();
                for dir in [format!("{base}/bin"), format!("{base}/condabin")] {
                    next.push(Entry {
                        dir: Some(dir),
                        kind: PathEntryKind::Dir,
                        line: lines.0,
                        note: note.clone(),
                    });
                }
                let rest: Vec<Entry> = current
                    .into_iter()
                    .filter(|entry| !next.iter().any(|new| new.dir == entry.dir))
                    .collect();
                next.extend(rest);
                current = next;
            }
        }
    }

    let mut out = format!(
        "**`PATH` after line {}**, as this file builds it (the first entry wins):\n",
        line + 1
    );
    for (index, entry) in current.iter().enumerate() {
        let what = match (&entry.dir, entry.kind) {
            (None, _) => "the inherited `$PATH`".to_string(),
            (Some(_), PathEntryKind::Empty) => "an empty entry: the current directory".to_string(),
            (Some(_), PathEntryKind::Dot) => "`.`: the current directory".to_string(),
            (Some(dir), _) => format!("`{}`", dir.replace('`', "'")),
        };
        let mut detail = Vec::new();
        if entry.dir.is_some() {
            detail.push(format!("line {}", entry.line));
        }
        if let Some(note) = &entry.note {
            detail.push(note.clone());
        }
        if detail.is_empty() {
            out.push_str(&format!("\n{}. {what}", index + 1));
        } else {
            out.push_str(&format!("\n{}. {what} ({})", index + 1, detail.join(", ")));
        }
    }
    if let Some(line) = dropped_on.filter(|_| !current.iter().any(|entry| entry.dir.is_none())) {
        out.push_str(&format!(
            "\n\nThe inherited `PATH` (with conda's entries) is dropped on line {line}."
        ));
    }
    Some((out, range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use condago_linter::{Budget, Shell};

    fn hover_at(name: &str, text: &str, needle: &str) -> Option<String> {
        let path = std::path::Path::new(name);
        let detection = condago_linter::resolve_shell(path, text.as_bytes(), None).expect("shell");
        let parse = condago_syntax::parse(text.as_bytes(), detection.shell, &Budget::default());
        let syntax = Syntax::new(detection, parse);
        let rope = Rope::from_str(text);
        let offset = text.find(needle).expect("needle");
        hover(path, text, &rope, &syntax, &[], offset).map(|(markdown, _)| markdown)
    }

    #[test]
    fn path_as_built_up_to_the_line() {
        let text = "export PATH=\"$HOME/go/bin:$PATH\"\r\n# 漢字\nif [ -d /opt/x ]; then\n  PATH=/opt/x/bin:$PATH\nfi\nexport PATH=\"$PATH:/usr/local/go/bin\"\necho done\n";
        let markdown = hover_at("/home/u/.bashrc", text, "/opt/x/bin").expect("hover");
        assert!(markdown.contains("after line 4"), "{markdown}");
        let first = markdown.find("`/opt/x/bin` (line 4, only if `[ -d /opt/x ]`)");
        let second = markdown.find("`$HOME/go/bin` (line 1)");
        let inherited = markdown.find("the inherited `$PATH`");
        assert!(
            first.is_some() && second.is_some() && inherited.is_some(),
            "{markdown}"
        );
        assert!(first < second && second < inherited, "{markdown}");
        assert!(!markdown.contains("/usr/local/go/bin"), "{markdown}");
        assert!(hover_at("/home/u/.bashrc", text, "echo").is_none());
    }

    #[test]
    fn a_replaced_path_says_so() {
        let text = "set -gx PATH /usr/bin /bin\nfish_add_path -g /usr/bin ~/bin\n";
        let markdown =
            hover_at("/home/u/.config/fish/config.fish", text, "fish_add_path").expect("hover");
        assert!(markdown.contains("dropped on line 1"), "{markdown}");
        assert_eq!(markdown.matches("`/usr/bin`").count(), 1, "{markdown}");
        assert!(markdown.contains("1. `~/bin` (line 2)"), "{markdown}");
        let _ = Shell::Fish;
    }
}
