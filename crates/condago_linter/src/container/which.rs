//! Which copy of a tool each process of a dev container gets: a later `RUN`, `docker exec`,
//! the IDE's terminal and a `postCreateCommand`. Each starts from the image's `ENV`; they
//! differ in what they add on top (devcontainer.json's `containerEnv`/`remoteEnv`, the
//! startup files an interactive bash reads, the environment VS Code probes).
//!
//! The image's file system is not at hand: which directory holds which tool is read off the
//! Dockerfile (the base image, conda's install prefix, `conda install`, `go install`).

use serde::Serialize;

use super::build::{command_words, Build, Written};
use super::ContainerFile;
use crate::model::StatementKind;

/// One process of the container and the copy of the tool it runs.
#[derive(Debug, Clone, Serialize)]
pub struct ContextResult {
    /// `a later RUN`, `docker exec`, …
    pub context: String,
    /// How that process starts (shell, user, what it reads).
    pub how: String,
    /// Its `PATH`, in order, each entry with where it comes from.
    pub path: Vec<PathEntry>,
    /// The winning copy, and the copies it shadows.
    pub winner: Option<Copy>,
    pub shadowed: Vec<Copy>,
}

/// A `PATH` entry and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct PathEntry {
    pub dir: String,
    pub origin: String,
}

/// A copy of the tool in a directory, and why condago thinks it is there.
#[derive(Debug, Clone, Serialize)]
pub struct Copy {
    pub file: String,
    pub because: String,
}

/// Where tools live in the image, as far as the Dockerfile tells.
#[derive(Debug, Default)]
struct Provisions {
    /// (directory, tool, because)
    tools: Vec<(String, String, String)>,
    /// The base image's own `PATH`.
    base_path: Vec<String>,
}

