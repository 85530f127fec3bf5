//! The bash/zsh interpreter: statements of tree-sitter-bash trees and condago's zsh grammar's, run
//! against the modelled state. Nothing is executed: commands the model does not know leave
//! the environment alone (a child process cannot change it) with an unknown status; the
//! builtins that can change it are modelled, or make what they touch unknown.

mod test;
pub(crate) mod words;

use std::rc::Rc;

use condago_syntax::tree_sitter::Node;

use crate::engine::{Engine, Flow, Source, MAX_DEPTH};
use crate::state::{Func, FuncDef, Var};
use crate::value::Value;
use crate::StartupShell;
use words::Expand;

/// zsh functions that ship with zsh and never touch `PATH`.
const HARMLESS_AUTOLOADS: &[&str] = &[
    "compinit",
    "bashcompinit",
    "promptinit",
    "prompt",
    "colors",
    "add-zsh-hook",
    "vcs_info",
    "zmv",
    "run-help",
    "zcalc",
    "is-at-least",
    "edit-command-line",
    "up-line-or-beginning-search",
    "down-line-or-beginning-search",
    "select-word-style",
    "url-quote-magic",
    "bracketed-paste-magic",
    "zrecompile",
    "compdef",
    "zsh-newuser-install",
];

/// Builtins that cannot change `PATH` or the variables the model follows.
const INERT_BUILTINS: &[&str] = &[
    "echo",
    "print",
    "printf",
    "alias",
    "unalias",
    "bind",
    "bindkey",
    "zle",
    "zstyle",
    "zmodload",
    "compdef",
    "complete",
    "compgen",
    "compopt",
    "trap",
    "umask",
    "ulimit",
    "limit",
    "unlimit",
    "enable",
    "disable",
    "history",
    "fc",
    "jobs",
    "wait",
    "disown",
    "rehash",
    "unhash",
    "stty",
    "ttyctl",
    "functions",
    "zcompile",
    "sched",
    "dirs",
    "times",
    "caller",
    "kill",
    "emulate",
    "noglob",
    "logout",
    "suspend",
    "help",
    "zparseopts",
    "whence",
    "where",
];

