//! Lifting bash and zsh trees (condago's zsh grammar extends tree-sitter-bash's, so they share node kinds).

use condago_syntax::tree_sitter::Node;

use super::word::{PartKind, Quote, Word, WordPart};
use super::{
    AssignOp, Assignment, Chain, ChainOp, Command, Condition, ConditionKind, Context, Scope,
    StartupFile, Statement, StatementKind,
};

/// Lifts every statement of a bash or zsh tree, in source order.
pub(super) fn lift(root: Node, file: &StartupFile) -> Vec<Statement> {
    let mut lifter = Lifter {
        source: file.source,
        is_zsh: file.shell == condago_syntax::Shell::Zsh,
        statements: Vec::new(),
        next_list: 0,
        after_interactive_guard: false,
    };
    let context = Context::default();
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        let mut context = context.clone();
        context.interactive_only = lifter.after_interactive_guard;
        lifter.statement(child, &context, None);
        if is_interactive_guard(child, file.source) {
            lifter.after_interactive_guard = true;
        }
    }
    lifter.statements
}

struct Lifter<'s> {
    source: &'s [u8],
    is_zsh: bool,
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

    /// Lifts one statement node; `chain` is set when it is part of an `&&`/`||` list.
    fn statement(&mut self, node: Node, context: &Context, chain: Option<Chain>) {
        match node.kind() {
            "comment" | "heredoc_body" | "heredoc_redirect" => {}
            "command" => {
                let chain = chain.unwrap_or_else(|| self.new_chain());
                self.command(node, node, context, chain, Vec::new());
                self.nested_substitutions(node, context);
            }
            "redirected_statement" => {
                let redirects: Vec<String> = children_by_field(node, "redirect")
                    .map(|redirect| self.text(redirect))
                    .collect();
                if let Some(body) = node.child_by_field_name("body") {
                    if body.kind() == "command" {
                        let chain = chain.unwrap_or_else(|| self.new_chain());
                        self.command(body, node, context, chain, redirects);
                        self.nested_substitutions(body, context);
                    } else {
                        self.statement(body, context, chain);
                    }
                }
            }
            "variable_assignment"
            | "variable_assignments"
            | "declaration_command"
            | "unset_command" => {
                let chain = chain.unwrap_or_else(|| self.new_chain());
                for assignment in self.assignments(node, context) {
                    self.statements.push(Statement {
                        range: node.byte_range(),
                        kind: StatementKind::Assignment(assignment),
                        context: context.clone(),
                        chain: chain.clone(),
                    });
                }
                self.nested_substitutions(node, context);
            }
            "list" => self.list(node, context, chain),
            "pipeline" => {
                let chain = chain.unwrap_or_else(|| self.new_chain());
                let mut cursor = node.walk();
                let stages: Vec<Node> = node
                    .named_children(&mut cursor)
                    .filter(|child| child.kind() != "comment")
                    .collect();
                let last = stages.len().saturating_sub(1);
                for (i, stage) in stages.into_iter().enumerate() {
                    let mut inner = context.clone();
                    // bash runs every stage in a subshell; zsh runs the last in the shell.
                    inner.in_subshell |= !(self.is_zsh && i == last);
                    let chain = Chain {
                        list: chain.list,
                        after: if i == 0 {
                            chain.after
                        } else {
                            Some(ChainOp::Pipe)
                        },
                    };
                    self.statement(stage, &inner, Some(chain));
                }
            }
            "negated_command" => {
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
                if let Some(body) = node.child_by_field_name("body") {
                    self.body(body, &inner);
                }
            }
            // zsh `() { … } args`: defined and run at once, in the current shell.
            "anonymous_function" => {
                if let Some(body) = node.child_by_field_name("body") {
                    self.block(body, context);
                }
            }
            // zsh `{ … } always { … }`: both blocks run.
            "always_statement" => self.block(node, context),
            "subshell" => {
                let mut inner = context.clone();
                inner.in_subshell = true;
                self.block(node, &inner);
            }
            "compound_statement" | "do_group" => self.block(node, context),
            "if_statement" => self.if_statement(node, context),
            "case_statement" => self.case_statement(node, context),
            "while_statement" | "until_statement" => {
                let test = node
                    .child_by_field_name("condition")
                    .map(|condition| self.text(condition))
                    .unwrap_or_default();
                let mut inner = context.clone();
                inner.in_loop = true;
                inner.conditions.push(Condition {
                    kind: ConditionKind::While,
                    test,
                    range: node.byte_range(),
                });
                if let Some(body) = node.child_by_field_name("body") {
                    self.body(body, &inner);
                }
            }
            "for_statement" | "c_style_for_statement" | "select_statement" | "repeat_statement" => {
                let mut inner = context.clone();
                inner.in_loop = true;
                if let Some(body) = node.child_by_field_name("body") {
                    self.body(body, &inner);
                }
            }
            "test_command" => {
                // A test on its own does nothing to the environment.
            }
            _ => {
                // Other compound forms (zsh `repeat`, `always`, arithmetic): keep looking
                // for statements inside, conservatively as conditional.
                let mut inner = context.clone();
                inner.conditions.push(Condition {
                    kind: ConditionKind::If,
                    test: String::new(),
                    range: node.byte_range(),
                });
                self.block(node, &inner);
            }
        }
    }

    /// A loop's, function's or conditional's body: a block, or in zsh's short forms a single
    /// command (`for f (*.zsh) source $f`, `if [[ … ]] cmd`).
    fn body(&mut self, node: Node, context: &Context) {
        match node.kind() {
            "compound_statement" | "do_group" => self.block(node, context),
            _ => self.statement(node, context, None),
        }
    }

    fn block(&mut self, node: Node, context: &Context) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.statement(child, context, None);
        }
    }

    fn list(&mut self, node: Node, context: &Context, chain: Option<Chain>) {
        // `a && b || c` nests to the left: flatten it into one list.
        let mut items: Vec<(Option<ChainOp>, Node)> = Vec::new();
        flatten_list(node, None, &mut items);
        let chain = chain.unwrap_or_else(|| self.new_chain());
        let mut tests: Vec<String> = Vec::new();
        for (i, (op, item)) in items.iter().enumerate() {
            let mut inner = context.clone();
            if i > 0 {
                inner.conditions.push(Condition {
                    kind: ConditionKind::List,
                    test: tests.join(" "),
                    range: node.byte_range(),
                });
            }
            let item_chain = Chain {
                list: chain.list,
                after: if i == 0 { chain.after } else { *op },
            };
            self.statement(*item, &inner, Some(item_chain));
            tests.push(self.text(*item));
        }
    }

    fn if_statement(&mut self, node: Node, context: &Context) {
        let mut test = String::new();
        let mut cursor = node.walk();
        let mut in_condition = true;
        for (i, child) in node.children(&mut cursor).enumerate() {
            let field = node.field_name_for_child(i as u32);
            // zsh's `if [[ … ]] { … }` and `if [[ … ]] cmd` have a body field, no `then`.
            in_condition &= field != Some("body");
            match (field, child.kind()) {
                (Some("condition"), _) if child.is_named() => {
                    if !test.is_empty() {
                        test.push(' ');
                    }
                    test.push_str(&self.text(child));
                    // Assignments in conditions run; lift them in the current context.
                    self.statement(child, context, None);
                }
                (_, "then") => in_condition = false,
                (_, "elif_clause") | (_, "else_clause") => {
                    let mut inner = context.clone();
                    inner.conditions.push(Condition {
                        kind: ConditionKind::Else,
                        test: format!("! {test}"),
                        range: child.byte_range(),
                    });
                    let mut clause_cursor = child.walk();
                    for grandchild in child.named_children(&mut clause_cursor) {
                        if grandchild.kind() != "comment" {
                            self.statement(grandchild, &inner, None);
                        }
                    }
                }
                _ if child.is_named() && !in_condition => {
                    let mut inner = context.clone();
                    inner.interactive_only |= is_interactive_test(&test);
                    inner.conditions.push(Condition {
                        kind: ConditionKind::If,
                        test: test.clone(),
                        range: node.byte_range(),
                    });
                    self.statement(child, &inner, None);
                }
                _ => {}
            }
        }
    }

    fn case_statement(&mut self, node: Node, context: &Context) {
        let test = node
            .child_by_field_name("value")
            .map(|value| self.text(value))
            .unwrap_or_default();
        let mut cursor = node.walk();
        for item in node.named_children(&mut cursor) {
            if item.kind() != "case_item" {
                continue;
            }
            let mut inner = context.clone();
            inner.conditions.push(Condition {
                kind: ConditionKind::Case,
                test: test.clone(),
                range: item.byte_range(),
            });
            let mut item_cursor = item.walk();
            for (i, child) in item.children(&mut item_cursor).enumerate() {
                if child.is_named()
                    && item.field_name_for_child(i as u32) != Some("value")
                    && !child.kind().ends_with("pattern")
                {
                    self.statement(child, &inner, None);
                }
            }
        }
    }

    fn command(
        &mut self,
        node: Node,
        statement_node: Node,
        context: &Context,
        chain: Chain,
        redirects: Vec<String>,
    ) {
        let mut name = None;
        let mut name_range = node.start_byte()..node.start_byte();
        let mut args = Vec::new();
        let mut env_prefix = Vec::new();
        let mut redirects = redirects;
        let mut continuation_end = 0;
        let mut cursor = node.walk();
        for (i, child) in node.children(&mut cursor).enumerate() {
            if child.start_byte() < continuation_end {
                continue;
            }
            match (node.field_name_for_child(i as u32), child.kind()) {
                (Some("name"), _) => {
                    name_range = child.byte_range();
                    let word = self.word(child.named_child(0).unwrap_or(child));
                    name = word.literal();
                }
                (_, "variable_assignment") => {
                    if let Some(next) = self.split_continuation(child) {
                        continuation_end = next.end_byte();
                    }
                    env_prefix.extend(self.assignment(child, None, &[], context).map(
                        |mut assignment| {
                            assignment.command_prefix = true;
                            assignment
                        },
                    ));
                }
                (_, kind) if kind.ends_with("redirect") => redirects.push(self.text(child)),
                // The command name that followed a split word (`A=$X:$Y/b make`).
                (Some("argument"), _)
                    if continuation_end > 0 && name_range.is_empty() && child.is_named() =>
                {
                    name_range = child.byte_range();
                    name = self.word(child).literal();
                }
                (Some("argument"), _) | (None, _)
                    if child.is_named()
                        && child.kind() != "comment"
                        && name_range.end > name_range.start =>
                {
                    args.push(self.word(child));
                }
                _ => {}
            }
        }
        let range = statement_node.byte_range();
        if name.is_none() && name_range.is_empty() && args.is_empty() && !env_prefix.is_empty() {
            // Only assignments were left once a split word was joined again
            // (`PATH=$PATH:$HOME/bin`, see `split_continuation`): they are plain assignments.
            for mut assignment in env_prefix {
                assignment.command_prefix = false;
                self.statements.push(Statement {
                    range: range.clone(),
                    kind: StatementKind::Assignment(assignment),
                    context: context.clone(),
                    chain: chain.clone(),
                });
            }
            return;
        }
        // `export X=1` spelled as a command (zsh's grammar does this for some keywords).
        self.statements.push(Statement {
            range,
            kind: StatementKind::Command(Command {
                name,
                name_range,
                args,
                redirects,
                env_prefix,
            }),
            context: context.clone(),
            chain,
        });
    }

    /// Lifts statements inside `$(…)` in a node's words, as subshell statements.
    fn nested_substitutions(&mut self, node: Node, context: &Context) {
        for child in super::substitutions(
            node,
            self.source,
            b"(`",
            &["command_substitution", "process_substitution"],
        ) {
            let mut inner = context.clone();
            inner.in_subshell = true;
            self.block(child, &inner);
        }
    }

    fn assignments(&self, node: Node, context: &Context) -> Vec<Assignment> {
        match node.kind() {
            "variable_assignment" => self
                .assignment(node, None, &[], context)
                .into_iter()
                .collect(),
            "variable_assignments" => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor)
                    .filter_map(|child| self.assignment(child, None, &[], context))
                    .collect()
            }
            "declaration_command" | "unset_command" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.children(&mut cursor).collect();
                let keyword = children
                    .first()
                    .map(|first| self.text(*first))
                    .unwrap_or_default();
                let mut flags: Vec<String> = Vec::new();
                let mut out = Vec::new();
                let mut continuation_end = 0;
                for child in children.iter().skip(1) {
                    if child.start_byte() < continuation_end {
                        continue;
                    }
                    let text = self.text(*child);
                    match child.kind() {
                        "variable_assignment" => {
                            if let Some(next) = self.split_continuation(*child) {
                                continuation_end = next.end_byte();
                            }
                            out.extend(self.assignment(*child, Some(&keyword), &flags, context))
                        }
                        _ if (text.starts_with('-') || text.starts_with('+')) && out.is_empty() => {
                            flags.push(text)
                        }
                        "variable_name" | "word" | "simple_variable_name" => {
                            out.push(self.declared_name(*child, &keyword, &flags, context))
                        }
                        _ => {}
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// `export NAME`, `typeset -U path`, `unset NAME`: a name without a value.
    fn declared_name(
        &self,
        node: Node,
        keyword: &str,
        flags: &[String],
        context: &Context,
    ) -> Assignment {
        let erase = keyword == "unset";
        Assignment {
            name: self.text(node),
            name_range: node.byte_range(),
            keyword: Some(keyword.to_string()),
            flags: flags.to_vec(),
            operator: if erase {
                AssignOp::Erase
            } else {
                AssignOp::Set
            },
            values: Vec::new(),
            has_value: false,
            is_list: false,
            exported: is_exporting(keyword, flags),
            scope: scope_of(keyword, flags, context),
            value_range: None,
            command_prefix: false,
        }
    }

    fn assignment(
        &self,
        node: Node,
        keyword: Option<&str>,
        flags: &[String],
        context: &Context,
    ) -> Option<Assignment> {
        if node.kind() != "variable_assignment" {
            return None;
        }
        let name_node = node.child_by_field_name("name")?;
        let mut operator = AssignOp::Set;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.kind() == "+=" {
                operator = AssignOp::Append;
            }
        }
        let value = node.child_by_field_name("value");
        let continuation = self.split_continuation(node);
        let (values, is_list) = match value {
            Some(value) if value.kind() != "array" && continuation.is_some() => {
                let word = self.word(value);
                let merged =
                    continuation.map_or(word.clone(), |next| self.merge_continuation(word, next));
                (vec![merged], false)
            }
            Some(value) if value.kind() == "array" => {
                let mut cursor = value.walk();
                let elements = value
                    .named_children(&mut cursor)
                    .filter(|child| child.kind() != "comment")
                    .map(|child| self.word(child))
                    .collect();
                (elements, true)
            }
            Some(value) => (vec![self.word(value)], false),
            None => (Vec::new(), false),
        };
        let keyword_text = keyword.unwrap_or("");
        Some(Assignment {
            name: self.text(name_node),
            name_range: name_node.byte_range(),
            keyword: keyword.map(str::to_string),
            flags: flags.to_vec(),
            operator,
            values,
            has_value: true,
            is_list,
            exported: is_exporting(keyword_text, flags),
            scope: scope_of(keyword_text, flags, context),
            value_range: value.map(|value| {
                value.start_byte()..continuation.map_or(value.end_byte(), |next| next.end_byte())
            }),
            command_prefix: false,
        })
    }

    /// tree-sitter-bash 0.25 splits an unquoted `$A:$B/c` after the second `$`
    /// (tree-sitter/tree-sitter-bash#315, no error node): `PATH=$PATH:$HOME/bin` comes out
    /// as the assignment `PATH=$PATH:$` followed by a word `HOME/bin` that starts exactly
    /// where it ends. Returns that word when `node` ends in such a dangling `$`.
    fn split_continuation<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        let end = node.end_byte();
        if self.source.get(end.checked_sub(1)?) != Some(&b'$') {
            return None;
        }
        let next = node.next_named_sibling()?;
        let starts_name = self
            .source
            .get(next.start_byte())
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        (next.start_byte() == end && starts_name).then_some(next)
    }

    /// Joins a word ending in the dangling `$` of [`Self::split_continuation`] with the word
    /// after it: `$PATH:$` + `HOME/bin` → `$PATH`, `:`, `$HOME`, `/bin`.
    fn merge_continuation(&self, word: Word, next: Node) -> Word {
        let dollar = next.start_byte().saturating_sub(1);
        let mut parts = word.parts;
        if parts
            .last()
            .is_some_and(|last| last.range == (dollar..dollar + 1))
        {
            parts.pop();
        }
        let inner = if next.kind() == "command_name" {
            next.named_child(0).unwrap_or(next)
        } else {
            next
        };
        let mut rest = self.word(inner).parts;
        let first = rest.first().cloned();
        let split = match first {
            Some(WordPart {
                kind: PartKind::Literal(text),
                quote: Quote::None,
                range,
            }) => {
                let name_len = if text.starts_with(|c: char| c.is_ascii_digit()) {
                    1
                } else {
                    text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(text.len())
                };
                (name_len > 0 && self.source.get(range.clone()) == Some(text.as_bytes()))
                    .then_some((text, range, name_len))
            }
            _ => None,
        };
        match split {
            Some((text, range, name_len)) => {
                rest.remove(0);
                let name_end = range.start + name_len;
                let mut head = vec![WordPart {
                    range: dollar..name_end,
                    kind: PartKind::Variable {
                        name: text[..name_len].to_string(),
                        complex: false,
                    },
                    quote: Quote::None,
                }];
                if name_len < text.len() {
                    head.push(WordPart {
                        range: name_end..range.end,
                        kind: PartKind::Literal(text[name_len..].to_string()),
                        quote: Quote::None,
                    });
                }
                parts.extend(head);
            }
            None => parts.push(literal(b"$", dollar..dollar + 1, Quote::None)),
        }
        parts.extend(rest);
        Word {
            range: word.range.start..next.end_byte(),
            parts,
        }
    }

    /// Splits a word-like node into parts.
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
                let mut last_end = node.start_byte();
                for child in node.children(&mut cursor) {
                    // Unnamed pieces (a bare `$`, punctuation) still carry text.
                    if child.start_byte() > last_end {
                        let gap = last_end..child.start_byte();
                        parts.push(literal(&self.source[gap.clone()], gap, quote));
                    }
                    self.word_parts(child, quote, parts);
                    last_end = child.end_byte();
                }
            }
            "string" | "translated_string" => {
                let mut cursor = node.walk();
                let inner_start = node.start_byte() + if node.kind() == "string" { 1 } else { 2 };
                let inner_end = node.end_byte().saturating_sub(1).max(inner_start);
                let mut last_end = inner_start;
                for child in node.named_children(&mut cursor) {
                    if child.start_byte() > last_end {
                        let gap = last_end..child.start_byte();
                        parts.push(literal(&self.source[gap.clone()], gap, Quote::Double));
                    }
                    if child.kind() == "string_content" {
                        parts.push(literal(
                            &self.source[child.byte_range()],
                            child.byte_range(),
                            Quote::Double,
                        ));
                    } else {
                        self.word_parts(child, Quote::Double, parts);
                    }
                    last_end = child.end_byte().max(last_end);
                }
                if inner_end > last_end {
                    let gap = last_end..inner_end;
                    parts.push(literal(&self.source[gap.clone()], gap, Quote::Double));
                }
            }
            "raw_string" => {
                let text = &self.source[range.clone()];
                let inner = text
                    .strip_prefix(b"'")
                    .and_then(|t| t.strip_suffix(b"'"))
                    .unwrap_or(text);
                parts.push(WordPart {
                    range,
                    kind: PartKind::Literal(String::from_utf8_lossy(inner).into_owned()),
                    quote: Quote::Single,
                });
            }
            "ansi_c_string" => parts.push(WordPart {
                range,
                kind: PartKind::Other,
                quote: Quote::Single,
            }),
            "simple_expansion" | "variable_ref" | "expansion" => {
                self.expansion(node, quote, parts);
            }
            "command_substitution" => parts.push(WordPart {
                range,
                kind: PartKind::CommandSubstitution,
                quote,
            }),
            "word" | "number" | "variable_name" | "simple_variable_name" | "string_content" => {
                parts.push(literal(&self.source[range.clone()], range, quote))
            }
            _ => parts.push(WordPart {
                range,
                kind: PartKind::Other,
                quote,
            }),
        }
    }

    fn expansion(&self, node: Node, quote: Quote, parts: &mut Vec<WordPart>) {
        let range = node.byte_range();
        let mut name = None;
        let mut complex = node.kind() == "expansion";
        let mut trailing_colon = None;
        let mut cursor = node.walk();
        let mut named = 0;
        for child in node.named_children(&mut cursor) {
            named += 1;
            match child.kind() {
                "variable_name" | "simple_variable_name" | "special_variable_name" => {
                    name = Some(self.text(child))
                }
                // zsh's grammar reads `$d:` (before `$PATH`) as a modifier; it is a literal `:`.
                "expansion_modifier" if self.text(child) == ":" => {
                    trailing_colon = Some(child.byte_range())
                }
                _ => complex = true,
            }
        }
        if node.kind() == "expansion" && named == 1 && name.is_some() {
            // `${NAME}` is as plain as `$NAME`.
            complex = false;
        }
        let end = trailing_colon
            .as_ref()
            .map_or(range.end, |colon| colon.start);
        match name {
            Some(name) => parts.push(WordPart {
                range: range.start..end,
                kind: PartKind::Variable { name, complex },
                quote,
            }),
            None => parts.push(WordPart {
                range: range.start..end,
                kind: PartKind::Other,
                quote,
            }),
        }
        if let Some(colon) = trailing_colon {
            parts.push(literal(b":", colon, quote));
        }
    }
}

