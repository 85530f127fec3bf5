//! The output of commands in command substitutions: the few whose output the model can know
//! without running them (`id -u`, `uname`, `dirname`, conda's hook…); everything else is an
//! unknown stretch that says which command made it.

use crate::engine::Engine;
use crate::posix::words::Expand;
use crate::value::Value;

/// Tools whose init output sets prompts, colours, completion or agents, never `PATH`. An
/// `eval` of their output is not a gap in the model.
const HARMLESS_TOOLS: &[&str] = &[
    "dircolors",
    "lesspipe",
    "lesspipe.sh",
    "starship",
    "zoxide",
    "direnv",
    "thefuck",
    "fzf",
    "ssh-agent",
    "atuin",
    "mcfly",
    "register-python-argcomplete",
    "tput",
];

impl Engine<'_> {
    /// What a command prints, when the model can know it: output and status.
    pub(crate) fn known_output(&mut self, words: &[Value]) -> Option<(Value, Option<i32>)> {
        let texts: Option<Vec<String>> = words.iter().map(Value::known).collect();
        let name = words.first()?.known()?;
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        if let Some(texts) = &texts {
            if let Some(result) = self.hook_output(&name, &texts[1..]) {
                return Some(result);
            }
            if let Some(result) = self.init_output(texts) {
                return Some(result);
            }
        }
        let args: Vec<String> = texts?.into_iter().skip(1).collect();
        let arg = |i: usize| args.get(i).map(String::as_str);
        let text = |s: String| Some((Value::text(s), Some(0)));
        match base.as_str() {
            "id" if arg(0) == Some("-u") && args.len() == 1 => {
                let uid = self.inputs.uid?;
                text(uid.to_string())
            }
            "uname" if args.is_empty() || (arg(0) == Some("-s") && args.len() == 1) => {
                text(match std::env::consts::OS {
                    "linux" => "Linux".to_string(),
                    "macos" => "Darwin".to_string(),
                    "freebsd" => "FreeBSD".to_string(),
                    other => other.to_string(),
                })
            }
            "dirname" if args.len() == 1 => text(dirname(&args[0])),
            "basename" if !args.is_empty() && args.len() <= 2 => {
                let mut name = args[0]
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string();
                if let Some(suffix) = arg(1) {
                    if name != suffix {
                        if let Some(stripped) = name.strip_suffix(suffix) {
                            name = stripped.to_string();
                        }
                    }
                }
                text(name)
            }
            "echo" if args.iter().all(|a| !a.starts_with('-')) => text(args.join(" ")),
            "printf" if arg(0) == Some("%s") => text(args[1..].join("")),
            "printf" if args.len() == 1 && !args[0].contains('%') && !args[0].contains('\\') => {
                text(args[0].clone())
            }
            "cat" if args.len() == 1 && !args[0].starts_with('-') => match self.fs.read(&args[0]) {
                Some(bytes) => text(String::from_utf8_lossy(&bytes).into_owned()),
                None => Some((Value::default(), Some(1))),
            },
            "pwd" if args.is_empty() => text(self.home()),
            "command" if arg(0) == Some("-v") && args.len() == 2 => {
                match self.find_on_path(&args[1]) {
                    Some(Some(path)) => text(path),
                    Some(None) => Some((Value::default(), Some(1))),
                    None => None,
                }
            }
            "path_helper" if arg(0) == Some("-s") && self.fs.is_executable(&name) => {
                // Its output is `PATH="…"; export PATH;`: modelled when it is run, so the
                // entries it keeps keep their lines.
                self.hooks.push(crate::engine::Hook {
                    tool: crate::conda::Tool::PathHelper,
                    exe: name.clone(),
                    base: String::new(),
                    shell: String::new(),
                    init: None,
                });
                Some((Value::hook((self.hooks.len() - 1) as u32), Some(0)))
            }
            "true" => Some((Value::default(), Some(0))),
            "false" => Some((Value::default(), Some(1))),
            _ => None,
        }
    }

    /// macOS `path_helper`: `PATH` becomes the lines of `/etc/paths`, then of each file in
    /// `/etc/paths.d` in name order, then the current entries not yet listed (which keep
    /// the lines that put them there).
    pub(crate) fn path_helper(&mut self, site: u32) {
        let mut files = vec!["/etc/paths".to_string()];
        let mut names = self.fs.list("/etc/paths.d");
        names.sort();
        files.extend(names.into_iter().map(|n| format!("/etc/paths.d/{n}")));
        let mut listed: Vec<String> = Vec::new();
        for file in files {
            let Some(bytes) = self.fs.read(&file) else {
                continue;
            };
            for line in String::from_utf8_lossy(&bytes).lines() {
                let line = line.trim();
                if !line.is_empty() && !listed.iter().any(|d| d == line) {
                    listed.push(line.to_string());
                }
            }
        }
        let current = self.path_items();
        let mut items: Vec<Value> = listed
            .iter()
            .map(|dir| {
                current
                    .iter()
                    .find(|e| e.known().as_deref() == Some(dir.as_str()))
                    .cloned()
                    .unwrap_or_else(|| Value::text(dir.clone()))
            })
            .collect();
        for entry in current {
            let known = entry.known();
            if known.as_ref().is_none_or(|t| !listed.contains(t)) {
                items.push(entry);
            }
        }
        let site = match self.trace.sites.get(site as usize).cloned() {
            Some(s) => self.site_with(
                s.read,
                s.line,
                Some("path_helper: /etc/paths, /etc/paths.d".to_string()),
            ),
            None => site,
        };
        self.store_path(items, site);
        self.state.status = Some(0);
    }

    /// An unknown stretch for the output of `command`; marked harmless for tools whose
    /// output never touches `PATH`.
    pub(crate) fn unknown_output(&mut self, command: &str) -> Value {
        // The command's name: the first word that is not an assignment (`SHELL=/bin/sh lesspipe`).
        let first = command
            .split_whitespace()
            .find(|word| {
                let name = word.split('=').next().unwrap_or("");
                !(word.contains('=')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            })
            .unwrap_or("");
        let first = first.trim_matches(['"', '\'']);
        let base = first.rsplit('/').next().unwrap_or(first);
        let shown = crate::posix::first_line(command);
        let id = self.unknown(format!("the output of `{shown}`"));
        let harmless = HARMLESS_TOOLS.contains(&base)
            || command.contains(" completion")
            || command.contains("--completion");
        if harmless {
            self.harmless.insert(id);
        }
        Value::unknown(id)
    }

    /// Whether every unknown stretch of a value comes from a harmless tool.
    pub(crate) fn is_harmless(&self, value: &Value) -> bool {
        let mut any = false;
        for piece in &value.0 {
            if let crate::value::Chunk::Unknown(id) = piece.chunk {
                if !self.harmless.contains(&id) {
                    return false;
                }
                any = true;
            }
        }
        any
    }

    /// `$(…)` and backquotes in bash and zsh: runs in a subshell, so nothing it does stays.
    pub(crate) fn command_output(&mut self, inner: &str, site: u32) -> Value {
        let trimmed = inner.trim();
        if let Some(file) = trimmed.strip_prefix('<').filter(|f| !f.starts_with('<')) {
            let path = self.expand_scalar(file.trim(), site).known();
            self.subst_status = Some(Some(0));
            return match path.and_then(|p| self.fs.read(&p)) {
                Some(bytes) => {
                    let mut value = Value::text(String::from_utf8_lossy(&bytes).into_owned());
                    value.trim_trailing_newlines();
                    value
                }
                None => self.unknown_output(trimmed),
            };
        }
        let saved = self.state.clone();
        let mut result = self.simple_output(trimmed, site);
        self.state = saved;
        if result.is_none() {
            result = self.captured_output(trimmed);
        }
        let (mut value, status) = match result {
            Some(result) => result,
            None => (self.unknown_output(trimmed), None),
        };
        value.trim_trailing_newlines();
        self.subst_status = Some(status);
        value
    }

    /// Runs the code of a command substitution as the subshell it is, collecting what
    /// `echo` and `printf` (and commands whose output is known) print. Nothing it does stays.
    fn captured_output(&mut self, code: &str) -> Option<(Value, Option<i32>)> {
        if self.state.capture.is_some() || self.depth >= crate::engine::MAX_DEPTH {
            return None;
        }
        let source = self.parse_text(code, self.syntax(), "$(…)");
        let tree = source.tree.as_ref()?;
        if tree.root_node().has_error() {
            return None;
        }
        let saved = self.state.clone();
        let marks = self.trace_marks();
        self.sources_in_use.push(std::rc::Rc::clone(&source));
        self.state.capture = Some((Value::default(), false));
        self.depth += 1;
        let _ = self.run_subshell(&source);
        self.depth -= 1;
        let capture = self.state.capture.take();
        let status = self.state.status;
        self.state = saved;
        self.reset_trace(marks);
        match capture {
            Some((value, false)) => Some((value, status)),
            _ => None,
        }
    }

    /// Records what a command prints while output is captured; false when not capturing.
    pub(crate) fn capture_output(&mut self, name: &str, args: &[Value]) -> bool {
        if self.state.capture.is_none() {
            return false;
        }
        if self.capture_muted > 0 {
            return true;
        }
        let mut words = vec![Value::text(name)];
        words.extend(args.iter().cloned());
        let printed = match name {
            "echo" | "print" => {
                let texts: Option<Vec<String>> = args.iter().map(Value::known).collect();
                match texts {
                    Some(texts) if texts.first().is_some_and(|t| t == "-n") => {
                        Some(Value::text(texts[1..].join(" ")))
                    }
                    Some(texts)
                        if !texts.iter().any(|t| t.starts_with('-') || t.contains('\\')) =>
                    {
                        Some(Value::text(format!("{}\n", texts.join(" "))))
                    }
                    _ => None,
                }
            }
            _ => self.known_output(&words).map(|(value, _)| value),
        };
        if let Some((output, unknown)) = self.state.capture.as_mut() {
            match printed {
                Some(value) => output.append(&value),
                None => *unknown = true,
            }
        }
        true
    }

    fn simple_output(&mut self, code: &str, site: u32) -> Option<(Value, Option<i32>)> {
        let source = self.parse_text(code, self.syntax(), "$(…)");
        let tree = source.tree.as_ref()?;
        let root = tree.root_node();
        if root.has_error() {
            return None;
        }
        let mut cursor = root.walk();
        let statements: Vec<_> = root
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect();
        let [statement] = statements.as_slice() else {
            return None;
        };
        let command = match statement.kind() {
            "command" => *statement,
            "redirected_statement" => statement
                .child_by_field_name("body")
                .filter(|b| b.kind() == "command")?,
            _ => return None,
        };
        let name = command.child_by_field_name("name")?;
        let mut words = self
            .expand_fields(source.node_text(name), Expand::ARGUMENT, site)
            .fields;
        let mut cursor = command.walk();
        let args: Vec<_> = command
            .children_by_field_name("argument", &mut cursor)
            .collect();
        for arg in args {
            words.extend(
                self.expand_fields(source.node_text(arg), Expand::ARGUMENT, site)
                    .fields,
            );
        }
        if let Some(known) = self.known_output(&words) {
            return Some(known);
        }
        self.not_found_output(&words)
    }

    /// A command that is not there prints nothing and fails with 127.
    pub(crate) fn not_found_output(&self, words: &[Value]) -> Option<(Value, Option<i32>)> {
        let name = words.first()?.known()?;
        if self.state.functions.contains_key(&name) {
            return None;
        }
        match self.find_on_path(&name) {
            Some(None) => Some((Value::default(), Some(127))),
            _ => None,
        }
    }
}

fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.starts_with('/') {
            "/".to_string()
        } else {
            ".".to_string()
        };
    }
    match trimmed.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((parent, _)) => {
            let parent = parent.trim_end_matches('/');
            if parent.is_empty() {
                "/".to_string()
            } else {
                parent.to_string()
            }
        }
        None => ".".to_string(),
    }
}
