//! `condago trace --check`: the traced timeline against what `condago startup` predicts for
//! the same shell, mode, home and environment.

use std::path::Path;

use condago_startup::short_path;

use super::{model_inputs, Request, Trace, TracedChange};

/// The outcome of the comparison.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub same: bool,
    /// The first divergence, in words, with its line.
    pub first: Option<String>,
    /// Every divergence found.
    pub divergences: Vec<String>,
}

/// Compares the trace's `PATH` changes and final `PATH` with the model's.
pub(crate) fn compare(trace: &Trace, request: &Request) -> Verdict {
    let model = condago_startup::analyze(request.shell, request.mode, &model_inputs(request));
    let home = trace.home.as_str();
    let predicted: Vec<&condago_startup::Change> = model
        .changes
        .iter()
        .filter(|c| c.before != c.after)
        .collect();
    let mut divergences = Vec::new();
    let mut m = 0;
    // The predicted change the last traced ones matched: the model sums up a loop or a
    // sourced tool set-up as one change where the shell makes several, so traced changes
    // at the same place join it, and their last `PATH` is compared with it.
    let mut open: Option<(&condago_startup::Change, &TracedChange, Vec<String>)> = None;
    let close = |open: Option<(&condago_startup::Change, &TracedChange, Vec<String>)>,
                 divergences: &mut Vec<String>| {
        let Some((predicted_change, first, after)) = open else {
            return;
        };
        let joined = TracedChange {
            after,
            ..first.clone()
        };
        if predicted_change.after.iter().any(|e| e == "?") {
            divergences.push(format!(
                "{}{} {}, which condago's model could not see (it cannot know what that line runs or prints)",
                place(&joined, home),
                quoted(&joined),
                delta(&added(&joined), &removed(&joined))
            ));
        } else if predicted_change.after != joined.after {
            divergences.push(format!(
                "{}: the shell made PATH {}, condago's model predicted {}",
                place(&joined, home),
                joined.after.join(":"),
                predicted_change.after.join(":")
            ));
        }
    };
    for traced in &trace.changes {
        // The model puts a well-known tool's set-up (`. ~/.cargo/env`, `nix.sh`) at the line
        // that sources it: any `source` line above the traced one is the same place.
        let places = places_of(traced, trace);
        let at = |p: &condago_startup::Change| {
            places
                .iter()
                .any(|(file, line)| same_file(&p.at.file, Some(file)) && p.at.line == *line)
        };
        let next_is_here = predicted.get(m).is_some_and(|p| at(p));
        if let Some((predicted_change, _, after)) = &mut open {
            if at(predicted_change) && !next_is_here {
                *after = traced.after.clone();
                continue;
            }
        }
        close(open.take(), &mut divergences);
        match predicted[m..].iter().position(|p| at(p)) {
            Some(offset) => {
                for skipped in &predicted[m..m + offset] {
                    divergences.push(format!(
                        "{}:{}: condago's model predicts a PATH change ({}) that the shell did not make",
                        short_path(&skipped.at.file, home),
                        skipped.at.line,
                        delta(&skipped.added(), &skipped.removed())
                    ));
                }
                open = Some((predicted[m + offset], traced, traced.after.clone()));
                m += offset + 1;
            }
            None => divergences.push(format!(
                "{}{} {}, which condago's model could not see",
                place(traced, home),
                quoted(traced),
                delta(&added(traced), &removed(traced))
            )),
        }
    }
    close(open.take(), &mut divergences);
    for skipped in &predicted[m..] {
        divergences.push(format!(
            "{}:{}: condago's model predicts a PATH change ({}) that the shell did not make",
            short_path(&skipped.at.file, home),
            skipped.at.line,
            delta(&skipped.added(), &skipped.removed())
        ));
    }
    if let Some(real) = &trace.final_path {
        let expected = if model.exited.is_some() {
            Vec::new()
        } else {
            model.path_strings()
        };
        if divergences.is_empty() && &expected != real {
            divergences.push(format!(
                "final PATH: the shell has {}, condago's model predicts {}",
                real.join(":"),
                expected.join(":")
            ));
        }
    }
    // Entries under the home read as `~/…`, as in the rest of the output.
    let prefix = format!("{}/", home.trim_end_matches('/'));
    let divergences: Vec<String> = divergences
        .into_iter()
        .map(|d| d.replace(&prefix, "~/"))
        .collect();
    Verdict {
        same: divergences.is_empty(),
        first: divergences.first().cloned(),
        divergences,
    }
}

/// The change's line, then each `source` line that led to its file.
fn places_of(change: &TracedChange, trace: &Trace) -> Vec<(String, usize)> {
    let mut places = Vec::new();
    if let (Some(file), Some(line)) = (&change.file, change.line) {
        places.push((file.clone(), line));
    }
    let mut file = change.file.clone();
    while let Some(current) = file.take() {
        let from = trace
            .files
            .iter()
            .find(|f| f.path == current)
            .and_then(|f| f.from.clone());
        if let Some((parent, line)) = from {
            if places.iter().any(|(f, l)| *f == parent && *l == line) {
                break;
            }
            places.push((parent.clone(), line));
            file = Some(parent);
        }
    }
    places
}

fn place(change: &TracedChange, home: &str) -> String {
    match (&change.file, change.line) {
        (Some(file), Some(line)) => format!("{}:{line}", short_path(file, home)),
        (Some(file), None) => short_path(file, home),
        _ => "somewhere the trace could not see".to_string(),
    }
}

/// The change's source line (else its traced command) in backquotes.
fn quoted(change: &TracedChange) -> String {
    let text = match (&change.file, change.line) {
        (Some(file), Some(line)) => super::output::line_text(file, line),
        _ => None,
    }
    .unwrap_or_else(|| change.command.lines().next().unwrap_or("").to_string());
    if text.is_empty() {
        String::new()
    } else {
        format!(" `{text}`")
    }
}

pub(crate) fn added(change: &TracedChange) -> Vec<String> {
    change
        .after
        .iter()
        .filter(|e| !change.before.contains(e))
        .cloned()
        .collect()
}

pub(crate) fn removed(change: &TracedChange) -> Vec<String> {
    change
        .before
        .iter()
        .filter(|e| !change.after.contains(e))
        .cloned()
        .collect()
}

fn delta(added: &[String], removed: &[String]) -> String {
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", removed.join(", ")));
    }
    if parts.is_empty() {
        "reordered PATH".to_string()
    } else {
        parts.join(" and ")
    }
}

/// The model names files as the shell does; the trace may name them another way.
fn same_file(model: &str, traced: Option<&str>) -> bool {
    let Some(traced) = traced else {
        return false;
    };
    model == traced
        || match (
            Path::new(model).canonicalize(),
            Path::new(traced).canonicalize(),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}
