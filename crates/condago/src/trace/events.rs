//! What each shell prints when it traces its startup, and how that becomes `PATH` changes
//! at `file:line`.
//!
//! - bash: `-x`, the trace on its own fd (`BASH_XTRACEFD=9`), `PS4` carrying
//!   `${BASH_SOURCE}`, `${LINENO}` and `${PATH}` before each command. bash run as root
//!   (effective uid 0) ignores `PS4` from the environment and traces with `+ `: then the
//!   lines come from matching the commands with the files' text, as for fish.
//! - zsh: `-x` with `PS4` from the environment carrying `%x` (the file) and `%I` (its line);
//!   `PATH` is followed through the assignments the trace shows.
//! - fish: `fish_trace`, which prints each command with its nesting and no line: each
//!   `source` says which file runs, and its line is found by matching the command with
//!   the file's text.

use std::collections::HashMap;

use condago_startup::{Startup, StartupShell};

use super::{split_path, Attribution, Stuck, TracedChange, FINAL_MARK};

/// Separates the fields of a traced line; no startup file prints it.
const SEP: &str = "@@@";

/// The variables that turn tracing on (the startup files see them too).
pub(crate) fn tracing_env(shell: StartupShell) -> Vec<(String, String)> {
    let pair = |k: &str, v: String| (k.to_string(), v);
    match shell {
        StartupShell::Bash => vec![
            pair("BASH_XTRACEFD", "9".into()),
            pair(
                "PS4",
                format!("+{SEP}${{BASH_SOURCE}}{SEP}${{LINENO}}{SEP}${{PATH}}{SEP} "),
            ),
        ],
        StartupShell::Zsh => vec![pair("PS4", format!("+{SEP}%x{SEP}%I{SEP}%e{SEP}%N{SEP} "))],
        StartupShell::Fish => vec![pair("fish_trace", "1".into())],
    }
}

/// The flags that start `shell` traced in `mode`, before `-c`.
pub(crate) fn shell_flags(shell: StartupShell, mode: condago_startup::Mode) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if shell != StartupShell::Fish {
        flags.push("-x");
    }
    if mode.interactive() {
        flags.push("-i");
    }
    if mode.login() {
        flags.push("-l");
    }
    flags
}

/// The `-c` command: prints `PATH` once the startup files are done.
pub(crate) fn final_probe(shell: StartupShell) -> String {
    match shell {
        StartupShell::Fish => {
            format!("printf '\\n%s%s\\n' '{FINAL_MARK}' (string join : -- $PATH)")
        }
        _ => format!("printf '\\n%s%s\\n' '{FINAL_MARK}' \"$PATH\""),
    }
}

/// One traced command.
#[derive(Debug, Clone, Default)]
pub(crate) struct Event {
    /// Nesting: bash's repeated `+`, fish's dashes; 1 at the top.
    pub depth: usize,
    pub file: Option<String>,
    pub line: Option<usize>,
    /// `PATH` before the command (bash's `PS4`).
    pub path: Option<String>,
    pub command: String,
}

/// Parses the trace: bash's from its own fd, zsh's and fish's from standard error.
pub(crate) fn parse(shell: StartupShell, xtrace: &str, stderr: &str) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    let source = if shell == StartupShell::Bash {
        xtrace
    } else {
        stderr
    };
    for line in source.lines() {
        let event = match shell {
            StartupShell::Bash => bash_line(line),
            StartupShell::Zsh => zsh_line(line),
            StartupShell::Fish => fish_line(line),
        };
        match event {
            Some(event) => {
                if event.command.contains(FINAL_MARK) {
                    break;
                }
                events.push(event);
            }
            // A command printed over several lines (bash's trace fd has nothing else).
            None if shell == StartupShell::Bash => {
                if let Some(last) = events.last_mut() {
                    last.command.push('\n');
                    last.command.push_str(line);
                }
            }
            None => {}
        }
    }
    if shell == StartupShell::Zsh {
        place_evals(&mut events);
    }
    events
}

