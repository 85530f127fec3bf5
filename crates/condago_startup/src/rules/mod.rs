//! The cross-file rules: CG505 and CG601–CG605, and CG103 along a startup chain. Each
//! rule's documentation and metadata live with the other rules
//! (`condago_linter::rules::startup`, `Check::Startup`); its check lives here, on top of
//! the startup model, one file per rule.

mod bash_profile_skips_bashrc;
mod conda_init_other_shell_only;
mod duplicate_along_chain;
mod fish_confd_order;
mod go_path_shadowed;
mod profile_shadowed;
mod zsh_path_only_in_zshrc;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use condago_linter::rule::Rule;
use condago_linter::{Diagnostic, Fix};

use crate::{analyze, Inputs, Mode, Startup, StartupShell};

/// A cross-file finding, in the file it points into.
#[derive(Debug, Clone)]
pub struct Finding {
    pub path: PathBuf,
    pub diagnostic: Diagnostic,
}

/// The startups of one home, computed when a rule first asks.
pub(crate) struct Model<'i> {
    pub inputs: &'i Inputs,
    pub login_shell: Option<StartupShell>,
    startups: HashMap<(StartupShell, Mode), Startup>,
    texts: HashMap<PathBuf, Option<Vec<u8>>>,
}

impl<'i> Model<'i> {
    fn new(inputs: &'i Inputs, login_shell: Option<StartupShell>) -> Model<'i> {
        Model {
            inputs,
            login_shell,
            startups: HashMap::new(),
            texts: HashMap::new(),
        }
    }

    pub(crate) fn startup(&mut self, shell: StartupShell, mode: Mode) -> &Startup {
        let inputs = self.inputs;
        self.startups
            .entry((shell, mode))
            .or_insert_with(|| analyze(shell, mode, inputs))
    }

    /// The file behind a home path (`.bashrc`), when it is there: in the home, or in the
    /// repository its layout maps it to.
    pub(crate) fn home_file(&self, name: &str) -> Option<PathBuf> {
        let fs = crate::fs::Fs::new(self.inputs);
        fs.is_file(name).then(|| fs.real(name))
    }

    /// A file's bytes (cached).
    pub(crate) fn text(&mut self, path: &Path) -> Option<&[u8]> {
        self.texts
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read(path).ok())
            .as_deref()
    }

    /// A file's text to parse as `shell`: a chezmoi template with its actions masked
    /// (offsets kept).
    pub(crate) fn shell_text(
        &mut self,
        path: &Path,
        shell: condago_syntax::Shell,
    ) -> Option<Vec<u8>> {
        let text = self.text(path)?;
        Some(if condago_syntax::template::is_template_path(path) {
            condago_syntax::template::mask(text, shell).text
        } else {
            text.to_vec()
        })
    }

    /// The byte range of a 1-based line, without its indentation and line break.
    pub(crate) fn line_range(&mut self, path: &Path, line: usize) -> Option<Range<usize>> {
        let text = self.text(path)?;
        line_range(text, line)
    }

    /// A finding of `rule` at a line.
    pub(crate) fn finding(
        &mut self,
        rule: &'static Rule,
        path: &Path,
        line: usize,
        message: String,
        fix: Option<Fix>,
    ) -> Option<Finding> {
        let range = self.line_range(path, line)?;
        Some(Finding {
            path: path.to_path_buf(),
            diagnostic: Diagnostic {
                code: rule.code,
                name: rule.name,
                severity: rule.severity,
                range,
                message,
                help: None,
                fix,
            },
        })
    }

    /// A place for messages: `~/.bashrc:2`, or in a dotfiles repository read through its
    /// layout, the repository's own file (`bash/.bashrc:2`).
    pub(crate) fn place(&self, file: &str, line: usize) -> String {
        let layout = self.inputs.layout.as_deref().filter(|l| l.is_mapped());
        if let Some(layout) = layout {
            let real = crate::fs::Fs::new(self.inputs).real(file);
            if let Ok(rel) = real.strip_prefix(&layout.root) {
                return format!("{}:{line}", rel.display());
            }
        }
        format!("{}:{line}", self.short(file))
    }

    /// A path for messages, with the home written `~`.
    pub(crate) fn short(&self, path: &str) -> String {
        crate::short_path(path, &self.inputs.home.display().to_string())
    }
}

/// The byte range of a 1-based line, without its indentation and line break.
pub(crate) fn line_range(text: &[u8], line: usize) -> Option<Range<usize>> {
    let mut start = 0;
    for _ in 1..line.max(1) {
        let next = text[start..].iter().position(|&b| b == b'\n')?;
        start += next + 1;
    }
    let end = text[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |at| start + at);
    let mut end = end;
    while end > start && text[end - 1] == b'\r' {
        end -= 1;
    }
    let mut first = start;
    while first < end && (text[first] == b' ' || text[first] == b'\t') {
        first += 1;
    }
    Some(first..end)
}

