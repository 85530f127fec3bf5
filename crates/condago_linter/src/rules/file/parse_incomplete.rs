use condago_syntax::Parse;

use crate::diagnostic::Severity;
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Reports that condago could not fully parse the file within its budget (a time and a
    /// bounded amount of memory per file).
    ///
    /// ## Why is this bad?
    /// It is not a mistake in the file: it means condago's findings for it may be
    /// incomplete. The budget is a safety net against a grammar that runs away on odd input
    /// (none of Debian's bash, zsh or fish files needs it); the parse is cancelled and only
    /// line-based checks run.
    ///
    /// ## Example
    /// A generated file with tens of thousands of nested `$(`.
    ///
    /// ## Use instead
    /// Nothing to change. Exclude the file with `--ignore CG002` if the note is unwanted.
    pub(crate) const RULE = Rule {
        code: "CG002",
        name: "parse-incomplete",
        summary: "the file could not be fully parsed within the budget; findings may be incomplete",
        shells: Shells::ALL,
        severity: Severity::Info,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Parse(check),
    };
}

fn check(parse: &Parse, checker: &mut Checker) {
    if parse.problems.is_empty() {
        return;
    }
    let what: Vec<String> = parse.problems.iter().map(ToString::to_string).collect();
    let fallback = match &parse.tree {
        Some(_) => "findings may be incomplete".to_string(),
        None => "no syntax tree: condago only checked conda's marker lines".to_string(),
    };
    let end = checker.file.line_range(0).end;
    checker
        .report(0..end, format!("{}; {fallback}", what.join(", then ")))
        .help("this is condago's limit, not a mistake in the file");
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use condago_syntax::{Budget, Detection, DetectionSource, Shell};

    use crate::{Selection, Settings};

    #[test]
    fn budget_overrun_is_reported() {
        let settings = Settings {
            selection: Selection::default(),
            budget: Budget {
                time: Duration::ZERO,
                ..Budget::default()
            },
            ..Settings::default()
        };
        let text = "echo hi\n".repeat(20_000);
        let detection = Detection {
            shell: Shell::Zsh,
            source: DetectionSource::FileName,
            read_by_sh: false,
        };
        let result = crate::lint(Path::new(".zshrc"), text.as_bytes(), detection, &settings);
        let notes: Vec<_> = result
            .diagnostics
            .iter()
            .filter(|d| d.code == "CG002")
            .collect();
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].message.contains("zsh grammar did not finish"),
            "{}",
            notes[0].message
        );
        assert!(
            notes[0].message.contains("no syntax tree"),
            "{}",
            notes[0].message
        );
    }

    #[test]
    fn normal_files_get_nothing() {
        assert!(crate::rules::test_support::lines("CG002", Shell::Zsh, "x=1\n").is_empty());
    }
}