fn bash_line(line: &str) -> Option<Event> {
    let depth = line.chars().take_while(|&c| c == '+').count();
    if depth == 0 {
        return None;
    }
    let rest = &line[depth..];
    if let Some(fields) = rest.strip_prefix(SEP) {
        let mut parts = fields.splitn(4, SEP);
        let file = parts.next()?.to_string();
        let number = parts.next()?.parse().ok();
        let path = parts.next()?.to_string();
        let command = parts.next()?.strip_prefix(' ').unwrap_or("").to_string();
        return Some(Event {
            depth,
            file: Some(file).filter(|f| !f.is_empty()),
            line: number,
            path: Some(path),
            command,
        });
    }
    // bash as root: `PS4` from the environment was ignored, the prefix is `+ `.
    let command = rest.strip_prefix(' ')?;
    Some(Event {
        depth,
        command: command.to_string(),
        ..Event::default()
    })
}

/// zsh's `%e` is the evaluation depth; `%N` is `(eval)` inside `eval`, else the function
/// running. Inside `eval`, and inside a function `eval` defined, `%I` is no line of the
/// file: such commands belong to the line that ran the `eval` or called the function.
fn zsh_line(line: &str) -> Option<Event> {
    let fields = line.strip_prefix('+')?.strip_prefix(SEP)?;
    let mut parts = fields.splitn(5, SEP);
    let file = parts.next()?.to_string();
    let scope_file = file.clone();
    let number = parts.next()?.parse().ok();
    let depth = parts.next()?.parse().unwrap_or(1);
    let name = parts.next()?;
    let command = parts
        .next()?
        .strip_prefix(' ')
        .unwrap_or("")
        .trim_end()
        .to_string();
    Some(Event {
        depth,
        file: Some(file),
        line: number,
        // Not a `PATH`: where the command runs, when not at the top of its file.
        path: (name != scope_file).then(|| name.to_string()),
        command,
    })
}

/// Gives each command run by `eval`, or by a function its file does not define, the place
/// of the command that ran it (zsh).
fn place_evals(events: &mut [Event]) {
    let mut places: Vec<(usize, Option<String>, Option<usize>)> = Vec::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut defined: HashMap<(String, String), bool> = HashMap::new();
    for event in events.iter_mut() {
        let borrowed = match event.path.take() {
            None => false,
            Some(scope) if scope == "(eval)" => true,
            Some(function) => {
                let file = event.file.clone().unwrap_or_default();
                let known = defined.entry((file.clone(), function.clone()));
                !*known.or_insert_with(|| {
                    let text = texts
                        .entry(file.clone())
                        .or_insert_with(|| std::fs::read_to_string(&file).unwrap_or_default());
                    text.lines().any(|line| defines(line, &function))
                })
            }
        };
        places.retain(|(depth, _, _)| *depth < event.depth);
        if borrowed {
            if let Some((_, file, line)) = places.last() {
                event.file = file.clone();
                event.line = *line;
            }
        } else {
            places.push((event.depth, event.file.clone(), event.line));
        }
    }
}

fn fish_line(line: &str) -> Option<Event> {
    let dashes = line.chars().take_while(|&c| c == '-').count();
    let rest = &line[dashes..];
    let command = match rest.strip_prefix("> ") {
        Some(command) => command,
        None if rest == ">" => "",
        None => return None,
    };
    Some(Event {
        depth: dashes + 1,
        command: command.to_string(),
        ..Event::default()
    })
}

/// What a shell says because the trace gives it no terminal and no `TERM`, not because of
/// the startup files.
const NO_TERMINAL: &[&str] = &[
    "cannot set terminal process group",
    "no job control in this shell",
    "warning: Could not set up terminal.",
    "warning: TERM environment variable not set.",
    "warning: Using fallback terminal type",
];

