//! Dotfiles repositories as people keep them, read as the home they make: plain (laid out
//! like `$HOME`), GNU stow packages, a chezmoi source directory, yadm alternates, a bare
//! `$HOME` repository. A layout maps each home path to the repository file behind it (no
//! copies on disk), so the model reads the repository and findings name its files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How a dotfiles repository is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayoutKind {
    /// The repository is laid out like `$HOME`.
    Plain,
    /// GNU stow: each top-level directory is a package merged into the home.
    Stow,
    /// A chezmoi source directory (`dot_bashrc`, `private_dot_config/`, `*.tmpl`).
    Chezmoi,
    /// yadm: laid out like `$HOME`, with alternates (`.bashrc##os.Darwin`).
    Yadm,
    /// A bare repository whose work tree is `$HOME` (`git --git-dir=~/.cfg --work-tree=~`).
    Bare,
}

impl LayoutKind {
    pub const ALL: [LayoutKind; 5] = [
        LayoutKind::Plain,
        LayoutKind::Stow,
        LayoutKind::Chezmoi,
        LayoutKind::Yadm,
        LayoutKind::Bare,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LayoutKind::Plain => "plain",
            LayoutKind::Stow => "stow",
            LayoutKind::Chezmoi => "chezmoi",
            LayoutKind::Yadm => "yadm",
            LayoutKind::Bare => "bare",
        }
    }

    pub fn from_name(name: &str) -> Option<LayoutKind> {
        LayoutKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// A repository read as a home.
#[derive(Debug, Clone)]
pub struct Layout {
    pub kind: LayoutKind,
    /// The directory the user named.
    pub root: PathBuf,
    /// The home directory the model runs in (`$HOME`): the repository root, or a bare
    /// repository's work tree.
    pub home: PathBuf,
    /// What was found, for a note to the user.
    pub note: String,
    /// Home paths (relative, `/`-separated) and the repository files behind them; `None`
    /// when the home is read from disk as it is (plain, bare).
    files: Option<BTreeMap<String, PathBuf>>,
    dirs: BTreeSet<String>,
}

/// The operating system `condago` runs on, as chezmoi (`.chezmoi.os`) names it.
pub fn current_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

impl Layout {
    /// Reads the repository at `root` as `kind`, or as the layout detected when `kind` is
    /// `None`; `os` picks yadm alternates and chezmoi's per-OS ignores (`linux`, `darwin`).
    pub fn open(root: &Path, kind: Option<LayoutKind>, os: &str) -> Result<Layout, String> {
        if !root.is_dir() {
            return Err(format!("{}: not a directory", root.display()));
        }
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let detected = kind.is_none();
        let kind = kind.unwrap_or_else(|| detect(&root));
        let mut layout = match kind {
            LayoutKind::Plain => Layout::unmapped(kind, &root, root.clone(), String::new()),
            LayoutKind::Bare => bare(&root)?,
            LayoutKind::Stow => stow(&root)?,
            LayoutKind::Chezmoi => chezmoi(&root, os)?,
            LayoutKind::Yadm => yadm(&root, os),
        };
        let how = if detected { "found" } else { "as asked" };
        let what = match kind {
            LayoutKind::Plain => "laid out like a home".to_string(),
            LayoutKind::Stow => "a GNU stow repository".to_string(),
            LayoutKind::Chezmoi => "a chezmoi source directory".to_string(),
            LayoutKind::Yadm => format!("a yadm repository (alternates for {os})"),
            LayoutKind::Bare => "a bare repository of a home".to_string(),
        };
        let detail = std::mem::take(&mut layout.note);
        layout.note = format!(
            "{}: {what} ({how}){}{detail}",
            root.display(),
            if detail.is_empty() { "" } else { "; " }
        );
        Ok(layout)
    }

    fn unmapped(kind: LayoutKind, root: &Path, home: PathBuf, note: String) -> Layout {
        Layout {
            kind,
            root: root.to_path_buf(),
            home,
            note,
            files: None,
            dirs: BTreeSet::new(),
        }
    }

    fn mapped(
        kind: LayoutKind,
        root: &Path,
        files: BTreeMap<String, PathBuf>,
        note: String,
    ) -> Layout {
        let mut dirs = BTreeSet::new();
        dirs.insert(String::new());
        for path in files.keys() {
            let mut at = path.as_str();
            while let Some((parent, _)) = at.rsplit_once('/') {
                dirs.insert(parent.to_string());
                at = parent;
            }
        }
        Layout {
            kind,
            root: root.to_path_buf(),
            home: root.to_path_buf(),
            note,
            files: Some(files),
            dirs,
        }
    }

    /// Whether home paths go through the map (stow, chezmoi, yadm).
    pub fn is_mapped(&self) -> bool {
        self.files.is_some()
    }

    /// The repository file behind a home path (`.bashrc`, `.config/fish/config.fish`).
    pub fn file(&self, home_path: &str) -> Option<&Path> {
        self.files.as_ref()?.get(home_path).map(PathBuf::as_path)
    }

    /// Whether a home path is a directory of the mapped home.
    pub fn is_dir(&self, home_path: &str) -> bool {
        self.dirs.contains(home_path)
    }

    /// The names in a directory of the mapped home.
    pub fn list(&self, home_path: &str) -> Vec<String> {
        let Some(files) = &self.files else {
            return Vec::new();
        };
        let prefix = if home_path.is_empty() {
            String::new()
        } else {
            format!("{home_path}/")
        };
        let mut names: BTreeSet<String> = BTreeSet::new();
        for path in files.keys().chain(self.dirs.iter()) {
            if let Some(rest) = path.strip_prefix(&prefix) {
                if let Some(name) = rest.split('/').next().filter(|n| !n.is_empty()) {
                    names.insert(name.to_string());
                }
            }
        }
        names.into_iter().collect()
    }

    /// Every mapped home path and its repository file.
    pub fn files(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.files
            .iter()
            .flat_map(|files| files.iter().map(|(k, v)| (k.as_str(), v.as_path())))
    }
}

/// Directories never part of a home.
const SKIPPED: &[&str] = &[".git", ".hg", ".svn", "node_modules", "target"];

/// The layout a repository looks like.
pub fn detect(root: &Path) -> LayoutKind {
    if is_bare_repository(root) {
        return LayoutKind::Bare;
    }
    let names = names_in(root);
    let chezmoi_marker = names.iter().any(|n| {
        n.starts_with(".chezmoi") || n.starts_with("dot_") || n.starts_with("private_dot_")
    });
    if chezmoi_marker {
        return LayoutKind::Chezmoi;
    }
    let mut yadm = root.join(".config/yadm").is_dir();
    walk(root, &mut |rel, _| yadm |= rel.contains("##"));
    if yadm {
        return LayoutKind::Yadm;
    }
    let startup = |dir: &Path| {
        STARTUP_NAMES.iter().any(|n| dir.join(n).is_file())
            || dir.join(".config/fish/config.fish").is_file()
            || dir.join("dot-bashrc").is_file()
            || dir.join("dot-zshrc").is_file()
    };
    let stow_marker = root.join(".stowrc").is_file()
        || packages(root)
            .iter()
            .any(|p| root.join(p).join(".stow-local-ignore").is_file());
    if stow_marker || (!startup(root) && packages(root).iter().any(|p| startup(&root.join(p)))) {
        return LayoutKind::Stow;
    }
    LayoutKind::Plain
}

const STARTUP_NAMES: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".profile",
    ".zshrc",
    ".zshenv",
    ".zprofile",
    ".zlogin",
];

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Calls `visit` with every file under `dir` (relative, `/`-separated), in name order.
fn walk(dir: &Path, visit: &mut dyn FnMut(&str, &Path)) {
    fn go(dir: &Path, rel: &str, depth: usize, visit: &mut dyn FnMut(&str, &Path)) {
        if depth > 16 {
            return;
        }
        for name in names_in(dir) {
            if SKIPPED.contains(&name.as_str()) {
                continue;
            }
            let path = dir.join(&name);
            let rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                go(&path, &rel, depth + 1, visit);
            } else if path.is_file() {
                visit(&rel, &path);
            }
        }
    }
    go(dir, "", 0, visit);
}