impl Engine<'_> {
    /// The grammar family files of this shell are parsed with.
    pub(crate) fn syntax(&self) -> condago_syntax::Shell {
        match self.shell {
            StartupShell::Bash => condago_syntax::Shell::Bash,
            StartupShell::Zsh => condago_syntax::Shell::Zsh,
            StartupShell::Fish => condago_syntax::Shell::Fish,
        }
    }

    /// Reads and runs a file as a new read (a startup file, or `source`d with `from`).
    pub(crate) fn run_posix_file(
        &mut self,
        path: &str,
        from: Option<u32>,
        args: Option<Vec<Value>>,
    ) -> Flow {
        let Some(source) = self.load(path, self.syntax()) else {
            return Flow::Next;
        };
        let read = self.begin_read(path, from);
        self.sources_in_use.push(Rc::clone(&source));
        let saved_read = std::mem::replace(&mut self.read, read);
        let saved_override = self.site_override.take();
        let saved_positional = args.map(|args| std::mem::replace(&mut self.state.positional, args));
        let flow = self.frame(|engine| engine.run_posix_source(&source));
        if let Some(positional) = saved_positional {
            self.state.positional = positional;
        }
        self.site_override = saved_override;
        self.read = saved_read;
        flow
    }

    /// Runs parsed code as a subshell (its state is the caller's to restore).
    pub(crate) fn run_subshell(&mut self, source: &Rc<Source>) -> Flow {
        match &source.tree {
            Some(tree) => self.block(source, tree.root_node()),
            None => Flow::Next,
        }
    }

    fn run_posix_source(&mut self, source: &Rc<Source>) -> Flow {
        let Some(tree) = &source.tree else {
            let site = self.site(1);
            self.taint_path(
                site,
                format!(
                    "{} could not be parsed within the budget",
                    self.short(&source.path)
                ),
            );
            return Flow::Next;
        };
        self.block(source, tree.root_node())
    }

    fn block(&mut self, src: &Source, node: Node) -> Flow {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            let flow = self.statement(src, child);
            if flow != Flow::Next {
                return flow;
            }
        }
        Flow::Next
    }

    fn statement(&mut self, src: &Source, node: Node) -> Flow {
        if !self.step() {
            return Flow::Next;
        }
        match node.kind() {
            "comment"
            | "heredoc_body"
            | "heredoc_redirect"
            | "herestring_redirect"
            | "file_redirect" => Flow::Next,
            "command" => self.command(src, node),
            "redirected_statement" => {
                let Some(body) = node.child_by_field_name("body") else {
                    return Flow::Next;
                };
                let mut cursor = node.walk();
                let muted = node
                    .children_by_field_name("redirect", &mut cursor)
                    .any(|r| {
                        let text = src.node_text(r).trim_start();
                        text.starts_with('>') || text.starts_with("1>") || text.starts_with("&>")
                    });
                self.capture_muted += usize::from(muted);
                let flow = self.statement(src, body);
                self.capture_muted -= usize::from(muted);
                flow
            }
            "variable_assignment" => {
                self.subst_status = None;
                let site = self.site_of(node);
                self.assignment_node(src, node, site, None);
                self.state.status = self.subst_status.take().unwrap_or(Some(0));
                Flow::Next
            }
            "variable_assignments" => {
                self.subst_status = None;
                let site = self.site_of(node);
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "variable_assignment" {
                        self.assignment_node(src, child, site, None);
                    }
                }
                self.state.status = self.subst_status.take().unwrap_or(Some(0));
                Flow::Next
            }
            "declaration_command" => {
                let site = self.site_of(node);
                let mut cursor = node.walk();
                let children: Vec<Node> = node.children(&mut cursor).collect();
                let keyword = children
                    .first()
                    .map(|k| src.node_text(*k).to_string())
                    .unwrap_or_default();
                self.declaration(src, &keyword, &children[1.min(children.len())..], site);
                Flow::Next
            }
            "unset_command" => {
                let site = self.site_of(node);
                let mut cursor = node.walk();
                let texts: Vec<String> = node
                    .named_children(&mut cursor)
                    .map(|c| src.node_text(c).to_string())
                    .collect();
                let args: Vec<Value> = texts
                    .iter()
                    .flat_map(|t| self.expand_fields(t, Expand::ARGUMENT, site).fields)
                    .collect();
                self.unset(&args, site);
                Flow::Next
            }
            "list" => self.list(src, node),
            "pipeline" => self.pipeline(src, node),
            "negated_command" => {
                let mut cursor = node.walk();
                let inner: Vec<Node> = node.named_children(&mut cursor).collect();
                let mut flow = Flow::Next;
                for child in inner {
                    flow = self.statement(src, child);
                }
                self.state.status = self.state.status.map(|s| i32::from(s == 0));
                flow
            }
            "subshell" => {
                self.state.status = None;
                Flow::Next
            }
            // `(( … ))` as a statement.
            "compound_statement" if src.node_text(node).starts_with("((") => {
                let text = src.node_text(node).to_string();
                self.state.status = self.arithmetic_command(&text);
                Flow::Next
            }
            "compound_statement" | "do_group" => self.block(src, node),
            "if_statement" => self.if_statement(src, node),
            "case_statement" => self.case_statement(src, node),
            "for_statement" | "select_statement" => self.for_statement(src, node),
            "repeat_statement" => self.repeat_statement(src, node),
            // `{ … } always { … }`: the second block runs whatever the first did.
            "always_statement" => {
                let mut flow = Flow::Next;
                for field in ["body", "always"] {
                    if let Some(block) = node.child_by_field_name(field) {
                        let next = self.statement(src, block);
                        if flow == Flow::Next {
                            flow = next;
                        }
                    }
                }
                flow
            }
            // `() { … } args`: runs at once, as a function called with those arguments.
            "anonymous_function" => {
                let Some(body) = node.child_by_field_name("body") else {
                    return Flow::Next;
                };
                let site = self.site_of(node);
                let mut cursor = node.walk();
                let texts: Vec<String> = node
                    .children_by_field_name("argument", &mut cursor)
                    .map(|arg| src.node_text(arg).to_string())
                    .collect();
                let args: Vec<Value> = texts
                    .iter()
                    .flat_map(|text| self.expand_fields(text, Expand::ARGUMENT, site).fields)
                    .collect();
                let saved = std::mem::replace(&mut self.state.positional, args);
                let flow = self.statement(src, body);
                self.state.positional = saved;
                match flow {
                    Flow::Return => Flow::Next,
                    other => other,
                }
            }
            "while_statement" | "until_statement" | "c_style_for_statement" => {
                self.while_statement(src, node)
            }
            "function_definition" => {
                self.define_function(src, node);
                Flow::Next
            }
            "test_command" => {
                let result = self.test_node(src, node);
                self.state.status = result.map(|b| i32::from(!b));
                Flow::Next
            }
            _ => {
                self.unsupported(src, node);
                Flow::Next
            }
        }
    }

    /// A construct the interpreter does not model: harmless unless it mentions `PATH` or runs
    /// code it cannot see.
    fn unsupported(&mut self, src: &Source, node: Node) {
        let text = src.node_text(node);
        let site = self.site_of(node);
        self.state.status = None;
        let touches = text.contains("PATH")
            || text.contains("path=")
            || text.contains("path+=")
            || text.contains("source ")
            || text.contains(". ")
            || text.contains("eval ");
        if touches {
            let first: String = text.lines().next().unwrap_or("").chars().take(60).collect();
            self.taint_path(
                site,
                format!(
                    "`{first}` at {} could not be modelled",
                    self.describe_site(site)
                ),
            );
        }
    }

    fn command(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let Some(name_node) = node.child_by_field_name("name") else {
            // Only assignments (`A=1 B=2`).
            self.subst_status = None;
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            for child in children {
                if child.kind() == "variable_assignment" {
                    self.assignment_node(src, child, site, None);
                }
            }
            self.state.status = self.subst_status.take().unwrap_or(Some(0));
            return Flow::Next;
        };
        let name_text = src.node_text(name_node).to_string();
        // zsh `(( … ))` as a command.
        if name_text.starts_with("((") {
            self.state.status = self.arithmetic_command(&name_text);
            return Flow::Next;
        }
        let mut arg_nodes = Vec::new();
        let mut after_name = false;
        let mut cursor = node.walk();
        for (i, child) in node.children(&mut cursor).enumerate() {
            if child.id() == name_node.id() {
                after_name = true;
                continue;
            }
            let field = node.field_name_for_child(i as u32);
            if !after_name || !child.is_named() || child.kind() == "comment" {
                continue;
            }
            if child.kind().ends_with("redirect") || field == Some("redirect") {
                continue;
            }
            arg_nodes.push(child);
        }
        let keyword = name_text.trim_start_matches('\\');
        if matches!(
            keyword,
            "export" | "declare" | "typeset" | "local" | "readonly" | "integer" | "float"
        ) {
            self.declaration(src, keyword, &arg_nodes, site);
            return Flow::Next;
        }
        let mut name_fields = self.expand_fields(&name_text, Expand::ARGUMENT, site);
        let mut args: Vec<Value> = Vec::new();
        let mut nomatch = name_fields.nomatch;
        if name_fields.fields.len() > 1 {
            args.extend(name_fields.fields.drain(1..));
        }
        self.subst_status = None;
        for arg in &arg_nodes {
            let words = self.expand_fields(src.node_text(*arg), Expand::ARGUMENT, site);
            nomatch |= words.nomatch;
            args.extend(words.fields);
        }
        let subst_status = self.subst_status.take();
        if nomatch {
            self.state.status = Some(1);
            return Flow::Next;
        }
        let Some(name) = name_fields.fields.into_iter().next() else {
            // The name expanded to nothing: the status of the last substitution.
            self.state.status = subst_status.unwrap_or(Some(0));
            return Flow::Next;
        };
        let text = src.node_text(node).to_string();
        self.run_command(name, args, site, &text, false)
    }

    /// Runs a command by name. `no_functions` for `command x`.
    pub(crate) fn run_command(
        &mut self,
        name: Value,
        args: Vec<Value>,
        site: u32,
        text: &str,
        no_functions: bool,
    ) -> Flow {
        let Some(name) = name.known() else {
            self.state.status = None;
            if self.is_harmless(&name) || condago_syntax::template::is_condition(text.trim()) {
                return Flow::Next;
            }
            self.taint_path(
                site,
                format!(
                    "`{}`: the command to run is not known",
                    condago_syntax::template::unmask(&first_line(text))
                ),
            );
            return Flow::Next;
        };
        let arg_text = |i: usize| args.get(i).and_then(Value::known);
        if !no_functions {
            if let Some(func) = self.state.functions.get(&name).cloned() {
                return match func {
                    Func::Defined(def) => self.call_posix_function(def, args, site),
                    Func::Native(native) => self.call_native(native, &args, site),
                    Func::Unknown => {
                        self.state.status = None;
                        self.taint_path(
                            site,
                            format!("`{name}` is defined differently on paths the model cannot tell apart"),
                        );
                        Flow::Next
                    }
                };
            }
        }
        if matches!(name.as_str(), "echo" | "print" | "printf") && self.capture_output(&name, &args)
        {
            self.state.status = Some(0);
            return Flow::Next;
        }
        match name.as_str() {
            "." | "source" => self.source_command(&args, site, text),
            "eval" => self.eval_command(&args, site, text),
            "return" => {
                if let Some(status) = args.first() {
                    self.state.status = status.known().and_then(|s| s.trim().parse().ok());
                }
                Flow::Return
            }
            "exit" => {
                if let Some(status) = args.first() {
                    self.state.status = status.known().and_then(|s| s.trim().parse().ok());
                }
                self.exit_at(site);
                Flow::Exit
            }
            "exec" => {
                if args.is_empty() {
                    self.state.status = Some(0);
                    return Flow::Next;
                }
                self.note(
                    Some(site),
                    format!("`exec` replaces the shell at {}", self.describe_site(site)),
                );
                self.exit_at(site);
                Flow::Exit
            }
            "break" => Flow::Break,
            "continue" => Flow::Continue,
            "true" | ":" => {
                self.state.status = Some(0);
                Flow::Next
            }
            "false" => {
                self.state.status = Some(1);
                Flow::Next
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
            "command" => match arg_text(0).as_deref() {
                Some("-v") | Some("-V") => {
                    let target = arg_text(1).unwrap_or_default();
                    self.state.status = self.lookup_status(&target, true);
                    Flow::Next
                }
                Some("-p") | None => {
                    self.state.status = None;
                    Flow::Next
                }
                Some(_) => {
                    let mut rest = args;
                    let name = rest.remove(0);
                    self.run_command(name, rest, site, text, true)
                }
            },
            "builtin" => {
                if args.is_empty() {
                    self.state.status = Some(0);
                    return Flow::Next;
                }
                let mut rest = args;
                let name = rest.remove(0);
                self.run_command(name, rest, site, text, true)
            }
            "type" | "hash" | "which" => {
                let targets: Vec<String> = args
                    .iter()
                    .filter_map(Value::known)
                    .filter(|a| !a.starts_with('-'))
                    .collect();
                if name == "hash" && targets.is_empty() {
                    self.state.status = Some(0);
                    return Flow::Next;
                }
                let mut status = Some(0);
                for target in targets {
                    match self.lookup_status(&target, name == "type") {
                        Some(0) => {}
                        other => status = other.or(status).filter(|_| other.is_some()),
                    }
                }
                self.state.status = status;
                Flow::Next
            }
            "shopt" => {
                self.shopt(&args);
                Flow::Next
            }
            "set" => {
                self.set_builtin(&args);
                Flow::Next
            }
            "setopt" | "unsetopt" => {
                for arg in args.iter().filter_map(Value::known) {
                    let mut option = arg.to_ascii_lowercase().replace('_', "");
                    let mut on = name == "setopt";
                    if let Some(rest) = option.strip_prefix("no") {
                        if !matches!(option.as_str(), "notify" | "nomatch") {
                            option = rest.to_string();
                            on = !on;
                        }
                    }
                    self.state.options.insert(option, on);
                }
                self.state.status = Some(0);
                Flow::Next
            }
            "shift" => {
                let n = arg_text(0)
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1);
                if n <= self.state.positional.len() {
                    self.state.positional.drain(..n);
                    self.state.status = Some(0);
                } else {
                    self.state.status = Some(1);
                }
                Flow::Next
            }
            "read" | "mapfile" | "readarray" | "getopts" | "vared" | "let" => {
                self.unknown_names(&name, &args, site);
                Flow::Next
            }
            "printf" if arg_text(0).as_deref() == Some("-v") => {
                let target = arg_text(1).unwrap_or_default();
                let value = self.unknown_value(format!("`{}`", first_line(text)));
                self.assign_scalar(&target, value, site);
                self.state.status = Some(0);
                Flow::Next
            }
            "autoload" => {
                for arg in args.iter().filter_map(Value::known) {
                    if !arg.starts_with('-') && !arg.starts_with('+') {
                        self.state.autoloaded.insert(arg);
                    }
                }
                self.state.status = Some(0);
                Flow::Next
            }
            "unfunction" => {
                for arg in args.iter().filter_map(Value::known) {
                    self.state.functions.remove(&arg);
                }
                self.state.status = Some(0);
                Flow::Next
            }
            "cd" | "pushd" | "popd" => {
                self.state.status = None;
                Flow::Next
            }
            "alias" => {
                for definition in args.iter().filter_map(Value::known) {
                    if let Some((alias, body)) = definition.split_once('=') {
                        self.aliases.insert(alias.to_string(), body.to_string());
                    }
                }
                self.state.status = Some(0);
                Flow::Next
            }
            _ if self.aliases.contains_key(&name) => {
                // Aliases defined in a startup file expand in later lines of interactive
                // shells; one that changes PATH or reads code is not followed.
                let body = self.aliases.get(&name).cloned().unwrap_or_default();
                self.state.status = None;
                let touches = [
                    "PATH",
                    "path=",
                    "source",
                    ". ",
                    "eval",
                    "conda",
                    "fish_add_path",
                ]
                .iter()
                .any(|needle| body.contains(needle));
                if touches && self.mode.interactive() {
                    self.taint_path(site, format!("the alias `{name}` ({body}) is not followed"));
                }
                Flow::Next
            }
            _ if INERT_BUILTINS.contains(&name.as_str()) => {
                self.state.status = Some(0);
                Flow::Next
            }
            _ if self.state.autoloaded.contains(&name) => {
                self.state.status = None;
                if !HARMLESS_AUTOLOADS.contains(&name.as_str()) {
                    self.taint_path(
                        site,
                        format!("`{name}` is an autoloaded zsh function the model does not read"),
                    );
                }
                Flow::Next
            }
            _ if HARMLESS_AUTOLOADS.contains(&name.as_str()) && self.shell == StartupShell::Zsh => {
                self.state.status = None;
                Flow::Next
            }
            _ => {
                // An external program: it cannot change this shell's variables.
                self.capture_output(&name, &args);
                self.state.status = match self.find_on_path(&name) {
                    Some(None) => Some(127),
                    _ => None,
                };
                Flow::Next
            }
        }
    }

    /// The shell stops here (on every path, or on this one).
    fn exit_at(&mut self, site: u32) {
        if !self.is_uncertain() && self.trace.exited.is_none() {
            self.trace.exited = Some(site);
        }
    }

    /// `command -v`, `type`, `hash`, `which`: 0 when found, 1 when not, `None` when an
    /// unknown `PATH` entry comes first.
    fn lookup_status(&self, name: &str, functions_count: bool) -> Option<i32> {
        if functions_count
            && (self.state.functions.contains_key(name)
                || INERT_BUILTINS.contains(&name)
                || matches!(
                    name,
                    "cd" | "source" | "." | "eval" | "export" | "command" | "type"
                ))
        {
            return Some(0);
        }
        match self.find_on_path(name) {
            Some(Some(_)) => Some(0),
            Some(None) => Some(1),
            None => None,
        }
    }

    fn unknown_names(&mut self, command: &str, args: &[Value], site: u32) {
        let names: Vec<String> = args
            .iter()
            .filter_map(Value::known)
            .filter(|a| {
                !a.starts_with('-') && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .collect();
        let names = if command == "getopts" {
            names.into_iter().skip(1).take(1).collect()
        } else if names.is_empty() && command == "read" {
            vec!["REPLY".to_string()]
        } else {
            names
        };
        for name in names {
            let value = self.unknown_value(format!("what `{command}` reads into `{name}`"));
            if name == "PATH" || name == "path" {
                self.taint_path(site, format!("`{command}` sets PATH from input"));
            } else {
                self.assign_scalar(&name, value, site);
            }
        }
        self.state.status = None;
    }

    fn shopt(&mut self, args: &[Value]) {
        let words: Vec<String> = args.iter().filter_map(Value::known).collect();
        let query = words.iter().any(|w| w == "-q") || !words.iter().any(|w| w.starts_with('-'));
        if !query || words.iter().any(|w| w == "-s" || w == "-u") {
            self.state.status = Some(0);
            return;
        }
        let options: Vec<&String> = words.iter().filter(|w| !w.starts_with('-')).collect();
        let mut status = Some(0);
        for option in options {
            let on = match option.as_str() {
                "login_shell" => Some(self.mode.login()),
                "progcomp"
                | "promptvars"
                | "sourcepath"
                | "hostcomplete"
                | "cmdhist"
                | "interactive_comments"
                | "extquote"
                | "force_fignore"
                | "complete_fullquote" => Some(true),
                "expand_aliases" => Some(self.mode.interactive()),
                "extglob" | "globstar" | "nullglob" | "dotglob" | "failglob" | "nocaseglob" => {
                    Some(false)
                }
                _ => None,
            };
            status = match (status, on) {
                (Some(0), Some(true)) => Some(0),
                (_, Some(false)) => Some(1),
                (Some(1), _) => Some(1),
                _ => None,
            };
        }
        self.state.status = status;
    }

    fn set_builtin(&mut self, args: &[Value]) {
        self.state.status = Some(0);
        let Some(first) = args.first().and_then(Value::known) else {
            return;
        };
        if first == "--" {
            self.state.positional = args[1..].to_vec();
        } else if !first.starts_with('-') && !first.starts_with('+') {
            self.state.positional = args.to_vec();
        } else if first == "-o" || first == "+o" {
            if let Some(option) = args.get(1).and_then(Value::known) {
                let key = option.to_ascii_lowercase().replace('_', "");
                self.state.options.insert(key, first == "-o");
            }
        }
    }

    fn list(&mut self, src: &Source, node: Node) -> Flow {
        let mut items: Vec<(Option<&'static str>, Node)> = Vec::new();
        flatten_list(node, None, &mut items);
        let site = self.site_of(node);
        let mut flow = Flow::Next;
        let mut done = String::new();
        for (op, item) in items {
            if flow != Flow::Next {
                return flow;
            }
            let text = src.node_text(item).to_string();
            let run = match op {
                None => Some(true),
                Some("&&") => self.state.status.map(|s| s == 0),
                Some(_) => self.state.status.map(|s| s != 0),
            };
            flow = match run {
                Some(true) => self.statement(src, item),
                Some(false) => Flow::Next,
                None => {
                    let why = format!("`{}`", first_line(&done));
                    self.fork(site, &why, |e| e.statement(src, item), |_| Flow::Next)
                }
            };
            if !done.is_empty() {
                done.push_str(if op == Some("&&") { " && " } else { " || " });
            }
            done.push_str(&text);
        }
        flow
    }

    fn pipeline(&mut self, src: &Source, node: Node) -> Flow {
        let mut cursor = node.walk();
        let stages: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        let site = self.site_of(node);
        if let (Some(first), Some(last)) = (stages.first(), stages.last()) {
            // `cmd | source /dev/stdin` and friends: the output of a command run as code.
            let last_text = src.node_text(*last).trim().to_string();
            if matches!(
                last_text.as_str(),
                "source /dev/stdin" | ". /dev/stdin" | "source" | "bash" | "sh" | "zsh"
            ) && last_text.starts_with(['s', '.'])
            {
                let output = self.command_output(src.node_text(*first), site);
                return self.eval_value(output, site, src.node_text(node));
            }
        }
        if self.shell == StartupShell::Zsh {
            if let Some(last) = stages.last() {
                let flow = self.statement(src, *last);
                return flow;
            }
        }
        self.state.status = None;
        Flow::Next
    }

    fn if_statement(&mut self, src: &Source, node: Node) -> Flow {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        let mut conditions = Vec::new();
        let mut body = Vec::new();
        let mut rest = Vec::new();
        let mut in_body = false;
        for (i, child) in children.into_iter().enumerate() {
            // zsh's `if [[ … ]] { … }` and `if [[ … ]] cmd` have no `then`: a body field.
            in_body |= node.field_name_for_child(i as u32) == Some("body");
            match child.kind() {
                "then" => in_body = true,
                "elif_clause" | "else_clause" => rest.push(child),
                _ if !child.is_named() || child.kind() == "comment" => {}
                _ if in_body => body.push(child),
                _ => conditions.push(child),
            }
        }
        self.conditional_chain(src, node, &conditions, &body, &rest)
    }

    fn conditional_chain(
        &mut self,
        src: &Source,
        node: Node,
        conditions: &[Node],
        body: &[Node],
        rest: &[Node],
    ) -> Flow {
        for condition in conditions {
            let flow = self.statement(src, *condition);
            if flow != Flow::Next {
                return flow;
            }
        }
        let site = self.site_of(node);
        let test: String = conditions
            .iter()
            .map(|c| src.node_text(*c))
            .collect::<Vec<_>>()
            .join("; ");
        match self.state.status {
            Some(0) => self.run_nodes(src, body),
            Some(_) => self.else_chain(src, rest),
            None => {
                let why = format!("`{}`", first_line(&test));
                self.fork(
                    site,
                    &why,
                    |e| e.run_nodes(src, body),
                    |e| e.else_chain(src, rest),
                )
            }
        }
    }

    fn else_chain(&mut self, src: &Source, rest: &[Node]) -> Flow {
        let Some((clause, later)) = rest.split_first() else {
            return Flow::Next;
        };
        let mut cursor = clause.walk();
        let children: Vec<Node> = clause.children(&mut cursor).collect();
        if clause.kind() == "else_clause" {
            let body: Vec<Node> = children
                .into_iter()
                .filter(|c| c.is_named() && c.kind() != "comment")
                .collect();
            return self.run_nodes(src, &body);
        }
        let mut conditions = Vec::new();
        let mut body = Vec::new();
        let mut in_body = false;
        for (i, child) in children.into_iter().enumerate() {
            in_body |= clause.field_name_for_child(i as u32) == Some("body");
            match child.kind() {
                "then" => in_body = true,
                _ if !child.is_named() || child.kind() == "comment" => {}
                _ if in_body => body.push(child),
                _ => conditions.push(child),
            }
        }
        self.conditional_chain(src, *clause, &conditions, &body, later)
    }

    fn run_nodes(&mut self, src: &Source, nodes: &[Node]) -> Flow {
        for node in nodes {
            let flow = self.statement(src, *node);
            if flow != Flow::Next {
                return flow;
            }
        }
        Flow::Next
    }

    fn case_statement(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let value_text = node
            .child_by_field_name("value")
            .map(|v| src.node_text(v).to_string())
            .unwrap_or_default();
        let value = self.expand_scalar(&value_text, site);
        let mut cursor = node.walk();
        let items: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "case_item")
            .collect();
        self.case_items(src, &value, &value_text, &items, site)
    }

    fn case_items(
        &mut self,
        src: &Source,
        value: &Value,
        value_text: &str,
        items: &[Node],
        site: u32,
    ) -> Flow {
        let Some((item, later)) = items.split_first() else {
            self.state.status = Some(0);
            return Flow::Next;
        };
        let mut patterns = Vec::new();
        let mut body = Vec::new();
        // `;&` runs the next body too; `;;&` goes on testing the next patterns.
        let mut fallthrough = "";
        let mut cursor = item.walk();
        for (i, child) in item.children(&mut cursor).enumerate() {
            let field = item.field_name_for_child(i as u32);
            if field == Some("fallthrough") {
                fallthrough = if child.kind() == ";&" { ";&" } else { ";;&" };
            }
            if field == Some("value") {
                patterns.push(src.node_text(child).to_string());
            } else if child.is_named()
                && child.kind() != "comment"
                && field != Some("termination")
                && field != Some("fallthrough")
            {
                body.push(child);
            }
        }
        let mut matched = Some(false);
        for pattern in &patterns {
            let result = match self.expand_pattern(pattern, site) {
                Some(pattern) => crate::value::glob_match_value(&pattern, value),
                None => None,
            };
            matched = crate::value::tri_or(matched, result);
        }
        let run = |e: &mut Self| {
            e.state.status = Some(0);
            let flow = e.run_nodes(src, &body);
            if flow != Flow::Next {
                return flow;
            }
            match fallthrough {
                ";&" => e.case_fall_into(src, value, value_text, later, site),
                ";;&" => e.case_items(src, value, value_text, later, site),
                _ => Flow::Next,
            }
        };
        match matched {
            Some(true) => run(self),
            Some(false) => self.case_items(src, value, value_text, later, site),
            // `;;&` (zsh `;|`) tests the later patterns either way: fork on the body alone,
            // then go on once, so a long chain of undecided items stays linear.
            None if fallthrough == ";;&" => {
                let why = format!("`case {value_text} in {})`", patterns.join("|"));
                let flow = self.fork(
                    site,
                    &why,
                    |e| {
                        e.state.status = Some(0);
                        e.run_nodes(src, &body)
                    },
                    |_| Flow::Next,
                );
                if flow != Flow::Next {
                    return flow;
                }
                self.case_items(src, value, value_text, later, site)
            }
            None => {
                let why = format!("`case {value_text} in {})`", patterns.join("|"));
                self.fork(site, &why, run, |e| {
                    e.case_items(src, value, value_text, later, site)
                })
            }
        }
    }

    /// After `;&`: the next item's body runs whatever its patterns say.
    fn case_fall_into(
        &mut self,
        src: &Source,
        value: &Value,
        value_text: &str,
        items: &[Node],
        site: u32,
    ) -> Flow {
        let Some((item, later)) = items.split_first() else {
            return Flow::Next;
        };
        let mut body = Vec::new();
        let mut fallthrough = "";
        let mut cursor = item.walk();
        for (i, child) in item.children(&mut cursor).enumerate() {
            let field = item.field_name_for_child(i as u32);
            if field == Some("fallthrough") {
                fallthrough = if child.kind() == ";&" { ";&" } else { ";;&" };
            }
            if child.is_named()
                && child.kind() != "comment"
                && !matches!(
                    field,
                    Some("value") | Some("termination") | Some("fallthrough")
                )
            {
                body.push(child);
            }
        }
        let flow = self.run_nodes(src, &body);
        if flow != Flow::Next {
            return flow;
        }
        match fallthrough {
            ";&" => self.case_fall_into(src, value, value_text, later, site),
            ";;&" => self.case_items(src, value, value_text, later, site),
            _ => Flow::Next,
        }
    }

    fn for_statement(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let variable = node
            .child_by_field_name("variable")
            .map(|v| src.node_text(v).to_string())
            .unwrap_or_default();
        let mut cursor = node.walk();
        let value_nodes: Vec<Node> = node.children_by_field_name("value", &mut cursor).collect();
        let items: Vec<Value> = if value_nodes.is_empty() {
            self.state.positional.clone()
        } else {
            let mut items = Vec::new();
            for value in value_nodes {
                let words = self.expand_fields(src.node_text(value), Expand::ARGUMENT, site);
                items.extend(words.fields);
            }
            items
        };
        // zsh's short form has `;` as a body too: the block is the last named one.
        let mut cursor = node.walk();
        let body = node
            .children_by_field_name("body", &mut cursor)
            .filter(|b| b.is_named())
            .last();
        let Some(body) = body else {
            return Flow::Next;
        };
        self.state.status = Some(0);
        self.looped(|e| {
            for item in items {
                if item.has_unknown() {
                    let why = "a loop over values that are not known".to_string();
                    e.assign_scalar(&variable, item, site);
                    return e.fork(site, &why, |e| e.statement(src, body), |_| Flow::Next);
                }
                e.assign_scalar(&variable, item, site);
                match e.statement(src, body) {
                    Flow::Break => return Flow::Next,
                    Flow::Next | Flow::Continue => {}
                    other => return other,
                }
            }
            Flow::Next
        })
    }

    fn while_statement(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let until = node.kind() == "until_statement";
        if let Some(condition) = node.child_by_field_name("condition") {
            let flow = self.statement(src, condition);
            if flow != Flow::Next {
                return flow;
            }
            let runs = self.state.status.map(|s| (s == 0) != until);
            if runs == Some(false) {
                return Flow::Next;
            }
        }
        let Some(body) = node.child_by_field_name("body") else {
            return Flow::Next;
        };
        self.undecided_loop(src, body, site)
    }

    /// A loop body that runs an unknown number of times (maybe none).
    fn undecided_loop(&mut self, src: &Source, body: Node, site: u32) -> Flow {
        let why = format!("how often the loop at {} runs", self.describe_site(site));
        self.looped(|e| {
            e.fork(
                site,
                &why,
                |e| match e.statement(src, body) {
                    Flow::Break | Flow::Continue => Flow::Next,
                    other => other,
                },
                |_| Flow::Next,
            )
        })
    }

    /// zsh `repeat N body`: the body N times when N is a known small number, otherwise as an
    /// undecided loop.
    fn repeat_statement(&mut self, src: &Source, node: Node) -> Flow {
        let site = self.site_of(node);
        let Some(body) = node.child_by_field_name("body") else {
            return Flow::Next;
        };
        let count = node
            .child_by_field_name("count")
            .map(|count| self.expand_scalar(src.node_text(count), site))
            .and_then(|value| {
                value
                    .known()
                    .and_then(|text| text.trim().parse::<u32>().ok())
            });
        match count {
            Some(count) if count <= 16 => self.looped(|e| {
                for _ in 0..count {
                    match e.statement(src, body) {
                        Flow::Break => return Flow::Next,
                        Flow::Next | Flow::Continue => {}
                        other => return other,
                    }
                }
                Flow::Next
            }),
            _ => self.undecided_loop(src, body, site),
        }
    }

    fn define_function(&mut self, src: &Source, node: Node) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = src.node_text(name_node).to_string();
        self.record_function(src, node, name);
    }

    fn call_posix_function(&mut self, def: Rc<FuncDef>, args: Vec<Value>, site: u32) -> Flow {
        if self.depth >= MAX_DEPTH {
            self.state.status = None;
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
        let Some(body) = node.child_by_field_name("body") else {
            return Flow::Next;
        };
        let saved_positional = std::mem::replace(&mut self.state.positional, args);
        let saved_read = std::mem::replace(&mut self.read, def.read);
        let saved_override = std::mem::replace(&mut self.site_override, def.site_override);
        self.state.scopes.push(crate::state::Scope {
            function: true,
            ..Default::default()
        });
        let flow = self.frame(|e| e.statement(&source, body));
        if let Some(scope) = self.state.scopes.pop() {
            for (name, saved) in scope.vars {
                match saved {
                    Some(var) => {
                        self.state.vars.insert(name, var);
                    }
                    None => {
                        self.state.vars.remove(&name);
                    }
                }
            }
        }
        self.site_override = saved_override;
        self.read = saved_read;
        self.state.positional = saved_positional;
        flow
    }

    fn source_command(&mut self, args: &[Value], site: u32, text: &str) -> Flow {
        let Some(target) = args.first() else {
            self.state.status = Some(2);
            return Flow::Next;
        };
        let Some(path) = target.known() else {
            self.trace.sources.push((site, None));
            self.state.status = None;
            if self.is_harmless(target) {
                return Flow::Next;
            }
            self.taint_path(
                site,
                format!("`{}`: the file it reads is not known", first_line(text)),
            );
            return Flow::Next;
        };
        let path = self.resolve_source_path(&path);
        self.trace.sources.push((site, Some(path.clone())));
        if !self.fs.is_file(&path) {
            self.state.status = Some(1);
            return Flow::Next;
        }
        if self.source_init_script(&path, site) {
            return Flow::Next;
        }
        if self.depth >= MAX_DEPTH {
            self.state.status = None;
            self.taint_path(
                site,
                format!("`source` nests too deep at {}", self.describe_site(site)),
            );
            return Flow::Next;
        }
        let extra = (args.len() > 1).then(|| args[1..].to_vec());
        self.state.status = Some(0);
        let flow = self.run_posix_file(&path, Some(site), extra);
        if flow == Flow::Exit {
            return flow;
        }
        Flow::Next
    }

    /// bash and zsh look for a `source` argument without a slash on `PATH` first.
    fn resolve_source_path(&self, path: &str) -> String {
        if path.starts_with('/') {
            return normalize(path);
        }
        if !path.contains('/') {
            for entry in self.path_items() {
                if let Some(dir) = entry.known().filter(|d| d.starts_with('/')) {
                    let candidate = format!("{}/{path}", dir.trim_end_matches('/'));
                    if self.fs.is_file(&candidate) {
                        return candidate;
                    }
                }
            }
        }
        normalize(&format!("{}/{path}", self.home()))
    }

    fn eval_command(&mut self, args: &[Value], site: u32, text: &str) -> Flow {
        let joined = Value::join(args, " ");
        self.eval_value(joined, site, text)
    }

    /// Runs a value as code: a conda hook's output by its model, known text by parsing it.
    pub(crate) fn eval_value(&mut self, code: Value, site: u32, text: &str) -> Flow {
        if let Some(hook) = code.as_hook() {
            self.apply_hook(hook, site);
            return Flow::Next;
        }
        let Some(code) = code.known() else {
            self.state.status = None;
            if self.is_harmless(&code) {
                return Flow::Next;
            }
            self.taint_path(
                site,
                format!("`{}`: the code it runs is not known", first_line(text)),
            );
            return Flow::Next;
        };
        if self.depth >= MAX_DEPTH {
            self.taint_path(site, "`eval` nests too deep".to_string());
            return Flow::Next;
        }
        let source = self.parse_text(&code, self.syntax(), "eval");
        let saved = self.site_override.replace(site);
        self.sources_in_use.push(Rc::clone(&source));
        self.depth += 1;
        self.state.status = Some(0);
        let flow = match &source.tree {
            Some(tree) => self.block(&source, tree.root_node()),
            None => Flow::Next,
        };
        self.depth -= 1;
        self.site_override = saved;
        flow
    }

    /// The expanded elements of `(…)`.
    fn array_items(&mut self, src: &Source, array: Node, site: u32) -> Vec<Value> {
        let mut cursor = array.walk();
        let elements: Vec<Node> = array
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        let mut items = Vec::new();
        for element in elements {
            let words = self.expand_fields(src.node_text(element), Expand::ARGUMENT, site);
            items.extend(words.fields);
        }
        items
    }

    /// `NAME=value`, `NAME+=value`, `NAME=(…)` from a tree node.
    fn assignment_node(&mut self, src: &Source, node: Node, site: u32, local: Option<&Declare>) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let mut name = src.node_text(name_node).to_string();
        if let Some(bracket) = name.find('[') {
            // `arr[1]=x`: the element is not modelled.
            let base = name[..bracket].to_string();
            // zsh `path[1,0]=(…)`: inserts the elements before the first one.
            let array = node
                .child_by_field_name("value")
                .filter(|value| value.kind() == "array");
            if let (true, Some(array)) = (self.is_zsh() && name == "path[1,0]", array) {
                let mut items = self.array_items(src, array, site);
                items.extend(
                    self.posix_var("path")
                        .map(|var| var.items)
                        .unwrap_or_default(),
                );
                self.assign("path", Assigned::List(items), false, site, local);
                return;
            }
            if base == "PATH" || base == "path" {
                self.taint_path(
                    site,
                    format!("`{}`: an indexed PATH assignment", src.node_text(node)),
                );
                return;
            }
            name = base;
            let value = self.unknown_value(format!("`{name}` after an element assignment"));
            self.assign(&name, Assigned::Scalar(value), false, site, local);
            return;
        }
        let mut append = false;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.kind() == "+=" {
                append = true;
            }
        }
        let value = match node.child_by_field_name("value") {
            Some(value) if value.kind() == "array" => {
                Assigned::List(self.array_items(src, value, site))
            }
            Some(value) => Assigned::Scalar(
                self.expand_fields(src.node_text(value), Expand::ASSIGNMENT, site)
                    .fields
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
            ),
            None => Assigned::Scalar(Value::default()),
        };
        self.assign(&name, value, append, site, local);
    }

    /// `export`, `declare`, `typeset`, `local`, `readonly` and their arguments.
    fn declaration(&mut self, src: &Source, keyword: &str, args: &[Node], site: u32) {
        let mut declare = Declare {
            keyword: keyword.to_string(),
            flags: String::new(),
            unflags: String::new(),
        };
        self.subst_status = None;
        for arg in args {
            if !arg.is_named() || arg.kind() == "comment" {
                continue;
            }
            if arg.kind() == "variable_assignment" {
                self.assignment_node(src, *arg, site, Some(&declare));
                continue;
            }
            let text = src.node_text(*arg).to_string();
            if let Some(flags) = text.strip_prefix('-') {
                declare.flags.push_str(flags);
                continue;
            }
            if let Some(flags) = text.strip_prefix('+') {
                declare.unflags.push_str(flags);
                continue;
            }
            // `NAME=value` spelled as a word (zsh's grammar, `\export`).
            if let Some((name, value)) = split_assignment(&text) {
                let (name, append) = match name.strip_suffix('+') {
                    Some(name) => (name.to_string(), true),
                    None => (name.to_string(), false),
                };
                let assigned = if value.starts_with('(') && value.ends_with(')') {
                    let inner = &value[1..value.len() - 1];
                    let mut items = Vec::new();
                    for word in split_words(inner) {
                        items.extend(self.expand_fields(&word, Expand::ARGUMENT, site).fields);
                    }
                    Assigned::List(items)
                } else {
                    Assigned::Scalar(
                        self.expand_fields(value, Expand::ASSIGNMENT, site)
                            .fields
                            .into_iter()
                            .next()
                            .unwrap_or_default(),
                    )
                };
                self.assign(&name, assigned, append, site, Some(&declare));
                continue;
            }
            for field in self.expand_fields(&text, Expand::ARGUMENT, site).fields {
                if let Some(name) = field.known() {
                    self.declare_name(&name, &declare, site);
                }
            }
        }
        self.state.status = self.subst_status.take().unwrap_or(Some(0));
    }

    /// A name without a value: `export PATH`, `typeset -U path`.
    fn declare_name(&mut self, name: &str, declare: &Declare, site: u32) {
        if declare.flags.contains('f') || declare.flags.contains('p') {
            return;
        }
        if self.shell == StartupShell::Zsh
            && declare.flags.contains('U')
            && (name == "path" || name == "PATH")
        {
            self.make_unique(name, site);
        }
        let local = declare.is_local(self.in_function());
        if local {
            self.save_local(name);
            if !self.state.vars.contains_key(name) {
                self.state
                    .vars
                    .insert(name.to_string(), Var::scalar(Value::default()));
            }
        }
        let name = if self.shell == StartupShell::Zsh && name == "path" {
            "PATH"
        } else {
            name
        };
        if let Some(var) = self.state.vars.get_mut(name) {
            if declare.exports() {
                var.exported = true;
            }
            if declare.unexports() {
                var.exported = false;
            }
        } else if declare.exports() {
            // `export NAME` of an unset variable marks it for export once set.
            self.exported_later.insert(name.to_string());
        }
    }

    /// zsh `typeset -U path` / `typeset -U PATH`: duplicates go now and on later assignments
    /// through that name.
    fn make_unique(&mut self, name: &str, site: u32) {
        if name == "path" {
            self.state.unique_array = true;
        } else {
            self.state.unique_scalar = true;
        }
        if self.state.vars.contains_key("PATH") {
            let items = crate::engine::dedupe(self.path_items());
            if items != self.path_items() {
                self.store_path_as_is(items, site);
            }
        }
    }

    fn in_function(&self) -> bool {
        !self.state.scopes.is_empty()
    }

    fn save_local(&mut self, name: &str) {
        let saved = self.state.vars.get(name).cloned();
        if let Some(scope) = self.state.scopes.last_mut() {
            scope.vars.entry(name.to_string()).or_insert(saved);
        }
    }

    /// Assigns a variable (`local` and export flags from a declaration).
    fn assign(
        &mut self,
        name: &str,
        value: Assigned,
        append: bool,
        site: u32,
        declare: Option<&Declare>,
    ) {
        let in_function = self.in_function();
        if let Some(declare) = declare {
            if declare.is_local(in_function) {
                self.save_local(name);
            }
        }
        let zsh = self.shell == StartupShell::Zsh;
        if zsh && (name == "path" || (name == "PATH" && matches!(value, Assigned::List(_)))) {
            let mut items = match value {
                Assigned::List(items) => items,
                Assigned::Scalar(value) => vec![value],
            };
            if append {
                let mut old = self.path_items();
                old.append(&mut items);
                items = old;
            }
            self.store_path_array(items, site);
        } else if name == "PATH" {
            let value = match value {
                Assigned::Scalar(value) => value,
                Assigned::List(items) => items.into_iter().next().unwrap_or_default(),
            };
            let value = if append {
                let mut old = self
                    .posix_var("PATH")
                    .map(|v| v.value())
                    .unwrap_or_default();
                old.append(&value);
                old
            } else {
                value
            };
            if !self.state.vars.contains_key("PATH") {
                // A fresh PATH is exported only when declared so; bash exports an inherited one.
                self.state
                    .vars
                    .insert("PATH".to_string(), Var::scalar(Value::default()));
                if let Some(var) = self.state.vars.get_mut("PATH") {
                    var.exported = false;
                }
            }
            self.store_path(value.split(':'), site);
        } else {
            let existing = self.state.vars.get(name).cloned();
            let exported = existing.as_ref().is_some_and(|v| v.exported)
                || self.exported_later.contains(name)
                || self.state.option("allexport", false);
            let var = match value {
                Assigned::Scalar(value) => {
                    let value = if append {
                        let mut old = existing.as_ref().map(Var::value).unwrap_or_default();
                        old.append(&value);
                        old
                    } else {
                        value
                    };
                    Var {
                        items: vec![value],
                        array: existing.as_ref().is_some_and(|v| v.array) && append,
                        exported,
                        certain: true,
                    }
                }
                Assigned::List(items) => {
                    let items = if append {
                        let mut old = existing.map(|v| v.items).unwrap_or_default();
                        old.extend(items);
                        old
                    } else {
                        items
                    };
                    Var {
                        items,
                        array: true,
                        exported,
                        certain: true,
                    }
                }
            };
            self.state.vars.insert(name.to_string(), var);
        }
        if let Some(declare) = declare {
            let target = if zsh && name == "path" { "PATH" } else { name };
            if let Some(var) = self.state.vars.get_mut(target) {
                if declare.exports() {
                    var.exported = true;
                }
                if declare.unexports() {
                    var.exported = false;
                }
            }
            if zsh && declare.flags.contains('U') && (name == "path" || name == "PATH") {
                self.make_unique(name, site);
            }
        }
    }

    /// A plain scalar assignment (loops, `${x:=…}`, `read`).
    pub(crate) fn assign_scalar(&mut self, name: &str, value: Value, site: u32) {
        if name.is_empty() {
            return;
        }
        self.assign(name, Assigned::Scalar(value), false, site, None);
    }

    fn unset(&mut self, args: &[Value], site: u32) {
        let mut functions = false;
        for arg in args.iter().filter_map(Value::known) {
            match arg.as_str() {
                "-f" => functions = true,
                "-v" => functions = false,
                _ if functions => {
                    self.state.functions.remove(&arg);
                }
                "PATH" | "path" if arg == "PATH" || self.shell == StartupShell::Zsh => {
                    self.store_path(Vec::new(), site);
                    self.state.vars.remove("PATH");
                }
                _ => {
                    // Unsetting a local keeps the saved outer value for the return.
                    self.state.vars.remove(&arg);
                }
            }
        }
        self.state.status = Some(0);
    }

    /// `(( … ))`: `$+commands[x]` (is `x` on `PATH`), else unknown.
    fn arithmetic_command(&mut self, text: &str) -> Option<i32> {
        let inner = text.trim_start_matches("((").trim_end_matches("))").trim();
        let inner = inner.trim_start_matches("${").trim_end_matches('}');
        let inner = inner
            .strip_prefix("$+")
            .or_else(|| inner.strip_prefix('+'))?;
        let name = inner.strip_prefix("commands[")?.strip_suffix(']')?;
        let name = name.trim_matches(['"', '\'']);
        match self.find_on_path(name) {
            Some(Some(_)) => Some(0),
            Some(None) => Some(1),
            None => None,
        }
    }
}