/// Standard error without the trace's own lines (zsh and fish trace there), nor the
/// shell's remarks on having no terminal.
pub(crate) fn strip_trace_lines(shell: StartupShell, stderr: &str) -> String {
    let mut out = String::new();
    for line in stderr.lines() {
        if NO_TERMINAL.iter().any(|n| line.contains(n)) {
            continue;
        }
        let traced = match shell {
            StartupShell::Bash => false,
            StartupShell::Zsh => zsh_line(line).is_some(),
            StartupShell::Fish => fish_line(line).is_some(),
        };
        if !traced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The timeline built from the events.
#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub changes: Vec<TracedChange>,
    /// Files that ran commands, in order of first use.
    pub files: Vec<String>,
    /// Files read by `source`/`.`: (file, the line that read it, depth).
    pub sourced_from: Vec<(String, (String, usize), usize)>,
    pub attribution: Attribution,
    pub untracked: bool,
    /// The last command traced (where a timeout struck).
    pub last_place: Stuck,
}

/// Turns events into `PATH` changes at their lines.
pub(crate) fn build(
    shell: StartupShell,
    events: &[Event],
    inherited: &[String],
    final_path: Option<&[String]>,
    model: &Startup,
) -> Built {
    let mut events = events.to_vec();
    let exact = shell != StartupShell::Fish && events.iter().any(|e| e.file.is_some());
    let attribution = if exact {
        Attribution::Exact
    } else {
        align(shell, &mut events, model);
        Attribution::Matched
    };
    // The command `-c` runs is no startup file.
    let startup_file = |file: &Option<String>| {
        file.as_deref()
            .is_some_and(|f| f.contains('/') && !f.is_empty())
    };
    let mut changes = Vec::new();
    let mut current: Vec<String> = inherited.to_vec();
    // zsh: after `typeset -U path`, every assignment to `path` keeps the first of each
    // entry; after `typeset -U PATH`, assignments to `PATH` too.
    let (mut unique_array, mut unique_scalar) = (false, false);
    for (k, event) in events.iter().enumerate() {
        let after = if shell == StartupShell::Bash && exact {
            match events.get(k + 1).and_then(|e| e.path.as_deref()) {
                Some(path) => split_path(path),
                None => final_path
                    .map(<[String]>::to_vec)
                    .unwrap_or(current.clone()),
            }
        } else {
            let mut after = apply(shell, &event.command, &current);
            if shell == StartupShell::Zsh {
                let (array, scalar) = sets_unique(&event.command);
                unique_array |= array || scalar;
                unique_scalar |= scalar;
                let words = words(&event.command);
                let to_array = words.iter().any(|w| w == "path=(" || w == "path+=(");
                let to_scalar = words
                    .iter()
                    .any(|w| w.starts_with("PATH=") || w.starts_with("PATH+="));
                if (to_array && unique_array) || (to_scalar && unique_scalar) {
                    after = first_of_each(after);
                }
            }
            after
        };
        let before = match (&event.path, exact && shell == StartupShell::Bash) {
            (Some(path), true) => split_path(path),
            _ => current.clone(),
        };
        if after != before {
            changes.push(TracedChange {
                file: event.file.clone().filter(|_| startup_file(&event.file)),
                line: event.line.filter(|_| startup_file(&event.file)),
                command: event.command.clone(),
                before,
                after: after.clone(),
            });
        }
        current = after;
    }
    let mut untracked = false;
    if let Some(final_path) = final_path {
        if final_path != current.as_slice() {
            untracked = true;
            changes.push(TracedChange {
                file: None,
                line: None,
                command: String::new(),
                before: current.clone(),
                after: final_path.to_vec(),
            });
        }
    }
    let mut files: Vec<String> = Vec::new();
    for event in &events {
        if let Some(file) = event.file.as_ref().filter(|_| startup_file(&event.file)) {
            if !files.contains(file) {
                files.push(file.clone());
            }
        }
    }
    let mut sourced_from: Vec<(String, (String, usize), usize)> = Vec::new();
    for event in &events {
        let (Some(file), Some(line)) = (&event.file, event.line) else {
            continue;
        };
        let Some(target) = sourced_file(&event.command) else {
            continue;
        };
        let parent_depth = sourced_from
            .iter()
            .rev()
            .find(|(p, _, _)| p == file)
            .map(|(_, _, d)| *d)
            .unwrap_or(0);
        sourced_from.push((target, (file.clone(), line), parent_depth + 1));
    }
    let last_place = events
        .last()
        .map(|e| Stuck {
            file: e.file.clone(),
            line: e.line,
            command: e.command.clone(),
        })
        .unwrap_or(Stuck {
            file: None,
            line: None,
            command: String::new(),
        });
    Built {
        changes,
        files,
        sourced_from,
        attribution,
        untracked,
        last_place,
    }
}

/// The file a `source FILE` / `. FILE` command reads.
fn sourced_file(command: &str) -> Option<String> {
    let words = words(command);
    match words.first().map(String::as_str) {
        Some("source" | ".") => words.get(1).cloned(),
        _ => None,
    }
}

/// Splits a traced command into words, removing the quotes the trace added.
pub(crate) fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '\'' => break,
                        '\\' if matches!(chars.peek(), Some('\'' | '\\')) => {
                            // fish escapes `'` and `\` inside single quotes; bash and zsh
                            // close the quote instead (`'\''`), which also lands here.
                            if let Some(next) = chars.next() {
                                word.push(next);
                            }
                        }
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(next) = chars.next() {
                                word.push(next);
                            }
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// `PATH` after a traced command (bash without `PS4`, zsh, fish).
pub(crate) fn apply(shell: StartupShell, command: &str, path: &[String]) -> Vec<String> {
    let words = words(command);
    match shell {
        StartupShell::Fish => apply_fish(&words, path),
        _ => apply_posix(&words, path),
    }
}

fn apply_posix(words: &[String], original: &[String]) -> Vec<String> {
    let mut path = original.to_vec();
    let declaration = matches!(
        words.first().map(String::as_str),
        Some("export" | "declare" | "typeset" | "local" | "readonly")
    );
    let rest: &[String] = if declaration { &words[1..] } else { words };
    if declaration && sets_unique(&words.join(" ")) != (false, false) {
        return first_of_each(path);
    }
    let mut i = 0;
    while i < rest.len() {
        let word = &rest[i];
        if declaration && word.starts_with('-') {
            i += 1;
            continue;
        }
        if let Some(value) = word.strip_prefix("PATH=") {
            path = split_path(value);
        } else if let Some(value) = word.strip_prefix("PATH+=") {
            path = split_path(&format!("{}{value}", path.join(":")));
        } else if word == "path=(" || word == "path+=(" {
            let mut items = Vec::new();
            i += 1;
            while i < rest.len() && rest[i] != ")" {
                items.push(rest[i].clone());
                i += 1;
            }
            if word == "path=(" {
                path = items;
            } else {
                path.extend(items);
            }
        } else if !declaration && !is_assignment(word) {
            // `PATH=… command`: the assignment is for that command only.
            return original.to_vec();
        }
        i += 1;
    }
    path
}

/// zsh's `typeset -U path` / `typeset -U PATH` (`-gU`, …): whether it makes the array, and
/// the scalar, keep unique entries.
fn sets_unique(command: &str) -> (bool, bool) {
    let words = words(command);
    let unique = matches!(
        words.first().map(String::as_str),
        Some("typeset" | "declare" | "export" | "local")
    ) && words[1..]
        .iter()
        .any(|w| w.starts_with('-') && w.contains('U'));
    (
        unique && words[1..].iter().any(|w| w == "path"),
        unique && words[1..].iter().any(|w| w == "PATH"),
    )
}

/// The entries with later duplicates removed.
fn first_of_each(path: Vec<String>) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    for entry in path {
        if !unique.contains(&entry) {
            unique.push(entry);
        }
    }
    unique
}

