//! Which shell a file is written for: by file name, then shebang, then modeline.

use std::path::Path;

use crate::Shell;

/// The outcome of shell detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    pub shell: Shell,
    /// What decided it.
    pub source: DetectionSource,
    /// `/bin/sh` reads this file too (`~/.profile`), so bash-only syntax fails there.
    pub read_by_sh: bool,
}

/// What decided a [`Detection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectionSource {
    FileName,
    Shebang,
    Modeline,
}

/// Detects the shell of a file from its path and its first and last lines.
/// Returns `None` for files that are not recognisably shell.
pub fn detect_shell(path: &Path, text: &[u8]) -> Option<Detection> {
    let by_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(shell_from_name);
    if let Some((shell, read_by_sh)) = by_name {
        // A `.sh` name says little: `#!/bin/zsh` in `foo.sh` is zsh.
        let weak = path.extension().is_some_and(|ext| ext == "sh");
        if !weak {
            return Some(Detection {
                shell,
                source: DetectionSource::FileName,
                read_by_sh,
            });
        }
    }
    if let Some(shell) = from_shebang(text) {
        return Some(Detection {
            shell,
            source: DetectionSource::Shebang,
            read_by_sh: false,
        });
    }
    if let Some(shell) = from_modeline(text) {
        return Some(Detection {
            shell,
            source: DetectionSource::Modeline,
            read_by_sh: false,
        });
    }
    by_name.map(|(shell, read_by_sh)| Detection {
        shell,
        source: DetectionSource::FileName,
        read_by_sh,
    })
}

/// The shell a file name belongs to, and whether `/bin/sh` reads it too. Understands
/// dotfile-repository spellings: `bashrc`, chezmoi's `dot_bashrc`, `private_dot_zshrc`,
/// `dot_zshrc.tmpl`.
pub fn shell_from_name(file_name: &str) -> Option<(Shell, bool)> {
    let mut name = file_name.strip_suffix(".tmpl").unwrap_or(file_name);
    // chezmoi attribute prefixes, in any order.
    loop {
        let before = name;
        for prefix in [
            "private_",
            "readonly_",
            "executable_",
            "empty_",
            "encrypted_",
        ] {
            name = name.strip_prefix(prefix).unwrap_or(name);
        }
        if name == before {
            break;
        }
    }
    let name = name
        .strip_prefix("dot_")
        .or_else(|| name.strip_prefix('.'))
        .unwrap_or(name);
    let shell = match name {
        "profile" => return Some((Shell::Bash, true)),
        "bashrc" | "bash_profile" | "bash_login" | "bash_logout" | "bash_aliases"
        | "bash_functions" | "bash.bashrc" | "bash_exports" | "bash_path" => Shell::Bash,
        "zshrc" | "zshenv" | "zprofile" | "zlogin" | "zlogout" | "zsh_aliases" | "p10k.zsh" => {
            Shell::Zsh
        }
        "config.fish" => Shell::Fish,
        _ => match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("bash") | Some("sh") => Shell::Bash,
            Some("zsh") | Some("zsh-theme") => Shell::Zsh,
            Some("fish") => Shell::Fish,
            _ => return None,
        },
    };
    Some((shell, false))
}

fn from_shebang(text: &[u8]) -> Option<Shell> {
    let first = first_line(text)?;
    // zsh completion and autoload functions start with these tags instead of a shebang.
    if first.starts_with("#compdef") || first.starts_with("#autoload") {
        return Some(Shell::Zsh);
    }
    let rest = first.strip_prefix("#!")?.trim();
    let mut words = rest.split_whitespace();
    let program = words.next()?;
    let mut interpreter = program.rsplit('/').next()?;
    if interpreter == "env" {
        interpreter = words.find(|word| !word.starts_with('-'))?;
    }
    shell_from_program(interpreter)
}

fn shell_from_program(program: &str) -> Option<Shell> {
    match program {
        "bash" => Some(Shell::Bash),
        "zsh" => Some(Shell::Zsh),
        "fish" => Some(Shell::Fish),
        "sh" | "dash" | "ash" | "ksh" => Some(Shell::Sh),
        _ => None,
    }
}

fn first_line(text: &[u8]) -> Option<&str> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    std::str::from_utf8(&text[..end.min(256)]).ok()
}

