//! What `docker build` does with a Dockerfile, as the container rules read it: stages,
//! `ENV`/`ARG` scope, `USER` and its `HOME`, `SHELL`, and for each `RUN` the shell code it
//! runs and the environment it starts with. Each `RUN` is a fresh process: it inherits the
//! `ENV` and `ARG` values in effect, never what an earlier `RUN` exported, sourced or
//! activated.

use std::ops::Range;
use std::path::Path;

use condago_syntax::dockerfile::{self, Dockerfile, Instruction};
use condago_syntax::{Budget, Parse, Shell};

use crate::model::{Command, StartupFile, Statement, StatementKind};

/// A Dockerfile, lifted into build semantics.
#[derive(Debug)]
pub struct Build {
    pub dockerfile: Dockerfile,
    pub stages: Vec<Stage>,
    pub runs: Vec<Run>,
    /// Every `ENV` variable set, in order.
    pub env_settings: Vec<EnvSetting>,
    /// Startup files that `RUN` lines write to, in order.
    pub startup_writes: Vec<StartupWrite>,
}

/// One `FROM` and what follows it.
#[derive(Debug, Clone)]
pub struct Stage {
    pub image: String,
    pub name: Option<String>,
    pub from_range: Range<usize>,
    /// The user in effect at the end of the stage.
    pub final_user: String,
}

/// One `RUN`.
#[derive(Debug)]
pub struct Run {
    /// Index into `Dockerfile::instructions`.
    pub instruction: usize,
    pub stage: usize,
    pub range: Range<usize>,
    /// The shell that runs the code (`SHELL`, default `/bin/sh -c`); `None` for the exec
    /// form or a shell condago does not read (PowerShell, cmd).
    pub shell: Option<Shell>,
    /// The `SHELL` argv in effect.
    pub shell_argv: Vec<String>,
    pub user: String,
    pub home: String,
    /// `ENV` and `ARG` values the process starts with, substituted.
    pub env: Vec<(String, String)>,
    /// The Dockerfile with everything but this `RUN`'s shell code blanked: offsets are the
    /// Dockerfile's own, so findings and fixes need no mapping.
    pub text: Vec<u8>,
    pub parse: Option<Parse>,
}

/// A variable an `ENV` sets.
#[derive(Debug, Clone)]
pub struct EnvSetting {
    pub instruction: usize,
    pub stage: usize,
    pub name: String,
    /// The value as written, quotes removed, before substitution.
    pub raw: String,
    /// The value after substitution (`$PATH` of the base image stays `$PATH`).
    pub value: String,
    /// Where the value is written (quotes included), when it could be located.
    pub value_range: Option<Range<usize>>,
    pub range: Range<usize>,
}

/// A startup file a `RUN` writes to, and what it puts there.
#[derive(Debug, Clone)]
pub struct StartupWrite {
    pub run: usize,
    pub range: Range<usize>,
    /// The file, with `~` and `$HOME` resolved for the `RUN`'s user.
    pub file: String,
    pub what: Written,
    pub user: String,
}

/// What went into a startup file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// `conda init` / `mamba init`: its block, which sets up the hook.
    CondaInit,
    /// A line that sets up conda's shell function (`. …/conda.sh`, `eval "$(conda shell.bash hook)"`).
    CondaHook,
    /// A `conda activate` line.
    CondaActivate,
    /// Anything else (`export PATH=…`).
    Other,
}

impl Build {
    /// Lifts a Dockerfile. `path` is only used to name the file in the shell models.
    pub fn new(source: &[u8], budget: &Budget) -> Build {
        let dockerfile = dockerfile::parse(source);
        let mut builder = Builder {
            source,
            budget,
            escape: dockerfile.escape,
            stages: Vec::new(),
            runs: Vec::new(),
            env_settings: Vec::new(),
            stage_state: Vec::new(),
            global_args: Vec::new(),
        };
        for (index, instruction) in dockerfile.instructions.iter().enumerate() {
            builder.instruction(index, instruction, &dockerfile);
        }
        let Builder {
            stages,
            runs,
            env_settings,
            ..
        } = builder;
        let mut build = Build {
            dockerfile,
            stages,
            runs,
            env_settings,
            startup_writes: Vec::new(),
        };
        build.startup_writes = startup_writes(&build, source);
        build
    }