fn is_assignment(word: &str) -> bool {
    let name: String = word
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && (word[name.len()..].starts_with('=')
            || word[name.len()..].starts_with("+=")
            || word[name.len()..].starts_with("=("))
}

fn apply_fish(words: &[String], path: &[String]) -> Vec<String> {
    let mut path = path.to_vec();
    if words.first().map(String::as_str) != Some("set") {
        return path;
    }
    let (mut append, mut prepend, mut erase) = (false, false, false);
    let mut i = 1;
    while i < words.len() && words[i].starts_with('-') {
        let flag = words[i].as_str();
        match flag {
            "--append" => append = true,
            "--prepend" => prepend = true,
            "--erase" => erase = true,
            "--query" | "--show" | "--names" | "--local" => return path,
            long if long.starts_with("--") => {}
            short => {
                append |= short.contains('a');
                prepend |= short.contains('p');
                erase |= short.contains('e');
                if short.contains('q') || short.contains('S') || short.contains('n') {
                    return path;
                }
                if short.contains('l') {
                    // A local PATH does not outlive the function or block.
                    return path;
                }
            }
        }
        i += 1;
    }
    let Some(name) = words.get(i) else {
        return path;
    };
    let values: Vec<String> = words[i + 1..]
        .iter()
        .flat_map(|v| v.split(':').map(str::to_string).collect::<Vec<_>>())
        .collect();
    if name == "PATH" {
        if erase {
            return Vec::new();
        }
        if append {
            path.extend(values);
        } else if prepend {
            let mut new = values;
            new.extend(path);
            path = new;
        } else {
            path = values;
        }
        return path;
    }
    if let Some(index) = name
        .strip_prefix("PATH[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|r| r.parse::<i64>().ok())
    {
        let len = path.len() as i64;
        let at = if index < 0 { len + index } else { index - 1 };
        if at >= 0 && at < len {
            let at = at as usize;
            if erase {
                path.remove(at);
            } else if let Some(value) = values.first() {
                path[at] = value.clone();
            }
        }
    }
    path
}

/// Where matching stands in a text: the line, and the commands already matched there.
type Cursor = (usize, Vec<Vec<String>>);

/// Fills in `file` and `line` for shells that print commands only: the file from the
/// `source` commands (and, for bash, the model's order of the files it reads by itself),
/// the line by matching each command with the file's text from where the last one matched.
fn align(shell: StartupShell, events: &mut [Event], model: &Startup) {
    let top_files: Vec<String> = model
        .files
        .iter()
        .filter(|f| f.depth == 0)
        .map(|f| f.path.clone())
        .collect();
    let mut texts: HashMap<String, Vec<String>> = HashMap::new();
    let mut cursors: HashMap<String, Cursor> = HashMap::new();
    // (file, depth of the command that sourced it)
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut top = 0usize;
    let mut last: (Option<String>, Option<usize>) = (None, None);
    let mut frames: Vec<usize> = Vec::new();
    let mut previous_depth = 0usize;
    let mut after_source = false;
    let mut callers: Vec<(usize, String)> = Vec::new();
    let mut previous_name: Option<String> = None;
    // (file, function) → where the last command in its body matched.
    let mut inner: HashMap<(String, String), Cursor> = HashMap::new();
    let mut bash_function: Option<String> = None;
    let mut masked: HashMap<String, Vec<String>> = HashMap::new();
    for event in events.iter_mut() {
        while stack.last().is_some_and(|(_, d)| event.depth <= *d) {
            stack.pop();
        }
        let (file, statement_depth) = match stack.last() {
            Some((file, d)) => (
                Some(file.clone()),
                d + if shell == StartupShell::Fish { 2 } else { 1 },
            ),
            None if shell == StartupShell::Bash => (top_files.get(top).cloned(), 1),
            None => (None, 1),
        };
        // A command deeper than the one before (not after a `source`) runs inside what
        // that one called: a function, `eval`, a command substitution.
        callers.retain(|(d, _)| *d < event.depth);
        if event.depth > previous_depth && !after_source {
            if let Some(name) = previous_name.take() {
                inner.retain(|(_, n), _| *n != name);
                callers.push((previous_depth, name));
            }
        }
        previous_name = words(&event.command).into_iter().next();
        // fish: a command two levels deeper than the one before (not after a `source`)
        // starts a function's body, whose lines are in another file or further up.
        frames.retain(|&d| event.depth >= d);
        if shell == StartupShell::Fish && event.depth >= previous_depth + 2 && !after_source {
            frames.push(event.depth);
        }
        previous_depth = event.depth;
        after_source = sourced_file(&event.command).is_some();
        let keys = keys(&event.command);
        let alignable = !keys.is_empty()
            && match shell {
                StartupShell::Fish => frames.is_empty(),
                _ => event.depth == statement_depth,
            };
        let mut placed = false;
        // bash prints a function's body at its caller's depth: while the commands match
        // the body of the function just called, they are its lines.
        if alignable {
            if let Some(name) = &bash_function {
                match in_function(&texts, &mut inner, name, &keys, false) {
                    Some((at_file, at)) => {
                        event.file = Some(at_file);
                        event.line = Some(at + 1);
                        continue;
                    }
                    None => bash_function = None,
                }
            }
        }
        if alignable {
            let mut candidates: Vec<String> = file.iter().cloned().collect();
            if stack.is_empty() && shell == StartupShell::Bash {
                candidates.extend(top_files.iter().skip(top + 1).cloned());
            }
            // Forward in this file, then in the files read after it, then this file again
            // from its start (a loop).
            let passes = candidates
                .iter()
                .enumerate()
                .map(|(n, c)| (n, c, false))
                .chain(candidates.first().map(|c| (0, c, true)));
            let bounded = shell == StartupShell::Bash;
            for (n, candidate, wrap) in passes {
                let raw = texts.entry(candidate.clone()).or_insert_with(|| {
                    std::fs::read_to_string(candidate)
                        .map(|t| t.lines().map(str::to_string).collect())
                        .unwrap_or_default()
                });
                let first = first_command(raw);
                // Function bodies run when called, not where they stand.
                let lines = &*masked
                    .entry(candidate.clone())
                    .or_insert_with(|| without_function_bodies(raw));
                let (cursor, matched) = cursors.entry(candidate.clone()).or_insert((0, Vec::new()));
                // bash: back up only inside a loop around the cursor (a function's body
                // printed at its caller's depth must not pull the cursor back).
                let back_to = if bounded && wrap {
                    loop_start(lines, *cursor)
                } else {
                    Some(0)
                };
                let found = match back_to {
                    Some(from) if wrap => (from..(*cursor).min(lines.len()))
                        .find(|&i| holds(lines, i, &keys))
                        .or_else(|| find_line(lines, *cursor, matched, &keys, false)),
                    Some(_) => find_line(lines, *cursor, matched, &keys, false),
                    None => None,
                };
                // Another file the shell reads by itself begins at its first command.
                let found = found.filter(|&f| n == 0 || first == Some(f));
                if let Some(found) = found {
                    if found != *cursor {
                        matched.clear();
                    }
                    *cursor = found;
                    matched.push(keys.clone());
                    top += n;
                    last = (Some(candidate.clone()), Some(found + 1));
                    placed = true;
                    break;
                }
            }
        }
        if file.is_none() {
            // fish's own `source` of a configuration file, or the `-c` command.
            last = (None, None);
        } else if !placed && last.0 != file {
            last = (file.clone(), None);
        }
        event.file = last.0.clone();
        event.line = last.1;
        if !alignable && !keys.is_empty() {
            // Inside a function defined in a file read so far: the line in its body.
            if let Some((_, name)) = callers.last() {
                if let Some((at_file, at)) = in_function(&texts, &mut inner, name, &keys, true) {
                    event.file = Some(at_file);
                    event.line = Some(at + 1);
                }
            }
        }
        if shell == StartupShell::Bash && placed {
            let name = keys[0].clone();
            if texts
                .values()
                .any(|lines| lines.iter().any(|l| defines(l, &name)))
            {
                inner.retain(|(_, n), _| *n != name);
                bash_function = Some(name);
            }
        }
        if let Some(target) = sourced_file(&event.command) {
            // Read again from its start.
            cursors.remove(&target);
            stack.push((target, event.depth));
        }
    }
}

/// The lines with those inside function definitions blanked (`name() {` … `}`, fish's
/// `function name` … `end`).
fn without_function_bodies(lines: &[String]) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = lines.to_vec();
    let mut i = 0;
    while i < lines.len() {
        let text = lines[i].trim();
        let opens =
            (text.starts_with("function ") || text.contains("() {") || text.ends_with("()"))
                && !text.ends_with('}');
        if opens {
            let closing = (i + 1..lines.len()).find(|&j| {
                let t = lines[j].trim();
                (t == "}" || t == "end" || t.starts_with("} "))
                    && indent(&lines[j]) <= indent(&lines[i])
            });
            if let Some(end) = closing {
                for line in &mut out[i + 1..=end] {
                    line.clear();
                }
                i = end;
            }
        }
        i += 1;
    }
    out
}

