//! condago's project configuration: `condago.toml` (or `.condago.toml`), found like ruff
//! finds its own, the nearest one upward from each linted file.
//!
//! ```toml
//! select = ["CG1", "CG2"]
//! ignore = ["CG104"]
//! extend-select = ["CG107"]
//! exclude = ["vendor", "zsh/plugins/**"]
//! fish-version = "3.3"
//! bash-version = "3.2"
//!
//! [per-file-ignores]
//! "zsh/plugins/*" = ["CG104"]
//!
//! [shells]
//! "shell/*.sh" = "bash"
//! "aliases" = "zsh"
//!
//! [home]
//! layout = "stow"   # plain, stow, chezmoi, yadm or bare
//! os = "Darwin"     # yadm: which `##os.…` alternates to read
//! ```
//!
//! A bad file is an error naming the file, the line, the column and the key, never ignored.

mod discover;
mod error;
mod glob;
mod parse;
mod resolve;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use condago_linter::{Shell, Version};

pub use discover::{find_in_ancestors, Discovery, Resolver};
pub use error::{ConfigError, Problem};
pub use glob::Glob;
pub use resolve::{resolve, Overrides, Resolved, Source, SourcedValue};

/// The names a configuration file may have, in one directory only one of them.
pub const FILE_NAMES: [&str; 2] = ["condago.toml", ".condago.toml"];

/// One configuration file, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The directory its globs are relative to (the file's own directory).
    pub root: PathBuf,
    /// `select`: which rules run (none given: the default rules).
    pub select: Option<Vec<String>>,
    /// `extend-select`: rules run on top of `select` or of the defaults.
    pub extend_select: Vec<String>,
    /// `ignore`: rules that never run.
    pub ignore: Vec<String>,
    /// `exclude`: files and directories not linted.
    pub exclude: Vec<Glob>,
    /// `per-file-ignores`: rules that do not run on the files a glob matches.
    pub per_file_ignores: Vec<(Glob, Vec<String>)>,
    /// `[shells]`: the shell of the files a glob matches, in the file's order.
    pub shells: Vec<(Glob, Shell)>,
    /// `fish-version`: the oldest fish the files must work with.
    pub fish_version: Option<Version>,
    /// `bash-version`: the oldest bash the files must work with.
    pub bash_version: Option<Version>,
    /// `[home]`: how the repository is laid out.
    pub home: HomeConfig,
    /// The line each key was set on (`select`, `home.layout`, …), for `condago config`.
    pub lines: HashMap<String, usize>,
}

/// `[home]`: the dotfiles repository's layout, for `--home`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeConfig {
    /// Not set: detected from the repository's files.
    pub layout: Option<Layout>,
    /// For yadm: the operating system whose alternates (`name##os.Darwin`) are read;
    /// not set: the one condago runs on.
    pub os: Option<String>,
}

/// How a dotfiles repository maps to `$HOME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The repository is laid out like `$HOME`.
    Plain,
    /// GNU stow: each top-level directory is a package merged into `$HOME`.
    Stow,
    /// chezmoi's source directory (`dot_bashrc`, `private_dot_config/…`).
    Chezmoi,
    /// yadm: `$HOME` itself, with alternates `name##os.Darwin`.
    Yadm,
    /// A bare git repository whose work tree is `$HOME`.
    Bare,
}

impl Layout {
    pub const ALL: [Layout; 5] = [
        Layout::Plain,
        Layout::Stow,
        Layout::Chezmoi,
        Layout::Yadm,
        Layout::Bare,
    ];

    /// The name written in `condago.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Plain => "plain",
            Layout::Stow => "stow",
            Layout::Chezmoi => "chezmoi",
            Layout::Yadm => "yadm",
            Layout::Bare => "bare",
        }
    }

    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|layout| layout.name() == name)
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let bytes = std::fs::read(path)
            .map_err(|error| ConfigError::whole_file(path, format!("cannot read it: {error}")))?;
        let text = String::from_utf8(bytes).map_err(|error| {
            ConfigError::whole_file(
                path,
                format!(
                    "not UTF-8 (byte {}); TOML files are UTF-8",
                    error.utf8_error().valid_up_to()
                ),
            )
        })?;
        Config::parse(path, &text)
    }

    /// Checks the text of a configuration file read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        parse::parse(path, text)
    }

    /// The line a key was set on (`select`, `home.layout`, `shells`).
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.lines.get(key).copied()
    }

    /// Whether a file (or directory) is excluded: the path, or a directory it is in,
    /// matches an `exclude` glob.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let relative = self.relative(path);
        self.exclude
            .iter()
            .any(|glob| glob.matches_path_or_parent(&relative))
    }

    /// The shell `[shells]` gives a file: the first glob (in the file's order) that matches.
    pub fn shell_for(&self, path: &Path) -> Option<(Shell, &Glob)> {
        let relative = self.relative(path);
        self.shells
            .iter()
            .find(|(glob, _)| glob.matches(&relative))
            .map(|(glob, shell)| (*shell, glob))
    }

    /// The `per-file-ignores` entries that apply to a file.
    pub fn ignores_for(&self, path: &Path) -> impl Iterator<Item = &(Glob, Vec<String>)> {
        let relative = self.relative(path);
        self.per_file_ignores
            .iter()
            .filter(move |(glob, _)| glob.matches(&relative))
    }

    /// A path relative to the configuration's directory, as its globs see it (a path
    /// outside that directory is matched as it is).
    fn relative(&self, path: &Path) -> PathBuf {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        absolute
            .strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or(absolute)
    }
}
