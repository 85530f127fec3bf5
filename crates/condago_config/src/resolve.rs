//! The settings in force for one file: its configuration, with the command line's (or the
//! editor's) options on top, and where each value came from.
//!
//! As in ruff: a `select` given on the command line replaces the configuration's
//! `select`, `extend-select` and `ignore`; `ignore` and `extend-select` given there add to
//! them; `per-file-ignores` always apply. `--shell` wins over `[shells]`, which wins over
//! detection.

use std::path::Path;

use condago_linter::{Selection, Settings, Shell, Versions};

use crate::Config;

/// Options given outside the configuration file (command line, editor settings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub shell: Option<Shell>,
    /// What to call these options in `condago config` (`the command line`).
    pub origin: &'static str,
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// condago's default.
    Default,
    /// A configuration file, at a line.
    File { path: String, line: usize },
    /// An option (`--select`, an editor setting).
    Option(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { path, line } => write!(f, "{path}:{line}"),
            Source::Option(option) => f.write_str(option),
        }
    }
}

/// One setting as `condago config` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedValue {
    pub key: &'static str,
    pub value: String,
    pub sources: Vec<Source>,
}

/// The settings in force for a file.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub settings: Settings,
    /// The shell to read the file as, when not left to detection.
    pub shell: Option<Shell>,
    /// `exclude` matches the file.
    pub excluded: bool,
    /// Every setting with its sources, in a fixed order.
    pub explained: Vec<SourcedValue>,
}

