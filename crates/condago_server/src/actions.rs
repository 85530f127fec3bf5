//! Code actions: each finding's fix as a quick-fix, "Disable CGxxx for this line", and
//! `source.fixAll.condago` with the safe fixes.

use std::collections::HashMap;
use std::ops::Range;

use condago_linter::{Applicability, Diagnostic, Edit, Settings};
use condago_syntax::tree_sitter::{InputEdit, Point, Tree};
use ropey::Rope;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::convert;
use crate::document::Syntax;
use crate::position::Encoding;

/// The kind of the fix-all action.
pub const FIX_ALL_KIND: &str = "source.fixAll.condago";

/// At most this many "Disable … for this line" actions per request (a selection over a
/// whole file with many findings would otherwise parse the file once per finding).
const MAX_DISABLE_ACTIONS: usize = 32;

/// What the actions are computed on.
pub struct Target<'a> {
    pub uri: &'a Uri,
    pub version: i32,
    pub path: &'a std::path::Path,
    pub text: &'a str,
    pub rope: &'a Rope,
    pub syntax: &'a Syntax,
    pub findings: &'a [Diagnostic],
    pub encoding: Encoding,
    /// The client takes `documentChanges` (versioned edits).
    pub document_changes: bool,
    pub settings: &'a Settings,
}

/// Whether an action of `kind` is wanted by the request's `only` filter (kinds are
/// hierarchical: `source.fixAll` asks for `source.fixAll.condago` too).
pub fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(kinds) => kinds.iter().any(|wanted| {
            let wanted = wanted.as_str();
            kind == wanted
                || (kind.starts_with(wanted) && kind.as_bytes().get(wanted.len()) == Some(&b'.'))
        }),
    }
}

/// The actions for the findings that touch `range` (bytes, whole lines), and fix-all.
pub fn code_actions(
    target: &Target,
    range: Range<usize>,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    let mut disabled: Vec<(usize, &str)> = Vec::new();
    let quickfix = CodeActionKind::QUICKFIX;
    if wanted(only, quickfix.as_str()) {
        for finding in target.findings.iter().filter(|finding| {
            let touches_start = finding.range.end > range.start
                || (finding.range.is_empty() && finding.range.start == range.start);
            finding.range.start <= range.end && touches_start
        }) {
            let diagnostic = convert::diagnostic(finding, target.rope, target.encoding);
            if let Some(fix) = &finding.fix {
                let title = match fix.applicability {
                    Applicability::Safe => format!("{} ({})", fix.message, finding.code),
                    Applicability::Unsafe => {
                        format!(
                            "{} ({}, unsafe: changes behaviour)",
                            fix.message, finding.code
                        )
                    }
                    Applicability::Suggestion => {
                        format!("{} ({}, suggestion)", fix.message, finding.code)
                    }
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(quickfix.clone()),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(workspace_edit(target, &fix.edits)),
                    is_preferred: Some(fix.applicability == Applicability::Safe),
                    ..CodeAction::default()
                }));
            }
            // Suppressing an unused suppression would only add another one. One action per
            // code and line, and a bounded number (each is checked with a parse).
            let line = target.text[..finding.range.start.min(target.text.len())]
                .bytes()
                .filter(|&b| b == b'\n')
                .count();
            if finding.code == "CG003"
                || disabled.contains(&(line, finding.code))
                || disabled.len() >= MAX_DISABLE_ACTIONS
            {
                continue;
            }
            disabled.push((line, finding.code));
            if let Some(edit) = disable_edit(target, finding) {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Disable {} for this line", finding.code),
                    kind: Some(quickfix.clone()),
                    diagnostics: Some(vec![diagnostic]),
                    edit: Some(workspace_edit(target, &[edit])),
                    is_preferred: Some(false),
                    ..CodeAction::default()
                }));
            }
        }
    }
    if wanted(only, FIX_ALL_KIND) {
        if let Some(action) = fix_all(target) {
            actions.push(CodeActionOrCommand::CodeAction(action));
        }
    }
    actions
}

fn fix_all(target: &Target) -> Option<CodeAction> {
    let safe = |finding: &Diagnostic| {
        finding
            .fix
            .as_ref()
            .is_some_and(|fix| fix.applicability == Applicability::Safe)
    };
    if !target.findings.iter().any(safe) {
        return None;
    }
    let outcome = condago_linter::fix_until_stable(
        target.path,
        target.text.as_bytes(),
        target.syntax.detection,
        target.settings,
        Applicability::Safe,
    );
    let fixed = String::from_utf8(outcome.text).ok()?;
    let edit = convert::minimal_edit(target.text, &fixed)?;
    Some(CodeAction {
        title: "Fix all safely fixable condago findings".to_string(),
        kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
        edit: Some(workspace_edit(target, &[edit])),
        ..CodeAction::default()
    })
}

