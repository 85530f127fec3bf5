//! Well-known tool initialisations and what they do to `PATH`: `eval "$(pyenv init -)"`,
//! `eval "$(brew shellenv)"`, `. "$HOME/.cargo/env"` and the like. condago never runs them;
//! each effect below was read from the tool's own source, at the release named in
//! [`Tool::checked_against`], and reproduced by a stand-in script in the tests:
//!
//! | tool | line in a startup file | what goes in front of `PATH` | how |
//! |---|---|---|---|
//! | pyenv 2.4/2.5 | `eval "$(pyenv init -)"`, `pyenv init --path`, fish `pyenv init - \| source` | `$PYENV_ROOT/shims` (default `~/.pyenv`) | removes it wherever it is, then prepends; `--no-push-path`: only when absent |
//! | rbenv 1.2/1.3 | `eval "$(rbenv init -)"` | `$RBENV_ROOT/shims` (default `~/.rbenv`) | only when absent |
//! | nodenv 1.4 | `eval "$(nodenv init -)"` | `$NODENV_ROOT/shims` (default `~/.nodenv`) | always |
//! | goenv 2.x | `eval "$(goenv init -)"` | `$GOENV_ROOT/shims` (default `~/.goenv`) | always; also exports `GOROOT` |
//! | Homebrew 4.4+ | `eval "$(/opt/homebrew/bin/brew shellenv)"` (any prefix) | `<prefix>/bin`, `<prefix>/sbin` | nothing when they already lead `PATH`; macOS 14+ and fish move them to the front, Linux prepends |
//! | mise 2024/2025 | `eval "$(mise activate zsh)"` | the tools mise selects for the directory (known only at run time); with `--shims`, `$MISE_DATA_DIR/shims` | always |
//! | fnm 1.3x | `eval "$(fnm env)"` | a per-shell `fnm_multishells/<id>/bin` | always |
//! | asdf 0.8–0.15 | `. "$HOME/.asdf/asdf.sh"` (or `asdf.fish`) | `$ASDF_DATA_DIR/shims` (default `~/.asdf`), then `$ASDF_DIR/bin` | each only when absent |
//! | SDKMAN! 5.x | `source "$HOME/.sdkman/bin/sdkman-init.sh"` | `candidates/<name>/current/bin` of every installed candidate | each only when absent |
//! | Nix 2.x | `. ~/.nix-profile/etc/profile.d/nix.sh` | `~/.nix-profile/bin` | always |
//! | Nix 2.x | `. /nix/var/nix/profiles/default/etc/profile.d/nix-daemon.sh` | `~/.nix-profile/bin`, `/nix/var/nix/profiles/default/bin` | once per shell |
//! | rustup 1.2x | `. "$HOME/.cargo/env"` (or `env.fish`) | `~/.cargo/bin` | only when absent |

use std::ops::Range;

use super::{Command, StartupFile, StatementKind};

/// A tool whose initialisation puts directories on `PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    Pyenv,
    Rbenv,
    Nodenv,
    Goenv,
    Brew,
    Mise,
    Fnm,
    Asdf,
    Sdkman,
    Nix,
    NixDaemon,
    Cargo,
}