    /// The shell model of one `RUN`'s code.
    pub fn run_model<'a>(&self, run: &'a Run, path: &'a Path) -> Option<StartupFile<'a>> {
        let parse = run.parse.as_ref()?;
        Some(StartupFile::new(path, &run.text, parse, false))
    }

    /// The user the container's processes run as at the end of the last stage.
    pub fn final_user(&self) -> Option<&str> {
        self.stages.last().map(|stage| stage.final_user.as_str())
    }

    /// The instruction a `RUN` is.
    pub fn instruction(&self, run: &Run) -> &Instruction {
        &self.dockerfile.instructions[run.instruction]
    }

    /// Whether the Dockerfile mentions conda, mamba or Go at all.
    pub fn mentions_conda_or_go(source: &[u8]) -> bool {
        let text = String::from_utf8_lossy(source).to_ascii_lowercase();
        [
            "conda",
            "mamba",
            "golang",
            "go env",
            "go install",
            "/go/bin",
            "gopath",
            "goroot",
        ]
        .iter()
        .any(|needle| text.contains(needle))
    }
}

/// The `HOME` a user gets: `ENV HOME` when set, else `/root` or `/home/NAME`.
pub fn home_of(user: &str, env: &[(String, String)]) -> String {
    if let Some((_, home)) = env.iter().rev().find(|(name, _)| name == "HOME") {
        return home.clone();
    }
    let name = user.split(':').next().unwrap_or(user);
    if name == "root" || name == "0" || name.is_empty() {
        "/root".to_string()
    } else {
        format!("/home/{name}")
    }
}

/// The shell a `SHELL` argv (or a command naming a shell) runs.
pub fn shell_of(program: &str) -> Option<Shell> {
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "sh" | "dash" | "ash" => Some(Shell::Sh),
        "bash" => Some(Shell::Bash),
        "zsh" => Some(Shell::Zsh),
        "fish" => Some(Shell::Fish),
        _ => None,
    }
}

#[derive(Debug, Clone, Default)]
struct StageState {
    env: Vec<(String, String)>,
    args: Vec<(String, String)>,
    user: String,
    shell: Vec<String>,
}

struct Builder<'s> {
    source: &'s [u8],
    budget: &'s Budget,
    escape: u8,
    stages: Vec<Stage>,
    runs: Vec<Run>,
    env_settings: Vec<EnvSetting>,
    stage_state: Vec<StageState>,
    global_args: Vec<(String, String)>,
}

