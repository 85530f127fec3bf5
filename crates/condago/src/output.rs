//! The reporters: text (snippets), concise, JSON, SARIF, GitHub annotations, statistics,
//! and diffs.

use std::io::Write;

use codespan_reporting::diagnostic::{Diagnostic as Snippet, Label, Severity as SnippetSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use condago_linter::lines::{column_units, Encoding, LineIndex};
use condago_linter::{Applicability, Severity};
use serde_json::{json, Value};

use crate::lint_command::{shown_path, FileReport};
use crate::{Format, LintArgs};

/// Prints the findings in `format`, then (for text) a summary on standard error.
pub(crate) fn print(
    reports: &[FileReport],
    format: Format,
    color: bool,
    args: &LintArgs,
    unreadable: usize,
) {
    match format {
        Format::Text => print_text(reports, color, args, unreadable),
        Format::Concise => {
            let mut out = std::io::stdout().lock();
            for report in reports {
                let index = LineIndex::new(&report.source);
                for diagnostic in &report.diagnostics {
                    let start =
                        index.position(&report.source, diagnostic.range.start, Encoding::Utf32);
                    let fixable = if diagnostic
                        .fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == Applicability::Safe)
                    {
                        " [*]"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        "{}:{}:{}: {}{} [{}] {}",
                        shown_path(&report.path),
                        start.line + 1,
                        start.column + 1,
                        diagnostic.code,
                        fixable,
                        diagnostic.severity.name(),
                        diagnostic.message
                    );
                }
            }
            drop(out);
            print_summary(reports, args, unreadable);
        }
        Format::Json => print_json(&json_findings(reports)),
        Format::Sarif => print_json(&sarif(reports)),
        Format::Github => {
            let mut out = std::io::stdout().lock();
            for report in reports {
                let index = LineIndex::new(&report.source);
                for diagnostic in &report.diagnostics {
                    let start =
                        index.position(&report.source, diagnostic.range.start, Encoding::Utf32);
                    let end = index.position(&report.source, diagnostic.range.end, Encoding::Utf32);
                    let level = match diagnostic.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info => "notice",
                    };
                    let _ = writeln!(
                        out,
                        "::{level} title={},file={},line={},col={},endLine={},endColumn={}::{}",
                        escape_property(&format!(
                            "condago ({} {})",
                            diagnostic.code, diagnostic.name
                        )),
                        escape_property(&shown_path(&report.path)),
                        start.line + 1,
                        start.column + 1,
                        end.line + 1,
                        end.column + 1,
                        escape_data(&format!("{} {}", diagnostic.code, diagnostic.message)),
                    );
                }
            }
        }
    }
}

fn print_json(value: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
}

/// The text of a file for display, byte offsets unchanged: invalid UTF-8 bytes become `?`.
fn display_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    out
}

fn print_text(reports: &[FileReport], color: bool, args: &LintArgs, unreadable: usize) {
    let choice = if color {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    };
    let writer = StandardStream::stdout(choice);
    let config = codespan_reporting::term::Config::default();
    let mut files = SimpleFiles::new();
    for report in reports {
        if report.diagnostics.is_empty() {
            continue;
        }
        let id = files.add(shown_path(&report.path), display_text(&report.source));
        for diagnostic in &report.diagnostics {
            let severity = match diagnostic.severity {
                Severity::Error => SnippetSeverity::Error,
                Severity::Warning => SnippetSeverity::Warning,
                Severity::Info => SnippetSeverity::Note,
            };
            let mut notes = Vec::new();
            if let Some(help) = &diagnostic.help {
                notes.push(format!("help: {help}"));
            }
            if let Some(fix) = &diagnostic.fix {
                notes.push(match fix.applicability {
                    Applicability::Safe => format!("fix: {} (safe: `--fix`)", fix.message),
                    Applicability::Unsafe => format!(
                        "fix: {} (unsafe, changes behaviour: `--fix --unsafe-fixes`)",
                        fix.message
                    ),
                    Applicability::Suggestion => format!("suggestion: {}", fix.message),
                });
            }
            let snippet = Snippet::new(severity)
                .with_code(diagnostic.code)
                .with_message(format!("{} [{}]", diagnostic.message, diagnostic.name))
                .with_labels(vec![Label::primary(id, diagnostic.range.clone())])
                .with_notes(notes);
            let mut lock = writer.lock();
            let _ =
                codespan_reporting::term::emit_to_write_style(&mut lock, &config, &files, &snippet);
        }
    }
    print_summary(reports, args, unreadable);
}