fn is_bare_repository(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

/// A bare repository: the home is its work tree (`core.worktree`, else its parent).
fn bare(root: &Path) -> Result<Layout, String> {
    if !is_bare_repository(root) {
        return Err(format!(
            "{}: not a bare git repository (no HEAD, objects/ and refs/)",
            root.display()
        ));
    }
    let config = std::fs::read_to_string(root.join("config")).unwrap_or_default();
    let worktree = config.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "worktree").then(|| value.trim().trim_matches('"').to_string())
    });
    let home = match worktree {
        Some(tree) => root.join(tree),
        None => root
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| format!("{}: a bare repository with no work tree", root.display()))?,
    };
    let home = home.canonicalize().unwrap_or(home);
    let note = format!("its work tree {} is the home", home.display());
    Ok(Layout::unmapped(LayoutKind::Bare, root, home, note))
}

fn packages(root: &Path) -> Vec<String> {
    names_in(root)
        .into_iter()
        .filter(|n| !n.starts_with('.') && root.join(n).is_dir() && !SKIPPED.contains(&n.as_str()))
        .collect()
}

/// stow's own ignore list, used for a package without `.stow-local-ignore`.
const STOW_DEFAULT_IGNORE: &str = r"RCS
.+,v
CVS
\.\#.+
\.cvsignore
\.svn
_darcs
\.hg
\.git
\.gitignore
\.gitmodules
.+~
\#.*\#
^/README.*
^/LICENSE.*
^/COPYING";

