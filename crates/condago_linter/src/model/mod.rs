//! A small shell-neutral view of one startup file, lifted from each grammar's tree in one
//! walk: assignments, commands, `PATH` edits, conda blocks and the context each statement
//! runs in. Rules read this, so one rule serves bash, zsh and fish.

mod conda;
mod fish;
mod path;
mod posix;
mod tools;
mod word;

use std::ops::Range;
use std::path::Path;

use condago_syntax::{Grammar, Parse, Shell};

pub use conda::{is_conda_tool, CondaBlock, HookCall, HookSite};
pub use path::{is_path_variable, PathEdit, PathEditKind, PathEntry, PathEntryKind};
pub use tools::{
    brew_prefix, command_effect, init_command, init_script, script_effect, InitCommand, InitDir,
    InitEffect, Placement, Tool, ToolInit,
};
pub use word::{PartKind, Quote, Word, WordPart};

/// What kind of startup file this is, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Bashrc,
    /// `~/.bash_profile` or `~/.bash_login`.
    BashProfile,
    /// `~/.profile`, read by bash login shells and by `/bin/sh`.
    Profile,
    Zshenv,
    Zprofile,
    Zshrc,
    Zlogin,
    FishConfig,
    FishConfD,
    /// A script in a conda environment's `etc/conda/activate.d/`.
    CondaActivateHook,
    /// A script in a conda environment's `etc/conda/deactivate.d/`.
    CondaDeactivateHook,
    /// Any other shell file (a script, a sourced fragment, a completion).
    Other,
}

impl FileKind {
    /// Classifies a path. Understands dotfile-repository spellings (`bashrc`, `dot_zshrc`).
    pub fn from_path(path: &Path) -> FileKind {
        let components: Vec<&str> = path.iter().filter_map(|c| c.to_str()).collect();
        let parent = components.iter().rev().nth(1).copied().unwrap_or("");
        let grandparent = components.iter().rev().nth(2).copied().unwrap_or("");
        let name = components.last().copied().unwrap_or("");
        if grandparent == "conda" && parent == "activate.d" {
            return FileKind::CondaActivateHook;
        }
        if grandparent == "conda" && parent == "deactivate.d" {
            return FileKind::CondaDeactivateHook;
        }
        if name.ends_with(".fish") && parent == "conf.d" {
            return FileKind::FishConfD;
        }
        let bare = name.strip_suffix(".tmpl").unwrap_or(name);
        let bare = bare
            .trim_start_matches("private_")
            .trim_start_matches("readonly_");
        let bare = bare
            .strip_prefix("dot_")
            .or_else(|| bare.strip_prefix('.'))
            .unwrap_or(bare);
        match bare {
            "bashrc" | "bash.bashrc" => FileKind::Bashrc,
            "bash_profile" | "bash_login" => FileKind::BashProfile,
            "profile" => FileKind::Profile,
            "zshenv" => FileKind::Zshenv,
            "zprofile" => FileKind::Zprofile,
            "zshrc" => FileKind::Zshrc,
            "zlogin" => FileKind::Zlogin,
            "config.fish" => FileKind::FishConfig,
            _ => FileKind::Other,
        }
    }

    /// Files that interactive shells read again and again (nested shells, tmux panes,
    /// `exec $SHELL`, `source ~/.bashrc` after an edit), so unguarded `PATH` edits pile up.
    pub fn is_rc(self) -> bool {
        matches!(
            self,
            FileKind::Bashrc | FileKind::Zshrc | FileKind::FishConfig | FileKind::FishConfD
        )
    }

    /// Files a shell reads by itself at startup (not scripts or fragments).
    pub fn is_startup(self) -> bool {
        !matches!(
            self,
            FileKind::Other | FileKind::CondaActivateHook | FileKind::CondaDeactivateHook
        )
    }

    /// Files that non-interactive shells read too (`bash -c` over ssh reads `.bashrc`;
    /// every zsh reads `.zshenv`), where output breaks scp, rsync and git over ssh.
    pub fn read_by_non_interactive(self) -> bool {
        matches!(self, FileKind::Bashrc | FileKind::Zshenv)
    }
}

