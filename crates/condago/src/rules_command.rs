//! `condago rules` and `condago rule CODE`, printed from the one registry.

use condago_linter::registry;
use condago_linter::rule::Rule;
use serde_json::json;

use crate::{exit, RulesArgs, RulesFormat};

/// `condago rules`: code, name, shells, severity, fix, summary.
pub(crate) fn list(args: &RulesArgs) -> u8 {
    match args.format {
        RulesFormat::Json => {
            let rules: Vec<_> = registry::RULES
                .iter()
                .map(|rule| {
                    json!({
                        "code": rule.code,
                        "name": rule.name,
                        "shells": rule.shells.letters(),
                        "severity": rule.severity.name(),
                        "fix": rule.fix.letter(),
                        "opt_in": rule.opt_in,
                        "summary": rule.summary,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rules).unwrap_or_default()
            );
        }
        RulesFormat::Text => {
            println!(
                "{:<6} {:<34} {:<6} {:<8} {:<3} summary",
                "code", "name", "shells", "severity", "fix"
            );
            for rule in registry::RULES {
                println!(
                    "{:<6} {:<34} {:<6} {:<8} {:<3} {}{}",
                    rule.code,
                    rule.name,
                    rule.shells.letters(),
                    rule.severity.name(),
                    rule.fix.letter(),
                    rule.summary,
                    if rule.opt_in { " (opt-in)" } else { "" }
                );
            }
            println!("\nshells: b bash (and sh), z zsh, f fish; fix: S safe, U unsafe, G suggestion, – none");
            println!("`condago rule CODE` prints a rule's documentation.");
        }
    }
    exit::CLEAN
}

/// `condago rule CODE`: the rule's documentation.
pub(crate) fn show(code_or_name: &str) -> u8 {
    match registry::find(code_or_name) {
        Some(rule) => {
            print!("{}", render(rule));
            exit::CLEAN
        }
        None => {
            eprintln!("condago: error: no rule `{code_or_name}`; `condago rules` lists them");
            exit::ERROR
        }
    }
}

/// A rule's documentation as Markdown: heading, metadata line, its doc comment.
pub(crate) fn render(rule: &Rule) -> String {
    let doc: String = rule
        .doc
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "# {} ({})\n\nShells: {} · severity: {} · fix: {}{}\n\n{}\n",
        rule.name,
        rule.code,
        shells_words(rule),
        rule.severity.name(),
        match rule.fix {
            condago_linter::rule::FixAvailability::None => "none".to_string(),
            condago_linter::rule::FixAvailability::Always(a) => a.name().to_string(),
            condago_linter::rule::FixAvailability::Sometimes(a) =>
                format!("{} (sometimes)", a.name()),
        },
        if rule.opt_in { " · opt-in" } else { "" },
        doc.trim_end()
    )
}

fn shells_words(rule: &Rule) -> String {
    if rule.shells == condago_linter::rule::Shells::NONE {
        return "none: Dockerfiles and devcontainer.json (a `RUN`'s shell code is sh or `SHELL`'s)"
            .to_string();
    }
    let mut words = Vec::new();
    if rule.shells.bash {
        words.push("bash, sh");
    }
    if rule.shells.zsh {
        words.push("zsh");
    }
    if rule.shells.fish {
        words.push("fish");
    }
    words.join(", ")
}
