//! Lifting fish trees (tree-sitter-fish).

use condago_syntax::tree_sitter::Node;

use super::word::{PartKind, Quote, Word, WordPart};
use super::{
    AssignOp, Assignment, Chain, ChainOp, Command, Condition, ConditionKind, Context, Scope,
    StartupFile, Statement, StatementKind,
};

/// Lifts every statement of a fish tree, in source order.
pub(super) fn lift(root: Node, file: &StartupFile) -> Vec<Statement> {
    let mut lifter = Lifter {
        source: file.source,
        statements: Vec::new(),
        next_list: 0,
        after_interactive_guard: false,
    };
    lifter.block(root, &Context::default(), true);
    lifter.statements
}

struct Lifter<'s> {
    source: &'s [u8],
    statements: Vec<Statement>,
    next_list: usize,
    after_interactive_guard: bool,
}

impl Lifter<'_> {
    fn text(&self, node: Node) -> String {
        String::from_utf8_lossy(&self.source[node.byte_range()]).into_owned()
    }

    fn new_chain(&mut self) -> Chain {
        self.next_list += 1;
        Chain {
            list: self.next_list,
            after: None,
        }
    }

    /// Statements of a block in order; a `; and`/`; or` continues the list before it.
    fn block(&mut self, node: Node, context: &Context, top_level: bool) {
        let mut previous: Option<(Chain, String)> = None;
        for (field, child) in children_with_fields(node) {
            if !child.is_named() || child.kind() == "comment" {
                continue;
            }
            if matches!(
                field,
                Some("condition")
                    | Some("name")
                    | Some("value")
                    | Some("variable")
                    | Some("option")
            ) {
                continue;
            }
            let mut context = context.clone();
            if top_level {
                context.interactive_only |= self.after_interactive_guard;
            }
            if child.kind() == "conditional_execution" {
                let (chain, test) = previous
                    .clone()
                    .unwrap_or_else(|| (self.new_chain(), String::new()));
                self.conditional(child, &context, chain.list, &test);
                let test = format!("{test} {}", self.text(child));
                previous = Some((chain, test));
            } else {
                let chain = self.new_chain();
                self.statement(child, &context, chain.clone());
                previous = Some((chain, self.text(child)));
            }
            if top_level {
                let text = previous
                    .as_ref()
                    .map(|(_, test)| test.as_str())
                    .unwrap_or("");
                if text.contains("is-interactive")
                    && (text.contains("or exit") || text.contains("or return"))
                {
                    self.after_interactive_guard = true;
                }
            }
        }
    }

    /// `and cmd`, `or cmd`, `a && b`, `a || b`.
    fn conditional(&mut self, node: Node, context: &Context, list: usize, before: &str) {
        let mut cursor = node.walk();
        let mut op: Option<ChainOp> = None;
        let mut test = before.to_string();
        for child in node.children(&mut cursor) {
            match child.kind() {
                "and" | "&&" => op = Some(ChainOp::And),
                "or" | "||" => op = Some(ChainOp::Or),
                _ if child.is_named() && child.kind() != "comment" => {
                    let mut inner = context.clone();
                    if op.is_some() {
                        inner.conditions.push(Condition {
                            kind: ConditionKind::List,
                            test: test.clone(),
                            range: node.byte_range(),
                        });
                    }
                    let chain = Chain { list, after: op };
                    self.statement(child, &inner, chain);
                    test.push(' ');
                    test.push_str(&self.text(child));
                }
                _ => {}
            }
        }
    }

    fn statement(&mut self, node: Node, context: &Context, chain: Chain) {
        match node.kind() {
            "command" => {
                self.command(node, context, chain);
                self.nested_substitutions(node, context);
            }
            "redirected_statement" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if !child.kind().contains("redirect") {
                        self.statement(child, context, chain.clone());
                    }
                }
            }
            "conditional_execution" => {
                self.conditional(node, context, chain.list, "");
            }
            "pipe" => {
                let mut cursor = node.walk();
                let stages: Vec<Node> = node.named_children(&mut cursor).collect();
                for (i, stage) in stages.into_iter().enumerate() {
                    let stage_chain = Chain {
                        list: chain.list,
                        after: if i == 0 {
                            chain.after
                        } else {
                            Some(ChainOp::Pipe)
                        },
                    };
                    self.statement(stage, context, stage_chain);
                }
            }
            "negated_statement" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.statement(child, context, chain.clone());
                }
            }
            "function_definition" => {
                let name = node
                    .child_by_field_name("name")
                    .map(|name| self.text(name))
                    .unwrap_or_default();
                let mut inner = context.clone();
                inner.function = Some(name);
                self.block(node, &inner, false);
            }
            "begin_statement" => self.block(node, context, false),
            "if_statement" => self.if_statement(node, context),
            "switch_statement" => {
                let test = node
                    .child_by_field_name("value")
                    .map(|value| self.text(value))
                    .unwrap_or_default();
                let mut cursor = node.walk();
                for clause in node.named_children(&mut cursor) {
                    if clause.kind() != "case_clause" {
                        continue;
                    }
                    let mut inner = context.clone();
                    inner.conditions.push(Condition {
                        kind: ConditionKind::Case,
                        test: test.clone(),
                        range: clause.byte_range(),
                    });
                    // The first named child is the pattern.
                    let mut clause_cursor = clause.walk();
                    let mut statements = clause.named_children(&mut clause_cursor);
                    statements.next();
                    let rest: Vec<Node> = statements.collect();
                    for statement in rest {
                        let chain = self.new_chain();
                        self.statement(statement, &inner, chain);
                    }
                }
            }
            "for_statement" | "while_statement" => {
                let mut inner = context.clone();
                inner.in_loop = true;
                if node.kind() == "while_statement" {
                    inner.conditions.push(Condition {
                        kind: ConditionKind::While,
                        test: String::new(),
                        range: node.byte_range(),
                    });
                }
                self.block(node, &inner, false);
            }
            _ => {}
        }
    }

    fn if_statement(&mut self, node: Node, context: &Context) {
        let test: Vec<String> = {
            let mut cursor = node.walk();
            node.children_by_field_name("condition", &mut cursor)
                .filter(|child| child.is_named())
                .map(|child| self.text(child))
                .collect()
        };
        let test = test.join("; ");
        let mut inner = context.clone();
        inner.interactive_only |= is_interactive_test(&test);
        inner.conditions.push(Condition {
            kind: ConditionKind::If,
            test: test.clone(),
            range: node.byte_range(),
        });
        // `if a; and b` / `if a; or b`: fish runs the `and`/`or` jobs right after the
        // condition as part of it (its documentation's `if test -f f; and test -r f`).
        let mut condition_tail = false;
        for (field, child) in children_with_fields(node) {
            if !child.is_named() || child.kind() == "comment" {
                continue;
            }
            if field == Some("condition") {
                let chain = self.new_chain();
                self.statement(child, context, chain);
                condition_tail = true;
                continue;
            }
            let joiner = (condition_tail && child.kind() == "conditional_execution")
                .then(|| child.child(0).map(|first| first.kind()))
                .flatten()
                .filter(|kind| matches!(*kind, "and" | "or"));
            if let Some(joiner) = joiner {
                let chain = self.new_chain();
                self.statement(child, context, chain);
                if joiner == "or" {
                    // The body now also runs when the first test fails.
                    inner.interactive_only = context.interactive_only;
                }
                if let Some(condition) = inner.conditions.last_mut() {
                    condition.test.push_str("; ");
                    condition.test.push_str(&self.text(child));
                }
                continue;
            }
            condition_tail = false;
            match child.kind() {
                "else_if_clause" | "else_clause" => {
                    let mut branch = context.clone();
                    branch.conditions.push(Condition {
                        kind: ConditionKind::Else,
                        test: format!("not {test}"),
                        range: child.byte_range(),
                    });
                    self.block(child, &branch, false);
                }
                _ => {
                    let chain = self.new_chain();
                    self.statement(child, &inner, chain);
                }
            }
        }
    }

    fn command(&mut self, node: Node, context: &Context, chain: Chain) {
        let mut name = None;
        let mut name_range = node.start_byte()..node.start_byte();
        let mut args = Vec::new();
        let mut redirects = Vec::new();
        for (field, child) in children_with_fields(node) {
            if field == Some("name") {
                name_range = child.byte_range();
                name = self.word(child).literal();
            } else if child.kind().contains("redirect") {
                redirects.push(self.text(child));
            } else if child.is_named() && child.kind() != "comment" {
                args.push(self.word(child));
            }
        }
        let range = node.byte_range();
        let assignment = match name.as_deref() {
            Some("set") => self.set_assignment(&args, context),
            Some("export") => self.export_assignment(&args),
            _ => None,
        };
        let kind = match assignment {
            Some(assignment) => StatementKind::Assignment(assignment),
            None => StatementKind::Command(Command {
                name,
                name_range,
                args,
                redirects,
                env_prefix: Vec::new(),
            }),
        };
        self.statements.push(Statement {
            range,
            kind,
            context: context.clone(),
            chain,
        });
    }

    /// `set [flags] NAME [values…]`; `set -q`, `set -S` and `set` alone are queries.
    fn set_assignment(&self, args: &[Word], context: &Context) -> Option<Assignment> {
        let mut flags = Vec::new();
        let mut rest = args.iter();
        let name_word = loop {
            let word = rest.next()?;
            let text = word.literal()?;
            if text == "--" {
                break rest.next()?;
            }
            if text.starts_with('-') && text.len() > 1 {
                flags.push(text);
            } else {
                break word;
            }
        };
        let has = |short: char, long: &str| {
            flags.iter().any(|flag| {
                flag == long
                    || (!flag.starts_with("--") && flag.chars().skip(1).any(|c| c == short))
            })
        };
        if has('q', "--query") || has('S', "--show") || has('n', "--names") {
            return None;
        }
        let name = name_word.literal()?;
        let operator = if has('e', "--erase") {
            AssignOp::Erase
        } else if has('a', "--append") {
            AssignOp::Append
        } else if has('p', "--prepend") {
            AssignOp::Prepend
        } else {
            AssignOp::Set
        };
        let scope = if has('U', "--universal") {
            Scope::Universal
        } else if has('g', "--global") {
            Scope::Global
        } else if has('l', "--local") || has('f', "--function") {
            Scope::Local
        } else {
            let _ = context;
            Scope::Default
        };
        let values: Vec<Word> = rest.cloned().collect();
        let value_range = match (values.first(), values.last()) {
            (Some(first), Some(last)) => Some(first.range.start..last.range.end),
            _ => None,
        };
        Some(Assignment {
            name,
            name_range: name_word.range.clone(),
            keyword: Some("set".to_string()),
            flags: flags.clone(),
            operator,
            has_value: operator != AssignOp::Erase,
            values,
            is_list: true,
            exported: has('x', "--export"),
            scope,
            value_range,
            command_prefix: false,
        })
    }

    /// fish's `export NAME=value` wrapper (one argument).
    fn export_assignment(&self, args: &[Word]) -> Option<Assignment> {
        let word = args.first()?;
        let first = word.parts.first()?;
        let PartKind::Literal(text) = &first.kind else {
            return None;
        };
        if first.quote != Quote::None {
            return None;
        }
        let (name, value_start) = match text.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => {
                return Some(Assignment {
                    name: text.clone(),
                    name_range: first.range.clone(),
                    keyword: Some("export".to_string()),
                    flags: Vec::new(),
                    operator: AssignOp::Set,
                    values: Vec::new(),
                    has_value: false,
                    is_list: false,
                    exported: true,
                    scope: Scope::Global,
                    value_range: None,
                    command_prefix: false,
                })
            }
        };
        // Offsets from the source itself: the literal text may hold escapes or, for bytes
        // that are not UTF-8, replacement characters of another length.
        let source_part = self.source.get(first.range.clone()).unwrap_or_default();
        let equals = source_part.iter().position(|b| *b == b'=')?;
        let name_range = first.range.start..first.range.start + equals;
        let value_offset = (name_range.end + 1).min(first.range.end);
        let mut parts = Vec::new();
        if !value_start.is_empty() {
            parts.push(WordPart {
                range: value_offset..first.range.end,
                kind: PartKind::Literal(value_start),
                quote: Quote::None,
            });
        }
        parts.extend(word.parts.iter().skip(1).cloned());
        let value = Word {
            range: value_offset..word.range.end,
            parts,
        };
        Some(Assignment {
            name,
            name_range,
            keyword: Some("export".to_string()),
            flags: Vec::new(),
            operator: AssignOp::Set,
            value_range: Some(value.range.clone()),
            values: vec![value],
            has_value: true,
            is_list: false,
            exported: true,
            scope: Scope::Global,
            command_prefix: false,
        })
    }

    fn nested_substitutions(&mut self, node: Node, context: &Context) {
        for child in super::substitutions(node, self.source, b"(", &["command_substitution"]) {
            let mut inner = context.clone();
            inner.in_subshell = true;
            self.block(child, &inner, false);
        }
    }

    fn word(&self, node: Node) -> Word {
        let mut parts = Vec::new();
        self.word_parts(node, Quote::None, &mut parts);
        Word {
            range: node.byte_range(),
            parts,
        }
    }

    fn word_parts(&self, node: Node, quote: Quote, parts: &mut Vec<WordPart>) {
        let range = node.byte_range();
        match node.kind() {
            "concatenation" => {
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    self.word_parts(child, quote, parts);
                }
            }
            "double_quote_string" => {
                let inner_start = (range.start + 1).min(range.end);
                let inner_end = range.end.saturating_sub(1).max(inner_start);
                let mut last = inner_start;
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if child.start_byte() > last {
                        parts.push(literal(
                            self.source,
                            last..child.start_byte(),
                            Quote::Double,
                        ));
                    }
                    self.word_parts(child, Quote::Double, parts);
                    last = child.end_byte();
                }
                if inner_end > last {
                    parts.push(literal(self.source, last..inner_end, Quote::Double));
                }
            }
            "single_quote_string" => {
                let text = &self.source[range.clone()];
                let inner = text
                    .strip_prefix(b"'")
                    .and_then(|t| t.strip_suffix(b"'"))
                    .unwrap_or(text);
                let text = String::from_utf8_lossy(inner)
                    .replace("\\'", "'")
                    .replace("\\\\", "\\");
                parts.push(WordPart {
                    range,
                    kind: PartKind::Literal(text),
                    quote: Quote::Single,
                });
            }
            "escape_sequence" => {
                let text = String::from_utf8_lossy(&self.source[range.clone()]);
                let unescaped = text.strip_prefix('\\').unwrap_or(&text).to_string();
                parts.push(WordPart {
                    range,
                    kind: PartKind::Literal(unescaped),
                    quote,
                });
            }
            "variable_expansion" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                let name = children
                    .iter()
                    .find(|child| child.kind() == "variable_name")
                    .map(|child| self.text(*child));
                let complex = children.iter().any(|child| child.kind() != "variable_name");
                parts.push(WordPart {
                    range,
                    kind: match name {
                        Some(name) => PartKind::Variable { name, complex },
                        None => PartKind::Other,
                    },
                    quote,
                });
            }
            "command_substitution" => parts.push(WordPart {
                range,
                kind: PartKind::CommandSubstitution,
                quote,
            }),
            "home_dir_expansion" | "word" | "integer" | "float" => {
                parts.push(literal(self.source, range, quote))
            }
            _ => parts.push(WordPart {
                range,
                kind: PartKind::Other,
                quote,
            }),
        }
    }
}