/// The default `PATH` of Debian-based images.
const DEBIAN_PATH: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// Answers `condago which TOOL --dockerfile FILE`.
pub fn which(file: &ContainerFile, tool: &str) -> Vec<ContextResult> {
    let Some(build) = &file.build else {
        return Vec::new();
    };
    let prefix = conda_prefix(build);
    let provisions = provisions(build, file.source_of_build(), prefix.as_deref());
    let user = file
        .remote_user()
        .unwrap_or_else(|| build.final_user().unwrap_or("root").to_string());
    let home = super::build::home_of(&user, &[]);
    // The image's ENV PATH, with `$PATH` as the base image's.
    let mut image_path: Vec<PathEntry> = provisions
        .base_path
        .iter()
        .map(|dir| PathEntry {
            dir: dir.clone(),
            origin: "the base image".to_string(),
        })
        .collect();
    let last_stage = build.stages.len().saturating_sub(1);
    for setting in build
        .env_settings
        .iter()
        .filter(|s| s.name == "PATH" && s.stage == last_stage)
    {
        let line = file.build_line(setting.range.start);
        let mut next = Vec::new();
        for dir in setting.value.split(':').filter(|d| !d.is_empty()) {
            if dir == "$PATH" {
                next.extend(image_path.iter().cloned());
            } else {
                next.push(PathEntry {
                    dir: dir.to_string(),
                    origin: format!("ENV PATH (Dockerfile line {line})"),
                });
            }
        }
        image_path = next;
    }
    let devcontainer = file.devcontainer.as_ref();
    let container_path = devcontainer
        .and_then(|d| d.container_env.iter().find(|e| e.name == "PATH"))
        .map(|entry| {
            entry
                .value
                .value
                .split(':')
                .map(|dir| PathEntry {
                    dir: dir.to_string(),
                    origin: "containerEnv PATH (devcontainer.json)".to_string(),
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_else(|| image_path.clone());
    let remote_path =
        match devcontainer.and_then(|d| d.remote_env.iter().find(|e| e.name == "PATH")) {
            Some(entry) => {
                let mut out = Vec::new();
                for dir in entry.value.value.split(':') {
                    if dir == "${containerEnv:PATH}" || dir == "${remoteEnv:PATH}" {
                        out.extend(container_path.iter().cloned());
                    } else {
                        out.push(PathEntry {
                            dir: dir.to_string(),
                            origin: "remoteEnv PATH (devcontainer.json)".to_string(),
                        });
                    }
                }
                out
            }
            None => container_path.clone(),
        };
    // What an interactive bash as the user adds: /etc/bash.bashrc, then ~/.bashrc.
    let mut terminal_path = remote_path.clone();
    let rc_files = ["/etc/bash.bashrc".to_string(), format!("{home}/.bashrc")];
    for rc in &rc_files {
        for write in build.startup_writes.iter().filter(|w| &w.file == rc) {
            let line = file.build_line(write.range.start);
            let origin = format!("{rc}, written by Dockerfile line {line}");
            match write.what {
                // `conda init`'s block activates base (auto_activate_base is on by
                // default); `conda.sh` alone only puts `condabin` on PATH.
                Written::CondaInit => {
                    if let Some(prefix) = &prefix {
                        prepend(
                            &mut terminal_path,
                            &format!("{prefix}/bin"),
                            &format!("conda activate base ({origin})"),
                        );
                        prepend(&mut terminal_path, &format!("{prefix}/condabin"), &origin);
                    }
                }
                Written::CondaHook => {
                    if let Some(prefix) = &prefix {
                        prepend(&mut terminal_path, &format!("{prefix}/condabin"), &origin);
                    }
                }
                Written::CondaActivate | Written::Other => {
                    let text =
                        String::from_utf8_lossy(&file.source_of_build()[write.range.clone()])
                            .to_string();
                    for dir in exported_path_dirs(&text, &home) {
                        prepend(&mut terminal_path, &dir, &origin);
                    }
                }
            }
        }
    }
    let probe = devcontainer
        .and_then(|d| d.user_env_probe.as_ref())
        .map(|p| p.value.clone())
        .unwrap_or_else(|| "loginInteractiveShell".to_string());
    let post_create_path = if probe == "none" {
        remote_path.clone()
    } else {
        terminal_path.clone()
    };
    let run_user = build.final_user().unwrap_or("root").to_string();
    let contexts = [
        (
            "a later RUN",
            format!("`/bin/sh -c` as {run_user}: the image's ENV, no startup file"),
            image_path,
        ),
        (
            "docker exec",
            format!("as {user}: the container's environment, no startup file"),
            container_path,
        ),
        (
            "VS Code terminal",
            format!("interactive bash as {user}: remoteEnv, then /etc/bash.bashrc and ~/.bashrc"),
            terminal_path,
        ),
        (
            "postCreateCommand",
            format!("`/bin/sh -c` as {user}: remoteEnv and the environment VS Code probed (userEnvProbe: {probe})"),
            post_create_path,
        ),
    ];
    contexts
        .into_iter()
        .map(|(context, how, path)| {
            let copies: Vec<Copy> = path
                .iter()
                .filter_map(|entry| {
                    provisions
                        .tools
                        .iter()
                        .find(|(dir, name, _)| dir == &entry.dir && name == tool)
                        .map(|(dir, _, because)| Copy {
                            file: format!("{dir}/{tool}"),
                            because: because.clone(),
                        })
                })
                .fold(Vec::new(), |mut seen: Vec<Copy>, copy| {
                    if !seen.iter().any(|c| c.file == copy.file) {
                        seen.push(copy);
                    }
                    seen
                });
            let mut copies = copies.into_iter();
            ContextResult {
                context: context.to_string(),
                how,
                path,
                winner: copies.next(),
                shadowed: copies.collect(),
            }
        })
        .collect()
}

/// Renders the answer as text.
pub fn render(tool: &str, results: &[ContextResult]) -> String {
    let mut out = format!("{tool}:\n");
    for result in results {
        out.push_str(&format!("  {} ({})\n", result.context, result.how));
        match &result.winner {
            Some(copy) => out.push_str(&format!("    runs {}  [{}]\n", copy.file, copy.because)),
            None => out.push_str(&format!(
                "    no directory of its PATH is known to hold `{tool}`\n"
            )),
        }
        for copy in &result.shadowed {
            out.push_str(&format!("    shadows {}  [{}]\n", copy.file, copy.because));
        }
        let dirs: Vec<&str> = result.path.iter().map(|e| e.dir.as_str()).collect();
        out.push_str(&format!("    PATH={}\n", dirs.join(":")));
    }
    out
}

fn prepend(path: &mut Vec<PathEntry>, dir: &str, origin: &str) {
    path.retain(|entry| entry.dir != dir || entry.origin.contains("ENV"));
    path.insert(
        0,
        PathEntry {
            dir: dir.to_string(),
            origin: origin.to_string(),
        },
    );
}

/// Directories an appended `export PATH="DIR:$PATH"` line puts first.
fn exported_path_dirs(text: &str, home: &str) -> Vec<String> {
    let Some(at) = text.find("PATH=") else {
        return Vec::new();
    };
    let value = text[at + 5..]
        .trim_start_matches(['"', '\''])
        .split(['"', '\'', ' '])
        .next()
        .unwrap_or("");
    value
        .split(':')
        .filter(|dir| !dir.is_empty() && !dir.contains("PATH"))
        .map(|dir| {
            dir.replace("$HOME", home)
                .replace("${HOME}", home)
                .replace('~', home)
        })
        .rev()
        .collect()
}

/// conda's install prefix: `-b -p PREFIX` of the installer, or the conda images' `/opt/conda`.
fn conda_prefix(build: &Build) -> Option<String> {
    for run in &build.runs {
        let text = String::from_utf8_lossy(&run.text);
        let words: Vec<&str> = text.split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[0] == "-p"
                && (text.contains("conda") || text.contains("forge") || text.contains("mamba"))
            {
                return Some(pair[1].trim_matches(['"', '\'']).to_string());
            }
        }
    }
    let image = &build.stages.last()?.image;
    let conda_image = [
        "continuumio/",
        "condaforge/",
        "mambaorg/",
        "devcontainers/miniconda",
        "devcontainers/anaconda",
    ]
    .iter()
    .any(|name| image.contains(name));
    conda_image.then(|| "/opt/conda".to_string())
}

/// What the base image and the `RUN` lines put where.
fn provisions(build: &Build, source: &[u8], prefix: Option<&str>) -> Provisions {
    let mut found = Provisions::default();
    let lines = crate::lines::LineIndex::new(source);
    let image = build
        .stages
        .last()
        .map(|s| s.image.clone())
        .unwrap_or_default();
    let go_image = image.starts_with("golang")
        || image.contains("/golang")
        || image.contains("devcontainers/go");
    if go_image {
        found.base_path = vec!["/usr/local/go/bin".to_string(), "/go/bin".to_string()];
        for tool in ["go", "gofmt"] {
            found.tools.push((
                "/usr/local/go/bin".into(),
                tool.into(),
                format!("the base image {image}"),
            ));
        }
    }
    found
        .base_path
        .extend(DEBIAN_PATH.iter().map(|d| d.to_string()));
    if let Some(prefix) = prefix {
        for tool in ["conda", "python", "python3", "pip"] {
            found.tools.push((
                format!("{prefix}/bin"),
                tool.into(),
                format!("conda's base environment in {prefix}"),
            ));
        }
        found.tools.push((
            format!("{prefix}/condabin"),
            "conda".into(),
            format!("conda in {prefix}"),
        ));
    }
    for run in &build.runs {
        let Some(model) = build.run_model(run, std::path::Path::new("Dockerfile")) else {
            continue;
        };
        for statement in &model.statements {
            let StatementKind::Command(command) = &statement.kind else {
                continue;
            };
            let name = command.name.as_deref().unwrap_or("");
            let base = name.rsplit('/').next().unwrap_or(name);
            let words = command_words(command);
            let line = lines.line_of(statement.range.start) + 1;
            if matches!(base, "conda" | "mamba" | "micromamba")
                && matches!(
                    words.first().map(String::as_str),
                    Some("install" | "create")
                )
            {
                let env = words
                    .windows(2)
                    .find(|pair| pair[0] == "-n" || pair[0] == "--name")
                    .map(|pair| pair[1].clone());
                let Some(prefix) = &prefix else { continue };
                let dir = match env.as_deref() {
                    None | Some("base") => format!("{prefix}/bin"),
                    Some(env) => format!("{prefix}/envs/{env}/bin"),
                };
                for package in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
                    let package = package.split(['=', '<', '>']).next().unwrap_or(package);
                    let tools: &[&str] = match package {
                        "go" | "go-cgo" | "go-nocgo" => &["go", "gofmt"],
                        "python" => &["python", "python3", "pip"],
                        other => &[other][..0],
                    };
                    for tool in tools {
                        found.tools.push((
                            dir.clone(),
                            tool.to_string(),
                            format!("`{base} {}` (Dockerfile line {line})", words.join(" ")),
                        ));
                    }
                }
            }
            if base == "go" && words.first().map(String::as_str) == Some("install") {
                let gopath = run
                    .env
                    .iter()
                    .rev()
                    .find(|(n, _)| n == "GOPATH")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| {
                        if go_image {
                            "/go".into()
                        } else {
                            format!("{}/go", run.home)
                        }
                    });
                for package in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
                    let tool = package
                        .split('@')
                        .next()
                        .unwrap_or(package)
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_string();
                    found.tools.push((
                        format!("{gopath}/bin"),
                        tool,
                        format!("`go install` (Dockerfile line {line})"),
                    ));
                }
            }
        }
    }
    found
}
