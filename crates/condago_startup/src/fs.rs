//! The file system as the modelled shell sees it: system paths under `--root`, the home
//! directory where it is.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::layout::Layout;

/// Maps the shell's absolute paths to real ones; with a mapped layout (stow, chezmoi,
/// yadm), home paths to the repository files behind them.
#[derive(Debug, Clone)]
pub(crate) struct Fs {
    root: PathBuf,
    home: PathBuf,
    uid: Option<u32>,
    layout: Option<std::sync::Arc<Layout>>,
}

impl Fs {
    pub(crate) fn new(inputs: &crate::Inputs) -> Fs {
        Fs {
            root: inputs.root.clone(),
            home: inputs.home.clone(),
            uid: inputs.uid,
            layout: inputs.layout.clone().filter(|layout| layout.is_mapped()),
        }
    }

    /// The real path of a path the shell names; relative paths are relative to the home
    /// directory (where startup files run).
    pub(crate) fn real(&self, path: &str) -> PathBuf {
        if let Some((layout, rel)) = self.in_layout(path) {
            return match layout.file(&rel) {
                Some(file) => file.to_path_buf(),
                None => self.home.join(rel),
            };
        }
        let absolute = if path.starts_with('/') {
            PathBuf::from(path)
        } else {
            self.home.join(path)
        };
        if self.root == Path::new("/") || absolute.starts_with(&self.home) {
            return absolute;
        }
        let relative = absolute.strip_prefix("/").unwrap_or(&absolute);
        self.root.join(relative)
    }

    /// The layout and the home-relative path, for a path in a mapped home.
    fn in_layout(&self, path: &str) -> Option<(&Layout, String)> {
        let layout = self.layout.as_deref()?;
        let home = self.home.to_str()?;
        let rel = if path.starts_with('/') {
            let rest = path.strip_prefix(home)?;
            if !(rest.is_empty() || rest.starts_with('/')) {
                return None;
            }
            rest
        } else {
            path
        };
        Some((layout, crate::layout::normalize(rel)))
    }

    /// Where to look on disk for a path: `None` for a home path no repository file makes.
    fn disk(&self, path: &str) -> Option<PathBuf> {
        match self.in_layout(path) {
            Some((layout, rel)) => layout.file(&rel).map(Path::to_path_buf),
            None => Some(self.real(path)),
        }
    }

    fn metadata(&self, path: &str) -> Option<std::fs::Metadata> {
        std::fs::metadata(self.disk(path)?).ok()
    }

    pub(crate) fn is_file(&self, path: &str) -> bool {
        self.metadata(path).is_some_and(|m| m.is_file())
    }

    pub(crate) fn is_dir(&self, path: &str) -> bool {
        match self.in_layout(path) {
            Some((layout, rel)) => layout.is_dir(&rel),
            None => self.real(path).is_dir(),
        }
    }

    pub(crate) fn exists(&self, path: &str) -> bool {
        self.is_dir(path) || self.metadata(path).is_some()
    }

    pub(crate) fn is_symlink(&self, path: &str) -> bool {
        self.disk(path)
            .and_then(|p| std::fs::symlink_metadata(p).ok())
            .is_some_and(|m| m.file_type().is_symlink())
    }

    pub(crate) fn non_empty(&self, path: &str) -> bool {
        self.is_dir(path) || self.metadata(path).is_some_and(|m| m.len() > 0)
    }

    /// `test -r/-w/-x`: the permission bit that applies to the modelled user. `None` when the
    /// user is not known or only a group bit would decide.
    pub(crate) fn permitted(&self, path: &str, bit: u32) -> Option<bool> {
        if self.in_layout(path).is_some() && self.is_dir(path) {
            return Some(true);
        }
        let Some(meta) = self.metadata(path) else {
            return Some(false);
        };
        let mode = meta.mode();
        let uid = self.uid?;
        if uid == 0 {
            // root may read and write anything; execute needs some x bit (or a directory).
            return Some(bit != 1 || meta.is_dir() || mode & 0o111 != 0);
        }
        if meta.uid() == uid {
            return Some(mode & (bit << 6) != 0);
        }
        if mode & bit != 0 {
            return Some(true);
        }
        if mode & (bit << 3) != 0 {
            return None;
        }
        Some(false)
    }

