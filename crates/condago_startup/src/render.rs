//! Renders startups: text for people, JSON for programs, Mermaid and Graphviz DOT for
//! pictures of the files each mode reads and the `PATH` changes each makes.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Value as Json};

use crate::{Change, Entry, Startup, Which};

/// The location of an entry as `file:line`, or `inherited`.
fn provenance(entry: &Entry, home: &str) -> String {
    match &entry.origin {
        Some(at) => {
            let mut out = format!("{}:{}", short(&at.file, home), at.line);
            if let Some(via) = &entry.via {
                let _ = write!(out, " ({via})");
            }
            out
        }
        None => "inherited".to_string(),
    }
}

fn short(path: &str, home: &str) -> String {
    crate::short_path(path, home)
}

/// The text report of one startup.
pub fn text(startup: &Startup) -> String {
    let home = startup.home.as_str();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({} {}):",
        startup.shell.name(),
        startup.mode.name(),
        startup.shell.name(),
        startup.mode.flags()
    );
    let _ = writeln!(out, "  files read, in order:");
    if startup.files.is_empty() {
        let _ = writeln!(out, "    (none)");
    }
    for (i, file) in startup.files.iter().enumerate() {
        let indent = "  ".repeat(file.depth);
        let mut line = format!("    {:>2}. {indent}{}", i + 1, short(&file.path, home));
        // A dotfiles repository's layout: the repository file behind the home path.
        if !file.system && file.real != Path::new(&file.path) {
            let real = file.real.strip_prefix(home).unwrap_or(&file.real);
            let _ = write!(line, "  = {}", real.display());
        }
        if let Some(from) = &file.from {
            let _ = write!(
                line,
                "   (sourced at {}:{})",
                short(&from.file, home),
                from.line
            );
        }
        if !file.certain {
            line.push_str("   (on some paths only)");
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "  PATH:");
    let width = startup
        .path
        .iter()
        .map(|e| short(&e.text, home).chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    for entry in &startup.path {
        let shown = short(&entry.text, home);
        let _ = writeln!(out, "    {shown:<width$}  {}", provenance(entry, home));
    }
    if startup.path.is_empty() {
        let _ = writeln!(out, "    (empty)");
    }
    if let Some(at) = &startup.exited {
        let _ = writeln!(
            out,
            "  the shell exits during startup at {}:{}: the PATH above is never used",
            short(&at.file, home),
            at.line
        );
    }
    if startup.complete {
        let _ = writeln!(out, "  complete: every entry and every file is known");
    } else {
        let _ = writeln!(out, "  incomplete:");
        for (at, note) in &startup.notes {
            let place = at
                .as_ref()
                .map(|at| format!("{}:{}: ", short(&at.file, home), at.line))
                .unwrap_or_default();
            let _ = writeln!(out, "    - {place}{}", note.replace(home, "~"));
        }
    }
    out
}

/// One startup as JSON:
/// `{"shell": …, "mode": …, "files": […], "path": [{"dir": …, "file": …, "line": …}], "complete": …}`.
pub fn json_value(startup: &Startup) -> Json {
    let path: Vec<Json> = startup
        .path
        .iter()
        .map(|entry| {
            json!({
                "dir": entry.dir,
                "file": entry.origin.as_ref().map(|o| o.file.clone()),
                "line": entry.origin.as_ref().map(|o| o.line),
            })
        })
        .collect();
    json!({
        "shell": startup.shell.name(),
        "mode": startup.mode.name(),
        "files": startup.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        "path": path,
        "complete": startup.complete,
    })
}

/// JSON on one line, with `", "` and `": "` between items.
pub fn json(startup: &Startup) -> String {
    to_line(&json_value(startup))
}

/// Serialises a JSON value on one line with a space after `,` and `:`.
pub fn to_line(value: &Json) -> String {
    let mut buffer = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, Spaced);
    if serde::Serialize::serialize(value, &mut serializer).is_err() {
        return value.to_string();
    }
    String::from_utf8(buffer).unwrap_or_else(|_| value.to_string())
}

struct Spaced;