impl Builder<'_> {
    fn state(&mut self) -> Option<&mut StageState> {
        self.stage_state.last_mut()
    }

    fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name: &str| {
            let state = self.stage_state.last();
            let from_env = state.and_then(|s| s.env.iter().rev().find(|(n, _)| n == name));
            let from_args = state.and_then(|s| s.args.iter().rev().find(|(n, _)| n == name));
            match from_env.or(from_args) {
                Some((_, value)) => Some(value.clone()),
                // The base image's own variables (PATH above all) stay symbolic.
                None if name == "PATH" => Some("$PATH".to_string()),
                None => None,
            }
        }
    }

    fn instruction(&mut self, index: usize, instruction: &Instruction, file: &Dockerfile) {
        match instruction.keyword.as_str() {
            "FROM" => self.from(instruction),
            "ARG" => {
                for (word, _) in dockerfile::words(&instruction.args, self.escape) {
                    let (name, default) = match word.split_once('=') {
                        Some((name, value)) => (name.to_string(), Some(value.to_string())),
                        None => (word.clone(), None),
                    };
                    let value = match default {
                        Some(value) => dockerfile::substitute(&value, &self.lookup()),
                        None => self
                            .global_args
                            .iter()
                            .rev()
                            .find(|(n, _)| *n == name)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default(),
                    };
                    match self.state() {
                        Some(state) => state.args.push((name, value)),
                        None => self.global_args.push((name, value)),
                    }
                }
            }
            "ENV" => self.env(index, instruction),
            "USER" => {
                let user = dockerfile::substitute(instruction.args.trim(), &self.lookup());
                if let Some(state) = self.state() {
                    state.user = user.clone();
                }
                if let Some(stage) = self.stages.last_mut() {
                    stage.final_user = user;
                }
            }
            "SHELL" => {
                if let (Some(argv), Some(state)) = (instruction.json.clone(), self.state()) {
                    state.shell = argv;
                }
            }
            "RUN" => self.run(index, instruction, file),
            _ => {}
        }
    }

    fn from(&mut self, instruction: &Instruction) {
        let words = dockerfile::words(&instruction.args, self.escape);
        let lookup = |name: &str| {
            self.global_args
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let image = words
            .first()
            .map(|(w, _)| dockerfile::substitute(w, &lookup))
            .unwrap_or_default();
        let name = match words.as_slice() {
            [_, (as_word, _), (name, _), ..] if as_word.eq_ignore_ascii_case("as") => {
                Some(name.to_ascii_lowercase())
            }
            _ => None,
        };
        // `FROM earlier-stage` starts from that stage's state.
        let parent = self
            .stages
            .iter()
            .position(|stage| stage.name.as_deref() == Some(image.to_ascii_lowercase().as_str()));
        let state = match parent {
            Some(parent) => {
                let mut state = self.stage_state[parent].clone();
                state.args.clear();
                state
            }
            None => StageState {
                user: "root".to_string(),
                shell: vec!["/bin/sh".to_string(), "-c".to_string()],
                ..StageState::default()
            },
        };
        self.stages.push(Stage {
            image,
            name,
            from_range: instruction.range.clone(),
            final_user: state.user.clone(),
        });
        self.stage_state.push(state);
    }

    fn env(&mut self, index: usize, instruction: &Instruction) {
        let words = dockerfile::words(&instruction.args, self.escape);
        let pairs: Vec<(String, String)> = if words.first().is_some_and(|(w, _)| w.contains('=')) {
            words
                .iter()
                .filter_map(|(word, _)| {
                    word.split_once('=')
                        .map(|(n, v)| (n.to_string(), v.to_string()))
                })
                .collect()
        } else {
            // The legacy form: `ENV NAME value with spaces`.
            let text = instruction.args.trim();
            match text.split_once([' ', '\t']) {
                Some((name, value)) => vec![(name.to_string(), value.trim().to_string())],
                None => Vec::new(),
            }
        };
        let stage = self.stages.len().saturating_sub(1);
        for (name, raw) in pairs {
            let value = dockerfile::substitute(&raw, &self.lookup());
            let value_range = locate_value(self.source, instruction, &name);
            self.env_settings.push(EnvSetting {
                instruction: index,
                stage,
                name: name.clone(),
                raw: raw.replace('\u{0}', ""),
                value: value.clone(),
                value_range,
                range: instruction.range.clone(),
            });
            if let Some(state) = self.state() {
                state.env.push((name, value));
            }
        }
    }

    fn run(&mut self, index: usize, instruction: &Instruction, file: &Dockerfile) {
        let Some(state) = self.stage_state.last().cloned() else {
            return;
        };
        let mut env = state.args.clone();
        env.extend(state.env.iter().cloned());
        let home = home_of(&state.user, &state.env);
        let (shell, text) = match &instruction.json {
            Some(_) => (None, Vec::new()),
            None => shell_code(self.source, instruction, file.escape, &state.shell),
        };
        let parse = shell.map(|shell| condago_syntax::parse(&text, shell, self.budget));
        // `RUN <<EOF bash`: the heredoc is run by the shell the command names.
        let named: Vec<&str> = instruction
            .args
            .split_whitespace()
            .filter(|word| !word.starts_with("<<"))
            .collect();
        let shell_argv =
            if !instruction.heredocs.is_empty() && heredoc_shell(&named.join(" ")).is_some() {
                named.iter().map(|word| word.to_string()).collect()
            } else {
                state.shell.clone()
            };
        self.runs.push(Run {
            instruction: index,
            stage: self.stages.len().saturating_sub(1),
            range: instruction.range.clone(),
            shell,
            shell_argv,
            user: state.user.clone(),
            home,
            env,
            text,
            parse,
        });
    }
}

