//! Helpers for the rule tests: lint a snippet as a shell, look at findings and fixes.

use std::path::Path;

use condago_syntax::{Detection, DetectionSource, Shell};

use crate::diagnostic::{Applicability, Diagnostic};
use crate::{Selection, Settings};

/// The path a snippet is linted under, per shell (so file-kind rules see an rc file).
pub(crate) fn default_path(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "home/.bashrc",
        Shell::Sh => "home/.profile",
        Shell::Zsh => "home/.zshrc",
        Shell::Fish => "home/.config/fish/config.fish",
    }
}

fn detection(path: &str, shell: Shell) -> Detection {
    Detection {
        shell,
        source: DetectionSource::FileName,
        read_by_sh: path.ends_with(".profile"),
    }
}

fn settings_for(code: &str) -> Settings {
    Settings {
        selection: Selection {
            select: vec![code.to_string()],
            ..Selection::default()
        },
        ..Settings::default()
    }
}

/// The findings of one rule on a snippet linted as `path` in `shell`.
pub(crate) fn findings_at(code: &str, shell: Shell, path: &str, source: &str) -> Vec<Diagnostic> {
    findings_assuming(code, shell, path, source, crate::Versions::default())
}

/// The findings of one rule on a snippet linted as `path`, for a project that pins shell
/// versions (`fish-version`, `bash-version`).
pub(crate) fn findings_assuming(
    code: &str,
    shell: Shell,
    path: &str,
    source: &str,
    versions: crate::Versions,
) -> Vec<Diagnostic> {
    let settings = Settings {
        versions,
        ..settings_for(code)
    };
    let result = crate::lint(
        Path::new(path),
        source.as_bytes(),
        detection(path, shell),
        &settings,
    );
    result
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .collect()
}

/// The findings of one rule on a snippet, in the shell's usual rc file.
pub(crate) fn findings(code: &str, shell: Shell, source: &str) -> Vec<Diagnostic> {
    findings_at(code, shell, default_path(shell), source)
}

/// 1-based lines of one rule's findings.
pub(crate) fn lines(code: &str, shell: Shell, source: &str) -> Vec<usize> {
    findings(code, shell, source)
        .iter()
        .map(|diagnostic| {
            source.as_bytes()[..diagnostic.range.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        })
        .collect()
}

/// The text after applying this rule's fixes (to `level`) until stable.
pub(crate) fn fixed_at(
    code: &str,
    shell: Shell,
    path: &str,
    source: &str,
    level: Applicability,
) -> String {
    let outcome = crate::fix_until_stable(
        Path::new(path),
        source.as_bytes(),
        detection(path, shell),
        &settings_for(code),
        level,
    );
    String::from_utf8_lossy(&outcome.text).into_owned()
}

/// The text after applying this rule's fixes of any applicability but suggestions.
pub(crate) fn fixed(code: &str, shell: Shell, source: &str) -> String {
    fixed_at(
        code,
        shell,
        default_path(shell),
        source,
        Applicability::Unsafe,
    )
}

/// Asserts that fixing is complete and idempotent: the fixed text has no finding of the
/// rule left, parses with no new syntax errors, and fixing again changes nothing.
pub(crate) fn assert_fix_converges(code: &str, shell: Shell, source: &str) -> String {
    let once = fixed(code, shell, source);
    let twice = fixed(code, shell, &once);
    assert_eq!(once, twice, "fixing twice changed the text");
    let errors_before = findings("CG001", shell, source).len();
    let errors_after = findings("CG001", shell, &once).len();
    assert!(
        errors_after <= errors_before,
        "the fix introduced syntax errors:\n{once}"
    );
    once
}

/// Asserts that each snippet, in its shell's usual rc file, gets exactly one finding of
/// the rule.
pub(crate) fn assert_found_once(code: &str, cases: &[(Shell, &str)]) {
    for (shell, text) in cases {
        assert_eq!(findings(code, *shell, text).len(), 1, "{shell}: {text}");
    }
}

/// Asserts that no snippet, in its shell's usual rc file, gets a finding of the rule.
pub(crate) fn assert_not_found(code: &str, cases: &[(Shell, &str)]) {
    for (shell, text) in cases {
        assert!(findings(code, *shell, text).is_empty(), "{shell}: {text}");
    }
}