/// `Found 3 findings (1 fixed, 2 remaining).` and what `--fix` would do, on standard error.
/// With paths that could not be read, it says so instead of "All checks passed".
fn print_summary(reports: &[FileReport], args: &LintArgs, unreadable: usize) {
    if args.quiet {
        return;
    }
    // The findings went to standard output: finish writing them before the summary goes to
    // standard error, so that a terminal (or `2>&1`) shows the summary on its own line.
    let _ = std::io::stdout().lock().flush();
    let remaining: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let fixed: usize = reports.iter().flat_map(|r| &r.fixed).map(|(_, n)| n).sum();
    let safe = count_fixable(reports, |a| a == Applicability::Safe);
    let unsafe_ = count_fixable(reports, |a| a == Applicability::Unsafe);
    let files = reports.iter().filter(|r| r.error.is_none()).count();
    let mut err = std::io::stderr().lock();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if unreadable > 0 {
        let _ = writeln!(
            err,
            "{} could not be read; {} linted.",
            plural(unreadable, "path"),
            plural(files, "file")
        );
        if remaining == 0 && fixed == 0 {
            return;
        }
    } else if remaining == 0 && fixed == 0 {
        let _ = writeln!(err, "All checks passed ({} linted).", plural(files, "file"));
        return;
    }
    if fixed > 0 {
        let _ = writeln!(
            err,
            "Found {} ({} fixed, {} remaining) in {}.",
            plural(fixed + remaining, "finding"),
            fixed,
            remaining,
            plural(files, "file")
        );
    } else {
        let _ = writeln!(
            err,
            "Found {} in {}.",
            plural(remaining, "finding"),
            plural(files, "file")
        );
    }
    if safe > 0 && !args.fix {
        let _ = writeln!(err, "[*] {} fixable with `condago lint --fix`.", safe);
    }
    if unsafe_ > 0 && !args.unsafe_fixes {
        let _ = writeln!(
            err,
            "{} with unsafe fixes (they change behaviour; review with `--diff --unsafe-fixes`).",
            plural(unsafe_, "finding")
        );
    }
}

fn count_fixable(reports: &[FileReport], wanted: impl Fn(Applicability) -> bool) -> usize {
    reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.fix.as_ref().is_some_and(|f| wanted(f.applicability)))
        .count()
}

/// The JSON format: one object per finding (see the README).
pub(crate) fn json_findings(reports: &[FileReport]) -> Value {
    let mut out = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.source);
        let range = |r: &std::ops::Range<usize>| {
            let start = index.position(&report.source, r.start, Encoding::Utf32);
            let end = index.position(&report.source, r.end, Encoding::Utf32);
            json!({
                "start": {"line": start.line + 1, "column": start.column + 1, "offset": r.start},
                "end": {"line": end.line + 1, "column": end.column + 1, "offset": r.end},
            })
        };
        for diagnostic in &report.diagnostics {
            let fix = diagnostic.fix.as_ref().map(|fix| {
                json!({
                    "applicability": fix.applicability.name(),
                    "message": fix.message,
                    "edits": fix.edits.iter().map(|edit| json!({
                        "range": range(&edit.range),
                        "content": edit.content,
                    })).collect::<Vec<_>>(),
                })
            });
            out.push(json!({
                "file": shown_path(&report.path),
                "code": diagnostic.code,
                "name": diagnostic.name,
                "severity": diagnostic.severity.name(),
                "message": diagnostic.message,
                "range": range(&diagnostic.range),
                "fix": fix,
            }));
        }
    }
    Value::Array(out)
}

