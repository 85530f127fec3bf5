//! `condago trace` output: the timeline as text, or one JSON object (docs/trace.md).

use std::fmt::Write as _;

use condago_startup::short_path;
use serde_json::{json, Value as Json};

use super::check::{added, removed, Verdict};
use super::{resolve, Attribution, StraceUse, Trace, TracedChange};

/// The text of line `line` of `file`, trimmed, when it can be read.
pub(crate) fn line_text(file: &str, line: usize) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .nth(line.checked_sub(1)?)
        .map(|l| l.trim().to_string())
}

fn place(change: &TracedChange, home: &str) -> String {
    match (&change.file, change.line) {
        (Some(file), Some(line)) => format!("{}:{line}", short_path(file, home)),
        (Some(file), None) => format!("{} (line not known)", short_path(file, home)),
        _ => "(not seen in the trace)".to_string(),
    }
}

/// The source line of a change, else the command as traced.
fn shown(change: &TracedChange) -> String {
    match (&change.file, change.line) {
        (Some(file), Some(line)) => line_text(file, line),
        _ => None,
    }
    .unwrap_or_else(|| change.command.lines().next().unwrap_or("").to_string())
}

/// The timeline for people.
pub(crate) fn text(trace: &Trace, tool: Option<&str>, verdict: Option<&Verdict>) -> String {
    let home = trace.home.as_str();
    let short = |p: &str| short_path(p, home);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({} {}), home {} — the startup files RAN ({:.2} s)",
        trace.shell.name(),
        trace.mode.name(),
        trace.shell.name(),
        trace.mode.flags(),
        home,
        trace.seconds
    );
    if let Some(stuck) = &trace.timed_out {
        let at = match (&stuck.file, stuck.line) {
            (Some(file), Some(line)) => format!("{}:{line}", short(file)),
            (Some(file), None) => short(file),
            _ => "an unknown line".to_string(),
        };
        let _ = writeln!(
            out,
            "TIMED OUT after {:.1} s while running {at} (`{}`); the whole process group was killed",
            trace.timeout.as_secs_f64(),
            stuck.command.lines().next().unwrap_or("")
        );
    }
    match trace.strace {
        StraceUse::Used => {}
        StraceUse::NotInstalled => {
            let _ = writeln!(
                out,
                "strace is not installed: files and programs come from the shell's trace alone"
            );
        }
        StraceUse::Disabled => {
            let _ = writeln!(
                out,
                "strace not used (--no-strace): files and programs come from the shell's trace alone"
            );
        }
    }
    if trace.attribution == Attribution::Matched {
        let why = match trace.shell {
            condago_startup::StartupShell::Fish => "fish_trace prints commands without lines",
            _ => "bash run as root ignores PS4 from the environment",
        };
        let _ = writeln!(
            out,
            "lines found by matching the traced commands with the files ({why})"
        );
    }
    let _ = writeln!(out, "files read, in order:");
    if trace.files.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for file in &trace.files {
        let indent = "  ".repeat(file.depth);
        let mut line = format!("  {indent}{}", short(&file.path));
        if let Some(error) = &file.error {
            let _ = write!(line, "   {error}: could not be opened");
        }
        if let Some((from, at)) = &file.from {
            let _ = write!(line, "   (sourced at {}:{at})", short(from));
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "PATH changes:");
    if trace.changes.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    let mut winner = tool.and_then(|t| resolve(&trace.inherited, t));
    for change in &trace.changes {
        let _ = writeln!(out, "  {}  {}", place(change, home), shown(change));
        for entry in added(change) {
            let _ = writeln!(out, "      + {}", short(&entry));
        }
        for entry in removed(change) {
            let _ = writeln!(out, "      - {}", short(&entry));
        }
        let joined = |path: &[String]| path.iter().map(|e| short(e)).collect::<Vec<_>>().join(":");
        let _ = writeln!(out, "      before: {}", joined(&change.before));
        let _ = writeln!(out, "      after:  {}", joined(&change.after));
        if let Some(tool) = tool {
            let now = resolve(&change.after, tool);
            if now != winner {
                let _ = writeln!(
                    out,
                    "      {tool}: {} (was {})",
                    now.as_deref().map(short).unwrap_or("not found".into()),
                    winner.as_deref().map(short).unwrap_or("not found".into())
                );
            }
            winner = now;
        }
    }
    if trace.untracked {
        let _ = writeln!(
            out,
            "  (the last change happened where the trace could not see it)"
        );
    }
    if trace.strace == StraceUse::Used {
        let _ = writeln!(out, "programs run:");
        if trace.programs.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for program in &trace.programs {
            let status = match program.status {
                Some(code) => format!("exit {code}"),
                None => "killed or still running".to_string(),
            };
            let time = program
                .seconds
                .map(|s| format!(", {:.1} ms", s * 1000.0))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}   ({status}{time})", program.argv.join(" "));
        }
    }
    match &trace.final_path {
        Some(path) => {
            let _ = writeln!(
                out,
                "final PATH: {}",
                path.iter().map(|e| short(e)).collect::<Vec<_>>().join(":")
            );
        }
        None => {
            let _ = writeln!(
                out,
                "final PATH: not known (the shell never finished its startup)"
            );
        }
    }
    if let Some(tool) = tool {
        let found = trace.final_path.as_ref().and_then(|p| resolve(p, tool));
        let _ = writeln!(
            out,
            "{tool}: {}",
            found.as_deref().map(short).unwrap_or("not found".into())
        );
    }
    let stderr = trace.stderr.trim_end();
    if !stderr.is_empty() {
        let _ = writeln!(out, "standard error of the startup files:");
        for line in stderr.lines().take(20) {
            let _ = writeln!(out, "  | {}", line.replace(home, "~"));
        }
    }
    if let Some(verdict) = verdict {
        match &verdict.first {
            None => {
                let _ = writeln!(out, "check: the trace matches condago's model");
            }
            Some(first) => {
                let _ = writeln!(out, "check: differs from condago's model: {first}");
                for other in verdict.divergences.iter().skip(1) {
                    let _ = writeln!(out, "  also: {other}");
                }
            }
        }
    }
    out
}