impl Tool {
    /// How users call it: `pyenv init`, `brew shellenv`, `the Nix profile script`.
    pub fn init_name(self) -> &'static str {
        match self {
            Tool::Pyenv => "pyenv init",
            Tool::Rbenv => "rbenv init",
            Tool::Nodenv => "nodenv init",
            Tool::Goenv => "goenv init",
            Tool::Brew => "brew shellenv",
            Tool::Mise => "mise activate",
            Tool::Fnm => "fnm env",
            Tool::Asdf => "asdf.sh",
            Tool::Sdkman => "sdkman-init.sh",
            Tool::Nix => "nix.sh",
            Tool::NixDaemon => "nix-daemon.sh",
            Tool::Cargo => "~/.cargo/env",
        }
    }

    /// The release whose init code the effect was read from.
    pub fn checked_against(self) -> &'static str {
        match self {
            Tool::Pyenv => "pyenv 2.4/2.5 (libexec/pyenv-init)",
            Tool::Rbenv => "rbenv 1.2/1.3 (libexec/rbenv-init)",
            Tool::Nodenv => "nodenv 1.4 (libexec/nodenv-init)",
            Tool::Goenv => "goenv 2.x (libexec/goenv-init)",
            Tool::Brew => "Homebrew 4.4+ (Library/Homebrew/cmd/shellenv.sh)",
            Tool::Mise => "mise 2024/2025 (src/shell/*.rs, `activate`)",
            Tool::Fnm => "fnm 1.3x (`fnm env`)",
            Tool::Asdf => "asdf 0.8 to 0.15 (asdf.sh, asdf.fish)",
            Tool::Sdkman => "SDKMAN! 5.x (sdkman-init.sh, sdkman-path-helpers.sh)",
            Tool::Nix => "Nix 2.x (scripts/nix-profile.sh.in)",
            Tool::NixDaemon => "Nix 2.x (scripts/nix-profile-daemon.sh.in)",
            Tool::Cargo => "rustup 1.2x (the `env` script it writes)",
        }
    }

    /// What its directories hold that conda also installs; `None` when it brings nothing
    /// conda users expect from conda.
    pub fn shadows(self) -> Option<&'static str> {
        Some(match self {
            Tool::Pyenv => "pyenv's `python`, `python3` and `pip`",
            Tool::Rbenv => "rbenv's `ruby` and `gem`",
            Tool::Nodenv => "nodenv's `node` and `npm`",
            Tool::Goenv => "goenv's `go`",
            Tool::Brew => "Homebrew's `python3`, `go` and other formulae",
            Tool::Mise => "mise's `python`, `go` and `node`",
            Tool::Fnm => "fnm's `node` and `npm`",
            Tool::Asdf => "asdf's `python`, `go` and `node`",
            Tool::Sdkman => "SDKMAN!'s `java`, `mvn` and `gradle`",
            Tool::Nix | Tool::NixDaemon => "the Nix profile's `python3`, `go` and other packages",
            Tool::Cargo => return None,
        })
    }
}

/// How an initialisation places its directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Prepends every time (a second run adds them again).
    Always,
    /// Prepends each directory that is not on `PATH` yet.
    IfAbsent,
    /// Removes the directories wherever they are, then prepends them.
    MoveToFront,
    /// Homebrew: nothing when the directories already lead `PATH` in this order; otherwise
    /// moved to the front on macOS 14+ and in fish, prepended on Linux.
    UnlessLeading,
}

/// One directory an initialisation puts on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitDir {
    /// Its text, with variables the caller could not resolve kept as `$NAME`.
    Known(String),
    /// Known only when the tool runs: what it is.
    Unknown(&'static str),
}

/// What one initialisation does to `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitEffect {
    pub tool: Tool,
    /// In the order they end up on `PATH`, first first.
    pub dirs: Vec<InitDir>,
    pub placement: Placement,
}

impl InitEffect {
    /// `PATH` after the initialisation ran on `items`: `text` reads an entry (`None` when
    /// not known), `make` builds an entry for one of the effect's directories. `brew_moves`:
    /// Homebrew moves its directories to the front (macOS 14+, fish) rather than
    /// prepending them (Linux).
    pub fn apply<T>(
        &self,
        mut items: Vec<T>,
        text: impl Fn(&T) -> Option<String>,
        make: impl Fn(&InitDir) -> T,
        brew_moves: bool,
    ) -> Vec<T> {
        let is = |item: &T, dir: &InitDir| match dir {
            InitDir::Known(dir) => text(item).as_deref() == Some(dir.as_str()),
            InitDir::Unknown(_) => false,
        };
        let mut placement = self.placement;
        if placement == Placement::UnlessLeading {
            let leading = self.dirs.len() <= items.len()
                && self
                    .dirs
                    .iter()
                    .zip(&items)
                    .all(|(dir, item)| is(item, dir));
            if leading {
                return items;
            }
            placement = if brew_moves {
                Placement::MoveToFront
            } else {
                Placement::Always
            };
        }
        match placement {
            Placement::IfAbsent => {
                // Each directory in turn, last first, so the first ends up first.
                for dir in self.dirs.iter().rev() {
                    if !items.iter().any(|item| is(item, dir)) {
                        items.insert(0, make(dir));
                    }
                }
                items
            }
            Placement::MoveToFront => {
                items.retain(|item| !self.dirs.iter().any(|dir| is(item, dir)));
                let mut out: Vec<T> = self.dirs.iter().map(&make).collect();
                out.extend(items);
                out
            }
            _ => {
                let mut out: Vec<T> = self.dirs.iter().map(&make).collect();
                out.extend(items);
                out
            }
        }
    }
}