/// One startup file, lifted into the model.
#[derive(Debug)]
pub struct StartupFile<'a> {
    pub path: &'a Path,
    pub kind: FileKind,
    pub shell: Shell,
    /// `/bin/sh` reads this file too (`~/.profile`).
    pub read_by_sh: bool,
    /// The grammar whose tree the model was lifted from.
    pub grammar: Option<Grammar>,
    pub source: &'a [u8],
    pub tree: Option<&'a condago_syntax::tree_sitter::Tree>,
    /// Every simple statement in source order, nested ones included.
    pub statements: Vec<Statement>,
    /// conda and mamba init blocks, in source order.
    pub conda_blocks: Vec<CondaBlock>,
    /// conda and mamba init blocks whose every line between the markers is commented out
    /// (they run nothing; kept apart so that no rule takes them for a working block).
    pub commented_conda_blocks: Vec<CondaBlock>,
    /// Well-known tool initialisations (`eval "$(pyenv init -)"`, `. ~/.cargo/env`), in
    /// source order, with what they do to `PATH`.
    pub tool_inits: Vec<ToolInit>,
    /// Byte ranges the parser could not understand; rules stay quiet inside them.
    pub error_ranges: Vec<Range<usize>>,
    /// Where each line starts, for line-level questions.
    pub line_starts: Vec<usize>,
    /// `statements` indexed by position, built on first use (see [`StartupFile::overlapping`]).
    statement_index: std::sync::OnceLock<StatementIndex>,
}

/// The statements ordered by where they start, for range questions in O(log n), and how
/// many statements of each `&&`/`||` list run in the shell itself.
#[derive(Debug, Default)]
struct StatementIndex {
    /// Indices into `statements`, by start offset.
    by_start: Vec<usize>,
    /// The largest end offset among `by_start[..=i]`.
    max_end: Vec<usize>,
    /// Statements not in a subshell, per list id.
    list_sizes: std::collections::HashMap<usize, usize>,
}

/// A simple statement: an assignment or a command, with where it runs.
#[derive(Debug, Clone)]
pub struct Statement {
    pub range: Range<usize>,
    pub kind: StatementKind,
    pub context: Context,
    /// Its place in an `&&`/`||` list (`; and` / `; or` in fish).
    pub chain: Chain,
}

/// What a statement does.
#[derive(Debug, Clone)]
pub enum StatementKind {
    Assignment(Assignment),
    Command(Command),
}

/// A variable set or exported: `VAR=x`, `export VAR=x`, `typeset -U path`, zsh
/// `path=(…)`/`path+=(…)`, fish `set -gx VAR …`, fish's `export VAR=x` wrapper.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub name: String,
    pub name_range: Range<usize>,
    /// The keyword or command that set it: `export`, `declare`, `typeset`, `local`, `set`,
    /// `readonly`; `None` for a bare `VAR=x`.
    pub keyword: Option<String>,
    /// The flags given to the keyword (`-gx`, `-U`, `--path`).
    pub flags: Vec<String>,
    pub operator: AssignOp,
    /// The value's words: one for a scalar, one per element for arrays and fish lists.
    /// Empty for `export VAR` or `set -e VAR`.
    pub values: Vec<Word>,
    /// The value was given at all (`export VAR` has none).
    pub has_value: bool,
    /// Array syntax: zsh/bash `name=(…)`, or any fish `set`.
    pub is_list: bool,
    pub exported: bool,
    pub scope: Scope,
    /// The range of the value (`=` excluded), when there is one.
    pub value_range: Option<Range<usize>>,
    /// A prefix assignment that only applies to one command (`GOFLAGS=x go build`).
    pub command_prefix: bool,
}

/// How an assignment combines with the old value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    /// `+=`, fish `set -a`.
    Append,
    /// fish `set -p`.
    Prepend,
    /// fish `set -e`, `unset`.
    Erase,
}

/// Where a variable lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Nothing said: the shell's default (global in bash/zsh at top level, function-local
    /// for fish inside a function).
    Default,
    Local,
    Global,
    /// fish `set -U`: stored in `fish_variables`, outlives the file.
    Universal,
}

/// A command with its words.
#[derive(Debug, Clone)]
pub struct Command {
    /// The command name as written (`source`, `.`, `conda`, `eval`); `None` when the name
    /// is not a plain word (`$cmd args`, `` `x` ``).
    pub name: Option<String>,
    pub name_range: Range<usize>,
    pub args: Vec<Word>,
    /// `2>/dev/null`-style redirections attached to the command.
    pub redirects: Vec<String>,
    /// Prefix assignments (`A=1 cmd`).
    pub env_prefix: Vec<Assignment>,
}

/// The statement's place in an `&&`/`||` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    /// Statements of one list share an id; a statement not in a list has its own.
    pub list: usize,
    /// The operator before this statement (`None` for the first of a list).
    pub after: Option<ChainOp>,
}