/// Ignore patterns as stow reads them: Perl regular expressions, one a line, matched
/// against the whole path in the package (`/a/b`) when they hold a `/`, else against the
/// whole name.
struct StowIgnore {
    paths: Vec<regex::Regex>,
    names: Vec<regex::Regex>,
}

impl StowIgnore {
    fn parse(text: &str, origin: &Path) -> Result<StowIgnore, String> {
        let mut ignore = StowIgnore {
            paths: Vec::new(),
            names: Vec::new(),
        };
        for (n, line) in text.lines().enumerate() {
            // A comment starts at a `#` after white space (`\#` is a literal `#`).
            let line = match line.find(" #").or_else(|| line.find("\t#")) {
                Some(at) => &line[..at],
                None => line,
            };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let pattern = line.replace(r"\#", "#");
            let regex = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|error| {
                format!(
                    "{}:{}: not a regular expression stow can use: {error}",
                    origin.display(),
                    n + 1
                )
            })?;
            if line.contains('/') {
                ignore.paths.push(regex);
            } else {
                ignore.names.push(regex);
            }
        }
        Ok(ignore)
    }

    fn ignores(&self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let slashed = format!("/{rel}");
        self.names.iter().any(|r| r.is_match(name))
            || self.paths.iter().any(|r| r.is_match(&slashed))
    }
}

/// GNU stow: every package merged into one home (`dot-` names read as `.` with
/// `--dotfiles`).
fn stow(root: &Path) -> Result<Layout, String> {
    let stowrc = std::fs::read_to_string(root.join(".stowrc")).ok();
    let dotfiles = stowrc.as_ref().is_none_or(|rc| rc.contains("--dotfiles"));
    let mut extra = Vec::new();
    for word in stowrc.iter().flat_map(|rc| rc.split_whitespace()) {
        if let Some(pattern) = word.strip_prefix("--ignore=") {
            extra.push(pattern.trim_matches(['\'', '"']).to_string());
        }
    }
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut conflicts = Vec::new();
    let packages = packages(root);
    for package in &packages {
        let dir = root.join(package);
        let local = dir.join(".stow-local-ignore");
        let mut list = match std::fs::read_to_string(&local) {
            Ok(text) => StowIgnore::parse(&text, &local)?,
            Err(_) => StowIgnore::parse(STOW_DEFAULT_IGNORE, Path::new("stow"))?,
        };
        let extra = StowIgnore::parse(&extra.join("\n"), &root.join(".stowrc"))?;
        list.names.extend(extra.names);
        list.paths.extend(extra.paths);
        walk(&dir, &mut |rel, path| {
            if rel == ".stow-local-ignore" {
                return;
            }
            // An ignored directory hides everything in it.
            let mut prefix = String::new();
            for part in rel.split('/') {
                prefix = if prefix.is_empty() {
                    part.to_string()
                } else {
                    format!("{prefix}/{part}")
                };
                if list.ignores(&prefix) {
                    return;
                }
            }
            let home_path: Vec<String> = rel
                .split('/')
                .map(|part| match part.strip_prefix("dot-") {
                    Some(rest) if dotfiles => format!(".{rest}"),
                    _ => part.to_string(),
                })
                .collect();
            let home_path = home_path.join("/");
            match files.get(&home_path) {
                Some(first) => conflicts.push(format!(
                    "~/{home_path} is in two packages ({} and {}); the first is read",
                    first.strip_prefix(root).unwrap_or(first).display(),
                    path.strip_prefix(root).unwrap_or(path).display()
                )),
                None => {
                    files.insert(home_path, path.to_path_buf());
                }
            }
        });
    }
    let mut note = format!("packages {}", packages.join(", "));
    for conflict in conflicts {
        note.push_str("; ");
        note.push_str(&conflict);
    }
    Ok(Layout::mapped(LayoutKind::Stow, root, files, note))
}