fn literal(bytes: &[u8], range: std::ops::Range<usize>, quote: Quote) -> WordPart {
    let text = String::from_utf8_lossy(bytes);
    let text = if quote == Quote::None {
        unescape(&text)
    } else {
        text.into_owned()
    };
    WordPart {
        range,
        kind: PartKind::Literal(text),
        quote,
    }
}

/// Removes backslash escapes from unquoted text.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                if next != '\n' {
                    out.push(next);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn flatten_list<'t>(
    node: Node<'t>,
    op: Option<ChainOp>,
    out: &mut Vec<(Option<ChainOp>, Node<'t>)>,
) {
    if node.kind() != "list" {
        out.push((op, node));
        return;
    }
    let mut cursor = node.walk();
    let mut next_op = op;
    let mut first = true;
    for child in node.children(&mut cursor) {
        match child.kind() {
            "&&" => next_op = Some(ChainOp::And),
            "||" => next_op = Some(ChainOp::Or),
            _ if child.is_named() && child.kind() != "comment" => {
                flatten_list(child, if first { op } else { next_op }, out);
                first = false;
            }
            _ => {}
        }
    }
}

fn children_by_field<'t>(node: Node<'t>, field: &'static str) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.children_by_field_name(field, &mut cursor).collect();
    children.into_iter()
}

