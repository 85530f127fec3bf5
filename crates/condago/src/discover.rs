//! Which files to lint: the paths given (directories walked), or the user's own startup files.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// A file to lint and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub path: PathBuf,
    /// Named on the command line: linted even when it does not look like shell.
    pub explicit: bool,
}

/// Directories never worth walking into.
const SKIPPED_DIRECTORIES: &[&str] = &[".git", ".hg", ".svn", "node_modules", "target", ".venv"];

/// What the project configuration says about a path found by walking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walked {
    /// `exclude` matches it: not linted, not walked into.
    Excluded,
    /// `[shells]` gives it a shell: linted whatever it looks like.
    Shell,
    /// Nothing: linted if it looks like shell.
    Detect,
}

/// Expands the command-line paths: files as given, directories walked for files that look
/// like shell (by name, shebang or modeline) — or, with `any_text` (`--shell` given), every
/// text file. Binary files are skipped. `classify` applies the project configuration to
/// each path found by walking. Errors name the path.
pub(crate) fn expand(
    paths: &[PathBuf],
    any_text: bool,
    classify: &mut dyn FnMut(&Path) -> Walked,
) -> (Vec<Candidate>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, any_text, classify, &mut files, &mut errors),
            Ok(_) => files.push(Candidate {
                path: path.clone(),
                explicit: true,
            }),
            Err(error) => errors.push(format!("{}: {}", path.display(), error)),
        }
    }
    (files, errors)
}

fn walk(
    root: &Path,
    any_text: bool,
    classify: &mut dyn FnMut(&Path) -> Walked,
    files: &mut Vec<Candidate>,
    errors: &mut Vec<String>,
) {
    let mut walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                errors.push(error.to_string());
                continue;
            }
        };
        let is_dir = entry.file_type().is_dir();
        if is_dir
            && entry.depth() > 0
            && entry
                .file_name()
                .to_str()
                .is_some_and(|name| SKIPPED_DIRECTORIES.contains(&name))
        {
            walker.skip_current_dir();
            continue;
        }
        let verdict = if entry.depth() > 0 {
            classify(entry.path())
        } else {
            Walked::Detect
        };
        if verdict == Walked::Excluded {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        let is_file = entry.file_type().is_file()
            || (entry.file_type().is_symlink() && entry.path().is_file());
        if is_file && (verdict == Walked::Shell || looks_like_shell(entry.path(), any_text)) {
            files.push(Candidate {
                path: entry.into_path(),
                explicit: false,
            });
        }
    }
}

/// Whether a file found by walking is shell: by name, or by its first bytes.
fn looks_like_shell(path: &Path, any_text: bool) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !any_text && condago_syntax::shell_from_name(name).is_some() {
        return true;
    }
    if condago_linter::container::container_kind(path).is_some() {
        return true;
    }
    let mut head = [0u8; 512];
    let read = std::fs::File::open(path)
        .and_then(|mut file| std::io::Read::read(&mut file, &mut head))
        .unwrap_or(0);
    let head = &head[..read];
    if head.contains(&0) {
        return false;
    }
    any_text || condago_syntax::detect_shell(path, head).is_some()
}

/// The current user's startup files that exist, in the order shells read them.
pub(crate) fn own_startup_files() -> Vec<Candidate> {
    let env = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let Some(home) = env("HOME").map(PathBuf::from) else {
        return Vec::new();
    };
    let zdotdir = env("ZDOTDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.clone());
    let config = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    let mut paths: Vec<PathBuf> = [".bash_profile", ".bash_login", ".profile", ".bashrc"]
        .iter()
        .map(|name| home.join(name))
        .collect();
    paths.extend(
        [".zshenv", ".zprofile", ".zshrc", ".zlogin"]
            .iter()
            .map(|name| zdotdir.join(name)),
    );
    let fish = config.join("fish");
    let mut conf_d: Vec<PathBuf> = std::fs::read_dir(fish.join("conf.d"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "fish"))
                .collect()
        })
        .unwrap_or_default();
    conf_d.sort();
    paths.extend(conf_d);
    paths.push(fish.join("config.fish"));
    paths
        .into_iter()
        .filter(|path| path.is_file())
        .map(|path| Candidate {
            path,
            explicit: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_shell_files_only_and_skips_git() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::create_dir_all(root.join("fish/conf.d")).expect("mkdir");
        std::fs::write(root.join(".git/config.fish"), "set x 1\n").expect("write");
        std::fs::write(root.join("bashrc"), "x=1\n").expect("write");
        std::fs::write(root.join("fish/conf.d/go.fish"), "set x 1\n").expect("write");
        std::fs::write(root.join("install"), "#!/bin/sh\necho\n").expect("write");
        std::fs::write(root.join("README.md"), "# hi\n").expect("write");
        std::fs::write(root.join("blob.sh.bin"), b"#!/bin/sh\n\0\0").expect("write");
        let (files, errors) = expand(&[root.to_path_buf()], false, &mut |_| Walked::Detect);
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<String> = files
            .iter()
            .map(|c| {
                c.path
                    .strip_prefix(root)
                    .unwrap_or(&c.path)
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["bashrc", "fish/conf.d/go.fish", "install"]);
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let (files, errors) = expand(
            &[PathBuf::from("/nonexistent/condago-test")],
            false,
            &mut |_| Walked::Detect,
        );
        assert!(files.is_empty());
        assert!(
            errors[0].starts_with("/nonexistent/condago-test: "),
            "{errors:?}"
        );
    }
}