    /// An executable regular file (what command lookup finds).
    pub(crate) fn is_executable(&self, path: &str) -> bool {
        self.metadata(path)
            .is_some_and(|m| m.is_file() && m.mode() & 0o111 != 0)
    }

    pub(crate) fn read(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.disk(path)?).ok()
    }

    /// The names in a directory (unsorted), or nothing.
    pub(crate) fn list(&self, dir: &str) -> Vec<String> {
        if let Some((layout, rel)) = self.in_layout(dir) {
            return layout.list(&rel);
        }
        std::fs::read_dir(self.real(dir))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Expands a glob pattern (only unescaped `*`, `?` and `[` are special) into the sorted
    /// existing paths that match it.
    pub(crate) fn glob(&self, pattern: &str, fish_order: bool) -> Vec<String> {
        let absolute = pattern.starts_with('/');
        let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
        let mut current: Vec<String> = vec![if absolute {
            String::new()
        } else {
            self.home.display().to_string()
        }];
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let mut next = Vec::new();
            for base in &current {
                let dir = if base.is_empty() { "/" } else { base.as_str() };
                if crate::value::has_glob(part) {
                    let mut names: Vec<String> = self
                        .list(dir)
                        .into_iter()
                        .filter(|name| !name.starts_with('.') || part.starts_with('.'))
                        .filter(|name| crate::value::glob_match(part, name))
                        .collect();
                    if fish_order {
                        names.sort_by(|a, b| fish_name_cmp(a, b));
                    } else {
                        names.sort();
                    }
                    for name in names {
                        let path = format!("{base}/{name}");
                        if last || self.is_dir(&path) {
                            next.push(path);
                        }
                    }
                } else {
                    let literal = part.replace('\\', "");
                    let path = format!("{base}/{literal}");
                    if self.exists(&path) || self.is_symlink(&path) {
                        next.push(path);
                    }
                }
            }
            current = next;
        }
        if !absolute {
            let prefix = format!("{}/", self.home.display());
            current = current
                .into_iter()
                .map(|path| {
                    path.strip_prefix(&prefix)
                        .map(str::to_string)
                        .unwrap_or(path)
                })
                .collect();
        }
        current
    }
}

/// fish's order for file names (`wcsfilecmp`): runs of digits compare as numbers, letters
/// without regard to case, and `-` after letters.
pub(crate) fn fish_name_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let start_i = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let start_j = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let na: String = a[start_i..i].iter().collect();
            let nb: String = b[start_j..j].iter().collect();
            let na = na.trim_start_matches('0');
            let nb = nb.trim_start_matches('0');
            let order = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if order != Ordering::Equal {
                return order;
            }
            continue;
        }
        let key = |c: char| {
            let upper = c.to_ascii_uppercase();
            if upper == '-' {
                '['
            } else {
                upper
            }
        };
        let (ca, cb) = (key(a[i]), key(b[j]));
        if ca != cb {
            return ca.cmp(&cb);
        }
        i += 1;
        j += 1;
    }
    (a.len() - i).cmp(&(b.len() - j))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fish_order_is_natural() {
        let mut names = vec![
            "10-b.fish",
            "9-a.fish",
            "a.fish",
            "B.fish",
            "a-b.fish",
            "ab.fish",
        ];
        names.sort_by(|a, b| fish_name_cmp(a, b));
        assert_eq!(
            names,
            vec![
                "9-a.fish",
                "10-b.fish",
                "a.fish",
                "ab.fish",
                "a-b.fish",
                "B.fish"
            ]
        );
    }
}