/// An initialisation command whose output is shell code (`pyenv init -`, `brew shellenv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitCommand {
    pub tool: Tool,
    /// The program as written (`pyenv`, `/opt/homebrew/bin/brew`).
    pub program: String,
    /// pyenv `--no-push-path`, mise `--shims`.
    pub variant: bool,
}

/// Recognises the words of a command (program first, quotes removed) as a tool's
/// initialisation: `pyenv init -`, `brew shellenv`, `mise activate zsh`, `fnm env`.
/// `pyenv init` without `-` or `--path` prints help and does nothing, so it is not one.
pub fn init_command<S: AsRef<str>>(words: &[S]) -> Option<InitCommand> {
    let mut words: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
    if words.first() == Some(&"command") {
        words.remove(0);
    }
    let program = *words.first()?;
    let base = program.rsplit('/').next().unwrap_or(program);
    let args = &words[1..];
    let has = |flag: &str| args.contains(&flag);
    let tool = match (base, args.first().copied()) {
        ("pyenv", Some("init")) if has("-") || has("--path") => Tool::Pyenv,
        ("rbenv", Some("init")) if has("-") => Tool::Rbenv,
        ("nodenv", Some("init")) if has("-") => Tool::Nodenv,
        ("goenv", Some("init")) if has("-") => Tool::Goenv,
        ("brew", Some("shellenv")) => Tool::Brew,
        ("mise", Some("activate")) => Tool::Mise,
        ("fnm", Some("env")) => Tool::Fnm,
        _ => return None,
    };
    Some(InitCommand {
        tool,
        program: program.to_string(),
        variant: has("--no-push-path") || has("--shims"),
    })
}

/// Recognises a sourced script (its path as written) as a tool's initialisation.
pub fn init_script(path: &str) -> Option<Tool> {
    let path = path.trim_matches(['"', '\'']);
    let name = path.rsplit('/').next().unwrap_or(path);
    let parent = path.rsplit('/').nth(1).unwrap_or("");
    match name {
        "env" | "env.fish" if parent == ".cargo" || parent == "$CARGO_HOME" => Some(Tool::Cargo),
        "asdf.sh" | "asdf.fish" => Some(Tool::Asdf),
        "sdkman-init.sh" => Some(Tool::Sdkman),
        "nix.sh" | "nix.fish" if parent == "profile.d" => Some(Tool::Nix),
        "nix-daemon.sh" | "nix-daemon.fish" => Some(Tool::NixDaemon),
        _ => None,
    }
}

/// The `PATH` effect of an initialisation command. `var` gives a variable's value (the
/// single-file model answers `$NAME` for variables the file sets); `home` is `$HOME`'s.
pub fn command_effect(
    init: &InitCommand,
    var: &dyn Fn(&str) -> Option<String>,
    home: &str,
) -> InitEffect {
    let root = |name: &str, default: &str| {
        var(name)
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| format!("{home}/{default}"))
    };
    let known = |dir: String| InitDir::Known(dir);
    let (dirs, placement) = match init.tool {
        Tool::Pyenv => (
            vec![known(format!("{}/shims", root("PYENV_ROOT", ".pyenv")))],
            if init.variant {
                Placement::IfAbsent
            } else {
                Placement::MoveToFront
            },
        ),
        Tool::Rbenv => (
            vec![known(format!("{}/shims", root("RBENV_ROOT", ".rbenv")))],
            Placement::IfAbsent,
        ),
        Tool::Nodenv => (
            vec![known(format!("{}/shims", root("NODENV_ROOT", ".nodenv")))],
            Placement::Always,
        ),
        Tool::Goenv => (
            vec![known(format!("{}/shims", root("GOENV_ROOT", ".goenv")))],
            Placement::Always,
        ),
        Tool::Brew => {
            let prefix = brew_prefix(&init.program).or_else(|| var("HOMEBREW_PREFIX"));
            let prefix = prefix.unwrap_or_else(|| "$HOMEBREW_PREFIX".to_string());
            (
                vec![
                    known(format!("{prefix}/bin")),
                    known(format!("{prefix}/sbin")),
                ],
                Placement::UnlessLeading,
            )
        }
        Tool::Mise if init.variant => {
            let data = var("MISE_DATA_DIR")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| {
                    format!(
                        "{}/mise",
                        var("XDG_DATA_HOME")
                            .filter(|v| !v.is_empty())
                            .unwrap_or_else(|| format!("{home}/.local/share"))
                    )
                });
            (vec![known(format!("{data}/shims"))], Placement::Always)
        }
        Tool::Mise => (
            vec![InitDir::Unknown(
                "the directories of the tools mise selects for the current directory",
            )],
            Placement::Always,
        ),
        Tool::Fnm => (
            vec![InitDir::Unknown("fnm's per-shell fnm_multishells/<id>/bin")],
            Placement::Always,
        ),
        _ => (Vec::new(), Placement::Always),
    };
    InitEffect {
        tool: init.tool,
        dirs,
        placement,
    }
}