/// A node's children with their field names. `Node::field_name_for_child` walks the
/// children before the one asked about, so calling it for each child of a file's top level
/// (thousands of statements) is quadratic; the cursor knows the field of where it stands.
fn children_with_fields<'t>(node: Node<'t>) -> impl Iterator<Item = (Option<&'t str>, Node<'t>)> {
    let mut cursor = node.walk();
    let mut started = false;
    std::iter::from_fn(move || {
        let moved = if started {
            cursor.goto_next_sibling()
        } else {
            started = true;
            cursor.goto_first_child()
        };
        moved.then(|| (cursor.field_name(), cursor.node()))
    })
}

fn literal(source: &[u8], range: std::ops::Range<usize>, quote: Quote) -> WordPart {
    let text = String::from_utf8_lossy(&source[range.clone()]).into_owned();
    WordPart {
        range,
        kind: PartKind::Literal(text),
        quote,
    }
}

fn is_interactive_test(test: &str) -> bool {
    let test = test.trim();
    (test.contains("status is-interactive") || test.contains("status --is-interactive"))
        && !test.starts_with("not ")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use condago_syntax::Shell;

    use crate::model::{StartupFile, StatementKind};

    /// Each `set` statement's variable, whether it is interactive-only, and its outermost
    /// condition.
    fn sets(text: &str) -> Vec<(String, bool, String)> {
        let parse = condago_syntax::parse(text.as_bytes(), Shell::Fish, &Default::default());
        let path = Path::new("home/.config/fish/config.fish");
        let file = StartupFile::new(path, text.as_bytes(), &parse, false);
        file.statements
            .iter()
            .filter_map(|statement| match &statement.kind {
                StatementKind::Assignment(assignment) => Some((
                    assignment.name.clone(),
                    statement.context.interactive_only,
                    statement
                        .context
                        .conditions
                        .first()
                        .map(|condition| condition.test.clone())
                        .unwrap_or_default(),
                )),
                StatementKind::Command(_) => None,
            })
            .collect()
    }

    /// fish 3.6: `if a; and b` runs the body only when both hold, `if a; or b` when
    /// either does (`if true; and false` takes the `else` branch).
    #[test]
    fn and_or_after_the_condition_belong_to_it() {
        assert_eq!(
            sets("if test -d ~/bin; and not contains ~/bin $PATH\n    set -gx A 1\nend\n"),
            vec![(
                "A".to_string(),
                false,
                "test -d ~/bin; and not contains ~/bin $PATH".to_string()
            )]
        );
        assert!(sets("if status is-interactive; and set -q TMUX\n    set -g B 1\nend\n")[0].1);
        let widened = sets("if status is-interactive; or set -q FORCE\n    set -g C 1\nend\n");
        assert!(!widened[0].1, "{widened:?}");
        // Only jobs right after the condition: a later `and` is part of the body.
        let body = sets("if test -n x\n    echo hi\n    and set -g D 1\nend\n");
        assert_eq!(body[0].2, "test -n x");
    }

    /// Found by fuzzing: bytes that are not UTF-8 in an `export NAME=…` name made the value's
    /// range start past its end (the name's length was taken from the lossy text).
    #[test]
    fn export_ranges_come_from_the_source_bytes() {
        let mut text = b"[[ -o login ]] && export ".to_vec();
        text.extend(std::iter::repeat_n(0xff_u8, 51));
        text.extend_from_slice(b"PATH=\"$HOME/zlogin/bin:$PATH\"$PATH: -o interactive ]]; then\n    path=($HOME/x/bin $path)\nfi\n");
        let parse = condago_syntax::parse(&text, condago_syntax::Shell::Fish, &Default::default());
        let file = crate::model::StartupFile::new(
            std::path::Path::new("config.fish"),
            &text,
            &parse,
            false,
        );
        for (_, assignment) in file.assignments() {
            for value in &assignment.values {
                assert!(
                    value.range.start <= value.range.end && value.range.end <= text.len(),
                    "{value:?}"
                );
            }
            assert!(assignment.name_range.end <= text.len());
        }
        let result = crate::lint(
            std::path::Path::new("config.fish"),
            &text,
            condago_syntax::Detection {
                shell: condago_syntax::Shell::Fish,
                source: condago_syntax::DetectionSource::FileName,
                read_by_sh: false,
            },
            &Default::default(),
        );
        for diagnostic in &result.diagnostics {
            assert!(
                diagnostic.range.start <= diagnostic.range.end
                    && diagnostic.range.end <= text.len(),
                "{diagnostic:?}"
            );
        }
    }
}
