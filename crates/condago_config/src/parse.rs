//! Reading a configuration file: TOML with spans, every key and value checked, every
//! mistake collected with its place.

use std::ops::Range;
use std::path::Path;

use condago_linter::{pattern_matches_a_rule, registry, Shell, Version};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::{did_you_mean, line_column, ConfigError, Problem};
use crate::{Config, Glob, Layout};

const TOP_KEYS: [&str; 9] = [
    "select",
    "extend-select",
    "ignore",
    "exclude",
    "per-file-ignores",
    "shells",
    "fish-version",
    "bash-version",
    "home",
];
const HOME_KEYS: [&str; 2] = ["layout", "os"];
const SHELL_NAMES: [&str; 4] = ["bash", "zsh", "fish", "sh"];

pub(crate) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let mut reader = Reader {
        text,
        problems: Vec::new(),
    };
    let table = match DeTable::parse(text) {
        Ok(table) => table,
        Err(error) => {
            let offset = error.span().map_or(0, |span| span.start);
            reader.problem(
                offset,
                None,
                format!("not valid TOML: {}", error.message().trim()),
            );
            return Err(reader.into_error(path));
        }
    };
    let root = path
        .parent()
        .map(|dir| std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()))
        .unwrap_or_default();
    let mut config = Config {
        path: path.to_path_buf(),
        root,
        ..Config::default()
    };
    for (key, value) in sorted(table.get_ref()) {
        let name = key.get_ref().as_ref();
        let line = line_column(text, key.span().start).0;
        match name {
            "select" => config.select = reader.rules(name, value),
            "extend-select" => config.extend_select = reader.rules(name, value).unwrap_or_default(),
            "ignore" => config.ignore = reader.rules(name, value).unwrap_or_default(),
            "exclude" => config.exclude = reader.globs(name, value),
            "per-file-ignores" => {
                for (glob_key, rules) in reader.table(name, value) {
                    let glob = reader.glob_key(name, glob_key);
                    let key = format!("{name}.\"{}\"", glob_key.get_ref());
                    let entry_line = line_column(text, glob_key.span().start).0;
                    if let (Some(glob), Some(rules)) = (glob, reader.rules(&key, rules)) {
                        config.per_file_ignores.push((glob, rules));
                        config.lines.insert(key, entry_line);
                    }
                }
            }
            "shells" => {
                for (glob_key, shell) in reader.table(name, value) {
                    let glob = reader.glob_key(name, glob_key);
                    let key = format!("{name}.\"{}\"", glob_key.get_ref());
                    let entry_line = line_column(text, glob_key.span().start).0;
                    if let (Some(glob), Some(shell)) = (glob, reader.shell(&key, shell)) {
                        config.shells.push((glob, shell));
                        config.lines.insert(key, entry_line);
                    }
                }
            }
            "fish-version" => config.fish_version = reader.version(name, value),
            "bash-version" => config.bash_version = reader.version(name, value),
            "home" => {
                for (home_key, value) in reader.table(name, value) {
                    let key = format!("home.{}", home_key.get_ref());
                    let line = line_column(text, home_key.span().start).0;
                    match home_key.get_ref().as_ref() {
                        "layout" => config.home.layout = reader.layout(&key, value),
                        "os" => config.home.os = reader.string(&key, value),
                        other => {
                            reader.unknown_key(home_key.span(), other, &HOME_KEYS, "[home]");
                            continue;
                        }
                    }
                    config.lines.insert(key, line);
                }
            }
            other => {
                reader.unknown_key(key.span(), other, &TOP_KEYS, "condago.toml");
                continue;
            }
        }
        config.lines.insert(name.to_string(), line);
    }
    if reader.problems.is_empty() {
        Ok(config)
    } else {
        Err(reader.into_error(path))
    }
}

type Entry<'t, 'i> = (
    &'t Spanned<toml::de::DeString<'i>>,
    &'t Spanned<DeValue<'i>>,
);

/// A table's entries in the order they are written (the parser's map is sorted by key).
fn sorted<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<Entry<'t, 'i>> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

