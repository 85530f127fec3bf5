//! What a `devcontainer.json` (JSON with comments) says about users, environment,
//! lifecycle commands and the Dockerfile it builds, with the byte range of each value.

use std::ops::Range;

use jsonc_parser::ast::{Object, ObjectProp, Value};
use jsonc_parser::common::Ranged;

/// The parts of a `devcontainer.json` the container rules read.
#[derive(Debug, Default)]
pub struct DevContainer {
    /// `build.dockerfile` (or the old `dockerFile`), relative to the file's folder.
    pub dockerfile: Option<String>,
    pub image: Option<String>,
    pub remote_user: Option<Located>,
    pub container_user: Option<Located>,
    pub remote_env: Vec<EnvEntry>,
    pub container_env: Vec<EnvEntry>,
    /// `onCreateCommand`, `postCreateCommand`, …: each command string.
    pub lifecycle: Vec<LifecycleCommand>,
    pub user_env_probe: Option<Located>,
    /// The JSON could not be read: where and why.
    pub error: Option<(Range<usize>, String)>,
}

/// A string value and where it is written (quotes included).
#[derive(Debug, Clone)]
pub struct Located {
    pub value: String,
    pub range: Range<usize>,
}

/// One `remoteEnv`/`containerEnv` entry.
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub name: String,
    pub value: Located,
}

/// One lifecycle command.
#[derive(Debug, Clone)]
pub struct LifecycleCommand {
    /// `postCreateCommand`, …
    pub hook: String,
    /// The command string, or the array form's words joined by spaces.
    pub command: Located,
    /// The string form runs through `/bin/sh -c`; the array form runs the program itself.
    pub through_shell: bool,
}

/// The lifecycle hooks that run inside the container.
pub const LIFECYCLE_HOOKS: &[&str] = &[
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
];

impl DevContainer {
    /// Reads a `devcontainer.json`. Never fails: a file that is not JSON gets `error`.
    pub fn parse(source: &[u8]) -> DevContainer {
        let Ok(text) = std::str::from_utf8(source) else {
            return DevContainer {
                error: Some((0..0, "the file is not UTF-8".to_string())),
                ..DevContainer::default()
            };
        };
        let parsed = jsonc_parser::parse_to_ast(
            text,
            &jsonc_parser::CollectOptions::default(),
            &jsonc_parser::ParseOptions::default(),
        );
        let result = match parsed {
            Ok(result) => result,
            Err(error) => {
                let range = error.range();
                return DevContainer {
                    error: Some((range.start..range.end, error.kind().to_string())),
                    ..DevContainer::default()
                };
            }
        };
        let Some(Value::Object(root)) = result.value else {
            return DevContainer::default();
        };
        let mut found = DevContainer {
            image: root.get_string("image").map(|s| s.value.to_string()),
            remote_user: string_prop(&root, "remoteUser"),
            container_user: string_prop(&root, "containerUser"),
            remote_env: env_entries(&root, "remoteEnv"),
            container_env: env_entries(&root, "containerEnv"),
            user_env_probe: string_prop(&root, "userEnvProbe"),
            ..DevContainer::default()
        };
        found.dockerfile = root
            .get_object("build")
            .and_then(|build| {
                build
                    .get_string("dockerfile")
                    .or(build.get_string("dockerFile"))
            })
            .or(root.get_string("dockerFile"))
            .map(|s| s.value.to_string());
        for hook in LIFECYCLE_HOOKS {
            if let Some(prop) = root.get(hook) {
                lifecycle_commands(hook, &prop.value, &mut found.lifecycle);
            }
        }
        found
    }

    /// The user the IDE's terminal and lifecycle commands run as, when the file says.
    pub fn user(&self) -> Option<&Located> {
        self.remote_user.as_ref().or(self.container_user.as_ref())
    }
}

fn string_prop(object: &Object, name: &str) -> Option<Located> {
    object.get_string(name).map(|s| Located {
        value: s.value.to_string(),
        range: s.range.start..s.range.end,
    })
}

fn env_entries(object: &Object, name: &str) -> Vec<EnvEntry> {
    let Some(env) = object.get_object(name) else {
        return Vec::new();
    };
    env.properties
        .iter()
        .filter_map(|prop: &ObjectProp| {
            let Value::StringLit(value) = &prop.value else {
                return None;
            };
            Some(EnvEntry {
                name: prop.name.as_str().to_string(),
                value: Located {
                    value: value.value.to_string(),
                    range: value.range.start..value.range.end,
                },
            })
        })
        .collect()
}

fn lifecycle_commands(hook: &str, value: &Value, out: &mut Vec<LifecycleCommand>) {
    match value {
        Value::StringLit(command) => out.push(LifecycleCommand {
            hook: hook.to_string(),
            command: Located {
                value: command.value.to_string(),
                range: command.range.start..command.range.end,
            },
            through_shell: true,
        }),
        Value::Array(array) => {
            let words: Vec<String> = array
                .elements
                .iter()
                .filter_map(|element| match element {
                    Value::StringLit(s) => Some(s.value.to_string()),
                    _ => None,
                })
                .collect();
            let range = array.range();
            out.push(LifecycleCommand {
                hook: hook.to_string(),
                command: Located {
                    value: words.join(" "),
                    range: range.start..range.end,
                },
                through_shell: false,
            });
        }
        // The object form runs each of its commands in parallel.
        Value::Object(object) => {
            for prop in &object.properties {
                lifecycle_commands(hook, &prop.value, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_users_env_and_commands_with_comments() {
        let text = r#"{
  // the image is built from the Dockerfile next to this file
  "build": { "dockerfile": "Dockerfile" },
  "remoteUser": "vscode",
  "remoteEnv": { "PATH": "/opt/conda/bin:${containerEnv:PATH}" },
  "postCreateCommand": "conda activate base && pip install -e .",
  "postStartCommand": { "a": ["go", "version"] },
}"#;
        let found = DevContainer::parse(text.as_bytes());
        assert_eq!(found.dockerfile.as_deref(), Some("Dockerfile"));
        assert_eq!(found.user().map(|u| u.value.as_str()), Some("vscode"));
        assert_eq!(found.remote_env[0].name, "PATH");
        let range = found.remote_env[0].value.range.clone();
        assert_eq!(&text[range], "\"/opt/conda/bin:${containerEnv:PATH}\"");
        assert_eq!(found.lifecycle.len(), 2);
        assert!(found.lifecycle[0].through_shell);
        assert!(!found.lifecycle[1].through_shell);
    }

    #[test]
    fn broken_json_is_an_error_not_a_panic() {
        let found = DevContainer::parse(b"{ \"remoteUser\": ");
        assert!(found.error.is_some());
        let found = DevContainer::parse(b"\xff\xfe");
        assert!(found.error.is_some());
    }
}
