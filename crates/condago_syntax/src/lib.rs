//! Parsing of bash, zsh and fish startup files.
//!
//! Parsing never fails: [`parse`] returns a tree (or none, when the budget ran out) plus the
//! problems met on the way. Every parse runs under a [`Budget`] of time and memory, a safety
//! net against any grammar looping or allocating without bound on odd input. zsh is read with
//! condago's own grammar (`grammars/tree-sitter-zsh`), once per parse. No IO here.

mod budget;
mod detect;
pub mod dockerfile;
pub mod template;

use std::fmt;
use std::time::{Duration, Instant};

pub use budget::{peak_parser_memory, Budget};
pub use detect::{detect_shell, shell_from_name, Detection, DetectionSource};
pub use tree_sitter;

/// A shell whose startup files condago reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    /// POSIX `sh` (dash): parsed with the bash grammar.
    Sh,
}

impl Shell {
    /// The lowercase name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Sh => "sh",
        }
    }

    /// The grammar condago parses this shell with first.
    pub fn grammar(self) -> Grammar {
        match self {
            Shell::Bash | Shell::Sh => Grammar::Bash,
            Shell::Zsh => Grammar::Zsh,
            Shell::Fish => Grammar::Fish,
        }
    }

    /// Whether the shell has bash-like syntax (bash, sh, zsh).
    pub fn is_posix_like(self) -> bool {
        !matches!(self, Shell::Fish)
    }
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Shell {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bash" => Ok(Shell::Bash),
            "zsh" => Ok(Shell::Zsh),
            "fish" => Ok(Shell::Fish),
            "sh" | "dash" | "posix" => Ok(Shell::Sh),
            other => Err(format!(
                "unknown shell `{other}` (expected bash, zsh, fish or sh)"
            )),
        }
    }
}

/// A tree-sitter grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grammar {
    Bash,
    Zsh,
    Fish,
}

impl Grammar {
    /// The grammar's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Grammar::Bash => "bash",
            Grammar::Zsh => "zsh",
            Grammar::Fish => "fish",
        }
    }

    /// The tree-sitter language. Installs condago's counting allocator first, so every
    /// tree-sitter object (parsers, trees, queries) is made after it.
    pub fn language(self) -> tree_sitter::Language {
        budget::install_counting_allocator();
        match self {
            Grammar::Bash => tree_sitter::Language::new(tree_sitter_bash::LANGUAGE),
            Grammar::Zsh => tree_sitter::Language::new(tree_sitter_condago_zsh::LANGUAGE),
            Grammar::Fish => tree_sitter_fish::language(),
        }
    }
}

/// Why a parse did not give a full tree from the shell's own grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseProblem {
    /// The grammar ran past the time budget and was cancelled.
    TimedOut { grammar: Grammar, after: Duration },
    /// The grammar allocated past the memory budget and was cancelled.
    OutOfMemory { grammar: Grammar, bytes: usize },
    /// The file is larger than condago parses at all.
    TooLarge { bytes: usize, limit: usize },
}

impl fmt::Display for ParseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseProblem::TimedOut { grammar, after } => write!(
                f,
                "the {} grammar did not finish within {} ms",
                grammar.name(),
                after.as_millis()
            ),
            ParseProblem::OutOfMemory { grammar, bytes } => write!(
                f,
                "the {} grammar needed more than {} MB of memory",
                grammar.name(),
                bytes / (1024 * 1024)
            ),
            ParseProblem::TooLarge { bytes, limit } => write!(
                f,
                "the file is {} MB, over the {} MB condago parses",
                bytes / (1024 * 1024),
                limit / (1024 * 1024)
            ),
        }
    }
}