/// What an assignment assigns.
enum Assigned {
    Scalar(Value),
    List(Vec<Value>),
}

/// The keyword and flags of a declaration.
struct Declare {
    keyword: String,
    flags: String,
    unflags: String,
}

impl Declare {
    fn exports(&self) -> bool {
        self.keyword == "export" && !self.flags.contains('n') || self.flags.contains('x')
    }

    fn unexports(&self) -> bool {
        (self.keyword == "export" && self.flags.contains('n')) || self.unflags.contains('x')
    }

    fn is_local(&self, in_function: bool) -> bool {
        match self.keyword.as_str() {
            "local" => in_function,
            "declare" | "typeset" | "integer" | "float" => in_function && !self.flags.contains('g'),
            _ => false,
        }
    }
}

fn flatten_list<'t>(
    node: Node<'t>,
    op: Option<&'static str>,
    out: &mut Vec<(Option<&'static str>, Node<'t>)>,
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
            "&&" => next_op = Some("&&"),
            "||" => next_op = Some("||"),
            _ if child.is_named() && child.kind() != "comment" => {
                flatten_list(child, if first { op } else { next_op }, out);
                first = false;
            }
            _ => {}
        }
    }
}

/// `NAME=value` → (`NAME`, `value`) when the text starts with a name.
fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let at = text.find('=')?;
    let name = &text[..at];
    let bare = name.strip_suffix('+').unwrap_or(name);
    let valid = !bare.is_empty()
        && bare
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name, &text[at + 1..]))
}

/// Splits the inside of `(…)` into words, quotes kept.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => {
                current.push(c);
                escaped = true;
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), _) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Removes `.` and `..` components and doubled slashes from an absolute path.
pub(crate) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

pub(crate) fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    if line.chars().count() > 70 {
        format!("{}…", line.chars().take(70).collect::<String>())
    } else {
        line.to_string()
    }
}
