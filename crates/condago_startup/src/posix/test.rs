//! `test`, `[ … ]` and `[[ … ]]`, with three-valued results: a file test reads the file
//! system, a string test needs known strings, anything else is unknown.

use condago_syntax::tree_sitter::Node;

use crate::engine::{Engine, Source};
use crate::value::{glob_match_value, tri_and, tri_not, tri_or, Tri, Value};
use crate::StartupShell;

use super::words::Expand;

const UNARY: &[&str] = &[
    "-n", "-z", "-e", "-f", "-d", "-r", "-w", "-x", "-s", "-L", "-h", "-b", "-c", "-p", "-S", "-g",
    "-u", "-k", "-O", "-G", "-N", "-t", "-v", "-o", "-a",
];
const BINARY: &[&str] = &[
    "=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "=~",
];

impl Engine<'_> {
    /// A `[ … ]` or `[[ … ]]` node.
    pub(crate) fn test_node(&mut self, src: &Source, node: Node) -> Tri {
        let site = self.site_of(node);
        let double = node.child(0).is_some_and(|c| c.kind() == "[[");
        if !double {
            // `[ … ]` is the `test` command: re-read its words as arguments.
            let text = src.node_text(node);
            let inner = text
                .trim()
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .unwrap_or("");
            let source = self.parse_text(&format!("test {inner}"), self.syntax(), "test");
            let mut args = Vec::new();
            if let Some(tree) = &source.tree {
                let root = tree.root_node();
                let command = root.named_child(0);
                if let Some(command) = command.filter(|c| c.kind() == "command") {
                    let mut cursor = command.walk();
                    let children: Vec<Node> = command
                        .children_by_field_name("argument", &mut cursor)
                        .collect();
                    for arg in children {
                        let words =
                            self.expand_fields(source.node_text(arg), Expand::ARGUMENT, site);
                        args.extend(words.fields);
                    }
                } else {
                    return None;
                }
            }
            return self.test_args(&args);
        }
        let mut cursor = node.walk();
        let inner: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        match inner.as_slice() {
            [expression] => self.cond_expression(src, *expression, site),
            _ => None,
        }
    }

    fn cond_expression(&mut self, src: &Source, node: Node, site: u32) -> Tri {
        match node.kind() {
            "parenthesized_expression" => {
                let mut cursor = node.walk();
                let inner: Vec<Node> = node.named_children(&mut cursor).collect();
                match inner.as_slice() {
                    [one] => self.cond_expression(src, *one, site),
                    _ => None,
                }
            }
            "binary_expression" => {
                let left = node.child_by_field_name("left");
                let right = node.child_by_field_name("right");
                let op_node = node.child_by_field_name("operator");
                let op = op_node
                    .map(|o| src.node_text(o).to_string())
                    .unwrap_or_default();
                let (Some(left), Some(right), Some(op_node)) = (left, right, op_node) else {
                    return None;
                };
                // A pattern may be split over several `right` children (`*":$x:"*`): the
                // operands are the text on either side of the operator.
                let whole = |from: usize, to: usize| {
                    std::str::from_utf8(&src.text[from..to])
                        .unwrap_or("")
                        .trim()
                        .to_string()
                };
                let left_text = whole(node.start_byte(), op_node.start_byte());
                let right_text = whole(op_node.end_byte(), node.end_byte());
                match op.as_str() {
                    "&&" | "-a" => {
                        let a = self.cond_expression(src, left, site);
                        if a == Some(false) {
                            return a;
                        }
                        tri_and(a, self.cond_expression(src, right, site))
                    }
                    "||" | "-o" => {
                        let a = self.cond_expression(src, left, site);
                        if a == Some(true) {
                            return a;
                        }
                        tri_or(a, self.cond_expression(src, right, site))
                    }
                    "==" | "=" | "!=" => {
                        let value = self.expand_scalar(&left_text, site);
                        let pattern = self.expand_pattern(&right_text, site)?;
                        let matched = glob_match_value(&pattern, &value);
                        if op == "!=" {
                            tri_not(matched)
                        } else {
                            matched
                        }
                    }
                    "=~" => {
                        let value = self.expand_scalar(&left_text, site);
                        let regex = self.expand_scalar(&right_text, site).known()?;
                        simple_regex(&regex, &value)
                    }
                    _ => {
                        let a = self.expand_scalar(&left_text, site);
                        let b = self.expand_scalar(&right_text, site);
                        self.binary(&op, &a, &b)
                    }
                }
            }
            "unary_expression" => {
                let op_node = node
                    .child_by_field_name("operator")
                    .or_else(|| node.child(0));
                let op = op_node
                    .map(|o| src.node_text(o).to_string())
                    .unwrap_or_default();
                let operand = node
                    .named_children(&mut node.walk())
                    .filter(|c| Some(c.id()) != op_node.map(|o| o.id()))
                    .last();
                match op.as_str() {
                    "!" => {
                        let inner = operand?;
                        tri_not(self.cond_expression(src, inner, site))
                    }
                    "~" => {
                        let value = self.expand_scalar(src.node_text(node), site);
                        Some(!value.is_empty()).filter(|_| value.known().is_some())
                    }
                    _ => {
                        let operand = operand?;
                        let value = self.expand_scalar(src.node_text(operand), site);
                        self.unary(&op, &value)
                    }
                }
            }
            _ => {
                let value = self.expand_scalar(src.node_text(node), site);
                non_empty(&value)
            }
        }
    }

    /// `test ARGS` with POSIX's rules by number of arguments, then precedence.
    pub(crate) fn test_args(&mut self, args: &[Value]) -> Tri {
        let text = |i: usize| args.get(i).and_then(Value::known);
        match args.len() {
            0 => Some(false),
            1 => non_empty(&args[0]),
            2 => {
                let op = text(0).unwrap_or_default();
                if op == "!" {
                    tri_not(non_empty(&args[1]))
                } else if UNARY.contains(&op.as_str()) {
                    self.unary(&op, &args[1])
                } else {
                    None
                }
            }
            3 => {
                let op = text(1).unwrap_or_default();
                if BINARY.contains(&op.as_str()) {
                    self.binary(&op, &args[0], &args[2])
                } else if op == "-a" {
                    tri_and(non_empty(&args[0]), non_empty(&args[2]))
                } else if op == "-o" {
                    tri_or(non_empty(&args[0]), non_empty(&args[2]))
                } else if text(0).as_deref() == Some("!") {
                    tri_not(self.test_args(&args[1..]))
                } else if text(0).as_deref() == Some("(") && text(2).as_deref() == Some(")") {
                    non_empty(&args[1])
                } else {
                    None
                }
            }
            4 if text(0).as_deref() == Some("!") => tri_not(self.test_args(&args[1..])),
            _ => {
                let mut parser = TestParser { args, at: 0 };
                let result = parser.or(self);
                if parser.at == args.len() {
                    result
                } else {
                    None
                }
            }
        }
    }

    fn unary(&mut self, op: &str, value: &Value) -> Tri {
        match op {
            "-n" => non_empty(value),
            "-z" => tri_not(non_empty(value)),
            "-v" => {
                let name = value.known()?;
                Some(self.posix_var(&name).is_some())
            }
            "-o" => {
                let option = value.known()?;
                self.option_test(&option)
            }
            "-t" => None,
            _ => {
                let path = value.known()?;
                if path.is_empty() {
                    return Some(false);
                }
                match op {
                    "-e" | "-a" => Some(self.fs.exists(&path)),
                    "-f" => Some(self.fs.is_file(&path)),
                    "-d" => Some(self.fs.is_dir(&path)),
                    "-s" => Some(self.fs.non_empty(&path)),
                    "-L" | "-h" => Some(self.fs.is_symlink(&path)),
                    "-r" => self.fs.permitted(&path, 4),
                    "-w" => self.fs.permitted(&path, 2),
                    "-x" => self.fs.permitted(&path, 1),
                    _ => None,
                }
            }
        }
    }

    /// `[[ -o name ]]`: the shell's options that the mode decides.
    fn option_test(&self, option: &str) -> Tri {
        let key = option.to_ascii_lowercase().replace('_', "");
        match (self.shell, key.as_str()) {
            (StartupShell::Zsh, "login") => Some(self.mode.login()),
            (StartupShell::Zsh, "interactive") => Some(self.mode.interactive()),
            (_, "posix") => Some(false),
            _ => self.state.options.get(&key).copied(),
        }
    }

    fn binary(&mut self, op: &str, a: &Value, b: &Value) -> Tri {
        match op {
            "=" | "==" | "!=" => {
                let equal = match (a.known(), b.known()) {
                    (Some(a), Some(b)) => Some(a == b),
                    _ => None,
                };
                if op == "!=" {
                    tri_not(equal)
                } else {
                    equal
                }
            }
            "<" | ">" => {
                let (a, b) = (a.known()?, b.known()?);
                Some(if op == "<" { a < b } else { a > b })
            }
            "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
                let a: i64 = a.known()?.trim().parse().ok()?;
                let b: i64 = b.known()?.trim().parse().ok()?;
                Some(match op {
                    "-eq" => a == b,
                    "-ne" => a != b,
                    "-lt" => a < b,
                    "-le" => a <= b,
                    "-gt" => a > b,
                    _ => a >= b,
                })
            }
            _ => None,
        }
    }
}