/// A chezmoi source name's target name and attributes; `None` for entries that make no
/// file in the home (scripts, removals, encrypted or modified files).
fn chezmoi_name(name: &str, is_dir: bool) -> Option<String> {
    let mut name = name;
    if !is_dir {
        for skipped in ["run_", "remove_", "modify_", "encrypted_"] {
            if name.starts_with(skipped) {
                return None;
            }
        }
    } else if name.starts_with("remove_") {
        return None;
    }
    let attributes: &[&str] = if is_dir {
        &["external_", "exact_", "private_", "readonly_"]
    } else {
        &[
            "create_",
            "private_",
            "readonly_",
            "empty_",
            "executable_",
            "symlink_",
            "once_",
            "onchange_",
        ]
    };
    loop {
        let before = name;
        for prefix in attributes {
            name = name.strip_prefix(prefix).unwrap_or(name);
        }
        if before == name {
            break;
        }
    }
    let literal = name.strip_prefix("literal_");
    let mut name = match literal {
        Some(rest) => rest.to_string(),
        None => match name.strip_prefix("dot_") {
            Some(rest) => format!(".{rest}"),
            None => name.to_string(),
        },
    };
    if !is_dir {
        if let Some(rest) = name.strip_suffix(".literal") {
            name = rest.to_string();
        } else if let Some(rest) = name.strip_suffix(".tmpl") {
            name = rest.to_string();
        }
    }
    Some(name)
}

/// A chezmoi source directory (`.chezmoiroot` says where it is in the repository).
fn chezmoi(root: &Path, os: &str) -> Result<Layout, String> {
    let source = match std::fs::read_to_string(root.join(".chezmoiroot")) {
        Ok(text) => root.join(text.trim()),
        Err(_) => root.to_path_buf(),
    };
    if !source.is_dir() {
        return Err(format!(
            "{}: .chezmoiroot names {}, which is not a directory",
            root.display(),
            source.display()
        ));
    }
    let ignore = std::fs::read_to_string(source.join(".chezmoiignore"))
        .map(|text| chezmoi_ignore_patterns(&text, os))
        .unwrap_or_default();
    let mut files = BTreeMap::new();
    let mut symlinks = Vec::new();
    let mut skipped = 0;
    fn go(
        dir: &Path,
        target: &str,
        files: &mut BTreeMap<String, PathBuf>,
        symlinks: &mut Vec<(String, PathBuf)>,
        skipped: &mut usize,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        for name in names_in(dir) {
            // chezmoi ignores source names starting with `.` (its own `.chezmoi*` files).
            if name.starts_with('.') {
                continue;
            }
            let path = dir.join(&name);
            let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            let Some(target_name) = chezmoi_name(&name, is_dir) else {
                *skipped += 1;
                continue;
            };
            let target = if target.is_empty() {
                target_name
            } else {
                format!("{target}/{target_name}")
            };
            if is_dir {
                go(&path, &target, files, symlinks, skipped, depth + 1);
            } else if name.contains("symlink_") && name.split('_').any(|p| p == "symlink") {
                symlinks.push((target, path));
            } else if path.is_file() {
                files.insert(target, path);
            }
        }
    }
    go(&source, "", &mut files, &mut symlinks, &mut skipped, 0);
    // A symlink whose target is another file of the home reads that file.
    for (link, path) in symlinks {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let text = text.trim();
        if text.contains("{{") {
            continue;
        }
        let target = match text.strip_prefix("~/") {
            Some(rest) => rest.to_string(),
            None if !text.starts_with('/') => {
                let parent = link.rsplit_once('/').map_or("", |(p, _)| p);
                normalize(&format!("{parent}/{text}"))
            }
            None => continue,
        };
        if let Some(real) = files.get(&target).cloned() {
            files.insert(link, real);
        }
    }
    let before = files.len();
    files.retain(|target, _| !chezmoi_ignored(&ignore, target));
    let mut note = String::new();
    if source != root {
        note = format!("source state in {}", source.display());
    }
    let ignored = before - files.len();
    if ignored > 0 {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!("{ignored} ignored by .chezmoiignore"));
    }
    let _ = skipped;
    Ok(Layout::mapped(LayoutKind::Chezmoi, root, files, note))
}

