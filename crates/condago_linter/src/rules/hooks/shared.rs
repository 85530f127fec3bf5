//! What the activation-hook rules share: the variables an `activate.d` script exports,
//! and whether it saved their old values first.

use crate::model::{
    is_path_variable, AssignOp, Assignment, FileKind, Scope, StartupFile, Statement,
};

/// One variable an activation script exports, with what the file does about its old
/// value.
pub(crate) struct HookExport<'f> {
    pub statement: &'f Statement,
    pub assignment: &'f Assignment,
    /// The new value contains the old one (`PATH="$X/bin:$PATH"`).
    pub keeps_old: bool,
    /// A statement before it saved the old value (`CONDA_BACKUP_X="${X:-}"`).
    pub saved: bool,
}

/// The first export of each variable in an `activate.d` script, in source order; empty for
/// other files, and for scripts that save their backups dynamically (conda-forge's
/// compiler scripts: `eval export "CONDA_BACKUP_${thing}=…"`), which a reading of the
/// source cannot follow.
pub(crate) fn hook_exports<'f>(file: &'f StartupFile) -> Vec<HookExport<'f>> {
    if file.kind != FileKind::CondaActivateHook {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(file.source);
    if text.contains("CONDA_BACKUP_$") || text.contains("CONDA_BACKUP_${") {
        return Vec::new();
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (statement, assignment) in file.assignments() {
        let name = assignment.name.as_str();
        if !assignment.exported
            || !assignment.has_value
            || assignment.operator == AssignOp::Erase
            || assignment.command_prefix
            || assignment.scope == Scope::Local
            || statement.context.function.is_some()
            || statement.context.in_subshell
            || is_backup_name(name)
            || seen.contains(&name)
        {
            continue;
        }
        seen.push(name);
        let keeps_old = matches!(assignment.operator, AssignOp::Append | AssignOp::Prepend)
            || assignment.values.iter().any(|word| {
                word.mentions_variable(name) || (name == "PATH" && word.mentions_variable("path"))
            });
        let saved = file.assignments().any(|(before, backup)| {
            before.range.start < statement.range.start
                && backup.name != name
                && backup.has_value
                && (is_backup_of(&backup.name, name)
                    || backup
                        .values
                        .iter()
                        .any(|word| word.mentions_variable(name)))
        });
        out.push(HookExport {
            statement,
            assignment,
            keeps_old,
            saved,
        });
    }
    out
}

/// `CONDA_BACKUP_X`, `_CONDA_BACKUP_X`, `CONDA_X_BACKUP`, `_CONDA_SET_X` and the like.
fn is_backup_name(name: &str) -> bool {
    name.contains("BACKUP") || name.starts_with("_CONDA_SET_") || name.starts_with("__CONDA_SHLVL_")
}

fn is_backup_of(backup: &str, name: &str) -> bool {
    is_backup_name(backup) && backup.contains(name)
}

/// Variables that usually have a value before activation, which an assignment that does
/// not keep it destroys: search paths (`*PATH`), Go's settings, compilers and their flags,
/// certificate bundles, locales, `JAVA_HOME`.
pub(crate) fn is_precious(file: &StartupFile, name: &str) -> bool {
    is_path_variable(file.shell, name)
        || name.ends_with("PATH")
        || matches!(
            name,
            "GOROOT"
                | "GOPATH"
                | "GOBIN"
                | "GOFLAGS"
                | "GOOS"
                | "GOARCH"
                | "GOTOOLCHAIN"
                | "CGO_ENABLED"
                | "CGO_CFLAGS"
                | "CGO_CPPFLAGS"
                | "CGO_CXXFLAGS"
                | "CGO_FFLAGS"
                | "CGO_LDFLAGS"
                | "CC"
                | "CXX"
                | "FC"
                | "CPP"
                | "LD"
                | "AR"
                | "CFLAGS"
                | "CXXFLAGS"
                | "CPPFLAGS"
                | "FFLAGS"
                | "LDFLAGS"
                | "JAVA_HOME"
                | "SSL_CERT_FILE"
                | "SSL_CERT_DIR"
                | "REQUESTS_CA_BUNDLE"
                | "CURL_CA_BUNDLE"
                | "LANG"
                | "LC_ALL"
                | "PYTHONHOME"
                | "EDITOR"
                | "PAGER"
        )
}
