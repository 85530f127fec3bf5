//! Which rules run, and the parse budget.

use condago_syntax::Budget;

use crate::registry;
use crate::rule::Rule;

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub selection: Selection,
    pub budget: Budget,
}

/// `--select` / `--ignore`: rule codes, names, code prefixes (`CG1`, `CG10`) or `ALL`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Whether a rule runs. With no `select`, every rule that is not opt-in runs; a rule
    /// named explicitly (code or name) runs even when opt-in; `ignore` always wins.
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        if self.ignore.iter().any(|pattern| matches(pattern, rule)) {
            return false;
        }
        if self.select.is_empty() {
            return !rule.opt_in;
        }
        self.select.iter().any(|pattern| {
            let explicit = pattern.eq_ignore_ascii_case(rule.code) || pattern == rule.name;
            explicit || (!rule.opt_in && matches(pattern, rule))
        })
    }

    /// Patterns that match no rule at all, for a usage error.
    pub fn unknown_patterns(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|pattern| !registry::RULES.iter().any(|rule| matches(pattern, rule)))
            .cloned()
            .collect()
    }
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