/// The `PATH` effect of sourcing a tool's script at `path` (as resolved by the caller).
pub fn script_effect(
    tool: Tool,
    path: &str,
    var: &dyn Fn(&str) -> Option<String>,
    home: &str,
) -> InitEffect {
    let script_dir = path
        .rsplit_once('/')
        .map_or(".".to_string(), |(dir, _)| dir.to_string());
    let known = |dir: String| InitDir::Known(dir);
    let (dirs, placement) = match tool {
        Tool::Cargo => (
            vec![known(format!("{script_dir}/bin"))],
            Placement::IfAbsent,
        ),
        Tool::Asdf => {
            let data = var("ASDF_DATA_DIR")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| format!("{home}/.asdf"));
            let asdf_dir = var("ASDF_DIR")
                .filter(|v| !v.is_empty())
                .unwrap_or(script_dir);
            (
                vec![
                    known(format!("{data}/shims")),
                    known(format!("{asdf_dir}/bin")),
                ],
                Placement::IfAbsent,
            )
        }
        Tool::Sdkman => (
            vec![InitDir::Unknown(
                "the current/bin of each installed SDKMAN! candidate",
            )],
            Placement::IfAbsent,
        ),
        Tool::Nix => (
            vec![known(format!("{home}/.nix-profile/bin"))],
            Placement::Always,
        ),
        Tool::NixDaemon => (
            vec![
                known(format!("{home}/.nix-profile/bin")),
                known("/nix/var/nix/profiles/default/bin".to_string()),
            ],
            Placement::Always,
        ),
        _ => (Vec::new(), Placement::Always),
    };
    InitEffect {
        tool,
        dirs,
        placement,
    }
}

/// Homebrew's prefix from the path of its `brew` (`/opt/homebrew/bin/brew` → `/opt/homebrew`).
pub fn brew_prefix(program: &str) -> Option<String> {
    let bin = program.strip_suffix("/brew")?;
    let prefix = bin.strip_suffix("/bin")?;
    (!prefix.is_empty()).then(|| prefix.to_string())
}

/// One tool initialisation found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolInit {
    /// Index into [`StartupFile::statements`] of the statement that runs it (the `eval`,
    /// the `source`, or fish's `tool … | source`).
    pub statement: usize,
    /// From that statement's start to the end of the code that runs the output.
    pub range: Range<usize>,
    pub effect: InitEffect,
}

/// Finds the tool initialisations of a lifted file, in source order.
pub(super) fn find(file: &StartupFile) -> Vec<ToolInit> {
    let mut found = Vec::new();
    for (index, statement) in file.statements.iter().enumerate() {
        if statement.context.in_subshell {
            continue;
        }
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let name = program_text(file, command);
        let base = name.rsplit('/').next().unwrap_or(&name);
        let effect = match base {
            // `eval "$(pyenv init -)"`, fish `source (pyenv init - | psub)`.
            "eval" | "source" | "." => {
                substituted_init(file, index).or_else(|| sourced_script(file, command))
            }
            _ => piped_init(file, index, command),
        };
        let Some((effect, end)) = effect else {
            continue;
        };
        let end = end.max(statement.range.end);
        found.push(ToolInit {
            statement: index,
            range: statement.range.start..end,
            effect,
        });
    }
    found
}