fn non_empty(value: &Value) -> Tri {
    if let Some(text) = value.known() {
        return Some(!text.is_empty());
    }
    if value
        .0
        .iter()
        .any(|p| matches!(&p.chunk, crate::value::Chunk::Text(t) if !t.is_empty()))
    {
        return Some(true);
    }
    None
}

/// `=~` with a regular expression made of plain characters and `^`/`$` anchors.
fn simple_regex(regex: &str, value: &Value) -> Tri {
    let text = value.known()?;
    let anchored_start = regex.starts_with('^');
    let anchored_end = regex.ends_with('$') && !regex.ends_with("\\$");
    let core = regex
        .trim_start_matches('^')
        .strip_suffix('$')
        .filter(|_| anchored_end)
        .unwrap_or(regex.trim_start_matches('^'));
    if core.chars().any(|c| ".*+?()[]{}|\\".contains(c)) {
        return None;
    }
    Some(match (anchored_start, anchored_end) {
        (true, true) => text == core,
        (true, false) => text.starts_with(core),
        (false, true) => text.ends_with(core),
        (false, false) => text.contains(core),
    })
}

/// Precedence parsing of `test` arguments beyond four.
struct TestParser<'a> {
    args: &'a [Value],
    at: usize,
}

impl TestParser<'_> {
    fn peek(&self) -> Option<String> {
        self.args.get(self.at).and_then(Value::known)
    }

    fn or(&mut self, engine: &mut Engine) -> Tri {
        let mut result = self.and(engine);
        while self.peek().as_deref() == Some("-o") {
            self.at += 1;
            let next = self.and(engine);
            result = tri_or(result, next);
        }
        result
    }

    fn and(&mut self, engine: &mut Engine) -> Tri {
        let mut result = self.not(engine);
        while self.peek().as_deref() == Some("-a") {
            self.at += 1;
            let next = self.not(engine);
            result = tri_and(result, next);
        }
        result
    }

    fn not(&mut self, engine: &mut Engine) -> Tri {
        if self.peek().as_deref() == Some("!") {
            self.at += 1;
            return tri_not(self.not(engine));
        }
        self.primary(engine)
    }

    fn primary(&mut self, engine: &mut Engine) -> Tri {
        let first = self.args.get(self.at)?;
        let first_text = first.known();
        if first_text.as_deref() == Some("(") {
            self.at += 1;
            let inner = self.or(engine);
            if self.peek().as_deref() == Some(")") {
                self.at += 1;
            }
            return inner;
        }
        if let Some(op) = self.args.get(self.at + 1).and_then(Value::known) {
            if BINARY.contains(&op.as_str()) && self.at + 2 < self.args.len() {
                let (a, b) = (first.clone(), self.args[self.at + 2].clone());
                self.at += 3;
                return engine.binary(&op, &a, &b);
            }
        }
        if let Some(op) =
            first_text.filter(|t| UNARY.contains(&t.as_str()) && t != "-a" && t != "-o")
        {
            if let Some(operand) = self.args.get(self.at + 1).cloned() {
                self.at += 2;
                return engine.unary(&op, &operand);
            }
        }
        self.at += 1;
        non_empty(first)
    }
}