struct Reader<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    fn into_error(self, path: &Path) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            problems: self.problems,
        }
    }

    fn problem(&mut self, offset: usize, key: Option<&str>, message: String) -> &mut Problem {
        let (line, column) = line_column(self.text, offset);
        self.problems.push(Problem {
            line,
            column,
            key: key.map(str::to_string),
            message,
            help: None,
        });
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    fn unknown_key(&mut self, span: Range<usize>, key: &str, known: &[&str], place: &str) {
        let help = did_you_mean(key, known.iter().copied())
            .map(|near| format!("did you mean `{near}`?"))
            .unwrap_or_else(|| format!("the keys are {}", quoted(known)));
        self.problem(span.start, Some(key), format!("unknown key in {place}"))
            .help = Some(help);
    }

    fn wrong_type(&mut self, key: &str, value: &Spanned<DeValue>, expected: &str) {
        self.problem(
            value.span().start,
            Some(key),
            format!(
                "expected {expected}, found {}",
                article(value.get_ref().type_str())
            ),
        );
    }

    fn table<'t, 'i>(&mut self, key: &str, value: &'t Spanned<DeValue<'i>>) -> Vec<Entry<'t, 'i>> {
        match value.get_ref() {
            DeValue::Table(table) => sorted(table),
            _ => {
                self.wrong_type(key, value, "a table");
                Vec::new()
            }
        }
    }

    fn string(&mut self, key: &str, value: &Spanned<DeValue>) -> Option<String> {
        match value.get_ref().as_str() {
            Some(text) => Some(text.to_string()),
            None => {
                self.wrong_type(key, value, "a string");
                None
            }
        }
    }

    /// A list of strings; a single string is taken as a list of one.
    fn strings(&mut self, key: &str, value: &Spanned<DeValue>) -> Option<Vec<Spanned<String>>> {
        match value.get_ref() {
            DeValue::String(text) => Some(vec![Spanned::new(value.span(), text.to_string())]),
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref().as_str() {
                        Some(text) => out.push(Spanned::new(item.span(), text.to_string())),
                        None => self.wrong_type(key, item, "a string in the list"),
                    }
                }
                Some(out)
            }
            _ => {
                self.wrong_type(key, value, "a list of strings");
                None
            }
        }
    }

    /// Rule codes, names, prefixes or `ALL`, each checked against the rules.
    fn rules(&mut self, key: &str, value: &Spanned<DeValue>) -> Option<Vec<String>> {
        let items = self.strings(key, value)?;
        let mut out = Vec::new();
        for item in items {
            let pattern = item.get_ref().trim();
            if pattern_matches_a_rule(pattern) {
                out.push(pattern.to_string());
                continue;
            }
            let candidates = registry::RULES
                .iter()
                .flat_map(|rule| [rule.code, rule.name]);
            let help = did_you_mean(pattern, candidates)
                .map(|near| format!("did you mean `{near}`?"))
                .unwrap_or_else(|| "see `condago rules` for the codes and names".to_string());
            self.problem(
                item.span().start,
                Some(key),
                format!("`{pattern}` matches no rule"),
            )
            .help = Some(help);
        }
        Some(out)
    }

    fn globs(&mut self, key: &str, value: &Spanned<DeValue>) -> Vec<Glob> {
        let items = self.strings(key, value).unwrap_or_default();
        items
            .into_iter()
            .filter_map(|item| self.glob(key, item.get_ref(), item.span().start + 1))
            .collect()
    }

    fn glob_key(&mut self, key: &str, glob: &Spanned<toml::de::DeString>) -> Option<Glob> {
        // A quoted key's text starts one character after its span.
        let quoted = self
            .text
            .as_bytes()
            .get(glob.span().start)
            .is_some_and(|b| *b == b'"' || *b == b'\'');
        self.glob(key, glob.get_ref(), glob.span().start + usize::from(quoted))
    }

    fn glob(&mut self, key: &str, text: &str, start: usize) -> Option<Glob> {
        match Glob::new(text) {
            Ok(glob) => Some(glob),
            Err((position, message)) => {
                let offset = text
                    .char_indices()
                    .nth(position)
                    .map_or(text.len(), |(i, _)| i);
                self.problem(
                    start + offset,
                    Some(key),
                    format!("bad glob `{text}`: {message} at character {}", position + 1),
                )
                .help = Some(
                    "`*` matches within a directory, `**` (a whole path component) across directories, `[abc]` one of the characters".to_string(),
                );
                None
            }
        }
    }

    fn shell(&mut self, key: &str, value: &Spanned<DeValue>) -> Option<Shell> {
        let name = self.string(key, value)?;
        match name.parse::<Shell>() {
            Ok(shell) if SHELL_NAMES.contains(&name.as_str()) => Some(shell),
            _ => {
                let help = did_you_mean(&name, SHELL_NAMES)
                    .map(|near| format!("did you mean `{near}`?"))
                    .unwrap_or_else(|| format!("the shells are {}", quoted(&SHELL_NAMES)));
                self.problem(
                    value.span().start,
                    Some(key),
                    format!("unknown shell `{name}`"),
                )
                .help = Some(help);
                None
            }
        }
    }

    fn version(&mut self, key: &str, value: &Spanned<DeValue>) -> Option<Version> {
        match value.get_ref() {
            DeValue::String(text) => match text.parse::<Version>() {
                Ok(version) => Some(version),
                Err(message) => {
                    self.problem(value.span().start, Some(key), message);
                    None
                }
            },
            DeValue::Float(_) | DeValue::Integer(_) => {
                // TOML reads 3.10 as 3.1: a version must be quoted.
                let written = self
                    .text
                    .get(value.span())
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                self.wrong_type(key, value, "a string");
                if let Some(last) = self.problems.last_mut() {
                    last.help = Some(format!("write it quoted: {key} = \"{written}\""));
                }
                None
            }
            _ => {
                self.wrong_type(key, value, "a version string such as \"3.4\"");
                None
            }
        }
    }

    fn layout(&mut self, key: &str, value: &Spanned<DeValue>) -> Option<Layout> {
        let name = self.string(key, value)?;
        if let Some(layout) = Layout::from_name(&name) {
            return Some(layout);
        }
        let names: Vec<&str> = Layout::ALL.iter().map(|layout| layout.name()).collect();
        let help = did_you_mean(&name, names.iter().copied())
            .map(|near| format!("did you mean `{near}`?"))
            .unwrap_or_else(|| format!("the layouts are {}", quoted(&names)));
        self.problem(
            value.span().start,
            Some(key),
            format!("unknown layout `{name}`"),
        )
        .help = Some(help);
        None
    }
}

