//! The fish interpreter: statements of tree-sitter-fish trees against the modelled state,
//! with fish's scopes, list variables, path variables, `fish_user_paths` and
//! `fish_add_path` modelled as fish 3.6 runs them.

pub(crate) mod words;

use std::rc::Rc;

use condago_syntax::tree_sitter::Node;

use crate::engine::{Engine, Flow, Source, MAX_DEPTH};
use crate::posix::{first_line, normalize};
use crate::state::{Func, FuncDef, Scope, Var};
use crate::value::Value;

/// fish builtins and stock functions that cannot change `PATH` or tracked variables.
const INERT: &[&str] = &[
    "echo",
    "printf",
    "set_color",
    "abbr",
    "alias",
    "bind",
    "complete",
    "emit",
    "functions",
    "funcsave",
    "funced",
    "history",
    "umask",
    "ulimit",
    "commandline",
    "disown",
    "jobs",
    "wait",
    "block",
    "breakpoint",
    "fish_config",
    "prevd",
    "nextd",
    "dirh",
    "dirs",
    "random",
    "math",
    "count",
    "string",
    "isatty",
    "realpath",
    "pwd",
    "fish_vi_key_bindings",
    "fish_default_key_bindings",
    "fish_hybrid_key_bindings",
    "source_bash",
    "vared",
    "printenv",
    "fish_greeting",
    "fish_prompt",
    "fish_right_prompt",
    "fish_title",
    "type",
    "path",
];

