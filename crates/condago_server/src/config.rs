//! The server's configuration: the CLI's options, from `initializationOptions`,
//! `workspace/didChangeConfiguration` and `workspace/configuration`.
//!
//! ```json
//! { "select": ["CG1", "CG003"], "ignore": ["path-tilde-quoted"], "shell": "zsh" }
//! ```
//!
//! The same object may sit under a `condago` key (as editors send a settings section).
//! `select`/`ignore` take what `--select`/`--ignore` take: codes, names, prefixes or `ALL`,
//! as a list or comma-separated. `shell` reads every document as that shell, like `--shell`.

use condago_linter::{Selection, Shell};
use serde_json::Value;

/// What the user configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub shell: Option<Shell>,
}

impl Config {
    /// Applies the keys present in a settings object on top of this configuration. Returns
    /// messages for the user about values that were not understood (those keys are left
    /// as they were).
    pub fn update(&mut self, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        let value = value.get("condago").unwrap_or(value);
        let Some(object) = value.as_object() else {
            if !value.is_null() {
                problems.push(format!(
                    "condago: settings should be an object with `select`, `ignore` and `shell`, not `{value}`"
                ));
            }
            return problems;
        };
        for (key, target) in [("select", &mut self.select), ("ignore", &mut self.ignore)] {
            let Some(raw) = object.get(key) else { continue };
            match patterns(raw) {
                Some(list) => {
                    let selection = Selection {
                        select: list.clone(),
                        ..Selection::default()
                    };
                    let unknown = selection.unknown_patterns();
                    if !unknown.is_empty() {
                        problems.push(format!(
                            "condago: `{}` in `{key}` matches no rule; see `condago rules`",
                            unknown.join("`, `")
                        ));
                    }
                    *target = list;
                }
                None => problems.push(format!(
                    "condago: `{key}` should be a list of rule codes, names or prefixes, not `{raw}`"
                )),
            }
        }
        match object.get("shell") {
            None => {}
            Some(Value::Null) => self.shell = None,
            Some(Value::String(name)) if name.is_empty() || name == "auto" => self.shell = None,
            Some(Value::String(name)) => match name.parse::<Shell>() {
                Ok(shell) => self.shell = Some(shell),
                Err(error) => problems.push(format!("condago: `shell`: {error}")),
            },
            Some(other) => problems.push(format!(
                "condago: `shell` should be bash, zsh, fish or sh, not `{other}`"
            )),
        }
        problems
    }
}

/// A list of patterns: `["CG1", "CG003"]` or `"CG1,CG003"`.
fn patterns(value: &Value) -> Option<Vec<String>> {
    let split = |text: &str| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_string)
            .collect()
    };
    match value {
        Value::Null => Some(Vec::new()),
        Value::String(text) => Some(split(text)),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(split(item.as_str()?));
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_cli_options_flat_or_under_a_section() {
        let mut config = Config::default();
        let problems = config.update(&json!({"select": ["CG1", "CG003"], "shell": "zsh"}));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.select, ["CG1", "CG003"]);
        assert_eq!(config.shell, Some(Shell::Zsh));
        let problems = config.update(&json!({"condago": {"ignore": "CG102, parse-incomplete"}}));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.ignore, ["CG102", "parse-incomplete"]);
        assert_eq!(config.select, ["CG1", "CG003"], "keys not given stay");
    }

    #[test]
    fn says_what_it_did_not_understand() {
        let mut config = Config::default();
        let problems = config.update(&json!({"select": ["CG9"], "ignore": 3, "shell": "tcsh"}));
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("`CG9`"));
        assert_eq!(config.select, ["CG9"]);
        assert!(config.ignore.is_empty());
        assert_eq!(config.shell, None);
        assert!(config.update(&Value::Null).is_empty());
    }
}