/// An operator joining commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainOp {
    /// `&&`, fish `; and` / `&&`.
    And,
    /// `||`, fish `; or` / `||`.
    Or,
    /// `|`
    Pipe,
}

/// Where a statement runs.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The function whose body holds it.
    pub function: Option<String>,
    /// Enclosing conditions, outermost first.
    pub conditions: Vec<Condition>,
    /// Inside a loop body.
    pub in_loop: bool,
    /// Inside a command substitution, a subshell or a pipeline stage: its assignments do
    /// not reach the shell.
    pub in_subshell: bool,
    /// Only interactive shells reach it: after the rc file's non-interactive `return`
    /// guard, or inside `if [[ $- == *i* ]]` / `if status is-interactive`.
    pub interactive_only: bool,
    /// The conda/mamba block (index into `StartupFile::conda_blocks`) it sits in.
    pub conda_block: Option<usize>,
}

impl Context {
    /// Runs whenever the file is read (not in a function, condition, loop or subshell).
    pub fn is_unconditional(&self) -> bool {
        self.function.is_none() && self.conditions.is_empty() && !self.in_loop && !self.in_subshell
    }
}

/// An enclosing `if`/`case`/`while`/`&&` condition.
#[derive(Debug, Clone)]
pub struct Condition {
    pub kind: ConditionKind,
    /// The condition's source text (`[ -d "$d" ]`, `status is-interactive`).
    pub test: String,
    pub range: Range<usize>,
}

/// The kind of an enclosing condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    If,
    /// An `else`/`elif` branch: `test` is the negated `if` condition.
    Else,
    Case,
    While,
    /// The right side of `&&`/`||` (`test` is the left side).
    List,
}

impl<'a> StartupFile<'a> {
    /// Lifts a parsed file into the model.
    pub fn new(path: &'a Path, source: &'a [u8], parse: &'a Parse, read_by_sh: bool) -> Self {
        let mut file = StartupFile {
            path,
            kind: FileKind::from_path(path),
            shell: parse.shell,
            read_by_sh,
            grammar: parse.tree.as_ref().map(|_| parse.grammar),
            source,
            tree: parse.tree.as_ref(),
            statements: Vec::new(),
            conda_blocks: Vec::new(),
            commented_conda_blocks: Vec::new(),
            tool_inits: Vec::new(),
            error_ranges: Vec::new(),
            line_starts: line_starts(source),
            statement_index: std::sync::OnceLock::new(),
        };
        (file.conda_blocks, file.commented_conda_blocks) = conda::find_blocks(&file);
        if let Some(tree) = file.tree {
            let root = tree.root_node();
            collect_errors(root, &mut file.error_ranges);
            let statements = match parse.grammar {
                Grammar::Fish => fish::lift(root, &file),
                Grammar::Bash | Grammar::Zsh => posix::lift(root, &file),
            };
            file.statements = statements;
        }
        if condago_syntax::template::is_template_path(path) {
            unknown_template_text(&mut file.statements);
        }
        conda::attach(&mut file);
        file.tool_inits = tools::find(&file);
        file
    }