fn is_exporting(keyword: &str, flags: &[String]) -> bool {
    keyword == "export"
        || (matches!(keyword, "declare" | "typeset" | "local" | "readonly")
            && flags
                .iter()
                .any(|flag| flag.starts_with('-') && flag.contains('x')))
}

fn scope_of(keyword: &str, flags: &[String], context: &Context) -> Scope {
    let global_flag = flags
        .iter()
        .any(|flag| flag.starts_with('-') && flag.contains('g'));
    match keyword {
        "local" => Scope::Local,
        "declare" | "typeset" if context.function.is_some() && !global_flag => Scope::Local,
        _ if global_flag => Scope::Global,
        _ => Scope::Default,
    }
}

/// A test that is true only in interactive shells: `$-` containing `i`, `PS1` set,
/// `[[ -o interactive ]]`.
pub(super) fn is_interactive_test(test: &str) -> bool {
    let positive = (test.contains("$-") && test.contains("*i*") && !test.contains("!="))
        || test.contains("-o interactive")
        || (test.contains("PS1") && test.contains("-n"));
    positive && !test.trim_start().starts_with('!')
}

/// The `.bashrc` idiom that stops non-interactive shells: `case $- in *i*) ;; *) return;;
/// esac`, `[ -z "$PS1" ] && return`, `[[ $- != *i* ]] && return`.
fn is_interactive_guard(node: Node, source: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&source[node.byte_range()]);
    let mentions_interactive =
        text.contains("$-") || text.contains("PS1") || text.contains("interactive");
    mentions_interactive && has_return(node, source)
}