fn quoted(words: &[&str]) -> String {
    let words: Vec<String> = words.iter().map(|word| format!("`{word}`")).collect();
    words.join(", ")
}

fn article(type_name: &str) -> String {
    let name = match type_name {
        "array" => "list",
        other => other,
    };
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {name}")
    } else {
        format!("a {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Config {
        parse(Path::new("repo/condago.toml"), text).expect("a valid configuration")
    }

    fn errors(text: &str) -> String {
        parse(Path::new("condago.toml"), text)
            .expect_err("a bad configuration")
            .to_string()
    }

    #[test]
    fn reads_every_key() {
        let config = parse_ok(
            r#"
select = ["CG1", "conda-block-broken"]
extend-select = "CG107"
ignore = ["CG104"]
exclude = ["vendor"]
fish-version = "3.3"
bash-version = "3.2.57"

[per-file-ignores]
"zsh/plugins/*" = ["CG104", "CG105"]

[shells]
"shell/*.sh" = "bash"
"aliases" = "zsh"

[home]
layout = "stow"
os = "Darwin"
"#,
        );
        assert_eq!(
            config.select,
            Some(vec!["CG1".to_string(), "conda-block-broken".to_string()])
        );
        assert_eq!(config.extend_select, ["CG107"]);
        assert_eq!(config.ignore, ["CG104"]);
        assert_eq!(config.exclude[0].as_str(), "vendor");
        assert_eq!(config.fish_version, Some(Version::new(3, 3)));
        assert_eq!(
            config.bash_version.map(|v| v.to_string()),
            Some("3.2.57".into())
        );
        assert_eq!(config.per_file_ignores[0].1, ["CG104", "CG105"]);
        let shells: Vec<(&str, Shell)> = config
            .shells
            .iter()
            .map(|(glob, shell)| (glob.as_str(), *shell))
            .collect();
        assert_eq!(
            shells,
            [("shell/*.sh", Shell::Bash), ("aliases", Shell::Zsh)]
        );
        assert_eq!(config.home.layout, Some(Layout::Stow));
        assert_eq!(config.home.os.as_deref(), Some("Darwin"));
        assert_eq!(config.line_of("select"), Some(2));
        assert_eq!(config.line_of("home.layout"), Some(17));
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = parse_ok("# nothing yet\n");
        assert_eq!(config.select, None);
        assert_eq!(config.home.layout, None);
    }

    #[test]
    fn every_mistake_is_reported_with_its_place() {
        let text = "selct = [\"CG1\"]\nignore = [\"CG10x\"]\nfish-version = 3.4\n[home]\nlayout = \"chezmoy\"\nos = 1\n";
        assert_eq!(
            errors(text),
            "condago.toml:1:1: `selct`: unknown key in condago.toml; did you mean `select`?\n\
             condago.toml:2:11: `ignore`: `CG10x` matches no rule; did you mean `CG101`?\n\
             condago.toml:3:16: `fish-version`: expected a string, found a float; write it quoted: fish-version = \"3.4\"\n\
             condago.toml:5:10: `home.layout`: unknown layout `chezmoy`; did you mean `chezmoi`?\n\
             condago.toml:6:6: `home.os`: expected a string, found an integer"
        );
    }

    #[test]
    fn invalid_toml_names_the_place() {
        let message = errors("select = [\"CG1\"\n");
        assert!(message.starts_with("condago.toml:1:"), "{message}");
        assert!(message.contains("not valid TOML"), "{message}");
    }
}
