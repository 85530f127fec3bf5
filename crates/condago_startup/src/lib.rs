//! The startup model: for bash, zsh and fish in each mode, which files the shell reads and
//! in which order (system files included, `source` followed where the path is known), and
//! the `PATH` they build, every entry with the file and line that put it there.
//!
//! The model reads files and never runs them: an interpreter walks each file's syntax tree
//! with the modelled state. Conditions it can decide (the mode, file tests, known strings,
//! `id -u`) pick a branch; where it cannot, both branches run and what they disagree on
//! becomes an unknown entry. Anything that may change `PATH` in a way that cannot be known
//! (`eval` of a command's output, `source` of a computed path) puts an unknown entry first
//! and marks the result incomplete: unknowns are kept, never guessed.

mod chain;
mod commands;
mod conda;
mod engine;
mod fish;
mod fs;
pub mod layout;
mod posix;
pub mod render;
pub mod rules;
mod state;
mod tools;
mod value;
mod which;

use std::path::{Path, PathBuf};

pub use chain::{BASH_VERSION, FISH_VERSION, ZSH_VERSION};
pub use engine::{FileRead, Location};
pub use layout::{Layout, LayoutKind};
pub use which::{which, Found, Which};

/// A shell whose startup the model knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StartupShell {
    Bash,
    Zsh,
    Fish,
}

impl StartupShell {
    pub const ALL: [StartupShell; 3] = [StartupShell::Bash, StartupShell::Zsh, StartupShell::Fish];

    pub fn name(self) -> &'static str {
        match self {
            StartupShell::Bash => "bash",
            StartupShell::Zsh => "zsh",
            StartupShell::Fish => "fish",
        }
    }

    /// From a shell's name or path (`/bin/zsh`, `-bash`).
    pub fn from_name(name: &str) -> Option<StartupShell> {
        let base = name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .trim_start_matches('-');
        match base {
            "bash" => Some(StartupShell::Bash),
            "zsh" => Some(StartupShell::Zsh),
            "fish" => Some(StartupShell::Fish),
            _ => None,
        }
    }
}

/// How the shell is started, which decides the files it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// `shell -l -c …`: a login shell running a command.
    Login,
    /// `shell -i -c …`: an interactive shell that is not a login shell (a terminal tab on
    /// Linux, an editor's terminal).
    Interactive,
    /// `shell -c …`: scripts, IDE tasks, cron.
    NonInteractive,
    /// `shell -i -l`: ssh, a console login, macOS Terminal.
    InteractiveLogin,
}

impl Mode {
    pub const ALL: [Mode; 4] = [
        Mode::Login,
        Mode::Interactive,
        Mode::NonInteractive,
        Mode::InteractiveLogin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Login => "login",
            Mode::Interactive => "interactive",
            Mode::NonInteractive => "non-interactive",
            Mode::InteractiveLogin => "interactive-login",
        }
    }

    pub fn login(self) -> bool {
        matches!(self, Mode::Login | Mode::InteractiveLogin)
    }

    pub fn interactive(self) -> bool {
        matches!(self, Mode::Interactive | Mode::InteractiveLogin)
    }

    /// The flags that start a shell in this mode (`-l -c`).
    pub fn flags(self) -> &'static str {
        match self {
            Mode::Login => "-l -c",
            Mode::Interactive => "-i -c",
            Mode::NonInteractive => "-c",
            Mode::InteractiveLogin => "-i -l -c",
        }
    }
}

/// What the model runs against.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The home directory (absolute).
    pub home: PathBuf,
    /// Where system files (`/etc/profile`, `/etc/zsh`, `/usr/share/fish`) are read from.
    pub root: PathBuf,
    /// The user id `/etc/profile`'s `id -u` sees; `None` leaves it unknown.
    pub uid: Option<u32>,
    /// The inherited environment (`PATH` included; `HOME` is set from `home`).
    pub env: Vec<(String, String)>,
    /// A dotfiles repository read as the home (stow, chezmoi, yadm map home paths to its
    /// files).
    pub layout: Option<std::sync::Arc<Layout>>,
}

