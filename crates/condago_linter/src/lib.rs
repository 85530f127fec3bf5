//! condago's linter: the single-file model of a startup file, the rules that read it, and
//! their fixes. Data flows one way: parse → model → rules → diagnostics (+ fixes).

pub mod container;
pub mod diagnostic;
mod fix;
pub mod lines;
pub mod model;
pub mod registry;
pub mod rule;
pub mod rules;
mod settings;
mod suppression;

use std::path::Path;

pub use condago_syntax::{Budget, Detection, Parse, Shell};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
pub use fix::{apply_edits, apply_fixes, fix_until_stable, FixOutcome};
pub use settings::{pattern_matches_a_rule, Selection, Settings, Version, Versions};

use model::StartupFile;
use rule::{Check, Checker};

/// What condago knows about one file after linting it.
#[derive(Debug)]
pub struct LintResult {
    pub shell: Shell,
    /// The grammar the tree came from (another one than the shell's after a fallback).
    pub grammar: condago_syntax::Grammar,
    /// Findings sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// What went wrong while parsing (timeouts, memory, fallbacks).
    pub parse_problems: Vec<condago_syntax::ParseProblem>,
}

/// The shell a file is written for: the `--shell` override, else detection.
pub fn resolve_shell(
    path: &Path,
    source: &[u8],
    override_shell: Option<Shell>,
) -> Option<Detection> {
    if container::container_kind(path).is_some() {
        // A Dockerfile's `RUN` code is shell; the file itself is linted as a container file.
        return Some(Detection {
            shell: override_shell.unwrap_or(Shell::Sh),
            source: condago_syntax::DetectionSource::FileName,
            read_by_sh: false,
        });
    }
    match override_shell {
        Some(shell) => Some(Detection {
            shell,
            source: condago_syntax::DetectionSource::FileName,
            read_by_sh: condago_syntax::detect_shell(path, source).is_some_and(|d| d.read_by_sh),
        }),
        None => condago_syntax::detect_shell(path, source),
    }
}

/// Parses and lints one file. A chezmoi template (`*.tmpl`) is linted with its actions
/// masked: no finding lies inside an action and no fix edits one.
pub fn lint(path: &Path, source: &[u8], detection: Detection, settings: &Settings) -> LintResult {
    if container::container_kind(path).is_some() {
        return LintResult {
            shell: detection.shell,
            grammar: detection.shell.grammar(),
            diagnostics: container::lint(path, source, settings),
            parse_problems: Vec::new(),
        };
    }
    let masked = condago_syntax::template::is_template_path(path)
        .then(|| condago_syntax::template::mask(source, detection.shell));
    let text = masked.as_ref().map_or(source, |m| m.text.as_slice());
    let parse = condago_syntax::parse(text, detection.shell, &settings.budget);
    let mut diagnostics = lint_parsed(path, text, &parse, detection.read_by_sh, settings);
    if let Some(masked) = &masked {
        diagnostics = outside_actions(diagnostics, masked);
    }
    LintResult {
        shell: parse.shell,
        grammar: parse.grammar,
        diagnostics,
        parse_problems: parse.problems,
    }
}

/// Lints a document the caller parsed (the language server keeps its own trees); a chezmoi
/// template (`*.tmpl`) is parsed again with its actions masked, as [`lint`] does.
pub fn lint_document(
    path: &Path,
    source: &[u8],
    parse: &Parse,
    read_by_sh: bool,
    settings: &Settings,
) -> Vec<Diagnostic> {
    if container::container_kind(path).is_some() {
        return container::lint(path, source, settings);
    }
    if !condago_syntax::template::is_template_path(path) {
        return lint_parsed(path, source, parse, read_by_sh, settings);
    }
    let masked = condago_syntax::template::mask(source, parse.shell);
    let parse = condago_syntax::parse(&masked.text, parse.shell, &settings.budget);
    let diagnostics = lint_parsed(path, &masked.text, &parse, read_by_sh, settings);
    outside_actions(diagnostics, &masked)
}

