use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{Command, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::{
    block_lines, deletable_lines, line_break_at, line_number, own_lines,
};

crate::declare_rule! {
    /// ## What it does
    /// Finds `conda activate …` / `conda deactivate` (and `mamba`, `micromamba`) run before
    /// the init block — or the `eval "$(conda shell.bash hook)"` line, or the `source` of
    /// `etc/profile.d/conda.sh` — that defines the `conda` function in the same file.
    ///
    /// ## Why is this bad?
    /// `activate` is not a program: it is the shell function the hook defines. Before the
    /// hook runs there is no such function, so the shell says `conda: command not found`
    /// (fish: `Unknown command: conda`); where conda's own executable is already on `PATH`,
    /// that executable refuses instead ("Run 'conda init' before 'conda activate'"). Either
    /// way the environment is not activated, and the shell starts with base (or nothing)
    /// instead.
    ///
    /// A `conda activate` inside a function defined before the block is fine: it runs when
    /// the function is called. Only files with a block (or hook) after the line are
    /// checked; the startup model follows activations across files.
    ///
    /// ## Example
    /// ```bash
    /// conda activate ml
    /// # >>> conda initialize >>>
    /// …
    /// # <<< conda initialize <<<
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// # >>> conda initialize >>>
    /// …
    /// # <<< conda initialize <<<
    /// conda activate ml
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: moving the line after the block makes the activation happen, which changes
    /// `PATH` for every new shell. Only a line that runs unconditionally at top level is
    /// moved; it lands right after the block (after any activations already there, in
    /// order).
    pub(crate) const RULE = Rule {
        code: "CG204",
        name: "conda-used-before-init",
        summary: "`conda activate` before the init block that defines the `conda` function",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// Where a tool's function gets defined: the start of a block or a hook line, and the
/// place a moved activation goes (the start of the line after it).
struct Definition {
    at: usize,
    line: usize,
    /// Where a moved line goes; `None` where no place is known (inside a function).
    after: Option<usize>,
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    // Each tool's definitions, found once: large files hold thousands of activations.
    let mut by_tool: Vec<(&str, Vec<Definition>)> = Vec::new();
    for statement in &file.statements {
        let context = &statement.context;
        if context.conda_block.is_some() || context.function.is_some() || context.in_subshell {
            continue;
        }
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let Some((tool, action)) = activation(command) else {
            continue;
        };
        let index = match by_tool.iter().position(|(known, _)| *known == tool) {
            Some(index) => index,
            None => {
                by_tool.push((tool, definitions(file, tool)));
                by_tool.len() - 1
            }
        };
        let definitions = &by_tool[index].1;
        if definitions.iter().any(|def| def.at < statement.range.start) {
            continue;
        }
        let Some(definition) = definitions
            .iter()
            .filter(|def| def.at > statement.range.start)
            .min_by_key(|def| def.at)
        else {
            continue;
        };
        let shown = file.text(statement.range.clone()).trim().to_string();
        let not_found = match file.shell {
            Shell::Fish => format!("fish says `Unknown command: {tool}`"),
            Shell::Zsh => format!("zsh says `command not found: {tool}`"),
            Shell::Bash | Shell::Sh => format!("the shell says `{tool}: command not found`"),
        };
        let message = format!(
            "`{shown}` runs before line {} defines the `{tool}` function: {not_found} (or, with {tool}'s executable on PATH, it refuses to {action} without `{tool} init`), and no environment is {action}d",
            definition.line
        );
        let fix = move_fix(file, statement, definition);
        let report = checker
            .report(statement.range.clone(), message)
            .help(format!("move this line after line {}", definition.line));
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// `conda activate ml` → (`conda`, `activate`).
fn activation(command: &Command) -> Option<(&str, &'static str)> {
    let tool = match command.name.as_deref()? {
        "conda" => "conda",
        "mamba" => "mamba",
        "micromamba" => "micromamba",
        _ => return None,
    };
    let action = match command.args.first()?.literal()?.as_str() {
        "activate" => "activate",
        "deactivate" => "deactivate",
        _ => return None,
    };
    Some((tool, action))
}

/// Where the file defines `tool`'s function: init blocks, hook lines outside blocks, and
/// `source …/etc/profile.d/conda.sh` (or `mamba.sh`, `micromamba.sh`, `conda.fish`).
fn definitions(file: &StartupFile, tool: &str) -> Vec<Definition> {
    let mut out = Vec::new();
    for block in &file.conda_blocks {
        let defines = match tool {
            "conda" => block.tool == "conda",
            _ => block.tool == "mamba" || file.text(block.range.clone()).contains("mamba."),
        };
        if defines && block.start_marker.is_some() {
            out.push(Definition {
                at: block.range.start,
                line: line_number(file, block.range.start),
                after: Some(block_lines(file, block).end),
            });
        }
    }
    for site in file.hook_sites() {
        let Some(index) = site.statement else {
            continue;
        };
        let defines = if tool == "conda" {
            site.conda_syntax
        } else {
            !site.conda_syntax
        };
        if let Some(statement) = file.statements.get(index).filter(|_| defines) {
            out.push(definition_at(file, statement));
        }
    }
    // A hand-written `conda() { … }` (a lazy loader) defines it too.
    if let Some(statement) = file
        .statements
        .iter()
        .find(|statement| statement.context.function.as_deref() == Some(tool))
    {
        out.push(Definition {
            at: statement.range.start,
            line: line_number(file, statement.range.start),
            after: None,
        });
    }
    for statement in &file.statements {
        if statement.context.conda_block.is_some() {
            continue;
        }
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        if !matches!(command.name.as_deref(), Some("source") | Some(".")) {
            continue;
        }
        let Some(arg) = command.args.first() else {
            continue;
        };
        let target = arg.display(file.source);
        let defines = match tool {
            "conda" => target.ends_with("/conda.sh") || target.ends_with("/conda.fish"),
            _ => {
                target.ends_with("/mamba.sh")
                    || target.ends_with("/micromamba.sh")
                    || target.ends_with("/mamba.fish")
            }
        };
        if defines {
            out.push(definition_at(file, statement));
        }
    }
    out
}

/// A definition by a statement: the outermost statement holding it, so that `eval
/// "$(conda shell.bash hook)"` counts from the `eval`.
fn definition_at(file: &StartupFile, statement: &Statement) -> Definition {
    let outer = file
        .statements
        .iter()
        .filter(|other| {
            other.range.start <= statement.range.start
                && statement.range.end <= other.range.end
                && !other.context.in_subshell
        })
        .max_by_key(|other| other.range.len())
        .unwrap_or(statement);
    let line = file.line_of(outer.range.end.saturating_sub(1).max(outer.range.start));
    Definition {
        at: outer.range.start,
        line: line_number(file, outer.range.start),
        after: Some(
            file.line_starts
                .get(line + 1)
                .copied()
                .unwrap_or(file.source.len()),
        ),
    }
}

/// Moves the activation's lines to just after the definition, after any activations
/// already there.
fn move_fix(file: &StartupFile, statement: &Statement, definition: &Definition) -> Option<Fix> {
    if !statement.context.is_unconditional() || statement.context.interactive_only {
        return None;
    }
    let lines = deletable_lines(file, statement)?;
    let lines = with_comments_above(file, lines);
    let moved = file.text(lines.clone()).into_owned();
    let mut at = definition.after?;
    loop {
        let next = file.statements.iter().find(|other| {
            other.range.start >= at
                && own_lines(file, other).is_some_and(|own| own.start == at)
                && other.context.is_unconditional()
                && matches!(&other.kind, StatementKind::Command(command) if activation(command).is_some())
        });
        match next.and_then(|next| own_lines(file, next)) {
            Some(own) if own.end > at => at = own.end,
            _ => break,
        }
    }
    if lines.start < at && at < lines.end {
        // The statement runs on past the block (an unclosed quote): nothing to move it over.
        return None;
    }
    let mut text = moved;
    if !text.ends_with('\n') {
        text.push_str(line_break_at(file, statement.range.start));
    }
    if at == file.source.len() && !file.source.ends_with(b"\n") && !file.source.is_empty() {
        text.insert_str(0, line_break_at(file, at.saturating_sub(1)));
    }
    Some(Fix::unsafe_(
        format!("Move the line after line {}", definition.line),
        vec![Edit::delete(lines), Edit::insert(at, text)],
    ))
}

/// The lines extended upwards over the comment lines right above them (the line's own
/// explanation, a `condago: disable` comment), but never over an init block's marker.
fn with_comments_above(
    file: &StartupFile,
    lines: std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let mut start = lines.start;
    let mut line = file.line_of(start);
    while line > 0 {
        let above = file.line_range(line - 1);
        let text = file.text(above.clone());
        let text = text.trim();
        let marker = text.contains(" initialize >>>") || text.contains(" initialize <<<");
        if !text.starts_with('#') || marker {
            break;
        }
        let taken = file.statements.iter().any(|other| {
            other.range.start < above.end.max(above.start + 1) && above.start < other.range.end
        });
        if taken {
            break;
        }
        line -= 1;
        start = file.line_starts.get(line).copied().unwrap_or(start);
    }
    start..lines.end
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{create_env, init_block, install_conda};
    use crate::rules::test_support::*;

    #[test]
    fn no_move_into_the_activations_own_lines() {
        // Found by fuzzing (`scripts/fuzz`, target edits): with an unclosed quote the
        // statement runs through the block, and the fix inserted inside what it deleted.
        let text = "# ~/.bashrc on the lab workstation\n\
         \n\
         alias ll='ls -alF'\n\
         alias gs='git status'\n\
         \n\
         # always work in the ml environment\n\
         conda activate m'\n\
         \n\
         # >>> conda initialize >>>\n\
         # !! Contents within this block are managed by 'conda init' !!\n\
         __conda_setup=\"$('/home/u/miniconda3/bin/conda' 'shell.bash' 'hook' 2> /dev/null)\"\n\
         if [ $? -eq 0 ]; then\n\
             eval \"$__conda_setup\"\n\
         else\n\
             if [ -f \"/home/u/miniconda3/etc/profile.d/conda.sh\" ]; then\n\
                 . \"/home/u/miniconda3/etc/profile.d/conda.sh\"\n\
             else\n\
                 export PATH=\"/home/u/miniconda3/bin:$PATH\"\n\
             fi\n\
         fi\n\
         unset __conda_setup\n\
         # <<< conda initialize <<<\n\
         \n\
         # ---- from the laptop's .bashrc ----\n\
         alias gd='git diff'\n\
         \n\
         # >>> conda initialize >>>\n\
         # !! Contents within this block are managed by 'conda init' !!\n\
         __conda_setup=\"$('/home/u/miniconda3/bin/conda' 'shell.bash' 'hook' 2> /dev/null)\"\n\
         if [ $? -eq 0 ]; then\n\
             eval \"$__conda_setup\"\n\
         else\n\
         ";
        let found = findings("CG204", Shell::Bash, text);
        assert!(!found.is_empty());
        for finding in found {
            if let Some(fix) = &finding.fix {
                let (first, second) = (&fix.edits[0].range, &fix.edits[1].range);
                assert!(first.end <= second.start, "{:?}", fix.edits);
            }
        }
    }

    #[test]
    fn finds_activations_before_the_block_in_each_shell() {
        let bash = format!("conda activate ml\n{}", init_block("bash", "/x/m"));
        assert_eq!(lines("CG204", Shell::Bash, &bash), vec![1]);
        let zsh = format!(
            "alias a=b\nconda activate ml\n{}",
            init_block("zsh", "/x/m")
        );
        assert_eq!(lines("CG204", Shell::Zsh, &zsh), vec![2]);
        let fish = format!("conda activate ml\n{}", init_block("fish", "/x/m"));
        assert_eq!(lines("CG204", Shell::Fish, &fish), vec![1]);
        let hook = "conda activate ml\neval \"$(conda shell.bash hook)\"\n";
        assert_eq!(lines("CG204", Shell::Bash, hook), vec![1]);
        let sourced =
            "if true; then\n  conda deactivate\nfi\n. /opt/conda/etc/profile.d/conda.sh\n";
        assert_eq!(lines("CG204", Shell::Bash, sourced), vec![2]);
        let mamba = "micromamba activate dev\n# >>> mamba initialize >>>\nexport MAMBA_ROOT_PREFIX='/x';\n# <<< mamba initialize <<<\n";
        assert_eq!(lines("CG204", Shell::Zsh, mamba), vec![1]);
    }

    #[test]
    fn looks_similar_but_is_fine() {
        let block = init_block("bash", "/x/m");
        for text in [
            format!("{block}conda activate ml\n"),
            // Defined before the block, called after it.
            format!("work() {{\n  conda activate ml\n}}\n{block}work\n"),
            // No block in this file: another file may define the function.
            "conda activate ml\n".to_string(),
            // Other conda commands are programs.
            format!("conda config --set changeps1 false\n{block}"),
            // `mamba activate` and a conda-only block.
            format!("alias ca='conda activate'\n{block}"),
            // A hook line before the activation.
            "eval \"$(conda shell.bash hook)\"\nconda activate ml\n".to_string(),
            // A lazy loader defined before it.
            format!("conda() {{\n  unset -f conda\n  eval \"$(command conda shell.bash hook)\"\n  conda \"$@\"\n}}\nconda activate ml\n{block}"),
        ] {
            assert!(lines("CG204", Shell::Bash, &text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fix_moves_the_line_after_the_block() {
        let block = init_block("bash", "/x/m");
        let text = format!("# the ml env, always\nconda activate ml\n\n{block}alias x=y\n");
        assert_eq!(
            assert_fix_converges("CG204", Shell::Bash, &text),
            format!("\n{block}# the ml env, always\nconda activate ml\nalias x=y\n")
        );
        let text = format!("conda activate ml\nexport A=1\n{block}alias x=y\n");
        assert_eq!(
            assert_fix_converges("CG204", Shell::Bash, &text),
            format!("export A=1\n{block}conda activate ml\nalias x=y\n")
        );
        // Two lines keep their order.
        let text = format!("conda activate base\nconda activate --stack ml\n{block}");
        assert_eq!(
            assert_fix_converges("CG204", Shell::Bash, &text),
            format!("{block}conda activate base\nconda activate --stack ml\n")
        );
        let fish = format!("conda activate ml\n{}", init_block("fish", "/x/m"));
        assert_eq!(
            assert_fix_converges("CG204", Shell::Fish, &fish),
            format!("{}conda activate ml\n", init_block("fish", "/x/m"))
        );
        let hook = "conda activate ml\neval \"$(conda shell.zsh hook)\"\n";
        assert_eq!(
            assert_fix_converges("CG204", Shell::Zsh, hook),
            "eval \"$(conda shell.zsh hook)\"\nconda activate ml\n"
        );
        // No line break at the end of the file.
        let text = format!("conda activate ml\n{}", block.trim_end());
        assert_eq!(
            assert_fix_converges("CG204", Shell::Bash, &text),
            format!("{}\nconda activate ml\n", block.trim_end())
        );
        // Conditional: reported, left in place.
        let text = format!("[ -d ~/ml ] && conda activate ml\n{block}");
        assert_eq!(lines("CG204", Shell::Bash, &text), vec![1]);
        assert_eq!(fixed("CG204", Shell::Bash, &text), text);
    }

    /// The real shells: before the block there is no `conda` function — the shell says so
    /// and the environment is not activated; moved after the block, it is.
    #[test]
    fn oracle_before_and_after_the_fix() {
        for (oracle, shell, name, complaint) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "bash",
                "conda: command not found",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "zsh",
                "command not found: conda",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "fish",
                "Unknown command: conda",
            ),
        ] {
            let home = FakeHome::new();
            let base = install_conda(&home, "miniconda3");
            let env = create_env(&home, "miniconda3", "ml");
            let text = format!("conda activate ml\n{}", init_block(name, &base));
            let after = assert_fix_converges("CG204", shell, &text);
            let Some(before) = run_snippet(oracle, &home, &text) else {
                continue;
            };
            assert!(
                before.stderr.contains(complaint),
                "{oracle:?}: {}",
                before.stderr
            );
            let path = before.path_entries().expect("PATH");
            assert!(
                !path.contains(&format!("{env}/bin")),
                "{oracle:?}: {path:?}"
            );
            let fixed = run_snippet(oracle, &home, &after).expect("shell");
            assert_eq!(fixed.path_entries().expect("PATH")[0], format!("{env}/bin"));
            assert!(fixed.stderr.is_empty(), "{oracle:?}: {}", fixed.stderr);
        }
    }
}
