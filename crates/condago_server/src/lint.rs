//! Linting a document with a rule's panic contained: the rule that panicked is found, left
//! out and reported; the other rules' findings still reach the editor.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use condago_linter::registry::RULES;
use condago_linter::{Diagnostic, Parse, Selection, Settings};

/// The linter's entry point (tests substitute one that panics).
pub type LintFn = fn(&Path, &[u8], &Parse, bool, &Settings) -> Vec<Diagnostic>;

/// The findings for one version of a document.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    /// Rules that panicked and were left out, with the panic's message.
    pub panicked: Vec<(&'static str, String)>,
    /// Linting failed as a whole (outside any one rule): the panic's message.
    pub failed: Option<String>,
}

/// Lints, containing panics.
pub fn lint(
    lint: LintFn,
    path: &Path,
    source: &[u8],
    parse: &Parse,
    read_by_sh: bool,
    settings: &Settings,
) -> Analysis {
    let run = |settings: &Settings| catch(|| lint(path, source, parse, read_by_sh, settings));
    let first = match run(settings) {
        Ok(diagnostics) => {
            return Analysis {
                diagnostics,
                ..Analysis::default()
            }
        }
        Err(message) => message,
    };
    // Find the rules that panic on their own.
    let mut panicked = Vec::new();
    for rule in RULES.iter() {
        if !rule.shells.contains(parse.shell) || !settings.selection.is_enabled(rule) {
            continue;
        }
        let alone = Settings {
            selection: Selection {
                select: vec![rule.code.to_string()],
                ignore: settings.selection.ignore.clone(),
                extend_select: Vec::new(),
            },
            ..settings.clone()
        };
        if let Err(message) = run(&alone) {
            panicked.push((rule.code, message));
        }
    }
    if panicked.is_empty() {
        return Analysis {
            failed: Some(first),
            ..Analysis::default()
        };
    }
    let mut rest = settings.clone();
    rest.selection
        .ignore
        .extend(panicked.iter().map(|(code, _)| code.to_string()));
    match run(&rest) {
        Ok(diagnostics) => Analysis {
            diagnostics,
            panicked,
            failed: None,
        },
        Err(message) => Analysis {
            diagnostics: Vec::new(),
            panicked,
            failed: Some(message),
        },
    }
}

/// Runs `f`, turning a panic into its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string())
    })
}