    /// The source text of a range, lossily decoded.
    pub fn text(&self, range: Range<usize>) -> std::borrow::Cow<'a, str> {
        let source: &'a [u8] = self.source;
        String::from_utf8_lossy(source.get(range).unwrap_or_default())
    }

    /// The 0-based line holding a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The byte range of a 0-based line, without its line break.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.source.len());
        let mut end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.source.len());
        while end > start && matches!(self.source[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    fn statement_index(&self) -> &StatementIndex {
        self.statement_index.get_or_init(|| {
            let mut by_start: Vec<usize> = (0..self.statements.len()).collect();
            by_start.sort_by_key(|&i| self.statements[i].range.start);
            let mut max_end = Vec::with_capacity(by_start.len());
            let mut end = 0;
            for &i in &by_start {
                end = end.max(self.statements[i].range.end);
                max_end.push(end);
            }
            let mut list_sizes = std::collections::HashMap::new();
            for statement in &self.statements {
                if !statement.context.in_subshell {
                    *list_sizes.entry(statement.chain.list).or_insert(0) += 1;
                }
            }
            StatementIndex {
                by_start,
                max_end,
                list_sizes,
            }
        })
    }

    /// The statements that share at least one byte with `range` (start before its end, end
    /// after its start), in no particular order.
    pub fn overlapping(&self, range: Range<usize>) -> impl Iterator<Item = &Statement> + '_ {
        let index = self.statement_index();
        let candidates = index
            .by_start
            .partition_point(|&i| self.statements[i].range.start < range.end);
        (0..candidates)
            .rev()
            .take_while(move |&j| index.max_end[j] > range.start)
            .map(move |j| &self.statements[index.by_start[j]])
            .filter(move |statement| statement.range.end > range.start)
    }

    /// How many statements of an `&&`/`||` list (a [`Chain::list`] id) run in the shell
    /// itself, not in a subshell.
    pub fn list_len(&self, list: usize) -> usize {
        self.statement_index()
            .list_sizes
            .get(&list)
            .copied()
            .unwrap_or(0)
    }

    /// Whether a range overlaps a region the parser could not understand.
    pub fn in_error(&self, range: &Range<usize>) -> bool {
        self.error_ranges
            .iter()
            .any(|error| error.start < range.end.max(range.start + 1) && range.start < error.end)
    }

    /// Assignments in source order, with their statements.
    pub fn assignments(&self) -> impl Iterator<Item = (&Statement, &Assignment)> {
        self.statements
            .iter()
            .filter_map(|statement| match &statement.kind {
                StatementKind::Assignment(assignment) => Some((statement, assignment)),
                StatementKind::Command(command) => {
                    let _ = command;
                    None
                }
            })
    }

    /// Commands in source order, with their statements.
    pub fn commands(&self) -> impl Iterator<Item = (&Statement, &Command)> {
        self.statements
            .iter()
            .filter_map(|statement| match &statement.kind {
                StatementKind::Command(command) => Some((statement, command)),
                StatementKind::Assignment(_) => None,
            })
    }

    /// Every edit of `PATH` (zsh `path`, fish `fish_user_paths`, `fish_add_path`) in source
    /// order, outside conda blocks and subshells.
    pub fn path_edits(&self) -> Vec<(&Statement, PathEdit)> {
        self.statements
            .iter()
            .filter(|statement| !statement.context.in_subshell)
            .filter_map(|statement| path::path_edit(self, statement).map(|edit| (statement, edit)))
            .collect()
    }

    /// The statement after `index` in the same `&&`/`||` list.
    pub fn next_in_chain(&self, index: usize) -> Option<&Statement> {
        let statement = self.statements.get(index)?;
        self.statements[index + 1..]
            .iter()
            .find(|next| next.chain.list == statement.chain.list && next.chain.after.is_some())
    }
}

fn line_starts(source: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            source
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

fn collect_errors(node: condago_syntax::tree_sitter::Node, out: &mut Vec<Range<usize>>) {
    if !node.has_error() {
        return;
    }
    if node.is_error() || node.is_missing() {
        out.push(node.byte_range());
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_errors(child, out);
    }
}

/// The outermost substitution nodes (`kinds`) inside `node`, whose statements run in a
/// subshell. Every substitution is spelled with one of `openers`: most commands have none
/// and need no walk.
fn substitutions<'t>(
    node: condago_syntax::tree_sitter::Node<'t>,
    source: &[u8],
    openers: &[u8],
    kinds: &[&str],
) -> Vec<condago_syntax::tree_sitter::Node<'t>> {
    let text = source.get(node.byte_range()).unwrap_or_default();
    if !text.iter().any(|b| openers.contains(b)) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        let mut cursor = current.walk();
        for child in current.named_children(&mut cursor) {
            if kinds.contains(&child.kind()) {
                found.push(child);
            } else {
                stack.push(child);
            }
        }
    }
    found
}

/// A masked template action (`{{ .goroot }}`) stands for text nobody knows: its parts are
/// `Other`, never literal text, and a command it names has no name.
fn unknown_template_text(statements: &mut [Statement]) {
    use condago_syntax::template::has_mask;
    fn word(word: &mut Word) {
        for part in &mut word.parts {
            if matches!(&part.kind, PartKind::Literal(text) if has_mask(text)) {
                part.kind = PartKind::Other;
            }
        }
    }
    fn assignment(assignment: &mut Assignment) {
        assignment.values.iter_mut().for_each(word);
    }
    for statement in statements {
        // A `{{ if }}` read as a shell `if`: its test shows as the action, not the mask.
        for condition in &mut statement.context.conditions {
            if has_mask(&condition.test) {
                condition.test = condago_syntax::template::unmask(&condition.test);
            }
        }
        match &mut statement.kind {
            StatementKind::Assignment(a) => assignment(a),
            StatementKind::Command(command) => {
                if command.name.as_deref().is_some_and(has_mask) {
                    command.name = None;
                }
                command.args.iter_mut().for_each(word);
                command.env_prefix.iter_mut().for_each(assignment);
            }
        }
    }
}