/// `# vim: ft=zsh`, `# vim: set filetype=bash :`, `# -*- mode: sh -*-` in the first or last
/// five lines.
fn from_modeline(text: &[u8]) -> Option<Shell> {
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let head = lines.iter().take(5);
    let tail = lines.iter().rev().take(5);
    head.chain(tail).find_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let comment = line.trim_start().strip_prefix('#')?;
        modeline_shell(comment)
    })
}

fn modeline_shell(comment: &str) -> Option<Shell> {
    if let Some(vim) = comment
        .find("vim:")
        .or_else(|| comment.find("vi:"))
        .map(|at| &comment[at..])
    {
        for setting in vim.split([' ', ':', '\t']) {
            if let Some(value) = setting
                .strip_prefix("ft=")
                .or_else(|| setting.strip_prefix("filetype="))
                .or_else(|| setting.strip_prefix("syntax="))
            {
                return shell_from_program(value);
            }
        }
    }
    let emacs = comment.find("-*-").map(|at| &comment[at + 3..])?;
    let emacs = &emacs[..emacs.find("-*-")?];
    emacs.split(';').find_map(|setting| {
        let (key, value) = setting.split_once(':')?;
        (key.trim() == "mode").then(|| shell_from_program(value.trim()))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(path: &str, text: &str) -> Option<(Shell, DetectionSource, bool)> {
        detect_shell(Path::new(path), text.as_bytes()).map(|d| (d.shell, d.source, d.read_by_sh))
    }

    #[test]
    fn by_file_name() {
        use DetectionSource::FileName;
        assert_eq!(
            detect("/h/.bashrc", ""),
            Some((Shell::Bash, FileName, false))
        );
        assert_eq!(
            detect("/h/.profile", ""),
            Some((Shell::Bash, FileName, true))
        );
        assert_eq!(
            detect("/h/.zshenv", ""),
            Some((Shell::Zsh, FileName, false))
        );
        assert_eq!(
            detect("zdotdir/.zlogin", ""),
            Some((Shell::Zsh, FileName, false))
        );
        assert_eq!(
            detect("fish/config.fish", ""),
            Some((Shell::Fish, FileName, false))
        );
        assert_eq!(
            detect("conf.d/go.fish", ""),
            Some((Shell::Fish, FileName, false))
        );
        assert_eq!(
            detect("dotfiles/bashrc", ""),
            Some((Shell::Bash, FileName, false))
        );
        assert_eq!(detect("dot_zshrc", ""), Some((Shell::Zsh, FileName, false)));
        assert_eq!(
            detect("private_dot_bash_profile.tmpl", ""),
            Some((Shell::Bash, FileName, false))
        );
        assert_eq!(detect("README.md", ""), None);
        assert_eq!(detect("Makefile", ""), None);
    }

    #[test]
    fn shebang_beats_a_dot_sh_name_but_not_a_startup_name() {
        assert_eq!(
            detect("x.sh", "#!/usr/bin/env zsh\n"),
            Some((Shell::Zsh, DetectionSource::Shebang, false))
        );
        assert_eq!(
            detect("x.sh", "echo\n"),
            Some((Shell::Bash, DetectionSource::FileName, false))
        );
        assert_eq!(
            detect(".bashrc", "#!/bin/zsh\n"),
            Some((Shell::Bash, DetectionSource::FileName, false))
        );
        assert_eq!(
            detect("tool", "#!/bin/sh -e\n"),
            Some((Shell::Sh, DetectionSource::Shebang, false))
        );
        assert_eq!(
            detect("tool", "\u{feff}#!/usr/bin/env -S fish --no-config\n"),
            Some((Shell::Fish, DetectionSource::Shebang, false))
        );
        assert_eq!(
            detect("_git", "#compdef git\n").map(|d| d.0),
            Some(Shell::Zsh)
        );
        assert_eq!(detect("tool", "#!/usr/bin/python3\n"), None);
    }

    #[test]
    fn modelines() {
        assert_eq!(
            detect("aliases", "alias l=ls\n# vim: ft=zsh\n"),
            Some((Shell::Zsh, DetectionSource::Modeline, false))
        );
        assert_eq!(
            detect("aliases", "# vim: set filetype=bash :\n"),
            Some((Shell::Bash, DetectionSource::Modeline, false))
        );
        assert_eq!(
            detect("aliases", "# -*- mode: sh; -*-\n").map(|d| d.0),
            Some(Shell::Sh)
        );
        assert_eq!(detect("aliases", "# vim: ft=python\n"), None);
    }
}