/// The timeline as one JSON object.
pub(crate) fn json(trace: &Trace, tool: Option<&str>, verdict: Option<&Verdict>) -> String {
    let mut winner = tool.and_then(|t| resolve(&trace.inherited, t));
    let changes: Vec<Json> = trace
        .changes
        .iter()
        .map(|change| {
            let mut value = json!({
                "file": change.file,
                "line": change.line,
                "text": shown(change),
                "added": added(change),
                "removed": removed(change),
                "before": change.before,
                "after": change.after,
            });
            if let Some(tool) = tool {
                let now = resolve(&change.after, tool);
                value["tool"] = json!({ "before": winner, "after": now });
                winner = now;
            }
            value
        })
        .collect();
    let value = json!({
        "shell": trace.shell.name(),
        "mode": trace.mode.name(),
        "home": trace.home,
        "ran_startup_files": true,
        "attribution": match trace.attribution {
            Attribution::Exact => "exact",
            Attribution::Matched => "matched",
        },
        "strace": match trace.strace {
            StraceUse::Used => "used",
            StraceUse::NotInstalled => "not-installed",
            StraceUse::Disabled => "disabled",
        },
        "files": trace.files.iter().map(|f| json!({
            "path": f.path,
            "error": f.error,
            "from": f.from.as_ref().map(|(file, line)| json!({"file": file, "line": line})),
            "depth": f.depth,
        })).collect::<Vec<_>>(),
        "changes": changes,
        "untracked": trace.untracked,
        "programs": trace.programs.iter().map(|p| json!({
            "argv": p.argv,
            "status": p.status,
            "seconds": p.seconds,
        })).collect::<Vec<_>>(),
        "final_path": trace.final_path,
        "tool": tool.map(|t| json!({
            "name": t,
            "resolves_to": trace.final_path.as_ref().and_then(|p| resolve(p, t)),
        })),
        "timed_out": trace.timed_out.as_ref().map(|s| json!({
            "after_seconds": trace.timeout.as_secs_f64(),
            "file": s.file,
            "line": s.line,
            "command": s.command,
        })),
        "status": trace.status,
        "stderr": trace.stderr,
        "seconds": trace.seconds,
        "check": verdict.map(|v| json!({
            "same": v.same,
            "first": v.first,
            "divergences": v.divergences,
        })),
    });
    value.to_string()
}
