//! CG4xx: hidden failures and startup hygiene.

pub mod bashism_in_profile;
pub mod cellar_version_pinned;
pub mod errexit_in_rc;
pub mod escaped_expansion_in_path;
pub mod exit_in_sourced_file;
pub mod masked_failure;
pub mod output_in_rc;
pub mod readline_setting_in_set;
pub mod silenced_init;
pub mod source_missing_guard;
pub mod source_relative_path;
pub mod term_forced;
pub mod variable_as_command;

use std::ops::Range;

use crate::diagnostic::Edit;
use crate::model::{StartupFile, Statement, StatementKind};

/// A redirection written without spaces (`2> /dev/null` → `2>/dev/null`).
fn compact(redirect: &str) -> String {
    redirect.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether these redirections throw standard error away (`2>/dev/null`, `&>/dev/null`,
/// `>/dev/null 2>&1`, `2>&-`).
pub(crate) fn silences_stderr(redirects: &[String]) -> bool {
    let redirects: Vec<String> = redirects.iter().map(|r| compact(r)).collect();
    let mut stdout_null = false;
    for redirect in &redirects {
        match redirect.as_str() {
            "2>/dev/null" | "2>>/dev/null" | "&>/dev/null" | "&>>/dev/null" | ">&/dev/null"
            | "2>&-" => return true,
            ">/dev/null" | "1>/dev/null" | ">>/dev/null" => stdout_null = true,
            "2>&1" if stdout_null => return true,
            _ => {}
        }
    }
    false
}

/// Whether a redirection sends standard output elsewhere (`>file`, `>&2`, `&>/dev/null`).
pub(crate) fn redirects_stdout(redirect: &str) -> bool {
    let redirect = compact(redirect);
    ["1>", "&>", ">"]
        .iter()
        .any(|prefix| redirect.starts_with(prefix))
}

/// The byte range that removes a statement that has its line to itself (with the line
/// break), or `None` when other code shares the line.
pub(crate) fn own_line(file: &StartupFile, range: &Range<usize>) -> Option<Range<usize>> {
    let line = file.line_of(range.start);
    if file.line_of(range.end.saturating_sub(1).max(range.start)) != line {
        return None;
    }
    let line_range = file.line_range(line);
    let before = file.text(line_range.start..range.start);
    let after = file.text(range.end..line_range.end);
    let after = after.trim();
    if !before.trim().is_empty() || !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let end = file
        .line_starts
        .get(line + 1)
        .copied()
        .unwrap_or(file.source.len());
    Some(line_range.start..end)
}

/// An edit deleting a statement: its whole line, or the statement and a `;` after it.
pub(crate) fn delete_statement(file: &StartupFile, statement: &Statement) -> Option<Edit> {
    if let Some(line) = own_line(file, &statement.range) {
        return Some(Edit::delete(line));
    }
    let rest = file.source.get(statement.range.end..)?;
    let spaces = rest
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    if rest.get(spaces) == Some(&b';') {
        let more = rest[spaces + 1..]
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        return Some(Edit::delete(
            statement.range.start..statement.range.end + spaces + 1 + more,
        ));
    }
    None
}

/// The words of a statement: a command's arguments and prefix assignments' values, or an
/// assignment's values.
pub(crate) fn statement_words(statement: &Statement) -> Vec<&crate::model::Word> {
    match &statement.kind {
        StatementKind::Command(command) => command
            .args
            .iter()
            .chain(command.env_prefix.iter().flat_map(|a| a.values.iter()))
            .collect(),
        StatementKind::Assignment(assignment) => assignment.values.iter().collect(),
    }
}

/// Ranges whose output is captured: command and process substitutions in any word.
pub(crate) fn captured_ranges(file: &StartupFile) -> Vec<Range<usize>> {
    use crate::model::PartKind;
    let mut out = Vec::new();
    for statement in &file.statements {
        for word in statement_words(statement) {
            for part in &word.parts {
                if matches!(part.kind, PartKind::CommandSubstitution | PartKind::Other) {
                    out.push(part.range.clone());
                }
            }
        }
    }
    out
}

/// Whether a range lies inside one of `ranges` (and is not the range itself).
pub(crate) fn inside(range: &Range<usize>, ranges: &[Range<usize>]) -> bool {
    ranges
        .iter()
        .any(|outer| outer.start <= range.start && range.end <= outer.end && outer != range)
}

#[cfg(test)]
pub(crate) mod oracle {
    //! Running a real shell interactively (`-i -c`), which `condago_oracle` does not offer.

    use std::process::{Command, Stdio};

    use condago_oracle::{require, FakeHome, OracleShell, SNIPPET_PATH};

    /// What an interactive shell printed and how it ended.
    #[derive(Debug)]
    pub(crate) struct Interactive {
        pub stdout: String,
    }

    /// Runs `<shell> -i -c <command>` in the fake home, reading the home's startup files,
    /// with no terminal (its own session), standard input `/dev/null` and a timeout.
    pub(crate) fn interactive(
        shell: OracleShell,
        home: &FakeHome,
        command: &str,
    ) -> Option<Interactive> {
        let program = require(shell)?;
        let output = Command::new("timeout")
            .arg("20")
            .arg("setsid")
            .arg(program)
            .arg("-i")
            .arg("-c")
            .arg(command)
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", SNIPPET_PATH)
            .env("TERM", "dumb")
            .current_dir(home.path())
            .stdin(Stdio::null())
            .output()
            .expect("run timeout/setsid (coreutils, util-linux)");
        Some(Interactive {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_and_stdout_redirects() {
        let r = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(silences_stderr(&r(&["2>/dev/null"])));
        assert!(silences_stderr(&r(&["2> /dev/null"])));
        assert!(silences_stderr(&r(&["&>/dev/null"])));
        assert!(silences_stderr(&r(&[">/dev/null", "2>&1"])));
        assert!(!silences_stderr(&r(&["2>&1", ">/dev/null"])));
        assert!(!silences_stderr(&r(&[">/dev/null"])));
        assert!(redirects_stdout(">&2"));
        assert!(redirects_stdout(">> /tmp/log"));
        assert!(redirects_stdout("1>/dev/null"));
        assert!(!redirects_stdout("2>/dev/null"));
        assert!(!redirects_stdout("<<EOF"));
    }
}
