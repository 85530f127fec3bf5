//! Which rules run, which shell versions they assume, and the parse budget.

use condago_syntax::Budget;

use crate::registry;
use crate::rule::Rule;

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub selection: Selection,
    pub budget: Budget,
    /// The shell versions the version-dependent rules assume (unknown: the rules say
    /// which versions differ).
    pub versions: Versions,
}

/// The shell versions a project's files must work with (`fish-version`, `bash-version`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Versions {
    pub fish: Option<Version>,
    pub bash: Option<Version>,
}

/// A `major.minor` version; a patch level, if given, is kept but no rule looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32) -> Self {
        Version {
            major,
            minor,
            patch: 0,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

impl std::str::FromStr for Version {
    type Err = String;

    /// `3`, `3.4` or `3.4.1`.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut parts = text.trim().split('.');
        let mut number = |what: &str| -> Result<Option<u32>, String> {
            match parts.next() {
                None => Ok(None),
                Some(part) if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) => part
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("`{text}`: the {what} number is too large")),
                Some(_) => Err(format!(
                    "`{text}` is not a version; write it as `3.4` (major.minor)"
                )),
            }
        };
        let major = number("major")?
            .ok_or_else(|| format!("`{text}` is not a version; write it as `3.4`"))?;
        let minor = number("minor")?.unwrap_or(0);
        let patch = number("patch")?.unwrap_or(0);
        if parts.next().is_some() {
            return Err(format!(
                "`{text}` is not a version; write it as `3.4` (major.minor)"
            ));
        }
        Ok(Version {
            major,
            minor,
            patch,
        })
    }
}

/// `--select` / `--ignore`: rule codes, names, code prefixes (`CG1`, `CG10`) or `ALL`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Rules run on top of `select` (or of the default rules when `select` is empty).
    pub extend_select: Vec<String>,
}

impl Selection {
    /// Whether a rule runs. With no `select`, every rule that is not opt-in runs; a rule
    /// named explicitly (code or name) runs even when opt-in; `ignore` always wins.
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        if self.ignore.iter().any(|pattern| matches(pattern, rule)) {
            return false;
        }
        let selected = |patterns: &[String]| {
            patterns.iter().any(|pattern| {
                let explicit = pattern.eq_ignore_ascii_case(rule.code) || pattern == rule.name;
                explicit || (!rule.opt_in && matches(pattern, rule))
            })
        };
        if selected(&self.extend_select) {
            return true;
        }
        if self.select.is_empty() {
            return !rule.opt_in;
        }
        selected(&self.select)
    }

    /// Patterns that match no rule at all, for a usage error.
    pub fn unknown_patterns(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .chain(&self.extend_select)
            .filter(|pattern| !pattern_matches_a_rule(pattern))
            .cloned()
            .collect()
    }
}

/// Whether a pattern (code, name, code prefix or `ALL`) names at least one rule.
pub fn pattern_matches_a_rule(pattern: &str) -> bool {
    registry::RULES.iter().any(|rule| matches(pattern, rule))
}

fn matches(pattern: &str, rule: &Rule) -> bool {
    let pattern = pattern.trim();
    pattern.eq_ignore_ascii_case("ALL")
        || pattern == rule.name
        || (pattern.len() >= 2
            && rule
                .code
                .get(..pattern.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(pattern)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!("3.4".parse::<Version>(), Ok(Version::new(3, 4)));
        assert_eq!("3".parse::<Version>(), Ok(Version::new(3, 0)));
        assert_eq!(
            "3.4.1".parse::<Version>().map(|v| v.to_string()),
            Ok("3.4.1".into())
        );
        assert!("3.x".parse::<Version>().is_err());
        assert!("".parse::<Version>().is_err());
        assert!("3.4.1.2".parse::<Version>().is_err());
        assert!(Version::new(3, 3) < Version::new(3, 10));
    }

    #[test]
    fn extend_select_adds_to_the_defaults_or_to_select() {
        let opt_in = registry::RULES
            .iter()
            .find(|rule| rule.opt_in)
            .expect("an opt-in rule");
        let default_rule = registry::RULES
            .iter()
            .find(|rule| !rule.opt_in && rule.code != opt_in.code)
            .expect("a default rule");
        let extended = Selection {
            extend_select: vec![opt_in.code.to_string()],
            ..Selection::default()
        };
        assert!(extended.is_enabled(opt_in));
        assert!(extended.is_enabled(default_rule));
        let narrowed = Selection {
            select: vec![default_rule.code.to_string()],
            extend_select: vec![opt_in.name.to_string()],
            ignore: Vec::new(),
        };
        assert!(narrowed.is_enabled(opt_in) && narrowed.is_enabled(default_rule));
        let ignored = Selection {
            ignore: vec![opt_in.code.to_string()],
            ..extended
        };
        assert!(!ignored.is_enabled(opt_in), "ignore wins");
    }
}