/// The settings for `file` from its configuration (if any) and the overrides.
pub fn resolve(config: Option<&Config>, overrides: &Overrides, file: &Path) -> Resolved {
    let origin = if overrides.origin.is_empty() {
        "the command line"
    } else {
        overrides.origin
    };
    let from_file = |key: &str| -> Source {
        match config {
            Some(config) => Source::File {
                path: config.path.display().to_string(),
                line: config.line_of(key).unwrap_or(0),
            },
            None => Source::Default,
        }
    };
    // `per-file-ignores."glob"` and `shells."glob"`: the line of the entry.
    let entry = |table: &str, glob: &crate::Glob| from_file(&format!("{table}.\"{glob}\""));
    let option = |name: &str| Source::Option(format!("{name} ({origin})"));
    let mut explained = Vec::new();
    let mut selection = Selection::default();

    // select, extend-select, ignore.
    let cli_select = !overrides.select.is_empty();
    let mut select_sources = Vec::new();
    if cli_select {
        selection.select = overrides.select.clone();
        select_sources.push(option("select"));
    } else if let Some(select) = config.and_then(|c| c.select.as_ref()) {
        selection.select = select.clone();
        select_sources.push(from_file("select"));
    }
    let mut extend_sources = Vec::new();
    let mut ignore_sources = Vec::new();
    if let Some(config) = config.filter(|_| !cli_select) {
        if !config.extend_select.is_empty() {
            selection
                .extend_select
                .extend(config.extend_select.iter().cloned());
            extend_sources.push(from_file("extend-select"));
        }
        if !config.ignore.is_empty() {
            selection.ignore.extend(config.ignore.iter().cloned());
            ignore_sources.push(from_file("ignore"));
        }
    }
    if !overrides.extend_select.is_empty() {
        selection
            .extend_select
            .extend(overrides.extend_select.iter().cloned());
        extend_sources.push(option("extend-select"));
    }
    if let Some(config) = config {
        for (glob, rules) in config.ignores_for(file) {
            selection.ignore.extend(rules.iter().cloned());
            ignore_sources.push(entry("per-file-ignores", glob));
        }
    }
    if !overrides.ignore.is_empty() {
        selection.ignore.extend(overrides.ignore.iter().cloned());
        ignore_sources.push(option("ignore"));
    }
    explained.push(sourced(
        "select",
        if selection.select.is_empty() {
            "the default rules".to_string()
        } else {
            selection.select.join(", ")
        },
        select_sources,
    ));
    explained.push(sourced(
        "extend-select",
        list(&selection.extend_select),
        extend_sources,
    ));
    explained.push(sourced("ignore", list(&selection.ignore), ignore_sources));

    // The shell.
    let (shell, shell_value, shell_sources) = if let Some(shell) = overrides.shell {
        (Some(shell), shell.name().to_string(), vec![option("shell")])
    } else if let Some((shell, glob)) = config.and_then(|c| c.shell_for(file)) {
        (
            Some(shell),
            format!("{} (\"{}\")", shell.name(), glob.as_str()),
            vec![entry("shells", glob)],
        )
    } else {
        (None, "detected from the file".to_string(), Vec::new())
    };
    explained.push(sourced("shell", shell_value, shell_sources));

    // Versions.
    let versions = Versions {
        fish: config.and_then(|c| c.fish_version),
        bash: config.and_then(|c| c.bash_version),
    };
    for (key, version) in [
        ("fish-version", versions.fish),
        ("bash-version", versions.bash),
    ] {
        let (value, sources) = match version {
            Some(version) => (version.to_string(), vec![from_file(key)]),
            None => (
                "not set (rules say which versions differ)".to_string(),
                Vec::new(),
            ),
        };
        explained.push(sourced(key, value, sources));
    }

    // exclude and [home].
    let excluded = config.is_some_and(|c| c.is_excluded(file));
    explained.push(sourced(
        "exclude",
        if excluded {
            "this file is excluded"
        } else {
            "not excluded"
        }
        .to_string(),
        if excluded {
            vec![from_file("exclude")]
        } else {
            Vec::new()
        },
    ));
    let home = config.map(|c| c.home.clone()).unwrap_or_default();
    explained.push(sourced(
        "home.layout",
        home.layout
            .map_or("detected from the repository".to_string(), |l| {
                l.name().to_string()
            }),
        home.layout
            .map(|_| from_file("home.layout"))
            .into_iter()
            .collect(),
    ));
    explained.push(sourced(
        "home.os",
        home.os
            .clone()
            .unwrap_or_else(|| "the one condago runs on".to_string()),
        home.os
            .as_ref()
            .map(|_| from_file("home.os"))
            .into_iter()
            .collect(),
    ));

    Resolved {
        settings: Settings {
            selection,
            versions,
            ..Settings::default()
        },
        shell,
        excluded,
        explained,
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn sourced(key: &'static str, value: String, mut sources: Vec<Source>) -> SourcedValue {
    if sources.is_empty() {
        sources.push(Source::Default);
    }
    sources.dedup();
    SourcedValue {
        key,
        value,
        sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use condago_linter::registry::RULES;

    fn config(text: &str) -> Config {
        Config::parse(Path::new("/repo/condago.toml"), text).expect("valid")
    }

    fn enabled(resolved: &Resolved, code: &str) -> bool {
        let rule = RULES.iter().find(|rule| rule.code == code).expect("a rule");
        resolved.settings.selection.is_enabled(rule)
    }

    #[test]
    fn per_file_ignores_and_shells_apply_to_matching_files_only() {
        let config = config(
            "[per-file-ignores]\n\"zsh/plugins/*\" = [\"CG104\"]\n[shells]\n\"aliases\" = \"zsh\"\n",
        );
        let none = Overrides::default();
        let plugin = resolve(Some(&config), &none, Path::new("/repo/zsh/plugins/git.zsh"));
        assert!(!enabled(&plugin, "CG104"));
        let rc = resolve(Some(&config), &none, Path::new("/repo/zsh/.zshrc"));
        assert!(enabled(&rc, "CG104"));
        let aliases = resolve(Some(&config), &none, Path::new("/repo/shell/aliases"));
        assert_eq!(aliases.shell, Some(Shell::Zsh));
        assert_eq!(
            aliases.explained[3].sources[0].to_string(),
            "/repo/condago.toml:4"
        );
    }

    #[test]
    fn the_command_line_select_replaces_the_files_selection() {
        let config = config("select = [\"CG1\"]\nignore = [\"CG102\"]\n");
        let file = Path::new("/repo/.bashrc");
        let from_file = resolve(Some(&config), &Overrides::default(), file);
        assert!(enabled(&from_file, "CG101") && !enabled(&from_file, "CG102"));
        assert!(!enabled(&from_file, "CG201"));
        let cli = Overrides {
            select: vec!["CG102".to_string()],
            ..Overrides::default()
        };
        let overridden = resolve(Some(&config), &cli, file);
        assert!(enabled(&overridden, "CG102") && !enabled(&overridden, "CG101"));
        assert_eq!(
            overridden.explained[0].sources[0].to_string(),
            "select (the command line)"
        );
    }
}