/// The first line that runs a command: not blank, no comment, not in a function definition.
fn first_command(lines: &[String]) -> Option<usize> {
    let mut in_function = false;
    for (i, line) in lines.iter().enumerate() {
        let text = line.trim();
        if in_function {
            in_function = text != "}";
            continue;
        }
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let defines_function = text.starts_with("function ")
            || text
                .split_once("()")
                .is_some_and(|(name, _)| !name.contains(' ') && !name.is_empty());
        if defines_function {
            in_function = !text.ends_with('}');
            continue;
        }
        return Some(i);
    }
    None
}

/// The first line of the `for`/`while`/`until` loop around line `cursor`, if any.
fn loop_start(lines: &[String], cursor: usize) -> Option<usize> {
    let mut nested = 0usize;
    for i in (0..cursor.min(lines.len())).rev() {
        let line = lines[i].trim_start();
        if line.starts_with("done") {
            nested += 1;
        } else if ["for ", "while ", "until "]
            .iter()
            .any(|k| line.starts_with(k))
        {
            if line.contains("; done") || line.ends_with("done") {
                continue;
            }
            if nested == 0 {
                return Some(i);
            }
            nested -= 1;
        }
    }
    None
}

/// The line in the body of function `name` (defined in one of `texts`) that matches `keys`,
/// from where the last command of that body matched.
fn in_function(
    texts: &HashMap<String, Vec<String>>,
    inner: &mut HashMap<(String, String), Cursor>,
    name: &str,
    keys: &[String],
    wrap: bool,
) -> Option<(String, usize)> {
    let mut files: Vec<&String> = texts.keys().collect();
    files.sort();
    for file in files {
        let lines = &texts[file];
        let Some(start) = lines.iter().position(|l| defines(l, name)) else {
            continue;
        };
        let indent = |l: &str| l.len() - l.trim_start().len();
        let one_line = lines[start].trim_end().ends_with('}');
        let end = if one_line {
            start
        } else {
            (start + 1..lines.len())
                .find(|&i| {
                    let t = lines[i].trim();
                    (t == "}" || t == "end" || t.starts_with("} "))
                        && indent(&lines[i]) <= indent(&lines[start])
                })
                .unwrap_or(lines.len() - 1)
        };
        let body = &lines[start..=end];
        let (cursor, matched) = inner
            .entry((file.clone(), name.to_string()))
            .or_insert((0, Vec::new()));
        let found = find_line(body, *cursor, matched, keys, wrap)?;
        if found != *cursor {
            matched.clear();
        }
        *cursor = found;
        matched.push(keys.to_vec());
        return Some((file.clone(), start + found));
    }
    None
}

