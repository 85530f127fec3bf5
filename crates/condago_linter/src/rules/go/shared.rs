//! What the Go rules share: which assignments reach child programs, and how directories
//! are compared.

use crate::model::{AssignOp, Assignment, Scope, StartupFile, Statement, StatementKind};

/// One variable given to every program the shell starts.
pub(crate) struct Exported<'f> {
    /// The statement that sets the value.
    pub statement: &'f Statement,
    pub assignment: &'f Assignment,
    /// The statement that exports it, when it is another one (`GOROOT=x` … `export GOROOT`).
    pub export: Option<&'f Statement>,
}

/// The assignments of `name` that are exported, in source order: `export NAME=v`,
/// `declare -x`, fish `set -x`/`set -gx`/`export NAME=v`, or `NAME=v` with an `export NAME`
/// elsewhere in the file. Assignments inside init blocks, functions, subshells and command
/// prefixes (`GOFLAGS=x go build`) are left out.
pub(crate) fn exported<'f>(file: &'f StartupFile, name: &str) -> Vec<Exported<'f>> {
    let export_line = file.statements.iter().find(|statement| {
        matches!(&statement.kind, StatementKind::Assignment(a)
            if a.name == name && !a.has_value && a.exported && a.operator != AssignOp::Erase)
            && statement.context.conda_block.is_none()
            && statement.context.function.is_none()
    });
    file.assignments()
        .filter(|(statement, assignment)| {
            assignment.name == name
                && assignment.has_value
                && assignment.operator != AssignOp::Erase
                && !assignment.command_prefix
                && assignment.scope != Scope::Local
                && statement.context.conda_block.is_none()
                && statement.context.function.is_none()
                && !statement.context.in_subshell
        })
        .filter_map(|(statement, assignment)| {
            if assignment.exported {
                Some(Exported {
                    statement,
                    assignment,
                    export: None,
                })
            } else {
                export_line.map(|export| Exported {
                    statement,
                    assignment,
                    export: Some(export),
                })
            }
        })
        .collect()
}

/// The value of an assignment as written (`$HOME/go`), with `~` and `${HOME}` spelled
/// `$HOME` and no trailing `/`; `None` for list values or values with command
/// substitutions.
pub(crate) fn value_of(file: &StartupFile, assignment: &Assignment) -> Option<String> {
    let [word] = assignment.values.as_slice() else {
        return None;
    };
    if word.parts.iter().any(|part| {
        !matches!(
            part.kind,
            crate::model::PartKind::Literal(_)
                | crate::model::PartKind::Variable { complex: false, .. }
        )
    }) {
        return None;
    }
    Some(normalize(&word.display(file.source)))
}

/// `~` and `${HOME}` spelled as `$HOME`, `${NAME}` as `$NAME`, no trailing `/`.
pub(crate) fn normalize(dir: &str) -> String {
    let dir = dir.trim_end_matches('/');
    let dir = match dir.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("$HOME{rest}"),
        _ => dir.to_string(),
    };
    let mut out = String::with_capacity(dir.len());
    let mut rest = dir.as_str();
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find('}') {
            Some(end)
                if after[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push('$');
                out.push_str(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether the value contains only literal text and plain `$HOME`.
pub(crate) fn is_plain_dir(dir: &str) -> bool {
    let without_home = dir.replace("$HOME", "");
    !without_home.contains('$') && !without_home.contains('`') && !dir.is_empty()
}