fn has_return(node: Node, source: &[u8]) -> bool {
    if node.kind() == "command" {
        let name = node
            .child_by_field_name("name")
            .map(|name| &source[name.byte_range()]);
        if name == Some(b"return".as_slice()) {
            return true;
        }
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.named_children(&mut cursor).collect();
    children.into_iter().any(|child| has_return(child, source))
}

#[cfg(test)]
mod split_word_tests {
    use std::path::Path;

    use condago_syntax::{Budget, Shell};

    use crate::model::{PathEntryKind, StartupFile, StatementKind};

    /// tree-sitter-bash#315: `$PATH:$HOME/bin` unquoted is split after the second `$`;
    /// the lifter joins it again, so the model sees one assignment with its real value.
    #[test]
    fn joins_the_word_tree_sitter_bash_splits() {
        let source = b"PATH=$PATH:$HOME/.local/bin:\nexport PATH=$PATH:$GOPATH/bin\nPATH=$PATH:$HOME/bin make\n";
        let parse = condago_syntax::parse(source, Shell::Bash, &Budget::default());
        let file = StartupFile::new(Path::new(".bashrc"), source, &parse, false);
        let edits = file.path_edits();
        assert_eq!(edits.len(), 2, "{:#?}", file.statements);
        let shown: Vec<Vec<String>> = edits
            .iter()
            .map(|(_, edit)| {
                edit.entries
                    .iter()
                    .map(|entry| match entry.kind {
                        PathEntryKind::Old => "<old>".to_string(),
                        PathEntryKind::Empty => "<empty>".to_string(),
                        _ => entry.display(source),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(shown[0], ["<old>", "$HOME/.local/bin", "<empty>"]);
        assert_eq!(shown[1], ["<old>", "$GOPATH/bin"]);
        let StatementKind::Command(command) = &file.statements[2].kind else {
            panic!("{:#?}", file.statements[2]);
        };
        assert_eq!(command.name.as_deref(), Some("make"));
        assert!(command.env_prefix[0].command_prefix);
    }
}