/// The result of parsing one file.
#[derive(Debug)]
pub struct Parse {
    /// The shell the file is written for.
    pub shell: Shell,
    /// The grammar that produced `tree` (differs from `shell.grammar()` after a fallback).
    pub grammar: Grammar,
    /// The syntax tree, or `None` when no grammar finished within the budget.
    pub tree: Option<tree_sitter::Tree>,
    /// What went wrong on the way, in order; empty for a normal parse.
    pub problems: Vec<ParseProblem>,
    /// Wall time spent parsing, fallbacks included.
    pub elapsed: Duration,
}

impl Parse {
    /// Whether the shell's own grammar parsed the file within budget.
    pub fn is_complete(&self) -> bool {
        self.tree.is_some() && self.problems.is_empty()
    }
}

/// Parses `source` as `shell` under `budget`, with the shell's own grammar.
pub fn parse(source: &[u8], shell: Shell, budget: &Budget) -> Parse {
    let started = Instant::now();
    let grammar = shell.grammar();
    if source.len() > budget.max_file_bytes {
        return Parse {
            shell,
            grammar,
            tree: None,
            problems: vec![ParseProblem::TooLarge {
                bytes: source.len(),
                limit: budget.max_file_bytes,
            }],
            elapsed: started.elapsed(),
        };
    }
    let (tree, problems) = match parse_with(source, grammar, None, budget) {
        Ok(tree) => (Some(tree), Vec::new()),
        Err(problem) => (None, vec![problem]),
    };
    Parse {
        shell,
        grammar,
        tree,
        problems,
        elapsed: started.elapsed(),
    }
}

/// The number of error and missing nodes in a tree.
pub fn error_count(tree: &tree_sitter::Tree) -> usize {
    fn count(node: tree_sitter::Node) -> usize {
        if !node.has_error() {
            return 0;
        }
        if node.is_error() || node.is_missing() {
            return 1;
        }
        let mut cursor = node.walk();
        let children: Vec<tree_sitter::Node> = node.children(&mut cursor).collect();
        children.into_iter().map(count).sum()
    }
    count(tree.root_node())
}