/// SARIF 2.1.0.
fn sarif(reports: &[FileReport]) -> Value {
    let rules: Vec<&condago_linter::rule::Rule> = condago_linter::registry::RULES.to_vec();
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|rule| {
            let doc = crate::rules_command::render(rule);
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                // Code scanning cuts `fullDescription` at 1,000 characters and shows `help`
                // as the rule's documentation.
                "fullDescription": {"text": rule.summary},
                "help": {"text": doc, "markdown": doc},
                "helpUri": format!("https://github.com/condago/condago/blob/main/docs/rules/{}.md", rule.code),
                "defaultConfiguration": {"level": sarif_level(rule.severity)},
            })
        })
        .collect();
    let mut results = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.source);
        let source = &report.source;
        let region = |r: &std::ops::Range<usize>| {
            let end_byte = r.end.min(source.len());
            let start_byte = r.start.min(end_byte);
            let start = index.position(&report.source, r.start, Encoding::Utf32);
            let end = index.position(&report.source, r.end, Encoding::Utf32);
            json!({
                "startLine": start.line + 1,
                "startColumn": start.column + 1,
                "endLine": end.line + 1,
                "endColumn": end.column + 1,
                // With `columnKind: unicodeCodePoints`, offsets count characters too.
                "charOffset": column_units(&source[..start_byte], Encoding::Utf32),
                "charLength": column_units(&source[start_byte..end_byte], Encoding::Utf32),
            })
        };
        let uri = sarif_uri(&report.path);
        for diagnostic in &report.diagnostics {
            let rule_index = rules.iter().position(|rule| rule.code == diagnostic.code);
            let mut result = json!({
                "ruleId": diagnostic.code,
                "level": sarif_level(diagnostic.severity),
                "message": {"text": diagnostic.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": region(&diagnostic.range),
                    }
                }],
            });
            if let Some(index) = rule_index {
                result["ruleIndex"] = json!(index);
            }
            if let Some(fix) = &diagnostic.fix {
                result["fixes"] = json!([{
                    "description": {"text": format!("{} ({})", fix.message, fix.applicability.name())},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": uri},
                        "replacements": fix.edits.iter().map(|edit| json!({
                            "deletedRegion": region(&edit.range),
                            "insertedContent": {"text": edit.content},
                        })).collect::<Vec<_>>(),
                    }],
                }]);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "condago",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/condago/condago",
                "rules": rule_objects,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI for relative paths (as code-scanning tools expect), `file://` otherwise.
fn sarif_uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if path.is_absolute() {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

/// GitHub's workflow-command escaping.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `--statistics`: findings per rule, most first.
pub(crate) fn print_statistics(reports: &[FileReport], format: Format) {
    let mut counts: Vec<(&'static str, &'static str, usize, bool)> = Vec::new();
    for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
        let fixable = diagnostic
            .fix
            .as_ref()
            .is_some_and(|f| f.applicability == Applicability::Safe);
        match counts
            .iter_mut()
            .find(|(code, ..)| *code == diagnostic.code)
        {
            Some(entry) => {
                entry.2 += 1;
                entry.3 |= fixable;
            }
            None => counts.push((diagnostic.code, diagnostic.name, 1, fixable)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    if format == Format::Json {
        let value: Vec<Value> = counts
            .iter()
            .map(|(code, name, count, fixable)| json!({"code": code, "name": name, "count": count, "fixable": fixable}))
            .collect();
        print_json(&Value::Array(value));
        return;
    }
    let mut out = std::io::stdout().lock();
    for (code, name, count, fixable) in counts {
        let _ = writeln!(
            out,
            "{count:>5}\t{code}\t{}{name}",
            if fixable { "[*] " } else { "" }
        );
    }
}

/// `--diff`: unified diffs of what the fixes change; nothing is written.
pub(crate) fn print_diffs(reports: &[FileReport]) {
    let mut out = std::io::stdout().lock();
    let mut changed = 0;
    for report in reports {
        let Some(original) = &report.original else {
            continue;
        };
        changed += 1;
        let before = display_text(original);
        let after = display_text(&report.source);
        let name = shown_path(&report.path);
        let name = name.trim_start_matches('/');
        let diff = similar::TextDiff::from_lines(&before, &after);
        let _ = write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
        );
    }
    let fixes: usize = reports.iter().flat_map(|r| &r.fixed).map(|(_, n)| n).sum();
    let _ = writeln!(
        std::io::stderr(),
        "Would fix {fixes} finding{} in {changed} file{}.",
        if fixes == 1 { "" } else { "s" },
        if changed == 1 { "" } else { "s" }
    );
}