/// Lints a file that is already parsed (the language server keeps its own trees).
pub fn lint_parsed(
    path: &Path,
    source: &[u8],
    parse: &Parse,
    read_by_sh: bool,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let file = StartupFile::new(path, source, parse, read_by_sh);
    let mut diagnostics = Vec::new();
    let is_enabled = |rule: &rule::Rule| settings.selection.is_enabled(rule);
    for rule in registry::RULES.iter().copied() {
        if !rule.shells.contains(parse.shell) || !is_enabled(rule) {
            continue;
        }
        match rule.check {
            Check::File(check) => {
                check(&mut Checker::new(&file, rule, &mut diagnostics).assuming(settings.versions))
            }
            Check::Parse(check) => check(
                parse,
                &mut Checker::new(&file, rule, &mut diagnostics).assuming(settings.versions),
            ),
            Check::Startup | Check::Driver | Check::Container(_) => {}
        }
    }
    let report_unused = is_enabled(&rules::file::unused_suppression::RULE);
    // Cross-file rules do not run on a single file: their suppressions are not "unused" here.
    let ran = |rule: &rule::Rule| is_enabled(rule) && !matches!(rule.check, Check::Startup);
    let tree = parse.tree.as_ref();
    let mut diagnostics = suppression::apply(source, tree, diagnostics, &ran, report_unused);
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    diagnostics.dedup_by(|a, b| a.code == b.code && a.range == b.range && a.message == b.message);
    diagnostics
}

/// The findings of a masked template that lie outside its actions, with fixes that edit
/// none, and messages that show an action as `{{…}}` instead of its mask.
pub fn outside_actions(
    diagnostics: Vec<Diagnostic>,
    masked: &condago_syntax::template::Masked,
) -> Vec<Diagnostic> {
    use condago_syntax::template::has_mask;
    diagnostics
        .into_iter()
        .filter(|d| !masked.touches(&d.range))
        .map(|mut d| {
            let edits_action = d.fix.as_ref().is_some_and(|fix| {
                fix.edits
                    .iter()
                    .any(|e| masked.overlaps(&e.range) || has_mask(&e.content))
            });
            if edits_action {
                d.fix = None;
            }
            d.message = condago_syntax::template::unmask(&d.message);
            d
        })
        .collect()
}

#[cfg(test)]
mod template_tests {
    use super::*;

    const TEMPLATE: &str = "{{ if .work -}}\nexport PATH=\"{{ .workbin }}:$PATH\"\n{{ end -}}\nexport PATH=\"~/bin:$PATH\"\n";

    /// Both branches of `{{ if }}` are read, and what they do is conditional.
    #[test]
    fn what_an_if_action_guards_is_conditional() {
        let text = "{{ if eq .chezmoi.os \"darwin\" }}\nexport A=1\n{{ else }}\nexport B=2\n{{ end }}\nexport C=3\n";
        for shell in [Shell::Bash, Shell::Zsh] {
            let path = Path::new("dot_bashrc.tmpl");
            let masked = condago_syntax::template::mask(text.as_bytes(), shell);
            let parse = condago_syntax::parse(&masked.text, shell, &Budget::default());
            let file = model::StartupFile::new(path, &masked.text, &parse, false);
            let guarded: Vec<(String, Vec<String>)> = file
                .assignments()
                .map(|(statement, assignment)| {
                    let tests = statement
                        .context
                        .conditions
                        .iter()
                        .map(|c| c.test.clone())
                        .collect();
                    (assignment.name.clone(), tests)
                })
                .collect();
            assert_eq!(
                guarded,
                vec![
                    ("A".to_string(), vec!["{{…}}".to_string()]),
                    ("B".to_string(), vec!["! {{…}}".to_string()]),
                    ("C".to_string(), vec![]),
                ],
                "{shell}"
            );
        }
    }

    /// What an editor sees: the document parsed as it is, then linted as a template.
    #[test]
    fn a_document_parsed_as_it_is_is_linted_as_a_template() {
        let path = Path::new("dot_bashrc.tmpl");
        let raw = condago_syntax::parse(TEMPLATE.as_bytes(), Shell::Bash, &Budget::default());
        let settings = Settings::default();
        let found = lint_document(path, TEMPLATE.as_bytes(), &raw, false, &settings);
        let codes: Vec<&str> = found.iter().map(|d| d.code).collect();
        assert!(!codes.contains(&"CG001"), "{found:#?}");
        assert!(codes.contains(&"CG102"), "{found:#?}");
        // The raw text alone gets the false syntax error.
        let plain = lint_parsed(
            Path::new(".bashrc"),
            TEMPLATE.as_bytes(),
            &raw,
            false,
            &settings,
        );
        assert!(plain.iter().any(|d| d.code == "CG001"), "{plain:#?}");
        let fixable = found.iter().filter(|d| d.fix.is_some());
        for diagnostic in fixable {
            for edit in &diagnostic.fix.as_ref().expect("fix").edits {
                assert!(!edit.content.contains("{{"), "{edit:?}");
            }
        }
    }
}