/// The byte range of `NAME`'s value in an `ENV` instruction (quotes included).
fn locate_value(source: &[u8], instruction: &Instruction, name: &str) -> Option<Range<usize>> {
    let text = &source[instruction.args_range.clone()];
    let text = std::str::from_utf8(text).ok()?;
    let key = format!("{name}=");
    let mut search = 0;
    while let Some(found) = text[search..].find(&key) {
        let at = search + found;
        let boundary = at == 0 || text[..at].ends_with([' ', '\t', '\n']);
        if boundary {
            let start = at + key.len();
            let bytes = text.as_bytes();
            let mut end = start;
            let mut quote = None;
            while end < bytes.len() {
                let b = bytes[end];
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'\\' => end += 1,
                    None if b == b' ' || b == b'\t' || b == b'\n' || b == b'\r' => break,
                    None => {}
                }
                end += 1;
            }
            let end = end.min(bytes.len());
            let base = instruction.args_range.start;
            return Some(base + start..base + end);
        }
        search = at + key.len();
    }
    // Legacy form: everything after the name.
    let rest = text.trim_start().strip_prefix(name)?;
    let value_start = text.len() - rest.len() + (rest.len() - rest.trim_start().len());
    let base = instruction.args_range.start;
    Some(base + value_start..base + text.trim_end().len())
}

/// This `RUN`'s shell code at its own offsets, everything else blank, and the shell that
/// runs it.
fn shell_code(
    source: &[u8],
    instruction: &Instruction,
    escape: u8,
    shell_argv: &[String],
) -> (Option<Shell>, Vec<u8>) {
    let mut text: Vec<u8> = source
        .iter()
        .map(|b| if *b == b'\n' { b'\n' } else { b' ' })
        .collect();
    let mut shell = shell_argv.first().and_then(|p| shell_of(p));
    let copy = |text: &mut Vec<u8>, range: &Range<usize>| {
        text[range.clone()].copy_from_slice(&source[range.clone()]);
    };
    let command = instruction.args.trim();
    let marker_only = !instruction.heredocs.is_empty() && {
        let mut rest = command.to_string();
        for heredoc in &instruction.heredocs {
            let marker = String::from_utf8_lossy(&source[heredoc.marker_range.clone()]).to_string();
            rest = rest.replacen(&marker, "", 1);
        }
        rest.trim().is_empty() || heredoc_shell(rest.trim()).is_some()
    };
    if marker_only {
        // `RUN <<EOF` (or `RUN <<EOF bash`): the heredoc is the script.
        let rest = command.split_whitespace().find(|w| !w.starts_with("<<"));
        if let Some(named) = rest.and_then(heredoc_shell) {
            shell = Some(named);
        }
        for heredoc in &instruction.heredocs {
            copy(&mut text, &heredoc.body);
        }
        return (shell, text);
    }
    copy(&mut text, &instruction.args_range);
    for heredoc in &instruction.heredocs {
        copy(&mut text, &heredoc.body);
        if let Some(terminator) = &heredoc.terminator {
            copy(&mut text, terminator);
        }
    }
    // Lines the builder drops, newline included: the shell must not end the command there.
    for dropped in &instruction.dropped_lines {
        let end = (dropped.end + 1).min(text.len());
        for byte in &mut text[dropped.start..end] {
            *byte = b' ';
        }
        // A `\r` before the newline was part of the line range already.
    }
    // Every continuation as the shell's own: `\` right before the newline.
    for continuation in &instruction.continuations {
        let range = continuation.clone();
        if range.len() < 2 {
            continue;
        }
        for byte in &mut text[range.clone()] {
            *byte = b' ';
        }
        let newline = range.end - 1;
        if source[newline] == b'\n' {
            text[newline - 1] = b'\\';
            text[newline] = b'\n';
        }
    }
    let _ = escape;
    (shell, text)
}