impl serde_json::ser::Formatter for Spaced {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// The `PATH` changes a file read makes, one line each.
fn changes_of(startup: &Startup, read: usize) -> Vec<String> {
    let home = startup.home.as_str();
    let mut lines = Vec::new();
    for change in startup.changes.iter().filter(|c| c.at.read == read) {
        lines.extend(describe_change(change, home));
    }
    lines
}

fn describe_change(change: &Change, home: &str) -> Vec<String> {
    let maybe = if change.certain { "" } else { ", maybe" };
    let via = change
        .via
        .as_ref()
        .map(|v| format!(", {v}"))
        .unwrap_or_default();
    let added = change.added();
    let removed = change.removed();
    let kept = change.before.len() - removed.len();
    let mut lines = Vec::new();
    if !change.before.is_empty() && kept == 0 {
        lines.push(format!(
            "= PATH replaced (line {}{via}{maybe})",
            change.at.line
        ));
        for dir in &change.after {
            lines.push(format!("  {}", short(dir, home)));
        }
        return lines;
    }
    for dir in &added {
        lines.push(format!(
            "+ {} (line {}{via}{maybe})",
            short(dir, home),
            change.at.line
        ));
    }
    for dir in &removed {
        lines.push(format!(
            "- {} (line {}{via}{maybe})",
            short(dir, home),
            change.at.line
        ));
    }
    if added.is_empty() && removed.is_empty() {
        lines.push(format!(
            "~ PATH reordered (line {}{via}{maybe})",
            change.at.line
        ));
    }
    lines
}

/// Graphviz DOT: one cluster per startup (mode), the files in the order they are read, each
/// with its `PATH` changes, and the final `PATH`.
pub fn dot(startups: &[Startup]) -> String {
    let mut out = String::new();
    out.push_str("digraph startup {\n");
    out.push_str(
        "  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=0.3];\n",
    );
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f7f7f7\", fontname=\"Courier\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (n, startup) in startups.iter().enumerate() {
        let home = startup.home.as_str();
        let id = |i: usize| format!("m{n}f{i}");
        let _ = writeln!(out, "  subgraph cluster_{n} {{");
        let _ = writeln!(
            out,
            "    label=\"{} {} ({} {})\";",
            startup.shell.name(),
            startup.mode.name(),
            startup.shell.name(),
            startup.mode.flags()
        );
        out.push_str("    style=rounded; color=\"#999999\";\n");
        let _ = writeln!(
            out,
            "    m{n}start [label=\"start: PATH inherited\", shape=plaintext, style=\"\"];"
        );
        for (i, file) in startup.files.iter().enumerate() {
            let mut label = dot_escape(&short(&file.path, home));
            label.push_str("\\l");
            for change in changes_of(startup, i) {
                label.push_str(&dot_escape(&change));
                label.push_str("\\l");
            }
            let fill = if file.system { "#eeeeee" } else { "#e8f0fe" };
            let style = if file.certain {
                "rounded,filled"
            } else {
                "rounded,filled,dashed"
            };
            let _ = writeln!(
                out,
                "    {} [label=\"{label}\", fillcolor=\"{fill}\", style=\"{style}\"];",
                id(i)
            );
        }
        let mut previous_top: Option<String> = Some(format!("m{n}start"));
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for (i, file) in startup.files.iter().enumerate() {
            while stack.last().is_some_and(|(_, depth)| *depth >= file.depth) {
                stack.pop();
            }
            match &file.from {
                Some(from) if file.depth > 0 => {
                    let parent = startup
                        .files
                        .iter()
                        .enumerate()
                        .take(i)
                        .rev()
                        .find(|(j, _)| *j == from.read)
                        .map(|(j, _)| id(j))
                        .unwrap_or_else(|| format!("m{n}start"));
                    let _ = writeln!(
                        out,
                        "    {parent} -> {} [style=dashed, label=\"source (line {})\"];",
                        id(i),
                        from.line
                    );
                }
                _ => {
                    if let Some(previous) = &previous_top {
                        let _ = writeln!(out, "    {previous} -> {};", id(i));
                    }
                    previous_top = Some(id(i));
                }
            }
            stack.push((i, file.depth));
        }
        let mut label = String::from("final PATH\\l");
        for entry in &startup.path {
            let text = short(&entry.text, home);
            let text = if text.chars().count() > 60 {
                format!("{}…", text.chars().take(60).collect::<String>())
            } else {
                text
            };
            label.push_str(&dot_escape(&format!(
                "{text}  ← {}",
                provenance(entry, home)
            )));
            label.push_str("\\l");
        }
        if !startup.complete {
            label.push_str("(incomplete)\\l");
        }
        let _ = writeln!(
            out,
            "    m{n}end [label=\"{label}\", shape=note, fillcolor=\"#fff8e1\", style=filled];"
        );
        if let Some(previous) = &previous_top {
            let _ = writeln!(out, "    {previous} -> m{n}end;");
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Mermaid flowchart of the same picture.
pub fn mermaid(startups: &[Startup]) -> String {
    let mut out = String::from("flowchart TB\n");
    for (n, startup) in startups.iter().enumerate() {
        let home = startup.home.as_str();
        let id = |i: usize| format!("m{n}f{i}");
        let _ = writeln!(
            out,
            "  subgraph s{n}[\"{} {} ({} {})\"]",
            startup.shell.name(),
            startup.mode.name(),
            startup.shell.name(),
            startup.mode.flags()
        );
        out.push_str("    direction TB\n");
        let _ = writeln!(out, "    m{n}start([\"start: PATH inherited\"])");
        for (i, file) in startup.files.iter().enumerate() {
            let mut label = mermaid_escape(&short(&file.path, home));
            for change in changes_of(startup, i) {
                label.push_str("<br/>");
                label.push_str(&mermaid_escape(&change));
            }
            let _ = writeln!(out, "    {}[\"{label}\"]", id(i));
        }
        let mut previous = format!("m{n}start");
        for (i, file) in startup.files.iter().enumerate() {
            match &file.from {
                Some(from) if file.depth > 0 => {
                    let _ = writeln!(
                        out,
                        "    {} -. \"source, line {}\" .-> {}",
                        id(from.read),
                        from.line,
                        id(i)
                    );
                }
                _ => {
                    let _ = writeln!(out, "    {previous} --> {}", id(i));
                    previous = id(i);
                }
            }
        }
        let mut label = String::from("final PATH");
        for entry in &startup.path {
            label.push_str("<br/>");
            label.push_str(&mermaid_escape(&format!(
                "{}  ← {}",
                short(&entry.text, home),
                provenance(entry, home)
            )));
        }
        let _ = writeln!(out, "    m{n}end[/\"{label}\"/]");
        let _ = writeln!(out, "    {previous} --> m{n}end");
        out.push_str("  end\n");
    }
    out
}

fn mermaid_escape(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// The text report of `condago which` for one startup.
pub fn which_text(startup: &Startup, which: &Which) -> String {
    let home = startup.home.as_str();
    let label = format!("{} {}", startup.shell.name(), startup.mode.name());
    let mut out = String::new();
    match &which.winner {
        Some(found) => {
            let _ = writeln!(
                out,
                "  {label:<22} {}   ← {}",
                short(&found.path, home),
                provenance(&found.entry, home)
            );
            if found.bash_only {
                let _ = writeln!(
                    out,
                    "  {:<22}   found by bash itself only: the entry has a literal `~`, which child programs do not expand",
                    ""
                );
            }
        }
        None => {
            let _ = writeln!(out, "  {label:<22} not found");
        }
    }
    for entry in &which.unknown_before {
        let _ = writeln!(
            out,
            "  {:<22}   may be shadowed by an entry that is not known: {}",
            "",
            entry.unknown.as_deref().unwrap_or("?").replace(home, "~")
        );
    }
    for shadowed in &which.shadowed {
        let _ = writeln!(
            out,
            "  {:<22}   shadows {}   ← {}",
            "",
            short(&shadowed.path, home),
            provenance(&shadowed.entry, home)
        );
    }
    out
}

/// `condago which` as JSON.
pub fn which_json(startup: &Startup, which: &Which) -> Json {
    let found = |found: &crate::Found| {
        json!({
            "path": found.path,
            "dir": found.entry.dir,
            "file": found.entry.origin.as_ref().map(|o| o.file.clone()),
            "line": found.entry.origin.as_ref().map(|o| o.line),
        })
    };
    json!({
        "shell": startup.shell.name(),
        "mode": startup.mode.name(),
        "tool": which.tool,
        "winner": which.winner.as_ref().map(found),
        "shadowed": which.shadowed.iter().map(found).collect::<Vec<_>>(),
        "complete": startup.complete && which.unknown_before.is_empty(),
    })
}