/// A rule's check.
type RuleCheck = fn(&mut Model, &mut Vec<Finding>);

/// Runs the cross-file rules that `enabled` lets through (by code), for the home in
/// `inputs`; `login_shell` is the user's `$SHELL` (CG604 needs it).
pub fn check(
    inputs: &Inputs,
    login_shell: Option<StartupShell>,
    enabled: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    check_all(inputs, login_shell, enabled).0
}

/// Like [`check`], and also the findings that suppression comments silenced (so that a
/// single-file pass does not call those comments unused).
pub fn check_all(
    inputs: &Inputs,
    login_shell: Option<StartupShell>,
    enabled: &dyn Fn(&str) -> bool,
) -> (Vec<Finding>, Vec<Finding>) {
    let mut model = Model::new(inputs, login_shell);
    let mut out = Vec::new();
    let checks: [(&str, RuleCheck); 7] = [
        ("CG103", duplicate_along_chain::check),
        ("CG505", go_path_shadowed::check),
        ("CG601", bash_profile_skips_bashrc::check),
        ("CG602", profile_shadowed::check),
        ("CG603", zsh_path_only_in_zshrc::check),
        ("CG604", conda_init_other_shell_only::check),
        ("CG605", fish_confd_order::check),
    ];
    for (code, check) in checks {
        if enabled(code) {
            check(&mut model, &mut out);
        }
    }
    let mut kept: Vec<Finding> = Vec::new();
    let mut silenced: Vec<Finding> = Vec::new();
    for finding in out {
        let suppressed = model
            .text(&finding.path)
            .is_some_and(|text| is_suppressed(text, &finding.diagnostic));
        let duplicate = kept.iter().any(|k| {
            k.path == finding.path
                && k.diagnostic.code == finding.diagnostic.code
                && k.diagnostic.range == finding.diagnostic.range
                && k.diagnostic.message == finding.diagnostic.message
        });
        if suppressed {
            silenced.push(finding);
        } else if !duplicate {
            kept.push(finding);
        }
    }
    kept.sort_by(|a, b| {
        (&a.path, a.diagnostic.range.start, a.diagnostic.code).cmp(&(
            &b.path,
            b.diagnostic.range.start,
            b.diagnostic.code,
        ))
    });
    (kept, silenced)
}

/// `# condago: disable=CODE` on the finding's line or the line above, or
/// `# condago: disable-file=CODE` anywhere (codes or names, comma-separated).
fn is_suppressed(text: &[u8], diagnostic: &Diagnostic) -> bool {
    let text = String::from_utf8_lossy(text);
    let line = text[..diagnostic.range.start.min(text.len())]
        .matches('\n')
        .count();
    let mentions = |list: &str| {
        list.split(',').any(|item| {
            let item = item.trim();
            item.eq_ignore_ascii_case(diagnostic.code) || item == diagnostic.name
        })
    };
    for (n, content) in text.lines().enumerate() {
        let Some(at) = content.find("condago:") else {
            continue;
        };
        let directive = content[at + "condago:".len()..].trim();
        let list = |prefix: &str| {
            directive
                .strip_prefix(prefix)
                .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        };
        if let Some(codes) = list("disable-file=") {
            if mentions(&codes) {
                return true;
            }
        } else if let Some(codes) = list("disable=") {
            let own_line = content.trim_start().starts_with('#');
            if (n == line || (own_line && n + 1 == line)) && mentions(&codes) {
                return true;
            }
        }
    }
    false
}

/// The reads of a startup that are `read` itself or nested inside it (`source` chains).
pub(crate) fn subtree(startup: &Startup, read: usize) -> Vec<usize> {
    let mut inside = vec![read];
    for (i, file) in startup.files.iter().enumerate().skip(read + 1) {
        match &file.from {
            Some(from) if inside.contains(&from.read) => inside.push(i),
            _ => {}
        }
    }
    inside
}

/// The first read of a file, by its real path.
pub(crate) fn read_of(startup: &Startup, path: &Path) -> Option<usize> {
    startup.files.iter().position(|f| f.real == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ranges_skip_indentation() {
        let text = b"a\n  bb\r\nccc";
        assert_eq!(line_range(text, 1), Some(0..1));
        assert_eq!(line_range(text, 2), Some(4..6));
        assert_eq!(line_range(text, 3), Some(8..11));
        assert_eq!(line_range(text, 4), None);
    }
}