/// Parses `source` with one grammar under `budget`, reusing `old_tree` (already edited to
/// match `source`) for an incremental parse.
pub fn parse_with(
    source: &[u8],
    grammar: Grammar,
    old_tree: Option<&tree_sitter::Tree>,
    budget: &Budget,
) -> Result<tree_sitter::Tree, ParseProblem> {
    let mut parser = tree_sitter::Parser::new();
    // The grammars are compiled into this binary, so their ABI always matches.
    if parser.set_language(&grammar.language()).is_err() {
        return Err(ParseProblem::TimedOut {
            grammar,
            after: Duration::ZERO,
        });
    }
    // A UTF-8 byte order mark is not shell syntax, and a line continuation at the very end
    // of the file continues into nothing (the shells end the command there; the grammars
    // would not): both are parsed as blanks, offsets unchanged.
    let blanked = blank_non_syntax(source);
    // A tree from blanked text does not know which bytes were blanks: reusing it, or
    // reusing any tree next to a `\\` an edit touched (the old text may have ended there),
    // could give another tree than a fresh parse. Those parses start from scratch.
    let old_tree = old_tree.filter(|old| blanked.is_none() && !edit_touches_backslash(old, source));
    let source = blanked.as_deref().unwrap_or(source);
    let mut guard = budget::Guard::start(budget, source.len());
    let mut over: Option<ParseProblem> = None;
    let mut progress = |_: &tree_sitter::ParseState| {
        if let Some(problem) = guard.check(grammar) {
            over = Some(problem);
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    let len = source.len();
    let tree = parser.parse_with_options(
        &mut |offset: usize, _| -> &[u8] {
            if offset < len {
                &source[offset..]
            } else {
                &[]
            }
        },
        old_tree,
        Some(options),
    );
    match (tree, over) {
        (Some(tree), _) => Ok(tree),
        (None, Some(problem)) => Err(problem),
        (None, None) => Err(ParseProblem::TimedOut {
            grammar,
            after: guard.elapsed(),
        }),
    }
}

/// Whether an edited tree's changed region, widened by three bytes, holds a backslash in
/// the new text: where a final line continuation may have been blanked before the edit.
fn edit_touches_backslash(old_tree: &tree_sitter::Tree, source: &[u8]) -> bool {
    let root = old_tree.root_node();
    // Most keystrokes: text without a backslash, or no edit at all; no walk.
    if !root.has_changes() || !source.contains(&b'\\') {
        return false;
    }
    // The innermost changed nodes at either end of the changed region, one cursor step
    // at a time (this runs on every keystroke of the language server).
    let innermost = |from_end: bool| {
        let mut cursor = root.walk();
        loop {
            let entered = if from_end {
                cursor.goto_last_child()
            } else {
                cursor.goto_first_child()
            };
            if !entered {
                return cursor.node();
            }
            while !cursor.node().has_changes() {
                let moved = if from_end {
                    cursor.goto_previous_sibling()
                } else {
                    cursor.goto_next_sibling()
                };
                if !moved {
                    cursor.goto_parent();
                    return cursor.node();
                }
            }
        }
    };
    let start = innermost(false).start_byte().saturating_sub(3);
    let end = innermost(true)
        .end_byte()
        .saturating_add(3)
        .min(source.len());
    source
        .get(start..end)
        .is_some_and(|near| near.contains(&b'\\'))
}

/// A copy of `source` with its byte order mark and a final line continuation blanked, or
/// `None` when it has neither.
fn blank_non_syntax(source: &[u8]) -> Option<Vec<u8>> {
    let bom = source.starts_with(b"\xEF\xBB\xBF");
    let body = source.strip_suffix(b"\n").unwrap_or(source);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    let final_backslash = body
        .strip_suffix(b"\\")
        // `\\` at the end is an escaped backslash, not a continuation.
        .filter(|rest| rest.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0)
        .map(|rest| rest.len());
    if !bom && final_backslash.is_none() {
        return None;
    }
    let mut copy = source.to_vec();
    if bom {
        copy[..3].copy_from_slice(b"   ");
    }
    if let Some(at) = final_backslash {
        copy[at] = b' ';
    }
    Some(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_shell() {
        let budget = Budget::default();
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME/bin:$PATH\"\n"),
            (Shell::Zsh, "path=(~/bin $path)\ntypeset -U path\n"),
            (Shell::Fish, "set -gx PATH ~/bin $PATH\n"),
            (Shell::Sh, "PATH=$HOME/bin:$PATH; export PATH\n"),
        ] {
            let parse = parse(text.as_bytes(), shell, &budget);
            assert!(parse.is_complete(), "{shell}: {:?}", parse.problems);
            let tree = parse.tree.expect("tree");
            assert!(
                !tree.root_node().has_error(),
                "{shell}: {}",
                tree.root_node().to_sexp()
            );
        }
    }

    #[test]
    fn a_line_continuation_at_the_end_of_the_file_ends_the_command() {
        for (shell, text) in [
            (Shell::Zsh, "_arguments \\\n  '-a[all]' \\\n"),
            (Shell::Bash, "complete -F _f \\\n  foo \\"),
        ] {
            let parse = parse(text.as_bytes(), shell, &Budget::default());
            let tree = parse.tree.expect("tree");
            assert!(
                !tree.root_node().has_error(),
                "{shell}: {}",
                tree.root_node().to_sexp()
            );
        }
        assert_eq!(blank_non_syntax(b"echo a\\\\\n"), None);
        assert_eq!(
            blank_non_syntax(b"\xEF\xBB\xBFecho \\\n").as_deref(),
            Some(b"   echo  \n".as_slice())
        );
    }

    /// Found by fuzzing: a tree parsed while the text ended in `\\` (blanked), reused after
    /// text was added behind it, kept the blank where the new text has a line continuation.
    #[test]
    fn an_edit_after_a_final_line_continuation_gives_the_fresh_tree() {
        let budget = Budget::default();
        for shell in [Shell::Bash, Shell::Zsh] {
            for (old_text, added) in [("set -x \\\n", "foo\n"), ("set -config/shell\\", "t ")] {
                let grammar = shell.grammar();
                let new_text = format!("{old_text}{added}");
                let mut tree =
                    parse_with(old_text.as_bytes(), grammar, None, &budget).expect("old tree");
                let end = |text: &str| tree_sitter::Point {
                    row: text.matches('\n').count(),
                    column: text.len() - text.rfind('\n').map_or(0, |at| at + 1),
                };
                tree.edit(&tree_sitter::InputEdit {
                    start_byte: old_text.len(),
                    old_end_byte: old_text.len(),
                    new_end_byte: new_text.len(),
                    start_position: end(old_text),
                    old_end_position: end(old_text),
                    new_end_position: end(&new_text),
                });
                let incremental = parse_with(new_text.as_bytes(), grammar, Some(&tree), &budget)
                    .expect("incremental tree");
                let fresh =
                    parse_with(new_text.as_bytes(), grammar, None, &budget).expect("fresh tree");
                assert_eq!(
                    incremental.root_node().to_sexp(),
                    fresh.root_node().to_sexp(),
                    "{shell}: {new_text:?}"
                );
            }
        }
    }

    #[test]
    fn common_zsh_reads_without_errors() {
        let text = b"export PATH=/x/bin:$PATH\nexport A=1\nprint -l ${(s.:.)PATH}\nfor f (*.zsh(N)) source $f\n(( $+commands[go] )) && path+=(~/go/bin)\n";
        let parse = parse(text, Shell::Zsh, &Budget::default());
        assert!(parse.problems.is_empty());
        assert_eq!(parse.grammar, Grammar::Zsh);
        let tree = parse.tree.expect("tree");
        assert!(
            !tree.root_node().has_error(),
            "{}",
            tree.root_node().to_sexp()
        );
    }

    #[test]
    fn byte_order_mark_is_not_syntax() {
        let parse = parse(b"\xEF\xBB\xBFexport A=1\n", Shell::Bash, &Budget::default());
        let tree = parse.tree.expect("tree");
        let first = tree.root_node().named_child(0).expect("statement");
        assert_eq!(first.kind(), "declaration_command");
        assert_eq!(first.start_byte(), 3);
    }

    #[test]
    fn oversized_file_gets_no_tree() {
        let budget = Budget {
            max_file_bytes: 10,
            ..Budget::default()
        };
        let parse = parse(b"echo hello world\n", Shell::Bash, &budget);
        assert!(parse.tree.is_none());
        assert!(matches!(parse.problems[0], ParseProblem::TooLarge { .. }));
    }

    #[test]
    fn time_budget_cancels() {
        let budget = Budget {
            time: Duration::ZERO,
            ..Budget::default()
        };
        // Large enough that the parser reaches its first progress check.
        let text = "echo hi\n".repeat(20_000);
        let parse = parse(text.as_bytes(), Shell::Zsh, &budget);
        assert!(parse.tree.is_none());
        assert!(
            matches!(
                parse.problems.as_slice(),
                [ParseProblem::TimedOut {
                    grammar: Grammar::Zsh,
                    ..
                }]
            ),
            "{:?}",
            parse.problems
        );
    }

    #[test]
    fn memory_budget_cancels() {
        let budget = Budget {
            memory: 1024,
            ..Budget::default()
        };
        let text = "echo \"$(a $(b $(c)))\"\n".repeat(5);
        let parse = parse(text.as_bytes(), Shell::Bash, &budget);
        assert!(
            matches!(
                parse.problems.first(),
                Some(ParseProblem::OutOfMemory { .. })
            ),
            "{:?}",
            parse.problems
        );
    }
}