/// `.chezmoiignore` patterns in force for `os`: lines inside `{{ if eq .chezmoi.os … }}`
/// count when the condition holds; lines under a condition that cannot be decided here do
/// not (more files are linted, never fewer). `(pattern, negated)`.
fn chezmoi_ignore_patterns(text: &str, os: &str) -> Vec<(String, bool)> {
    let mut patterns = Vec::new();
    // Each open block: does its current branch apply (`None`: not known)?
    let mut stack: Vec<(Option<bool>, bool)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(action) = trimmed
            .strip_prefix("{{")
            .and_then(|t| t.strip_suffix("}}"))
        {
            let action = action.trim_matches('-').trim();
            let words: Vec<&str> = action.split_whitespace().collect();
            match words.as_slice() {
                ["if", rest @ ..] => {
                    let holds = os_condition(rest, os);
                    stack.push((holds, holds == Some(true)));
                }
                ["else", "if", rest @ ..] => {
                    if let Some((current, taken)) = stack.last_mut() {
                        let holds = os_condition(rest, os);
                        *current = if *taken { Some(false) } else { holds };
                        *taken |= holds == Some(true);
                    }
                }
                ["else"] => {
                    if let Some((current, taken)) = stack.last_mut() {
                        *current = match current {
                            Some(_) if *taken => Some(false),
                            Some(_) => Some(true),
                            None => None,
                        };
                    }
                }
                ["end"] => {
                    stack.pop();
                }
                _ => {}
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.contains("{{") {
            continue;
        }
        if stack.iter().all(|(current, _)| *current == Some(true)) {
            match trimmed.strip_prefix('!') {
                Some(rest) => patterns.push((rest.to_string(), true)),
                None => patterns.push((trimmed.to_string(), false)),
            }
        }
    }
    patterns
}

/// `eq .chezmoi.os "darwin"`, `ne .chezmoi.os "linux"` (more names: any of them).
fn os_condition(words: &[&str], os: &str) -> Option<bool> {
    let (op, rest) = words.split_first()?;
    let (var, names) = rest.split_first()?;
    if *var != ".chezmoi.os" || names.is_empty() {
        return None;
    }
    let any = names
        .iter()
        .any(|n| n.trim_matches('"').eq_ignore_ascii_case(os));
    match *op {
        "eq" => Some(any),
        "ne" => Some(!any),
        _ => None,
    }
}

fn chezmoi_ignored(patterns: &[(String, bool)], target: &str) -> bool {
    let matches = |pattern: &str| {
        let mut at = String::new();
        target.split('/').any(|part| {
            at = if at.is_empty() {
                part.to_string()
            } else {
                format!("{at}/{part}")
            };
            glob_path(pattern, &at)
        })
    };
    let excluded = patterns.iter().any(|(p, negated)| *negated && matches(p));
    !excluded && patterns.iter().any(|(p, negated)| !negated && matches(p))
}

/// A `/`-separated glob where `**` matches any number of directories.
fn glob_path(pattern: &str, path: &str) -> bool {
    fn go(pattern: &[&str], path: &[&str]) -> bool {
        match pattern.split_first() {
            None => path.is_empty(),
            Some((&"**", rest)) => (0..=path.len()).any(|skip| go(rest, &path[skip..])),
            Some((first, rest)) => match path.split_first() {
                Some((name, path_rest)) => {
                    crate::value::glob_match(first, name) && go(rest, path_rest)
                }
                None => false,
            },
        }
    }
    let pattern: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    go(&pattern, &path)
}

/// yadm: the repository is the home; for alternates (`name##os.Darwin`, `##default`) the
/// one yadm would link on `os` is read.
fn yadm(root: &Path, os: &str) -> Layout {
    // Home path → (score, repository file) of the best alternate so far.
    let mut best: BTreeMap<String, (usize, PathBuf)> = BTreeMap::new();
    let mut plain: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut undecided = BTreeSet::new();
    walk(root, &mut |rel, path| {
        if !rel.contains("##") {
            plain.insert(rel.to_string(), path.to_path_buf());
            return;
        }
        let mut home_parts = Vec::new();
        let mut score = 0;
        for part in rel.split('/') {
            let Some((base, conditions)) = part.split_once("##") else {
                home_parts.push(part.to_string());
                continue;
            };
            match yadm_score(conditions, os) {
                Some(s) => score += s,
                None => {
                    undecided.insert(part.to_string());
                    return;
                }
            }
            home_parts.push(base.to_string());
        }
        let home_path = home_parts.join("/");
        let better = best.get(&home_path).is_none_or(|(s, _)| score > *s);
        if better {
            best.insert(home_path, (score, path.to_path_buf()));
        }
    });
    let mut files = plain;
    let alternates = best.len();
    for (home_path, (_, path)) in best {
        files.insert(home_path, path);
    }
    let mut note = format!("{alternates} alternate(s) chosen");
    if !undecided.is_empty() {
        let names: Vec<String> = undecided.into_iter().take(4).collect();
        note.push_str(&format!(
            "; not read (conditions other than os, or templates): {}",
            names.join(", ")
        ));
    }
    Layout::mapped(LayoutKind::Yadm, root, files, note)
}

/// How well a yadm condition list (`os.Darwin,e.sh`) fits `os`: `None` when it does not,
/// or when it needs what condago cannot know (class, hostname, user, distro, arch) or is a
/// template.
fn yadm_score(conditions: &str, os: &str) -> Option<usize> {
    let mut score = 0;
    for condition in conditions.split(',') {
        let (key, value) = condition.split_once('.').unwrap_or((condition, ""));
        match key {
            "default" => {}
            "e" | "extension" => {}
            "o" | "os" if value.eq_ignore_ascii_case(os) => score += 1,
            _ => return None,
        }
    }
    Some(score)
}

/// A relative path with `.` and `..` resolved.
pub(crate) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chezmoi_names() {
        assert_eq!(
            chezmoi_name("dot_bashrc.tmpl", false).as_deref(),
            Some(".bashrc")
        );
        assert_eq!(
            chezmoi_name("private_executable_dot_profile", false).as_deref(),
            Some(".profile")
        );
        assert_eq!(
            chezmoi_name("exact_private_dot_config", true).as_deref(),
            Some(".config")
        );
        assert_eq!(
            chezmoi_name("literal_dot_x", false).as_deref(),
            Some("dot_x")
        );
        assert_eq!(chezmoi_name("run_once_install.sh", false), None);
        assert_eq!(chezmoi_name("encrypted_dot_netrc", false), None);
    }

    #[test]
    fn chezmoi_ignore_follows_os_conditions() {
        let text = "README.md\n{{ if ne .chezmoi.os \"darwin\" }}\n.config/karabiner\n{{ end }}\n{{ if .work }}\n.ssh\n{{ end }}\n!keep\n";
        let linux = chezmoi_ignore_patterns(text, "linux");
        assert_eq!(
            linux,
            vec![
                ("README.md".to_string(), false),
                (".config/karabiner".to_string(), false),
                ("keep".to_string(), true)
            ]
        );
        assert!(chezmoi_ignored(&linux, ".config/karabiner/karabiner.json"));
        assert!(!chezmoi_ignored(
            &chezmoi_ignore_patterns(text, "darwin"),
            ".config/karabiner/x"
        ));
        assert!(glob_path("**/*.md", "a/b/c.md"));
        assert!(!glob_path("*.md", "a/c.md"));
    }

    #[test]
    fn yadm_scores() {
        assert_eq!(yadm_score("default", "linux"), Some(0));
        assert_eq!(yadm_score("os.Darwin", "darwin"), Some(1));
        assert_eq!(yadm_score("os.Darwin", "linux"), None);
        assert_eq!(yadm_score("class.Work", "linux"), None);
    }

    #[test]
    fn stow_default_ignore_list() {
        let list = StowIgnore::parse(STOW_DEFAULT_IGNORE, Path::new("stow")).expect("valid");
        assert!(list.ignores("README.md"));
        assert!(!list.ignores("docs/README.md"));
        assert!(list.ignores(".git"));
        assert!(list.ignores(".bashrc~"));
        assert!(!list.ignores(".bashrc"));
    }
}