/// The words that identify a command in its source line: the command's name, and the
/// variable it sets for `set`/`export` and assignments.
fn keys(command: &str) -> Vec<String> {
    let words = words(command);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if matches!(first.as_str(), "end" | "else" | "fi" | "done") {
        return Vec::new();
    }
    if is_assignment(first) {
        let name: String = first
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return vec![format!("{name}=")];
    }
    if matches!(
        first.as_str(),
        "set" | "export" | "declare" | "typeset" | "local" | "readonly"
    ) {
        if let Some(name) = words[1..].iter().find(|w| !w.starts_with('-')) {
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                return vec![first.clone(), name];
            }
        }
    }
    let mut keys = vec![first.clone()];
    // A plain second word (`conda activate`, `pyenv init`) tells calls of one command apart.
    if let Some(second) = words.get(1).filter(|w| {
        !w.starts_with('-')
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }) {
        keys.push(second.clone());
    }
    keys
}

/// The first line at or after `cursor` (wrapping round once) holding every key as a word;
/// the cursor's own line only for keys it has not matched yet.
fn find_line(
    lines: &[String],
    cursor: usize,
    matched: &[Vec<String>],
    keys: &[String],
    wrap: bool,
) -> Option<usize> {
    let holds = |i: usize| holds(lines, i, keys);
    // The cursor's line again only while it has more uses of the command than matched.
    let uses = matched.iter().filter(|m| *m == keys).count();
    let occurrences = lines
        .get(cursor)
        .map(|line| {
            line.match_indices(keys[0].trim_end_matches('='))
                .filter(|(at, _)| has_word(&line[*at..], &keys[0]))
                .count()
        })
        .unwrap_or(0);
    let start = if uses >= occurrences.max(1) && uses > 0 {
        cursor + 1
    } else {
        cursor
    };
    (start..lines.len()).find(|&i| holds(i)).or_else(|| {
        if wrap {
            (0..start.min(lines.len())).find(|&i| holds(i))
        } else {
            None
        }
    })
}