/// The command name as written, quotes removed, `~/` as `$HOME/`.
fn program_text(file: &StartupFile, command: &Command) -> String {
    let text = file.text(command.name_range.clone());
    let text = text.trim_matches(['"', '\'']);
    match text.strip_prefix("~/") {
        Some(rest) => format!("$HOME/{rest}"),
        None => text.replace("${HOME}", "$HOME"),
    }
}

/// How the single-file model reads a variable: `$NAME` when the file sets it, else unknown.
fn symbolic<'f>(file: &'f StartupFile<'f>) -> impl Fn(&str) -> Option<String> + 'f {
    move |name: &str| {
        file.assignments()
            .any(|(_, assignment)| assignment.name == name)
            .then(|| format!("${name}"))
    }
}

fn words_of(file: &StartupFile, command: &Command) -> Vec<String> {
    let mut words = vec![program_text(file, command)];
    words.extend(
        command
            .args
            .iter()
            .map(|arg| arg.literal().unwrap_or_else(|| arg.display(file.source))),
    );
    words
}

/// An `eval`/`source` whose argument substitutes a tool's init output.
fn substituted_init(file: &StartupFile, index: usize) -> Option<(InitEffect, usize)> {
    let outer = &file.statements[index];
    file.statements[index + 1..]
        .iter()
        .take_while(|inner| inner.range.start < outer.range.end)
        .find_map(|inner| {
            let StatementKind::Command(command) = &inner.kind else {
                return None;
            };
            if !inner.context.in_subshell {
                return None;
            }
            let init = init_command(&words_of(file, command))?;
            Some((
                command_effect(&init, &symbolic(file), "$HOME"),
                outer.range.end,
            ))
        })
}

/// fish: `pyenv init - | source`.
fn piped_init(file: &StartupFile, index: usize, command: &Command) -> Option<(InitEffect, usize)> {
    let init = init_command(&words_of(file, command))?;
    let next = file.next_in_chain(index)?;
    if next.chain.after != Some(super::ChainOp::Pipe) {
        return None;
    }
    let StatementKind::Command(sink) = &next.kind else {
        return None;
    };
    if !matches!(sink.name.as_deref(), Some("source" | ".")) {
        return None;
    }
    Some((
        command_effect(&init, &symbolic(file), "$HOME"),
        next.range.end,
    ))
}

/// `. "$HOME/.cargo/env"`, `source ~/.sdkman/bin/sdkman-init.sh`.
fn sourced_script(file: &StartupFile, command: &Command) -> Option<(InitEffect, usize)> {
    let arg = command.args.first()?;
    let mut path = arg.display(file.source);
    if let Some(rest) = path.strip_prefix("~/") {
        path = format!("$HOME/{rest}");
    }
    let path = path.replace("${HOME}", "$HOME");
    let tool = init_script(&path)?;
    Some((script_effect(tool, &path, &symbolic(file), "$HOME"), 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_init_commands() {
        let pyenv = init_command(&["pyenv", "init", "-", "zsh"]).expect("pyenv");
        assert_eq!(pyenv.tool, Tool::Pyenv);
        assert!(init_command(&["pyenv", "init", "--path"]).is_some());
        // Without `-`, pyenv prints help on stderr and changes nothing.
        assert!(init_command(&["pyenv", "init"]).is_none());
        assert!(init_command(&["pyenv", "virtualenv-init", "-"]).is_none());
        let brew = init_command(&["/opt/homebrew/bin/brew", "shellenv"]).expect("brew");
        let effect = command_effect(&brew, &|_| None, "/home/u");
        assert_eq!(
            effect.dirs,
            vec![
                InitDir::Known("/opt/homebrew/bin".into()),
                InitDir::Known("/opt/homebrew/sbin".into())
            ]
        );
        let mise = init_command(&["mise", "activate", "bash", "--shims"]).expect("mise");
        let effect = command_effect(&mise, &|_| None, "/home/u");
        assert_eq!(
            effect.dirs,
            vec![InitDir::Known("/home/u/.local/share/mise/shims".into())]
        );
        assert_eq!(init_script("$HOME/.cargo/env"), Some(Tool::Cargo));
        assert_eq!(init_script("\"$HOME/.cargo/env\""), Some(Tool::Cargo));
        assert_eq!(init_script("$HOME/.config/env"), None);
        assert_eq!(
            init_script("$HOME/.nix-profile/etc/profile.d/nix.sh"),
            Some(Tool::Nix)
        );
    }
}