impl Engine<'_> {
    /// Reads and runs a fish file as a new read.
    pub(crate) fn run_fish_file(
        &mut self,
        path: &str,
        from: Option<u32>,
        args: Option<Vec<Value>>,
    ) -> Flow {
        let Some(source) = self.load(path, condago_syntax::Shell::Fish) else {
            return Flow::Next;
        };
        let read = self.begin_read(path, from);
        self.sources_in_use.push(Rc::clone(&source));
        let saved_read = std::mem::replace(&mut self.read, read);
        let saved_override = self.site_override.take();
        let saved_positional = args.map(|args| std::mem::replace(&mut self.state.positional, args));
        self.state.scopes.push(Scope::default());
        let flow = self.frame(|engine| match &source.tree {
            Some(tree) => engine.fish_block(&source, tree.root_node()),
            None => {
                let site = engine.site(1);
                engine.taint_path(
                    site,
                    format!("{} could not be parsed", engine.short(&source.path)),
                );
                Flow::Next
            }
        });
        self.state.scopes.pop();
        if let Some(positional) = saved_positional {
            self.state.positional = positional;
        }
        self.site_override = saved_override;
        self.read = saved_read;
        // `exit` in a sourced configuration file ends that file only.
        match flow {
            Flow::Exit => Flow::Next,
            other => other,
        }
    }

    fn fish_block(&mut self, src: &Source, node: Node) -> Flow {
        let mut cursor = node.walk();
        let children: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        self.fish_nodes(src, &children)
    }

    fn fish_nodes(&mut self, src: &Source, nodes: &[Node]) -> Flow {
        for node in nodes {
            let flow = self.fish_statement(src, *node);
            if flow != Flow::Next {
                return flow;
            }
        }
        Flow::Next
    }

    fn fish_statement(&mut self, src: &Source, node: Node) -> Flow {
        if !self.step() {
            return Flow::Next;
        }
        match node.kind() {
            "comment" => Flow::Next,
            "command" => self.fish_command(src, node),
            "redirected_statement" => {
                let mut cursor = node.walk();
                let inner: Vec<Node> = node
                    .named_children(&mut cursor)
                    .filter(|c| !c.kind().contains("redirect") && c.kind() != "comment")
                    .collect();
                self.fish_nodes(src, &inner)
            }
            "conditional_execution" => self.fish_conditional(src, node),
            "negated_statement" => {
                let mut cursor = node.walk();
                let inner: Vec<Node> = node.named_children(&mut cursor).collect();
                let flow = self.fish_nodes(src, &inner);
                self.state.status = self.state.status.map(|s| i32::from(s == 0));
                flow
            }
            "pipe" => self.fish_pipe(src, node),
            "begin_statement" => {
                self.state.scopes.push(Scope::default());
                let flow = self.fish_block(src, node);
                self.state.scopes.pop();
                flow
            }
            "if_statement" => self.fish_if(src, node),
            "switch_statement" => self.fish_switch(src, node),
            "for_statement" => self.fish_for(src, node),
            "while_statement" => self.fish_while(src, node),
            "function_definition" => {
                self.fish_define(src, node);
                Flow::Next
            }
            _ => {
                let text = src.node_text(node).to_string();
                let site = self.site_of(node);
                self.state.status = None;
                if text.contains("PATH")
                    || text.contains("fish_add_path")
                    || text.contains("source")
                {
                    self.taint_path(
                        site,
                        format!(
                            "`{}` at {} could not be modelled",
                            first_line(&text),
                            self.describe_site(site)
                        ),
                    );
                }
                Flow::Next
            }
        }
    }

    /// `and cmd`, `or cmd`, `a && b`, `a || b`.
    fn fish_conditional(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        let mut op: Option<&str> = None;
        let mut ran_first = false;
        let mut flow = Flow::Next;
        for child in children {
            match child.kind() {
                "and" | "&&" => op = Some("and"),
                "or" | "||" => op = Some("or"),
                _ if child.is_named() && child.kind() != "comment" => {
                    if !ran_first && op.is_none() {
                        flow = self.fish_statement(src, child);
                        ran_first = true;
                        if flow != Flow::Next {
                            return flow;
                        }
                        continue;
                    }
                    let run = match op {
                        Some("and") => self.state.status.map(|s| s == 0),
                        _ => self.state.status.map(|s| s != 0),
                    };
                    flow = match run {
                        Some(true) => self.fish_statement(src, child),
                        Some(false) => Flow::Next,
                        None => {
                            let why = "a status the model cannot know".to_string();
                            self.fork(site, &why, |e| e.fish_statement(src, child), |_| Flow::Next)
                        }
                    };
                }
                _ => {}
            }
        }
        flow
    }

    fn fish_pipe(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let mut cursor = node.walk();
        let stages: Vec<Node> = node.named_children(&mut cursor).collect();
        if let (Some(first), Some(last)) = (stages.first(), stages.last()) {
            let last_text = src.node_text(*last).trim().to_string();
            if matches!(last_text.as_str(), "source" | "source -" | ". -" | ".") {
                let first_text = src.node_text(*first).to_string();
                let values = if let Some(rest) = first_text.trim().strip_prefix("eval ") {
                    let words = self.fish_expand_all(rest, site);
                    self.fish_output_of_words(&words, rest)
                } else {
                    self.fish_command_output_text(&first_text, site)
                };
                return self.fish_eval_value(values, site, src.node_text(node));
            }
        }
        let mut flow = Flow::Next;
        for stage in stages {
            flow = self.fish_statement(src, stage);
            if flow != Flow::Next {
                return flow;
            }
        }
        flow
    }

    fn fish_command_output_text(&mut self, code: &str, site: u32) -> Value {
        let words = self.fish_expand(&format!("({code})"), site).values;
        Value::join(&words, "\n")
    }

    fn fish_expand_all(&mut self, text: &str, site: u32) -> Vec<Value> {
        let source = self.parse_text(&format!("x {text}"), condago_syntax::Shell::Fish, "words");
        let mut out = Vec::new();
        if let Some(tree) = &source.tree {
            if let Some(command) = tree.root_node().named_child(0) {
                let mut cursor = command.walk();
                let args: Vec<Node> = command
                    .children_by_field_name("argument", &mut cursor)
                    .collect();
                for arg in args {
                    out.extend(self.fish_expand(source.node_text(arg), site).values);
                }
            }
        }
        out
    }

    fn fish_output_of_words(&mut self, words: &[Value], text: &str) -> Value {
        match self.known_output(words) {
            Some((value, _)) => value,
            None => self.unknown_output(text),
        }
    }

    fn fish_if(&mut self, src: &Source, node: Node) -> Flow {
        let (conditions, body, rest) = fish_clause(node);
        self.fish_chain(src, node, &conditions, &body, &rest)
    }

    fn fish_chain(
        &mut self,
        src: &Source,
        node: Node,
        conditions: &[Node],
        body: &[Node],
        rest: &[Node],
    ) -> Flow {
        let flow = self.fish_nodes(src, conditions);
        if flow != Flow::Next {
            return flow;
        }
        let site = self.site_of(node);
        let test: Vec<&str> = conditions.iter().map(|c| src.node_text(*c)).collect();
        let run_body = |e: &mut Self| {
            e.state.scopes.push(Scope::default());
            let flow = e.fish_nodes(src, body);
            e.state.scopes.pop();
            flow
        };
        match self.state.status {
            Some(0) => run_body(self),
            Some(_) => self.fish_else(src, rest),
            None => {
                let why = format!("`{}`", first_line(&test.join("; ")));
                self.fork(site, &why, run_body, |e| e.fish_else(src, rest))
            }
        }
    }

    fn fish_else(&mut self, src: &Source, rest: &[Node]) -> Flow {
        let Some((clause, later)) = rest.split_first() else {
            self.state.status = Some(0);
            return Flow::Next;
        };
        if clause.kind() == "else_clause" {
            let mut cursor = clause.walk();
            let body: Vec<Node> = clause
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .collect();
            self.state.scopes.push(Scope::default());
            let flow = self.fish_nodes(src, &body);
            self.state.scopes.pop();
            return flow;
        }
        let (conditions, body, _) = fish_clause(*clause);
        self.fish_chain(src, *clause, &conditions, &body, later)
    }

    fn fish_switch(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let value_text = node
            .child_by_field_name("value")
            .map(|v| src.node_text(v).to_string())
            .unwrap_or_default();
        let values = self.fish_expand(&value_text, site).values;
        let value = Value::join(&values, " ");
        let mut cursor = node.walk();
        let clauses: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "case_clause")
            .collect();
        self.fish_cases(src, &value, &clauses, site)
    }

    fn fish_cases(&mut self, src: &Source, value: &Value, clauses: &[Node], site: u32) -> Flow {
        let Some((clause, later)) = clauses.split_first() else {
            return Flow::Next;
        };
        let mut cursor = clause.walk();
        let mut patterns = Vec::new();
        let mut body = Vec::new();
        let mut in_body = false;
        for child in clause.children(&mut cursor) {
            if !child.is_named() {
                if matches!(child.kind(), "\n" | ";") {
                    in_body = true;
                }
                continue;
            }
            if child.kind() == "comment" {
                continue;
            }
            if in_body {
                body.push(child);
            } else {
                patterns.push(child);
            }
        }
        let mut matched = Some(false);
        for pattern in &patterns {
            for word in self.fish_expand_pattern(src.node_text(*pattern), site) {
                let result = match word {
                    Some(pattern) => crate::value::glob_match_value(&pattern, value),
                    None => None,
                };
                matched = crate::value::tri_or(matched, result);
            }
        }
        match matched {
            Some(true) => self.fish_nodes(src, &body),
            Some(false) => self.fish_cases(src, value, later, site),
            None => {
                let why = "a `switch` the model cannot decide".to_string();
                self.fork(
                    site,
                    &why,
                    |e| e.fish_nodes(src, &body),
                    |e| e.fish_cases(src, value, later, site),
                )
            }
        }
    }

    /// A `case` pattern: quoted text is literal, unquoted `*` and `?` match.
    fn fish_expand_pattern(&mut self, text: &str, site: u32) -> Vec<Option<String>> {
        let unquoted_glob = !text.starts_with(['\'', '"']);
        self.fish_expand(text, site)
            .values
            .into_iter()
            .map(|value| {
                value.known().map(|t| {
                    if unquoted_glob || text.contains('*') {
                        t
                    } else {
                        t.replace('*', "\\*").replace('?', "\\?")
                    }
                })
            })
            .collect()
    }

    fn fish_for(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let variable = node
            .child_by_field_name("variable")
            .map(|v| src.node_text(v).to_string())
            .unwrap_or_default();
        let mut items = Vec::new();
        let mut body = Vec::new();
        let mut cursor = node.walk();
        for (i, child) in node.children(&mut cursor).enumerate() {
            match node.field_name_for_child(i as u32) {
                Some("variable") => {}
                Some("value") => items.extend(self.fish_expand(src.node_text(child), site).values),
                _ if child.is_named() && child.kind() != "comment" => body.push(child),
                _ => {}
            }
        }
        self.looped(|e| {
            for item in items {
                e.fish_set_scoped(
                    &variable,
                    vec![item.clone()],
                    SetScope::Default,
                    false,
                    site,
                );
                if item.has_unknown() {
                    let why = "a loop over values that are not known".to_string();
                    return e.fork(site, &why, |e| e.fish_nodes(src, &body), |_| Flow::Next);
                }
                match e.fish_nodes(src, &body) {
                    Flow::Break => return Flow::Next,
                    Flow::Next | Flow::Continue => {}
                    other => return other,
                }
            }
            Flow::Next
        })
    }

    fn fish_while(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let (conditions, body, _) = fish_clause(node);
        let flow = self.fish_nodes(src, &conditions);
        if flow != Flow::Next {
            return flow;
        }
        if self.state.status.is_some_and(|s| s != 0) {
            return Flow::Next;
        }
        let why = format!("how often the loop at {} runs", self.describe_site(site));
        self.looped(|e| {
            e.fork(
                site,
                &why,
                |e| match e.fish_nodes(src, &body) {
                    Flow::Break | Flow::Continue => Flow::Next,
                    other => other,
                },
                |_| Flow::Next,
            )
        })
    }

    fn fish_define(&mut self, src: &Source, node: Node) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let site = self.site_of(node);
        let names = self.fish_expand(src.node_text(name_node), site).values;
        let Some(name) = names.first().and_then(Value::known) else {
            return;
        };
        self.record_function(src, node, name);
    }

    fn fish_call(&mut self, def: Rc<FuncDef>, args: Vec<Value>, site: u32) -> Flow {
        if self.depth >= MAX_DEPTH {
            self.taint_path(
                site,
                format!("`{}` calls nest too deep to follow", def.name),
            );
            return Flow::Next;
        }
        let source = Rc::clone(&def.source);
        let Some(node) = source.find_node(def.start, def.end, "function_definition") else {
            return Flow::Next;
        };
        let mut cursor = node.walk();
        let mut body = Vec::new();
        for (i, child) in node.children(&mut cursor).enumerate() {
            let field = node.field_name_for_child(i as u32);
            if matches!(field, Some("name") | Some("option")) {
                continue;
            }
            if child.is_named() && child.kind() != "comment" {
                body.push(child);
            }
        }
        let saved_positional = std::mem::replace(&mut self.state.positional, args);
        let saved_read = std::mem::replace(&mut self.read, def.read);
        let saved_override = std::mem::replace(&mut self.site_override, def.site_override);
        self.state.scopes.push(Scope {
            function: true,
            ..Default::default()
        });
        let flow = self.frame(|e| e.fish_nodes(&source, &body));
        self.state.scopes.pop();
        self.site_override = saved_override;
        self.read = saved_read;
        self.state.positional = saved_positional;
        flow
    }

    fn fish_command(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let mut words: Vec<Value> = Vec::new();
        let mut nomatch = false;
        let mut cursor = node.walk();
        let children: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|c| !c.kind().contains("redirect") && c.kind() != "comment")
            .collect();
        self.subst_status = None;
        for child in children {
            let expanded = self.fish_expand(src.node_text(child), site);
            nomatch |= expanded.nomatch;
            words.extend(expanded.values);
        }
        let text = src.node_text(node).to_string();
        let Some(name) = words.first().cloned() else {
            return Flow::Next;
        };
        let args: Vec<Value> = words[1..].to_vec();
        let name_text = name.known();
        if nomatch
            && !matches!(
                name_text.as_deref(),
                Some("set") | Some("count") | Some("for")
            )
        {
            self.state.status = Some(124);
            return Flow::Next;
        }
        let Some(name) = name_text else {
            self.state.status = None;
            if !self.is_harmless(&name) && !condago_syntax::template::is_condition(text.trim()) {
                self.taint_path(
                    site,
                    format!(
                        "`{}`: the command to run is not known",
                        condago_syntax::template::unmask(&first_line(&text))
                    ),
                );
            }
            return Flow::Next;
        };
        self.fish_run(&name, args, site, &text)
    }

    fn fish_run(&mut self, name: &str, args: Vec<Value>, site: u32, text: &str) -> Flow {
        let arg = |i: usize| args.get(i).and_then(Value::known);
        if let Some(func) = self.state.functions.get(name).cloned() {
            return match func {
                Func::Defined(def) => self.fish_call(def, args, site),
                Func::Native(native) => self.call_native(native, &args, site),
                Func::Unknown => {
                    self.state.status = None;
                    self.taint_path(
                        site,
                        format!(
                            "`{name}` is defined differently on paths the model cannot tell apart"
                        ),
                    );
                    Flow::Next
                }
            };
        }
        match name {
            "set" => {
                self.fish_set(&args, site, text);
                Flow::Next
            }
            "fish_add_path" => {
                self.fish_add_path(&args, site);
                Flow::Next
            }
            "source" | "." => {
                let Some(target) = args.first() else {
                    self.state.status = Some(1);
                    return Flow::Next;
                };
                let Some(path) = target.known() else {
                    self.trace.sources.push((site, None));
                    if !self.is_harmless(target) {
                        self.taint_path(
                            site,
                            format!("`{}`: the file it reads is not known", first_line(text)),
                        );
                    }
                    self.state.status = None;
                    return Flow::Next;
                };
                let path = if path.starts_with('/') {
                    normalize(&path)
                } else {
                    normalize(&format!("{}/{path}", self.home()))
                };
                self.trace.sources.push((site, Some(path.clone())));
                if !self.fs.is_file(&path) {
                    self.state.status = Some(1);
                    return Flow::Next;
                }
                if self.source_init_script(&path, site) {
                    return Flow::Next;
                }
                if self.depth >= MAX_DEPTH {
                    self.taint_path(site, "`source` nests too deep".to_string());
                    return Flow::Next;
                }
                self.state.status = Some(0);
                let extra = (args.len() > 1).then(|| args[1..].to_vec());
                self.run_fish_file(&path, Some(site), extra)
            }
            "eval" => {
                let code = Value::join(&args, " ");
                self.fish_eval_value(code, site, text)
            }
            "return" => {
                if let Some(status) = arg(0) {
                    self.state.status = status.parse().ok();
                }
                Flow::Return
            }
            "exit" => {
                if let Some(status) = arg(0) {
                    self.state.status = status.parse().ok();
                }
                Flow::Exit
            }
            "exec" => {
                if args.is_empty() {
                    return Flow::Next;
                }
                self.note(
                    Some(site),
                    format!("`exec` replaces the shell at {}", self.describe_site(site)),
                );
                if !self.is_uncertain() && self.trace.exited.is_none() {
                    self.trace.exited = Some(site);
                }
                Flow::Exit
            }
            "break" => Flow::Break,
            "continue" => Flow::Continue,
            "true" => {
                self.state.status = Some(0);
                Flow::Next
            }
            "false" => {
                self.state.status = Some(1);
                Flow::Next
            }
            "not" | "!" => {
                let Some(first) = args.first().cloned() else {
                    return Flow::Next;
                };
                let flow = match first.known() {
                    Some(inner) => self.fish_run(&inner, args[1..].to_vec(), site, text),
                    None => Flow::Next,
                };
                self.state.status = self.state.status.map(|s| i32::from(s == 0));
                flow
            }
            "test" | "[" => {
                let mut args = args;
                if name == "[" && args.last().and_then(Value::known).as_deref() == Some("]") {
                    args.pop();
                }
                let result = self.test_args(&args);
                self.state.status = result.map(|b| i32::from(!b));
                Flow::Next
            }
            "status" => {
                let sub = arg(0).unwrap_or_default();
                self.state.status = match sub.as_str() {
                    "is-interactive" | "--is-interactive" | "-i" => {
                        Some(i32::from(!self.mode.interactive()))
                    }
                    "is-login" | "--is-login" | "-l" => Some(i32::from(!self.mode.login())),
                    "is-command-substitution"
                    | "--is-command-substitution"
                    | "is-block"
                    | "--is-block"
                    | "is-breakpoint" => Some(1),
                    "is-full-job-control" | "is-interactive-job-control" | "is-no-job-control" => {
                        None
                    }
                    _ => Some(0),
                };
                Flow::Next
            }
            "contains" => {
                let mut rest: Vec<&Value> = args.iter().collect();
                while rest
                    .first()
                    .and_then(|v| v.known())
                    .is_some_and(|t| t.starts_with('-'))
                {
                    let flag = rest.remove(0).known().unwrap_or_default();
                    if flag == "--" {
                        break;
                    }
                }
                let Some((key, values)) = rest.split_first() else {
                    self.state.status = Some(1);
                    return Flow::Next;
                };
                self.state.status = match key.known() {
                    Some(key) => {
                        if values
                            .iter()
                            .any(|v| v.known().as_deref() == Some(key.as_str()))
                        {
                            Some(0)
                        } else if values.iter().any(|v| v.has_unknown()) {
                            None
                        } else {
                            Some(1)
                        }
                    }
                    None => None,
                };
                Flow::Next
            }
            "command" | "type" | "functions" | "builtin" => {
                let words: Vec<String> = args.iter().filter_map(Value::known).collect();
                let quiet = words
                    .iter()
                    .any(|w| w.starts_with('-') && (w.contains('q') || w == "--query"));
                let target = words.iter().find(|w| !w.starts_with('-')).cloned();
                match (quiet || name == "type", target) {
                    (true, Some(target)) => {
                        self.state.status = match name {
                            "functions" => Some(i32::from(!self.fish_function_exists(&target))),
                            "builtin" => Some(i32::from(!matches!(
                                target.as_str(),
                                "set"
                                    | "source"
                                    | "status"
                                    | "test"
                                    | "contains"
                                    | "string"
                                    | "command"
                                    | "builtin"
                                    | "functions"
                                    | "type"
                                    | "eval"
                                    | "exit"
                                    | "return"
                            ))),
                            "command" => match self.find_on_path(&target) {
                                Some(Some(_)) => Some(0),
                                Some(None) => Some(1),
                                None => None,
                            },
                            _ => {
                                if self.fish_function_exists(&target) {
                                    Some(0)
                                } else {
                                    match self.find_on_path(&target) {
                                        Some(Some(_)) => Some(0),
                                        Some(None) => Some(1),
                                        None => None,
                                    }
                                }
                            }
                        };
                        Flow::Next
                    }
                    _ if name == "command" && !words.is_empty() && !words[0].starts_with('-') => {
                        self.state.status = match self.find_on_path(&words[0]) {
                            Some(None) => Some(127),
                            _ => None,
                        };
                        Flow::Next
                    }
                    _ => {
                        if name == "functions" && words.iter().any(|w| w == "-e" || w == "--erase")
                        {
                            for target in words.iter().filter(|w| !w.starts_with('-')) {
                                self.state.functions.remove(target);
                            }
                        }
                        self.state.status = Some(0);
                        Flow::Next
                    }
                }
            }
            "read" | "argparse" => {
                for target in args
                    .iter()
                    .filter_map(Value::known)
                    .filter(|a| !a.starts_with('-'))
                {
                    let value = self.unknown_value(format!("what `{name}` reads into `{target}`"));
                    if self.is_path_name(&target) {
                        self.taint_path(site, format!("`{name}` sets {target} from input"));
                    } else {
                        self.fish_set_scoped(&target, vec![value], SetScope::Default, false, site);
                    }
                }
                self.state.status = None;
                Flow::Next
            }
            "cd" | "pushd" | "popd" => {
                self.state.status = None;
                Flow::Next
            }
            _ if INERT.contains(&name) => {
                self.state.status = if matches!(name, "string" | "math" | "isatty" | "path") {
                    None
                } else {
                    Some(0)
                };
                Flow::Next
            }
            _ => self.fish_autoload_or_external(name, args, site),
        }
    }

    fn fish_function_exists(&self, name: &str) -> bool {
        self.state.functions.contains_key(name) || self.fish_autoload_path(name).is_some()
    }

    /// Where fish would autoload a function from: the user's, the system's and vendor
    /// function directories, then fish's own.
    fn fish_autoload_path(&self, name: &str) -> Option<String> {
        let config = self.fish_config_dir();
        let dirs = [
            format!("{config}/functions"),
            "/etc/fish/functions".to_string(),
            format!("{}/.local/share/fish/vendor_functions.d", self.home()),
            "/usr/share/fish/vendor_functions.d".to_string(),
            "/usr/local/share/fish/vendor_functions.d".to_string(),
            "/usr/share/fish/functions".to_string(),
        ];
        dirs.into_iter()
            .map(|dir| format!("{dir}/{name}.fish"))
            .find(|path| self.fs.is_file(path))
    }

    pub(crate) fn fish_config_dir(&self) -> String {
        match self
            .state
            .vars
            .get("XDG_CONFIG_HOME")
            .and_then(|v| Value::join(&v.items, "").known())
        {
            Some(dir) if !dir.is_empty() => format!("{dir}/fish"),
            _ => format!("{}/.config/fish", self.home()),
        }
    }

    fn fish_autoload_or_external(&mut self, name: &str, args: Vec<Value>, site: u32) -> Flow {
        if let Some(path) = self.fish_autoload_path(name) {
            if path.starts_with("/usr/share/fish/functions/") {
                // fish's own functions do not touch PATH (fish_add_path is modelled).
                self.state.status = None;
                return Flow::Next;
            }
            let flow = self.run_fish_file(&path, Some(site), None);
            if flow == Flow::Exit {
                return flow;
            }
            if let Some(Func::Defined(def)) = self.state.functions.get(name).cloned() {
                return self.fish_call(def, args, site);
            }
            return Flow::Next;
        }
        self.trace.undefined_calls.push((site, name.to_string()));
        self.state.status = match self.find_on_path(name) {
            Some(None) => Some(127),
            _ => None,
        };
        Flow::Next
    }

    /// Runs a value as fish code (`eval`, `… | source`).
    fn fish_eval_value(&mut self, code: Value, site: u32, text: &str) -> Flow {
        if let Some(hook) = code.as_hook() {
            self.apply_hook(hook, site);
            return Flow::Next;
        }
        let Some(code) = code.known() else {
            self.state.status = None;
            if !self.is_harmless(&code) {
                self.taint_path(
                    site,
                    format!("`{}`: the code it runs is not known", first_line(text)),
                );
            }
            return Flow::Next;
        };
        if self.depth >= MAX_DEPTH {
            self.taint_path(site, "`eval` nests too deep".to_string());
            return Flow::Next;
        }
        let source = self.parse_text(&code, condago_syntax::Shell::Fish, "eval");
        self.sources_in_use.push(Rc::clone(&source));
        let saved = self.site_override.replace(site);
        self.depth += 1;
        self.state.status = Some(0);
        let flow = match &source.tree {
            Some(tree) => self.fish_block(&source, tree.root_node()),
            None => Flow::Next,
        };
        self.depth -= 1;
        self.site_override = saved;
        flow
    }

    /// fish's `set`.
    fn fish_set(&mut self, args: &[Value], site: u32, text: &str) {
        let mut scope = SetScope::Default;
        let mut export: Option<bool> = None;
        let mut mode = "set";
        let mut path_flag: Option<bool> = None;
        let mut rest = args.iter().peekable();
        let mut name = None;
        while let Some(arg) = rest.next() {
            let Some(word) = arg.known() else {
                name = Some(arg.clone());
                break;
            };
            if word == "--" {
                name = rest.next().cloned();
                break;
            }
            if let Some(long) = word.strip_prefix("--") {
                match long {
                    "local" => scope = SetScope::Local,
                    "function" => scope = SetScope::Function,
                    "global" => scope = SetScope::Global,
                    "universal" => scope = SetScope::Universal,
                    "export" => export = Some(true),
                    "unexport" => export = Some(false),
                    "append" => mode = "append",
                    "prepend" => mode = "prepend",
                    "erase" => mode = "erase",
                    "query" => mode = "query",
                    "names" | "show" => mode = "show",
                    "path" => path_flag = Some(true),
                    "unpath" => path_flag = Some(false),
                    _ => {}
                }
                continue;
            }
            if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
                for flag in short.chars() {
                    match flag {
                        'l' => scope = SetScope::Local,
                        'f' => scope = SetScope::Function,
                        'g' => scope = SetScope::Global,
                        'U' => scope = SetScope::Universal,
                        'x' => export = Some(true),
                        'u' => export = Some(false),
                        'a' => mode = "append",
                        'p' => mode = "prepend",
                        'e' => mode = "erase",
                        'q' => mode = "query",
                        'n' | 'S' | 'L' => mode = "show",
                        _ => {}
                    }
                }
                continue;
            }
            name = Some(arg.clone());
            break;
        }
        let values: Vec<Value> = rest.cloned().collect();
        if mode == "show" {
            self.state.status = Some(0);
            return;
        }
        let Some(name_value) = name else {
            self.state.status = Some(0);
            return;
        };
        let Some(name) = name_value.known() else {
            self.taint_path(
                site,
                format!("`{}`: the variable it sets is not known", first_line(text)),
            );
            return;
        };
        if mode == "query" {
            let mut missing = 0;
            let mut unknown = false;
            for query in std::iter::once(name.clone()).chain(values.iter().filter_map(Value::known))
            {
                match self.fish_var(&query) {
                    Some(var) if !var.certain => unknown = true,
                    Some(_) => {}
                    None => missing += 1,
                }
            }
            self.state.status = if unknown { None } else { Some(missing) };
            return;
        }
        if let Some(bracket) = name.find('[') {
            let base = &name[..bracket];
            if self.is_path_name(base) {
                self.taint_path(
                    site,
                    format!("`{}`: an indexed PATH assignment", first_line(text)),
                );
            } else {
                let value = self.unknown_value(format!("`{base}` after an element assignment"));
                self.fish_set_scoped(base, vec![value], scope, false, site);
            }
            self.state.status = Some(0);
            return;
        }
        if mode == "erase" {
            self.fish_erase(&name, scope, site);
            return;
        }
        let is_path = path_flag.unwrap_or(name.ends_with("PATH"));
        let mut values = values;
        if is_path {
            values = values.into_iter().flat_map(|v| v.split(':')).collect();
        }
        let values = match mode {
            "append" | "prepend" => {
                let mut old = self.fish_var(&name).map(|v| v.items).unwrap_or_default();
                if mode == "append" {
                    old.extend(values);
                    old
                } else {
                    let mut values = values;
                    values.extend(old);
                    values
                }
            }
            _ => values,
        };
        self.fish_set_scoped(&name, values, scope, export.unwrap_or(false), site);
        if let Some(false) = export {
            if let Some(var) = self.state.vars.get_mut(&name) {
                var.exported = false;
            }
        }
        self.state.status = Some(0);
    }

    fn fish_erase(&mut self, name: &str, scope: SetScope, site: u32) {
        let mut found = false;
        match scope {
            SetScope::Universal => found |= self.state.universal.remove(name).is_some(),
            SetScope::Global => found |= self.state.vars.remove(name).is_some(),
            _ => {
                for s in self.state.scopes.iter_mut().rev() {
                    if s.vars.contains_key(name) {
                        s.vars.insert(name.to_string(), None);
                        found = true;
                        break;
                    }
                    if s.function {
                        break;
                    }
                }
                if !found && scope == SetScope::Default {
                    found = self.state.vars.remove(name).is_some()
                        || self.state.universal.remove(name).is_some();
                }
            }
        }
        if name == "PATH" {
            self.store_path(Vec::new(), site);
            self.state.vars.remove("PATH");
        }
        if name == "fish_user_paths" {
            self.reconstruct_path(site);
        }
        self.state.status = Some(i32::from(!found));
    }

    /// Sets a fish variable in a scope, as `set` decides when none is given.
    fn fish_set_scoped(
        &mut self,
        name: &str,
        items: Vec<Value>,
        scope: SetScope,
        export: bool,
        site: u32,
    ) {
        if name == "PATH" {
            // PATH is global (fish keeps it exported).
            self.store_path(items, site);
            return;
        }
        let mut items = items;
        if name == "fish_user_paths" {
            for item in &mut items {
                item.stamp(crate::value::Origin::Site(site));
            }
        }
        let make = |old: Option<&Var>| Var {
            items: items.clone(),
            array: true,
            exported: export || old.is_some_and(|v| v.exported),
            certain: true,
        };
        let target = match scope {
            SetScope::Default => {
                let mut found = None;
                for (i, s) in self.state.scopes.iter().enumerate().rev() {
                    if s.vars.get(name).is_some_and(Option::is_some) {
                        found = Some(SetScope::At(i));
                        break;
                    }
                    if s.function {
                        break;
                    }
                }
                match found {
                    Some(at) => at,
                    None if self.state.vars.contains_key(name) => SetScope::Global,
                    None if self.state.universal.contains_key(name) => SetScope::Universal,
                    None => {
                        // New: local to the running function, else global.
                        match self.state.scopes.iter().rposition(|s| s.function) {
                            Some(i) => SetScope::At(i),
                            None => SetScope::Global,
                        }
                    }
                }
            }
            SetScope::Local => SetScope::At(self.state.scopes.len().saturating_sub(1)),
            SetScope::Function => match self.state.scopes.iter().rposition(|s| s.function) {
                Some(i) => SetScope::At(i),
                None => SetScope::Global,
            },
            other => other,
        };
        match target {
            SetScope::At(i) if i < self.state.scopes.len() => {
                let old = self.state.scopes[i].vars.get(name).cloned().flatten();
                let var = make(old.as_ref());
                self.state.scopes[i]
                    .vars
                    .insert(name.to_string(), Some(var));
            }
            SetScope::Universal => {
                let old = self.state.universal.get(name).cloned();
                let var = make(old.as_ref());
                self.state.universal.insert(name.to_string(), var);
            }
            _ => {
                let old = self.state.vars.get(name).cloned();
                let var = make(old.as_ref());
                self.state.vars.insert(name.to_string(), var);
            }
        }
        if name == "fish_user_paths" {
            self.reconstruct_path(site);
        }
    }

    /// fish's `__fish_reconstruct_path`, run whenever `fish_user_paths` changes.
    pub(crate) fn reconstruct_path(&mut self, site: u32) {
        let user_paths: Vec<Value> = self
            .fish_var("fish_user_paths")
            .map(|v| v.items)
            .unwrap_or_default();
        let mut deduped: Vec<Value> = Vec::new();
        for path in user_paths.iter().flat_map(|p| p.split(':')) {
            if !deduped.iter().any(|d| d.chunks() == path.chunks()) {
                deduped.push(path);
            }
        }
        let mut local = self.path_items();
        let added: Vec<Value> = self
            .state
            .vars
            .get("__fish_added_user_paths")
            .map(|v| v.items.clone())
            .unwrap_or_default();
        for x in &added {
            if let Some(at) = local.iter().position(|e| e.chunks() == x.chunks()) {
                local.remove(at);
            }
        }
        let mut now_added = Vec::new();
        for x in deduped.iter().rev() {
            match local.iter().position(|e| e.chunks() == x.chunks()) {
                Some(at) => {
                    local.remove(at);
                }
                None => now_added.push(x.clone()),
            }
            local.insert(0, x.clone());
        }
        self.state
            .vars
            .insert("__fish_added_user_paths".to_string(), Var::list(now_added));
        self.store_path(local, site);
    }

    /// fish's `fish_add_path`: canonical paths that exist, not already there, into
    /// `fish_user_paths` (universal unless it is set, or `-g`) or with `-P` into `PATH`.
    fn fish_add_path(&mut self, args: &[Value], site: u32) {
        let mut global = false;
        let mut universal = false;
        let mut to_path = false;
        let mut append = false;
        let mut move_ = false;
        let mut dry = false;
        let mut paths = Vec::new();
        let mut options_done = false;
        for arg in args {
            let Some(word) = arg.known() else {
                self.taint_path(
                    site,
                    "`fish_add_path` with a directory that is not known".to_string(),
                );
                return;
            };
            if !options_done && word.starts_with('-') && word.len() > 1 {
                if word == "--" {
                    options_done = true;
                    continue;
                }
                let flags: Vec<String> = match word.strip_prefix("--") {
                    Some(long) => vec![long.to_string()],
                    None => word[1..].chars().map(|c| c.to_string()).collect(),
                };
                for flag in flags {
                    match flag.as_str() {
                        "g" | "global" => global = true,
                        "U" | "universal" => universal = true,
                        "P" | "path" => to_path = true,
                        "a" | "append" => append = true,
                        "p" | "prepend" => append = false,
                        "m" | "move" => move_ = true,
                        "n" | "dry-run" => dry = true,
                        _ => {}
                    }
                }
                continue;
            }
            paths.push(word);
        }
        if dry {
            self.state.status = Some(0);
            return;
        }
        let var = if to_path { "PATH" } else { "fish_user_paths" };
        let mut scope = if global {
            SetScope::Global
        } else if universal {
            SetScope::Universal
        } else {
            SetScope::Default
        };
        if !to_path && !global && !universal && self.fish_var("fish_user_paths").is_none() {
            scope = SetScope::Universal;
        }
        if to_path {
            scope = SetScope::Global;
        }
        let current: Vec<Value> = if to_path {
            self.path_items()
        } else {
            self.fish_var(var).map(|v| v.items).unwrap_or_default()
        };
        let mut new_paths: Vec<String> = Vec::new();
        let mut indexes = Vec::new();
        for path in paths {
            let canonical = if path.starts_with('/') {
                normalize(&path)
            } else {
                normalize(&format!("{}/{path}", self.home()))
            };
            if !self.fs.is_dir(&canonical) {
                continue;
            }
            match current
                .iter()
                .position(|e| e.known().as_deref() == Some(canonical.as_str()))
            {
                Some(at) => {
                    if move_ && !new_paths.contains(&canonical) {
                        indexes.push(at);
                        new_paths.push(canonical);
                    }
                }
                None => {
                    if !new_paths.contains(&canonical) {
                        new_paths.push(canonical);
                    }
                }
            }
        }
        if new_paths.is_empty() && indexes.is_empty() {
            self.state.status = Some(1);
            return;
        }
        let mut new_var: Vec<Value> = current
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !indexes.contains(i))
            .map(|(_, v)| v)
            .collect();
        let added: Vec<Value> = new_paths.into_iter().map(Value::text).collect();
        if append {
            new_var.extend(added);
        } else {
            let mut all = added;
            all.extend(new_var);
            new_var = all;
        }
        self.fish_set_scoped(var, new_var, scope, false, site);
        self.state.status = Some(0);
    }
}

/// Where `set` puts a variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetScope {
    Default,
    Local,
    Function,
    Global,
    Universal,
    At(usize),
}

/// The condition, body and later clauses of an `if`/`else if`/`while`: `; and …`/`; or …`
/// right after the condition belong to it.
fn fish_clause(node: Node) -> (Vec<Node>, Vec<Node>, Vec<Node>) {
    let mut conditions = Vec::new();
    let mut body = Vec::new();
    let mut rest = Vec::new();
    let mut cursor = node.walk();
    let mut in_condition = true;
    for (i, child) in node.children(&mut cursor).enumerate() {
        let field = node.field_name_for_child(i as u32);
        if !child.is_named() || child.kind() == "comment" {
            continue;
        }
        if field == Some("condition") {
            conditions.push(child);
            continue;
        }
        match child.kind() {
            "else_if_clause" | "else_clause" => {
                rest.push(child);
                in_condition = false;
            }
            "conditional_execution"
                if in_condition
                    && !conditions.is_empty()
                    && child
                        .child(0)
                        .is_some_and(|first| matches!(first.kind(), "and" | "or")) =>
            {
                conditions.push(child);
            }
            _ => {
                in_condition = false;
                body.push(child);
            }
        }
    }
    (conditions, body, rest)
}