/// Line `i` holds every key as a word, and is no comment and no function definition.
fn holds(lines: &[String], i: usize, keys: &[String]) -> bool {
    let line = lines[i].trim_start();
    !line.starts_with('#') && keys.iter().all(|k| has_word(line, k)) && !defines(line, &keys[0])
}

/// The line defines a function of that name (`name() {`, `function name`), which the
/// shell does not trace as a call.
fn defines(line: &str, name: &str) -> bool {
    let line = line.trim_start();
    let named = line.strip_prefix("function ").map(str::trim_start);
    named
        .unwrap_or(line)
        .strip_prefix(name)
        .is_some_and(|rest| named.is_some() || rest.trim_start().starts_with("()"))
}

/// `word` in `line` as a word of its own; `NAME=` as an assignment (`NAME=`, `NAME+=`,
/// `NAME[i]=`, `NAME=(`).
fn has_word(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if let Some(name) = word.strip_suffix('=') {
        return line.match_indices(name).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = &line[at + name.len()..];
            !before.is_some_and(|c| ident(c) || c == '$' || c == '{')
                && (after.starts_with('=') || after.starts_with("+=") || after.starts_with('['))
        });
    }
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Where `tool` resolves on `path`: the first entry with an executable file of that name.
pub(crate) fn resolve(path: &[String], tool: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    path.iter()
        .filter(|dir| dir.starts_with('/'))
        .find_map(|dir| {
            let candidate = std::path::Path::new(dir).join(tool);
            let meta = std::fs::metadata(&candidate).ok()?;
            (meta.is_file() && meta.permissions().mode() & 0o111 != 0)
                .then(|| candidate.to_string_lossy().into_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn posix_assignments_follow_path() {
        let start = strings(&["/usr/bin", "/bin"]);
        let bash = StartupShell::Bash;
        assert_eq!(
            apply(bash, "export PATH=/a:/usr/bin:/bin", &start),
            strings(&["/a", "/usr/bin", "/bin"])
        );
        assert_eq!(
            apply(bash, "PATH+=:/z", &start),
            strings(&["/usr/bin", "/bin", "/z"])
        );
        assert_eq!(apply(bash, "PATH=/x env", &start), start);
        assert_eq!(apply(bash, "echo PATH=/x", &start), start);
        assert_eq!(
            apply(StartupShell::Zsh, "path+=( /q ) ", &start),
            strings(&["/usr/bin", "/bin", "/q"])
        );
        assert_eq!(
            apply(
                StartupShell::Zsh,
                "typeset -U path",
                &strings(&["/a", "/b", "/a"])
            ),
            strings(&["/a", "/b"])
        );
    }

    #[test]
    fn fish_set_follows_path() {
        let start = strings(&["/usr/bin", "/bin"]);
        let fish = StartupShell::Fish;
        assert_eq!(
            apply(fish, "set -gx PATH /a /usr/bin /bin", &start),
            strings(&["/a", "/usr/bin", "/bin"])
        );
        assert_eq!(
            apply(fish, "set -a PATH /z", &start),
            strings(&["/usr/bin", "/bin", "/z"])
        );
        assert_eq!(
            apply(fish, "set 'PATH[1]' /y", &start),
            strings(&["/y", "/bin"])
        );
        assert_eq!(apply(fish, "set -q PATH", &start), start);
    }

    #[test]
    fn trace_lines_parse() {
        let bash = bash_line("++@@@/h/.bashrc@@@3@@@/usr/bin:/bin@@@ PATH=/a:/usr/bin:/bin")
            .expect("a bash line");
        assert_eq!(
            (bash.depth, bash.file.as_deref(), bash.line),
            (2, Some("/h/.bashrc"), Some(3))
        );
        assert_eq!(bash.command, "PATH=/a:/usr/bin:/bin");
        let root = bash_line("++ . /h/.bashrc").expect("a root bash line");
        assert_eq!((root.depth, root.command.as_str()), (2, ". /h/.bashrc"));
        let zsh = zsh_line("+@@@/h/.zshrc@@@4@@@1@@@/h/.zshrc@@@ PATH=/b:/a ").expect("a zsh line");
        assert_eq!(
            (zsh.file.as_deref(), zsh.line),
            (Some("/h/.zshrc"), Some(4))
        );
        let fish = fish_line("--> set -gx PATH /a").expect("a fish line");
        assert_eq!((fish.depth, fish.command.as_str()), (3, "set -gx PATH /a"));
    }
}
