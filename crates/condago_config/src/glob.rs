//! Globs in a configuration file, matched against paths relative to its directory.
//!
//! As in ruff and `.gitignore`: a glob without `/` matches a file name (or, for `exclude`,
//! any directory name) anywhere below; a glob with `/` matches the path from the
//! configuration's directory. `*` stops at `/`; `**` crosses directories.

use std::path::Path;

use glob::{MatchOptions, Pattern};

/// One checked glob, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    pattern: Pattern,
    by_name: bool,
}

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl Glob {
    /// Checks a glob; the error says what is wrong and at which character (0-based).
    pub fn new(text: &str) -> Result<Glob, (usize, String)> {
        if text.is_empty() {
            return Err((0, "an empty glob matches nothing".to_string()));
        }
        let prefix = if text.starts_with("./") { 2 } else { 0 };
        let trimmed = &text[prefix..];
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        let pattern =
            Pattern::new(trimmed).map_err(|error| (error.pos + prefix, error.msg.to_string()))?;
        Ok(Glob {
            text: text.to_string(),
            pattern,
            by_name: !trimmed.contains('/'),
        })
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it matches a file, given relative to the configuration's directory.
    pub fn matches(&self, relative: &Path) -> bool {
        if self.by_name {
            relative
                .file_name()
                .is_some_and(|name| self.pattern.matches_with(&name.to_string_lossy(), OPTIONS))
        } else {
            self.pattern.matches_path_with(relative, OPTIONS)
        }
    }

    /// Whether it matches the path or one of the directories it is in.
    pub fn matches_path_or_parent(&self, relative: &Path) -> bool {
        relative
            .ancestors()
            .filter(|ancestor| !ancestor.as_os_str().is_empty())
            .any(|ancestor| self.matches(ancestor))
    }
}

impl std::fmt::Display for Glob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(text: &str) -> Glob {
        Glob::new(text).expect("a valid glob")
    }

    #[test]
    fn names_match_anywhere_paths_from_the_root() {
        assert!(glob("aliases").matches(Path::new("shell/aliases")));
        assert!(glob("*.sh").matches(Path::new("a/b/env.sh")));
        assert!(glob("zsh/plugins/*").matches(Path::new("zsh/plugins/git.zsh")));
        assert!(!glob("zsh/plugins/*").matches(Path::new("zsh/plugins/x/git.zsh")));
        assert!(glob("zsh/**/*.zsh").matches(Path::new("zsh/plugins/x/git.zsh")));
        assert!(!glob("zsh/plugins/*").matches(Path::new("other/zsh/plugins/git.zsh")));
        assert!(glob("./shell/*.sh").matches(Path::new("shell/env.sh")));
    }

    #[test]
    fn exclude_matches_a_directory_the_file_is_in() {
        assert!(glob("vendor").matches_path_or_parent(Path::new("a/vendor/x/.zshrc")));
        assert!(glob("zsh/plugins/").matches_path_or_parent(Path::new("zsh/plugins/a/b.zsh")));
        assert!(!glob("vendor").matches_path_or_parent(Path::new("a/vendors/.zshrc")));
    }

    #[test]
    fn bad_globs_say_where() {
        let (position, message) = Glob::new("zsh/[plugins").expect_err("unclosed class");
        assert_eq!(position, 4);
        assert!(message.contains("range"), "{message}");
        assert!(Glob::new("a**/b").is_err());
        assert!(Glob::new("").is_err());
    }
}