/// The `PATH` the model starts from when none is given.
pub const DEFAULT_INHERITED_PATH: &str = "/usr/bin:/bin";

impl Inputs {
    /// A home directory with the real root, the current user's id and
    /// `PATH=/usr/bin:/bin` inherited.
    pub fn new(home: impl Into<PathBuf>) -> Inputs {
        let home = home.into();
        let home = std::path::absolute(&home).unwrap_or(home);
        Inputs {
            home,
            root: PathBuf::from("/"),
            uid: current_uid(),
            env: vec![("PATH".to_string(), DEFAULT_INHERITED_PATH.to_string())],
            layout: None,
        }
    }

    /// The home a dotfiles repository makes, read through its layout.
    pub fn from_layout(layout: Layout) -> Inputs {
        let mut inputs = Inputs::new(layout.home.clone());
        inputs.layout = Some(std::sync::Arc::new(layout));
        inputs
    }

    /// Sets an inherited variable.
    pub fn set_env(&mut self, name: &str, value: &str) -> &mut Inputs {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// The inherited `PATH`.
    pub fn inherited_path(&self) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_str())
    }
}

/// The id of the user running this process (Linux: the owner of `/proc/self`).
pub fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// One `PATH` entry and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The directory; `None` when it is not known.
    pub dir: Option<String>,
    /// What to show: the directory, or what is not known.
    pub text: String,
    /// The line that put it there; `None` for the inherited `PATH`.
    pub origin: Option<Location>,
    /// What ran at that line when it was not the line itself (conda's hook, fish's
    /// `fish_user_paths`).
    pub via: Option<String>,
    /// Why it is not known.
    pub unknown: Option<String>,
}

/// A change `PATH` went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: Location,
    pub via: Option<String>,
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// Happens on every path (not inside a condition the model cannot decide).
    pub certain: bool,
}

impl Change {
    /// Entries the change added.
    pub fn added(&self) -> Vec<String> {
        self.after
            .iter()
            .filter(|e| !self.before.contains(e))
            .cloned()
            .collect()
    }

    /// Entries the change removed.
    pub fn removed(&self) -> Vec<String> {
        self.before
            .iter()
            .filter(|e| !self.after.contains(e))
            .cloned()
            .collect()
    }
}

/// A conda/mamba hook that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondaUse {
    pub at: Location,
    /// `conda`, `mamba` or `micromamba`.
    pub tool: String,
    pub base: String,
    pub auto_activate: bool,
}

/// The startup of one shell in one mode.
#[derive(Debug, Clone)]
pub struct Startup {
    pub shell: StartupShell,
    pub mode: Mode,
    pub home: String,
    /// Every file read, in order (a file read twice appears twice).
    pub files: Vec<FileRead>,
    /// The final `PATH`.
    pub path: Vec<Entry>,
    /// Nothing that may change `PATH` was left unknown.
    pub complete: bool,
    /// Why it is incomplete, and other things worth saying.
    pub notes: Vec<(Option<Location>, String)>,
    pub changes: Vec<Change>,
    /// The shell exits (or `exec`s another program) during startup, here.
    pub exited: Option<Location>,
    pub conda: Vec<CondaUse>,
    /// Exported variables at the end, `None` when not known.
    pub env: Vec<(String, Option<String>)>,
    /// `source`/`.` commands and what they read (`None`: not known).
    pub sources: Vec<(Location, Option<String>)>,
    /// fish: variables read while unset.
    pub unset_reads: Vec<(Location, String)>,
    /// fish: functions called while undefined.
    pub undefined_calls: Vec<(Location, String)>,
}

impl Startup {
    /// The final `PATH` entries as text (unknown ones as `?`).
    pub fn path_strings(&self) -> Vec<String> {
        self.path
            .iter()
            .map(|e| e.dir.clone().unwrap_or_else(|| "?".to_string()))
            .collect()
    }

