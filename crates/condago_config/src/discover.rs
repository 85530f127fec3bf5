//! Finding the configuration of a file: the nearest `condago.toml` or `.condago.toml` in
//! its directory or above (as ruff finds `ruff.toml`), a file named with `--config`, or
//! none with `--isolated`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{ConfigError, Problem};
use crate::{Config, FILE_NAMES};

/// How configuration is found.
#[derive(Debug, Clone)]
pub enum Discovery {
    /// The nearest file upward from each linted file.
    Nearest,
    /// One file for everything (`--config FILE`).
    File(Arc<Config>),
    /// No configuration at all (`--isolated`).
    Isolated,
}

/// Finds and caches the configuration of each directory.
#[derive(Debug)]
pub struct Resolver {
    discovery: Discovery,
    by_directory: HashMap<PathBuf, Result<Option<Arc<Config>>, ConfigError>>,
}

impl Resolver {
    pub fn new(discovery: Discovery) -> Self {
        Resolver {
            discovery,
            by_directory: HashMap::new(),
        }
    }

    /// The configuration in force for a file.
    pub fn for_file(&mut self, file: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        match absolute.parent() {
            Some(dir) => self.for_directory(dir),
            None => self.for_directory(&absolute),
        }
    }

    /// The configuration in force for the files of a directory.
    pub fn for_directory(&mut self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        match &self.discovery {
            Discovery::Isolated => Ok(None),
            Discovery::File(config) => Ok(Some(config.clone())),
            Discovery::Nearest => {
                let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
                self.nearest(&dir)
            }
        }
    }

    /// Forgets what was read (a configuration file changed).
    pub fn clear(&mut self) {
        self.by_directory.clear();
    }

    fn nearest(&mut self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Some(known) = self.by_directory.get(dir) {
            return known.clone();
        }
        let found = match file_in(dir) {
            Err(error) => Err(error),
            Ok(Some(path)) => Config::load(&path).map(|config| Some(Arc::new(config))),
            Ok(None) => match dir.parent() {
                Some(parent) => self.nearest(parent),
                None => Ok(None),
            },
        };
        self.by_directory.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// The path of the nearest configuration file in `dir` or above, without reading it.
pub fn find_in_ancestors(dir: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    for ancestor in dir.ancestors() {
        if let Some(path) = file_in(ancestor)? {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

/// The configuration file of one directory; both names at once is an error, since one of
/// them would be silently ignored.
fn file_in(dir: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let present: Vec<PathBuf> = FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.is_file())
        .collect();
    match present.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [first, second, ..] => Err(ConfigError {
            path: second.clone(),
            problems: vec![Problem {
                line: 0,
                column: 0,
                key: None,
                message: format!(
                    "conflicts with {} in the same directory: condago would read only one of them",
                    first.display()
                ),
                help: Some(format!(
                    "merge them into one file and delete the other ({} or {})",
                    FILE_NAMES[0], FILE_NAMES[1]
                )),
            }],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_file_upward_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b/c")).expect("mkdir");
        std::fs::write(root.join("condago.toml"), "ignore = [\"CG104\"]\n").expect("write");
        std::fs::write(root.join("a/b/.condago.toml"), "ignore = [\"CG105\"]\n").expect("write");
        let mut resolver = Resolver::new(Discovery::Nearest);
        let deep = resolver
            .for_file(&root.join("a/b/c/.zshrc"))
            .expect("valid")
            .expect("found");
        assert_eq!(deep.ignore, ["CG105"]);
        let top = resolver
            .for_file(&root.join("a/.bashrc"))
            .expect("valid")
            .expect("found");
        assert_eq!(top.ignore, ["CG104"]);
        assert!(Resolver::new(Discovery::Isolated)
            .for_file(&root.join("a/.bashrc"))
            .expect("valid")
            .is_none());
    }

    #[test]
    fn two_files_in_one_directory_conflict() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("condago.toml"), "").expect("write");
        std::fs::write(dir.path().join(".condago.toml"), "").expect("write");
        let error = Resolver::new(Discovery::Nearest)
            .for_file(&dir.path().join(".bashrc"))
            .expect_err("a conflict");
        assert!(error.to_string().contains("conflicts with"), "{error}");
        assert!(find_in_ancestors(dir.path()).is_err());
    }
}