/// A heredoc `RUN`'s command when it only names a shell (`bash`, `/bin/sh -e`).
fn heredoc_shell(command: &str) -> Option<Shell> {
    let mut words = command.split_whitespace();
    let shell = shell_of(words.next()?)?;
    words.all(|w| w.starts_with('-')).then_some(shell)
}

/// The startup files each `RUN` writes to.
fn startup_writes(build: &Build, source: &[u8]) -> Vec<StartupWrite> {
    let _ = source;
    let mut writes = Vec::new();
    for (run_index, run) in build.runs.iter().enumerate() {
        let Some(model) = build.run_model(run, Path::new("Dockerfile")) else {
            continue;
        };
        let statements = &model.statements;
        for (at, statement) in statements.iter().enumerate() {
            let StatementKind::Command(command) = &statement.kind else {
                continue;
            };
            let name = command.name.as_deref().unwrap_or("");
            let base = name.rsplit('/').next().unwrap_or(name);
            if matches!(base, "conda" | "mamba" | "micromamba")
                && command_words(command).first().map(String::as_str) == Some("init")
                || base == "micromamba"
                    && command_words(command).starts_with(&["shell".into(), "init".into()])
            {
                for file in init_files(command, &run.home) {
                    writes.push(StartupWrite {
                        run: run_index,
                        range: statement.range.clone(),
                        file,
                        what: Written::CondaInit,
                        user: run.user.clone(),
                    });
                }
                continue;
            }
            if let Some(file) = appended_file(command, &model, statement) {
                let content = appended_content(&model, statements, at);
                let what = if content.contains("conda.sh")
                    || content.contains("shell.bash hook")
                    || content.contains("shell.zsh hook")
                    || content.contains("shell.posix hook")
                {
                    Written::CondaHook
                } else if content.contains("conda activate") || content.contains("mamba activate") {
                    Written::CondaActivate
                } else {
                    Written::Other
                };
                writes.push(StartupWrite {
                    run: run_index,
                    range: statement.range.clone(),
                    file: resolve_home(&file, &run.home),
                    what,
                    user: run.user.clone(),
                });
            }
        }
    }
    writes
}

/// A command's arguments as plain text.
pub fn command_words(command: &Command) -> Vec<String> {
    command
        .args
        .iter()
        .map(|word| word.literal().unwrap_or_default())
        .collect()
}

/// The files `conda init [shells]` writes for a user whose home is `home`.
fn init_files(command: &Command, home: &str) -> Vec<String> {
    let words = command_words(command);
    let shells: Vec<&str> = words
        .iter()
        .skip(1)
        .filter(|w| !w.starts_with('-'))
        .map(String::as_str)
        .collect();
    let all = words.iter().any(|w| w == "--all");
    let mut files = Vec::new();
    let wants =
        |shell: &str| all || shells.contains(&shell) || (shells.is_empty() && shell == "bash");
    if wants("bash") {
        files.push(format!("{home}/.bashrc"));
    }
    if wants("zsh") {
        files.push(format!("{home}/.zshrc"));
    }
    if wants("fish") {
        files.push(format!("{home}/.config/fish/config.fish"));
    }
    files
}

/// `~/x`, `$HOME/x`, `${HOME}/x` for a user whose home is `home`.
fn resolve_home(file: &str, home: &str) -> String {
    for prefix in ["~/", "$HOME/", "${HOME}/"] {
        if let Some(rest) = file.strip_prefix(prefix) {
            return format!("{home}/{rest}");
        }
    }
    file.to_string()
}