    /// A final exported variable's value.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether the file at `path` was read.
    pub fn reads(&self, path: &Path) -> bool {
        self.files.iter().any(|f| f.real == path)
    }
}

/// Models the startup of `shell` in `mode`.
pub fn analyze(shell: StartupShell, mode: Mode, inputs: &Inputs) -> Startup {
    let mut engine = engine::Engine::new(inputs, shell, mode);
    engine.run_startup();
    finish(engine)
}

fn finish(engine: engine::Engine) -> Startup {
    let location = |site: u32| engine.location(site);
    let via = |site: u32| {
        engine
            .trace
            .sites
            .get(site as usize)
            .and_then(|s| s.note.clone())
    };
    let entry = |value: &value::Value| {
        let origin = value.origin();
        let (origin, via) = match origin {
            Some(value::Origin::Site(site)) => (location(site), via(site)),
            _ => (None, None),
        };
        match value.known() {
            Some(dir) => Entry {
                text: dir.clone(),
                dir: Some(dir),
                origin,
                via,
                unknown: None,
            },
            None => {
                let why = engine.value_unknown_reason(value);
                Entry {
                    dir: None,
                    text: match &why {
                        Some(why) => format!("? ({why})"),
                        None => "?".to_string(),
                    },
                    origin,
                    via,
                    unknown: why,
                }
            }
        }
    };
    let path: Vec<Entry> = engine.path_items().iter().map(entry).collect();
    let show = |items: &[value::Value]| -> Vec<String> {
        items
            .iter()
            .map(|v| v.known().unwrap_or_else(|| "?".to_string()))
            .collect()
    };
    let changes = engine
        .trace
        .changes
        .iter()
        .filter_map(|(site, before, after, certain)| {
            Some(Change {
                at: location(*site)?,
                via: via(*site),
                before: show(before),
                after: show(after),
                certain: *certain,
            })
        })
        .collect();
    let complete = !engine.trace.incomplete && path.iter().all(|e| e.dir.is_some());
    let env = engine
        .state
        .vars
        .iter()
        .filter(|(_, var)| var.exported)
        .map(|(name, var)| {
            let joined = value::Value::join(
                &var.items,
                if engine.shell == StartupShell::Fish && name.ends_with("PATH") {
                    ":"
                } else {
                    " "
                },
            );
            (name.clone(), joined.known())
        })
        .collect();
    let notes = engine
        .trace
        .notes
        .iter()
        .map(|(site, message)| (site.and_then(location), message.clone()))
        .collect();
    Startup {
        shell: engine.shell,
        mode: engine.mode,
        home: engine.home(),
        files: engine.trace.files.clone(),
        path,
        complete,
        notes,
        changes,
        exited: engine.trace.exited.and_then(location),
        conda: engine
            .trace
            .conda
            .iter()
            .filter_map(|(site, hook, auto)| {
                Some(CondaUse {
                    at: location(*site)?,
                    tool: hook.tool.name().to_string(),
                    base: hook.base.clone(),
                    auto_activate: *auto,
                })
            })
            .collect(),
        env,
        sources: engine
            .trace
            .sources
            .iter()
            .filter_map(|(site, path)| Some((location(*site)?, path.clone())))
            .collect(),
        unset_reads: engine
            .trace
            .unset_reads
            .iter()
            .filter_map(|(site, name)| Some((location(*site)?, name.clone())))
            .collect(),
        undefined_calls: engine
            .trace
            .undefined_calls
            .iter()
            .filter_map(|(site, name)| Some((location(*site)?, name.clone())))
            .collect(),
    }
}

/// A path with the home directory written `~`.
pub fn short_path(path: &str, home: &str) -> String {
    let home = home.trim_end_matches('/');
    if home.is_empty() {
        return path.to_string();
    }
    match path.strip_prefix(home) {
        Some("") => "~".to_string(),
        Some(rest) if rest.starts_with('/') => format!("~{rest}"),
        _ => path.to_string(),
    }
}
