//! `condago which TOOL`: which `PATH` entry wins for a command name, what it shadows, and the
//! line responsible. Only here does the model look for executables on disk.

use crate::fs::Fs;
use crate::{Entry, Inputs, Startup, StartupShell};

/// An executable found in a `PATH` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The executable's path.
    pub path: String,
    /// The entry's position in `PATH` (0-based).
    pub index: usize,
    pub entry: Entry,
    /// bash finds it (it expands a literal `~` in `PATH` for its own lookups), but child
    /// programs do not.
    pub bash_only: bool,
}

/// Where a command name resolves after one startup.
#[derive(Debug, Clone)]
pub struct Which {
    pub tool: String,
    /// The first entry that holds the command.
    pub winner: Option<Found>,
    /// Later entries that hold it too.
    pub shadowed: Vec<Found>,
    /// Entries before the winner that are not known: any of them could hold it.
    pub unknown_before: Vec<Entry>,
}

/// Looks `tool` up on the final `PATH` of a startup.
pub fn which(startup: &Startup, tool: &str, inputs: &Inputs) -> Which {
    let fs = Fs::new(inputs);
    let mut found = Vec::new();
    let mut unknown_before = Vec::new();
    for (index, entry) in startup.path.iter().enumerate() {
        let Some(dir) = &entry.dir else {
            if found.is_empty() {
                unknown_before.push(entry.clone());
            }
            continue;
        };
        let (dir, bash_only) = match dir.strip_prefix('~') {
            Some(rest)
                if startup.shell == StartupShell::Bash
                    && (rest.is_empty() || rest.starts_with('/')) =>
            {
                (format!("{}{rest}", startup.home), true)
            }
            _ => (dir.clone(), false),
        };
        let dir = if dir.is_empty() { ".".to_string() } else { dir };
        let candidate = format!("{}/{tool}", dir.trim_end_matches('/'));
        if fs.is_executable(&candidate) {
            found.push(Found {
                path: candidate,
                index,
                entry: entry.clone(),
                bash_only,
            });
        }
    }
    let mut found = found.into_iter();
    let winner = found.next();
    Which {
        tool: tool.to_string(),
        winner,
        shadowed: found.collect(),
        unknown_before,
    }
}