/// The file a command appends to: `… >> FILE`, or `tee -a FILE`.
fn appended_file(command: &Command, model: &StartupFile, statement: &Statement) -> Option<String> {
    let mut redirects: Vec<String> = command.redirects.clone();
    // A redirection written after the command's words sits after the statement's range.
    let rest = model.text(statement.range.end..model.source.len());
    let tail: String = rest
        .chars()
        .take_while(|c| !matches!(c, '\n' | ';' | '&' | '|'))
        .collect();
    redirects.push(tail.trim().to_string());
    for redirect in &redirects {
        let text = redirect.trim();
        if let Some(rest) = text.strip_prefix(">>") {
            let file = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(['"', '\'']);
            if is_startup_path(file) {
                return Some(file.to_string());
            }
        }
    }
    if command.name.as_deref() == Some("tee") {
        let words = command_words(command);
        if words.iter().any(|w| w == "-a" || w == "--append") {
            let file = words.iter().find(|w| !w.starts_with('-'))?;
            if is_startup_path(file) {
                return Some(file.clone());
            }
        }
    }
    None
}

/// What an appending command writes: its own arguments, or those of the `echo`/`printf`
/// piped into a `tee -a`.
fn appended_content(model: &StartupFile, statements: &[Statement], at: usize) -> String {
    let statement = &statements[at];
    let own = model.text(statement.range.clone()).to_string();
    if own.trim_start().starts_with("tee") && at > 0 {
        return model.text(statements[at - 1].range.clone()).to_string();
    }
    own
}

/// Whether a path names a shell startup file.
pub fn is_startup_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        ".bashrc"
            | "bash.bashrc"
            | ".bash_profile"
            | ".profile"
            | ".zshrc"
            | ".zshenv"
            | ".zprofile"
            | "zshrc"
            | "zshenv"
            | "profile"
            | "config.fish"
    ) || path.contains("/profile.d/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKERFILE: &str = "FROM mcr.microsoft.com/devcontainers/go:1.22-bookworm\nARG CONDA_DIR=/opt/conda\nENV PATH=\"${CONDA_DIR}/bin:$PATH\"\nRUN conda init bash && \\\n    # comment\n    echo \"source /opt/conda/etc/profile.d/conda.sh\" >> /etc/bash.bashrc\nUSER vscode\nSHELL [\"/bin/bash\", \"-c\"]\nRUN go env -w GOPATH=/workspace/go\n";

    #[test]
    fn runs_get_env_user_home_and_shell() {
        let build = Build::new(DOCKERFILE.as_bytes(), &Budget::default());
        assert_eq!(build.runs.len(), 2);
        let first = &build.runs[0];
        assert_eq!(first.user, "root");
        assert_eq!(first.home, "/root");
        assert_eq!(first.shell, Some(Shell::Sh));
        assert!(first
            .env
            .iter()
            .any(|(n, v)| n == "PATH" && v == "/opt/conda/bin:$PATH"));
        let second = &build.runs[1];
        assert_eq!(second.user, "vscode");
        assert_eq!(second.home, "/home/vscode");
        assert_eq!(second.shell, Some(Shell::Bash));
        assert_eq!(build.final_user(), Some("vscode"));
    }

    #[test]
    fn run_code_keeps_dockerfile_offsets() {
        let build = Build::new(DOCKERFILE.as_bytes(), &Budget::default());
        let run = &build.runs[0];
        assert_eq!(run.text.len(), DOCKERFILE.len());
        let parse = run.parse.as_ref().expect("container test setup");
        assert!(!parse
            .tree
            .as_ref()
            .expect("container test setup")
            .root_node()
            .has_error());
        let at = DOCKERFILE.find("conda init").expect("container test setup");
        assert_eq!(&run.text[at..at + 10], b"conda init");
        assert!(!String::from_utf8_lossy(&run.text).contains("comment"));
    }

    #[test]
    fn startup_writes_are_found_with_their_user() {
        let build = Build::new(DOCKERFILE.as_bytes(), &Budget::default());
        let writes: Vec<(&str, &Written)> = build
            .startup_writes
            .iter()
            .map(|w| (w.file.as_str(), &w.what))
            .collect();
        assert_eq!(
            writes,
            vec![
                ("/root/.bashrc", &Written::CondaInit),
                ("/etc/bash.bashrc", &Written::CondaHook)
            ]
        );
    }
}