fn workspace_edit(target: &Target, edits: &[Edit]) -> WorkspaceEdit {
    let edits: Vec<TextEdit> = convert::text_edits(edits, target.rope, target.encoding);
    if target.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: target.uri.clone(),
                    version: Some(target.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(target.uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// A candidate place for the suppression, with the offset (in the edited text) that must
/// then be inside a comment.
struct Candidate {
    edit: Edit,
    probe: usize,
}

/// The edit that suppresses `finding` on its line: a code added to a suppression comment
/// already on the line (or standing alone on the line above), else a comment of its own on
/// the line above, else one at the end of the line. Each candidate is parsed before it is
/// offered, so the comment never lands inside a string, a heredoc or a continued line.
fn disable_edit(target: &Target, finding: &Diagnostic) -> Option<Edit> {
    let text = target.text;
    let code = finding.code;
    let start = finding.range.start.min(text.len());
    // Lines as the suppression rule counts them: split at `\n`.
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let line_break = text[start..].find('\n').map_or(text.len(), |at| start + at);
    let content_end = if text[..line_break].ends_with('\r') && line_break > line_start {
        line_break - 1
    } else {
        line_break
    };
    let line = &text[line_start..content_end];
    if line_start == 0 && line.starts_with("#!") {
        // Nothing goes before a shebang, and after it a comment is an argument.
        return None;
    }
    let mut candidates = Vec::new();
    if let Some(comment) = suppression_comment(line) {
        if comment
            .codes
            .iter()
            .any(|listed| listed.eq_ignore_ascii_case(code))
        {
            return None;
        }
        let at = line_start + comment.list_end;
        candidates.push(Candidate {
            edit: Edit::insert(at, format!(",{code}")),
            probe: at,
        });
    } else {
        if line_start > 0 {
            let previous_end = line_start - 1;
            let previous_start = text[..previous_end].rfind('\n').map_or(0, |at| at + 1);
            let previous = text[previous_start..previous_end].trim_end_matches('\r');
            if let Some(comment) = suppression_comment(previous).filter(|c| c.own_line) {
                if comment
                    .codes
                    .iter()
                    .any(|listed| listed.eq_ignore_ascii_case(code))
                {
                    return None;
                }
                let at = previous_start + comment.list_end;
                candidates.push(Candidate {
                    edit: Edit::insert(at, format!(",{code}")),
                    probe: at,
                });
            }
        }
        let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
        let indent = &line[..indent_len];
        let eol = if text[content_end..].starts_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        candidates.push(Candidate {
            edit: Edit::insert(
                line_start,
                format!("{indent}# condago: disable={code}{eol}"),
            ),
            probe: line_start + indent_len,
        });
        candidates.push(Candidate {
            edit: Edit::insert(content_end, format!(" # condago: disable={code}")),
            probe: content_end + 1,
        });
    }
    let tree = target.syntax.parse.tree.as_ref()?;
    let errors_before = condago_syntax::error_count(tree);
    candidates
        .into_iter()
        .find(|candidate| {
            lands_in_comment(
                text,
                tree,
                target.syntax.parse.grammar,
                candidate,
                errors_before,
                target.settings,
            )
        })
        .map(|candidate| candidate.edit)
}

/// Whether the edited text parses with the probe inside a comment and no new errors.
fn lands_in_comment(
    text: &str,
    tree: &Tree,
    grammar: condago_syntax::Grammar,
    candidate: &Candidate,
    errors_before: usize,
    settings: &Settings,
) -> bool {
    let edit = &candidate.edit;
    let mut edited = text.to_string();
    edited.replace_range(edit.range.clone(), &edit.content);
    let start = point_at(text, edit.range.start);
    let mut old = tree.clone();
    old.edit(&InputEdit {
        start_byte: edit.range.start,
        old_end_byte: edit.range.end,
        new_end_byte: edit.range.start + edit.content.len(),
        start_position: start,
        old_end_position: point_at(text, edit.range.end),
        new_end_position: point_at(&edited, edit.range.start + edit.content.len()),
    });
    let Ok(new) =
        condago_syntax::parse_with(edited.as_bytes(), grammar, Some(&old), &settings.budget)
    else {
        return false;
    };
    let root = new.root_node();
    let in_comment = root
        .descendant_for_byte_range(candidate.probe, candidate.probe + 1)
        .is_some_and(|node| node.kind() == "comment");
    in_comment && condago_syntax::error_count(&new) <= errors_before
}

fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    Point {
        row: before.iter().filter(|&&b| b == b'\n').count(),
        column: offset - line_start,
    }
}

/// A `# condago: disable=…` comment found on a line.
struct SuppressionComment {
    /// Where its list of codes ends, in the line.
    list_end: usize,
    codes: Vec<String>,
    /// Nothing but blanks before the `#`.
    own_line: bool,
}

/// Finds a line-level suppression comment the way the linter reads them.
fn suppression_comment(line: &str) -> Option<SuppressionComment> {
    const MARKER: &str = "condago:";
    let marker = line.find(MARKER)?;
    let hash = line[..marker].rfind('#')?;
    if !line[hash + 1..marker].trim().is_empty() {
        return None;
    }
    let after = &line[marker + MARKER.len()..];
    let keyword_at = marker + MARKER.len() + (after.len() - after.trim_start().len());
    let list_start = keyword_at + line[keyword_at..].strip_prefix("disable=").map(|_| 8)?;
    let list_len = line[list_start..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b',' | b'-' | b'_' | b' '))
        .count();
    let list = line[list_start..list_start + list_len].trim_end_matches([' ', ',']);
    let codes: Vec<String> = list
        .split(',')
        .map(|code| code.trim().to_string())
        .filter(|code| !code.is_empty())
        .collect();
    if codes.is_empty() {
        return None;
    }
    Some(SuppressionComment {
        list_end: list_start + list.len(),
        codes,
        own_line: line[..hash].trim().is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use condago_linter::{Budget, Selection};

    fn target_for<'a>(
        name: &'a std::path::Path,
        text: &'a str,
        rope: &'a Rope,
        syntax: &'a Syntax,
        findings: &'a [Diagnostic],
        uri: &'a Uri,
        settings: &'a Settings,
    ) -> Target<'a> {
        Target {
            uri,
            version: 1,
            path: name,
            text,
            rope,
            syntax,
            findings,
            encoding: Encoding::Utf8,
            document_changes: false,
            settings,
        }
    }

    /// Applies the "Disable" action for the first finding of `code` and returns the text.
    fn disable(name: &str, text: &str, code: &str) -> Option<String> {
        let path = std::path::Path::new(name);
        let detection = condago_linter::resolve_shell(path, text.as_bytes(), None).expect("shell");
        let settings = Settings::default();
        let parse = condago_syntax::parse(text.as_bytes(), detection.shell, &Budget::default());
        let findings = condago_linter::lint_parsed(
            path,
            text.as_bytes(),
            &parse,
            detection.read_by_sh,
            &settings,
        );
        let syntax = Syntax::new(detection, parse);
        let rope = Rope::from_str(text);
        let uri: Uri = "file:///home/u/x".parse().expect("uri");
        let target = target_for(path, text, &rope, &syntax, &findings, &uri, &settings);
        let finding = findings.iter().find(|f| f.code == code).expect("finding");
        let edit = disable_edit(&target, finding)?;
        let mut out = text.to_string();
        out.replace_range(edit.range, &edit.content);
        // The suppression works: the finding is gone and nothing new appears.
        let after = condago_linter::lint(
            path,
            out.as_bytes(),
            syntax.detection,
            &Settings {
                selection: Selection::default(),
                ..Settings::default()
            },
        );
        let before_codes: Vec<_> = findings
            .iter()
            .filter(|f| f.code != code)
            .map(|f| f.code)
            .collect();
        let after_codes: Vec<_> = after.diagnostics.iter().map(|f| f.code).collect();
        assert_eq!(after_codes, before_codes, "{out}");
        Some(out)
    }

    #[test]
    fn disable_goes_on_its_own_line_with_the_indent_and_line_ending() {
        let out = disable(
            "/home/u/.zshrc",
            "if true; then\r\n\texport PATH=\"~/bin:$PATH\"\r\nfi\r\n",
            "CG102",
        );
        assert_eq!(
            out.as_deref(),
            Some("if true; then\r\n\t# condago: disable=CG102\r\n\texport PATH=\"~/bin:$PATH\"\r\nfi\r\n")
        );
    }

    #[test]
    fn disable_after_a_continued_line_goes_at_the_end() {
        let out = disable(
            "/home/u/.bashrc",
            "export PATH=\\\n\"~/bin:$PATH\"\n",
            "CG102",
        );
        assert_eq!(
            out.as_deref(),
            Some("export PATH=\\\n\"~/bin:$PATH\" # condago: disable=CG102\n")
        );
    }

    #[test]
    fn disable_joins_an_existing_suppression() {
        let out = disable(
            "/home/u/.config/fish/config.fish",
            "# condago: disable=CG001\nset -gx GOPATH '~/go'\n",
            "CG102",
        );
        // The own-line comment above gains the code.
        assert!(out.is_some_and(|out| out.starts_with("# condago: disable=CG001,CG102\n")));
    }

    #[test]
    fn only_filters_hierarchically() {
        let fix_all = CodeActionKind::new("source.fixAll");
        let source = CodeActionKind::SOURCE;
        let quickfix = CodeActionKind::QUICKFIX;
        assert!(wanted(Some(&[fix_all]), FIX_ALL_KIND));
        assert!(wanted(Some(&[source]), FIX_ALL_KIND));
        assert!(!wanted(Some(std::slice::from_ref(&quickfix)), FIX_ALL_KIND));
        assert!(!wanted(
            Some(&[CodeActionKind::new("source.fix")]),
            FIX_ALL_KIND
        ));
        assert!(wanted(None, FIX_ALL_KIND));
        assert!(wanted(Some(&[quickfix]), "quickfix"));
    }
}
