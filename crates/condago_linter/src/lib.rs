//! condago's linter: the single-file model of a startup file, the rules that read it, and
//! their fixes. Data flows one way: parse → model → rules → diagnostics (+ fixes).

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
pub use settings::{Selection, Settings};

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
    match override_shell {
        Some(shell) => Some(Detection {
            shell,
            source: condago_syntax::DetectionSource::FileName,
            read_by_sh: condago_syntax::detect_shell(path, source).is_some_and(|d| d.read_by_sh),
        }),
        None => condago_syntax::detect_shell(path, source),
    }
}

/// Parses and lints one file.
pub fn lint(path: &Path, source: &[u8], detection: Detection, settings: &Settings) -> LintResult {
    let parse = condago_syntax::parse(source, detection.shell, &settings.budget);
    let diagnostics = lint_parsed(path, source, &parse, detection.read_by_sh, settings);
    LintResult {
        shell: parse.shell,
        grammar: parse.grammar,
        diagnostics,
        parse_problems: parse.problems,
    }
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
            Check::File(check) => check(&mut Checker::new(&file, rule, &mut diagnostics)),
            Check::Parse(check) => check(parse, &mut Checker::new(&file, rule, &mut diagnostics)),
            Check::Startup | Check::Driver => {}
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
