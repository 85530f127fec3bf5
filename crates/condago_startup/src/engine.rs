//! The evaluator's machinery shared by the bash/zsh and fish interpreters: files and the
//! sites in them, the trace of what happened, `PATH` updates with provenance, and the
//! forking and joining of states at conditions that cannot be decided.

use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use condago_syntax::tree_sitter::{Node, Tree};
use condago_syntax::Budget;

use crate::fs::Fs;
use crate::state::{join_values, Func, FuncDef, State, Var};
use crate::value::{Chunk, Origin, Value};
use crate::{Inputs, Mode, StartupShell};

/// A parsed file.
#[derive(Debug)]
pub(crate) struct Source {
    /// The path as the shell names it.
    pub path: String,
    pub text: Vec<u8>,
    pub tree: Option<Tree>,
}

impl Source {
    pub(crate) fn node_text(&self, node: Node) -> &str {
        std::str::from_utf8(&self.text[node.byte_range()]).unwrap_or("")
    }

    /// The definition node with exactly this range and kind.
    pub(crate) fn find_node(&self, start: usize, end: usize, kind: &str) -> Option<Node<'_>> {
        let mut node = self.tree.as_ref()?.root_node();
        'down: loop {
            if node.start_byte() == start && node.end_byte() == end && node.kind() == kind {
                return Some(node);
            }
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                if child.start_byte() <= start && end <= child.end_byte() {
                    node = child;
                    continue 'down;
                }
            }
            return None;
        }
    }
}

/// A statement's place: which read of which file, which line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Site {
    pub read: usize,
    pub line: u32,
    /// What ran there when it is not the statement itself (conda's hook, a default).
    pub note: Option<String>,
}

/// One file read during startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// The path as the shell names it.
    pub path: String,
    /// Where it is on this machine (differs with `--root`).
    pub real: PathBuf,
    /// A system file (not under the home directory).
    pub system: bool,
    /// The `source`/`.` that read it (`None` for files the shell reads by itself).
    pub from: Option<Location>,
    /// False when it is read only on some paths through conditions that cannot be decided.
    pub certain: bool,
    /// How deep in `source` chains it is (0 for files the shell reads itself).
    pub depth: usize,
}

/// A line in a file read during startup.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// The index of the read in [`crate::Startup::files`].
    pub read: usize,
}

/// A conda/mamba hook seen during startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hook {
    pub tool: crate::conda::Tool,
    pub exe: String,
    pub base: String,
    pub shell: String,
    /// A tool's init command (`Tool::Init`), whose effect the model knows.
    pub init: Option<condago_linter::model::InitCommand>,
}

/// What happened, for the result.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    pub sites: Vec<Site>,
    pub files: Vec<FileRead>,
    pub unknowns: Vec<String>,
    /// Every change to `PATH`: where, before, after, and whether it happens on every path.
    pub changes: Vec<(u32, Vec<Value>, Vec<Value>, bool)>,
    pub notes: Vec<(Option<u32>, String)>,
    /// Something that may affect `PATH` could not be known.
    pub incomplete: bool,
    /// Variables read while unset: site and name (for fish's conf.d ordering rule).
    pub unset_reads: Vec<(u32, String)>,
    /// Functions called while undefined: site and name.
    pub undefined_calls: Vec<(u32, String)>,
    /// conda/mamba hooks that ran: site, hook, whether base auto-activated.
    pub conda: Vec<(u32, Hook, bool)>,
    /// `source` commands: the site and the path, resolved or not.
    pub sources: Vec<(u32, Option<String>)>,
    pub exited: Option<u32>,
    uncertain: usize,
}

/// How control leaves a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Next,
    Return,
    Exit,
    Break,
    Continue,
}

/// The interpreter's state and tools.
pub(crate) struct Engine<'i> {
    pub inputs: &'i Inputs,
    pub fs: Fs,
    pub shell: StartupShell,
    pub mode: Mode,
    pub state: State,
    pub trace: Trace,
    pub hooks: Vec<Hook>,
    /// The file read statements are running from.
    pub read: usize,
    /// Sites inside `eval`'d text count as the `eval`'s.
    pub site_override: Option<u32>,
    /// States of paths that returned early, per file or function frame.
    frames: Vec<Vec<State>>,
    /// States of paths that left a loop early.
    loops: Vec<Vec<State>>,
    pub depth: usize,
    /// Statements evaluated, against runaway loops.
    pub steps: usize,
    /// The status of the last command substitution (an assignment's status), if any ran.
    pub subst_status: Option<Option<i32>>,
    /// Unknown stretches from tools whose output never changes `PATH`.
    pub harmless: std::collections::HashSet<u32>,
    /// Every source run so far (function definitions keep theirs alive).
    pub sources_in_use: Vec<Rc<Source>>,
    /// `export NAME` before `NAME` is set: set later, it is exported.
    pub exported_later: std::collections::HashSet<String>,
    /// Output redirected away from the captured output (`cmd >/dev/null`).
    pub capture_muted: usize,
    /// bash/zsh aliases defined so far.
    pub aliases: HashMap<String, String>,
    cache: HashMap<String, Option<Rc<Source>>>,
}

/// How deep `source` and function calls may nest.
pub(crate) const MAX_DEPTH: usize = 40;
/// How many statements one startup may evaluate.
pub(crate) const MAX_STEPS: usize = 200_000;

impl<'i> Engine<'i> {
    /// Records a function defined by `node` of the source being run, so later calls run
    /// its body (bash/zsh `f() {…}`, fish `function f … end`).
    pub(crate) fn record_function(&mut self, src: &Source, node: Node, name: String) {
        let Some(source) = self
            .sources_in_use
            .iter()
            .find(|rc| std::ptr::eq(rc.as_ref(), src))
            .cloned()
        else {
            return;
        };
        let def = FuncDef {
            source,
            read: self.read,
            start: node.start_byte(),
            end: node.end_byte(),
            name: name.clone(),
            site_override: self.site_override,
        };
        self.state
            .functions
            .insert(name, Func::Defined(Rc::new(def)));
        self.state.status = Some(0);
    }

    pub(crate) fn new(inputs: &'i Inputs, shell: StartupShell, mode: Mode) -> Engine<'i> {
        let mut trace = Trace::default();
        // Index `TEMPLATE_ACTION`: the text a masked template action stands for.
        trace
            .unknowns
            .push("a chezmoi template action (`{{ … }}`)".to_string());
        Engine {
            inputs,
            fs: Fs::new(inputs),
            shell,
            mode,
            state: State::new(),
            trace,
            hooks: Vec::new(),
            read: 0,
            site_override: None,
            frames: Vec::new(),
            loops: Vec::new(),
            depth: 0,
            steps: 0,
            subst_status: None,
            harmless: Default::default(),
            sources_in_use: Vec::new(),
            exported_later: Default::default(),
            capture_muted: 0,
            aliases: HashMap::new(),
            cache: HashMap::new(),
        }
    }

    pub(crate) fn home(&self) -> String {
        self.inputs.home.display().to_string()
    }

    /// A site for a line of the current file.
    pub(crate) fn site(&mut self, line: u32) -> u32 {
        if let Some(site) = self.site_override {
            return site;
        }
        self.site_with(self.read, line, None)
    }

    pub(crate) fn site_with(&mut self, read: usize, line: u32, note: Option<String>) -> u32 {
        let site = Site { read, line, note };
        if let Some(at) = self.trace.sites.iter().rposition(|s| *s == site) {
            return at as u32;
        }
        self.trace.sites.push(site);
        (self.trace.sites.len() - 1) as u32
    }

    /// A site for a node of the current file.
    pub(crate) fn site_of(&mut self, node: Node) -> u32 {
        self.site(node.start_position().row as u32 + 1)
    }

    pub(crate) fn location(&self, site: u32) -> Option<Location> {
        let site = self.trace.sites.get(site as usize)?;
        let file = self.trace.files.get(site.read)?;
        Some(Location {
            file: file.path.clone(),
            line: site.line as usize,
            read: site.read,
        })
    }

    /// `file:line` for messages.
    pub(crate) fn describe_site(&self, site: u32) -> String {
        match self.location(site) {
            Some(location) => format!("{}:{}", self.short(&location.file), location.line),
            None => "?".to_string(),
        }
    }

    /// A path with the home directory shown as `~`.
    pub(crate) fn short(&self, path: &str) -> String {
        crate::short_path(path, &self.home())
    }

    /// A new unknown stretch, saying why.
    pub(crate) fn unknown(&mut self, why: impl Into<String>) -> u32 {
        // Reasons quote source text: a masked template action shows as `{{…}}`.
        let why = condago_syntax::template::unmask(&why.into());
        if let Some(at) = self.trace.unknowns.iter().position(|u| *u == why) {
            return at as u32;
        }
        self.trace.unknowns.push(why);
        (self.trace.unknowns.len() - 1) as u32
    }

    pub(crate) fn unknown_value(&mut self, why: impl Into<String>) -> Value {
        Value::unknown(self.unknown(why))
    }

    pub(crate) fn note(&mut self, site: Option<u32>, message: impl Into<String>) {
        let message = condago_syntax::template::unmask(&message.into());
        if !self
            .trace
            .notes
            .iter()
            .any(|(s, m)| *s == site && *m == message)
        {
            self.trace.notes.push((site, message));
        }
    }

    /// Something that may change `PATH` cannot be followed: an unknown entry goes in front.
    pub(crate) fn taint_path(&mut self, site: u32, why: String) {
        self.trace.incomplete = true;
        self.note(Some(site), why.clone());
        let id = self.unknown(why);
        let mut items = self.path_items();
        let mut unknown = Value::unknown(id);
        unknown.stamp(Origin::Site(site));
        if items.first() != Some(&unknown) {
            items.insert(0, unknown);
            self.store_path(items, site);
        }
    }

    pub(crate) fn is_uncertain(&self) -> bool {
        self.trace.uncertain > 0
    }

    /// Reads and parses a file (once; later reads reuse the parse).
    pub(crate) fn load(&mut self, path: &str, syntax: condago_syntax::Shell) -> Option<Rc<Source>> {
        let key = format!("{}\0{}", syntax.name(), path);
        if let Some(cached) = self.cache.get(&key) {
            return cached.clone();
        }
        let template = condago_syntax::template::is_template_path(&self.fs.real(path));
        let loaded = self.fs.read(path).map(|text| {
            let text = if template {
                // A chezmoi template: its actions masked, offsets and lines kept.
                condago_syntax::template::mask(&text, syntax).text
            } else {
                text
            };
            let parse = condago_syntax::parse(&text, syntax, &Budget::default());
            Rc::new(Source {
                path: path.to_string(),
                tree: parse.tree,
                text,
            })
        });
        self.cache.insert(key, loaded.clone());
        loaded
    }

    /// Parses text that is not a file (`eval`, a hook's output).
    pub(crate) fn parse_text(
        &self,
        text: &str,
        syntax: condago_syntax::Shell,
        label: &str,
    ) -> Rc<Source> {
        // tree-sitter-fish wants a statement terminator at the end.
        let mut text = text.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let parse = condago_syntax::parse(text.as_bytes(), syntax, &Budget::default());
        Rc::new(Source {
            path: label.to_string(),
            tree: parse.tree,
            text: text.into_bytes(),
        })
    }

    /// Records the start of a file read; returns its index.
    pub(crate) fn begin_read(&mut self, path: &str, from: Option<u32>) -> usize {
        let from = from.and_then(|site| self.location(site));
        let real = self.fs.real(path);
        let system = !real.starts_with(&self.inputs.home);
        let depth = if from.is_some() { self.depth } else { 0 };
        self.trace.files.push(FileRead {
            path: path.to_string(),
            real,
            system,
            from,
            certain: !self.is_uncertain(),
            depth,
        });
        self.trace.files.len() - 1
    }

    /// Runs a file or function body as a frame that `return` leaves.
    pub(crate) fn frame(&mut self, body: impl FnOnce(&mut Self) -> Flow) -> Flow {
        self.frames.push(Vec::new());
        self.depth += 1;
        let flow = body(self);
        self.depth -= 1;
        let returned = self.frames.pop().unwrap_or_default();
        for state in returned {
            let current = std::mem::replace(&mut self.state, State::new());
            self.state = self.join(current, state, None);
        }
        match flow {
            Flow::Return | Flow::Next => Flow::Next,
            other => other,
        }
    }

    /// Runs a loop body repeatedly through `body`, joining paths that left it early.
    pub(crate) fn looped(&mut self, body: impl FnOnce(&mut Self) -> Flow) -> Flow {
        self.loops.push(Vec::new());
        let flow = body(self);
        let left = self.loops.pop().unwrap_or_default();
        for state in left {
            let current = std::mem::replace(&mut self.state, State::new());
            self.state = self.join(current, state, None);
        }
        flow
    }

    /// Runs `a` and `b` on copies of the state (the condition `why` at `site` cannot be
    /// decided) and joins the results.
    pub(crate) fn fork(
        &mut self,
        site: u32,
        why: &str,
        a: impl FnOnce(&mut Self) -> Flow,
        b: impl FnOnce(&mut Self) -> Flow,
    ) -> Flow {
        let saved = self.state.clone();
        self.trace.uncertain += 1;
        let flow_a = a(self);
        let state_a = std::mem::replace(&mut self.state, saved);
        let flow_b = b(self);
        self.trace.uncertain -= 1;
        let state_b = std::mem::replace(&mut self.state, State::new());
        let reason = Some((site, why));
        match (flow_a, flow_b) {
            (x, y) if x == y => {
                self.state = self.join(state_a, state_b, reason);
                x
            }
            (Flow::Next, other) => {
                self.stash(other, state_b, site);
                self.state = state_a;
                Flow::Next
            }
            (other, Flow::Next) => {
                self.stash(other, state_a, site);
                self.state = state_b;
                Flow::Next
            }
            (x, y) => {
                self.stash(y, state_b, site);
                self.state = state_a;
                x
            }
        }
    }

    fn stash(&mut self, flow: Flow, state: State, site: u32) {
        match flow {
            Flow::Return => {
                if let Some(frame) = self.frames.last_mut() {
                    frame.push(state);
                }
            }
            Flow::Break | Flow::Continue => {
                if let Some(left) = self.loops.last_mut() {
                    left.push(state);
                }
            }
            Flow::Exit => {
                self.trace.incomplete = true;
                let at = self.describe_site(site);
                self.note(
                    Some(site),
                    format!("the shell may exit here ({at}); the model follows the path where it does not"),
                );
            }
            Flow::Next => {}
        }
    }

    /// Joins two states after a fork.
    pub(crate) fn join(&mut self, a: State, b: State, reason: Option<(u32, &str)>) -> State {
        if a == b {
            return a;
        }
        let mut out = a.clone();
        let names: std::collections::BTreeSet<String> =
            a.vars.keys().chain(b.vars.keys()).cloned().collect();
        for name in names {
            let joined = self.join_var(&name, a.vars.get(&name), b.vars.get(&name), reason);
            match joined {
                Some(var) => {
                    out.vars.insert(name, var);
                }
                None => {
                    out.vars.remove(&name);
                }
            }
        }
        let names: std::collections::BTreeSet<String> = a
            .universal
            .keys()
            .chain(b.universal.keys())
            .cloned()
            .collect();
        for name in names {
            if let Some(var) = self.join_var(
                &name,
                a.universal.get(&name),
                b.universal.get(&name),
                reason,
            ) {
                out.universal.insert(name, var);
            }
        }
        if a.scopes != b.scopes {
            for (i, scope) in out.scopes.iter_mut().enumerate() {
                let Some(other) = b.scopes.get(i) else {
                    continue;
                };
                let names: std::collections::BTreeSet<String> = scope
                    .vars
                    .keys()
                    .chain(other.vars.keys())
                    .cloned()
                    .collect();
                for name in names {
                    let x = scope.vars.get(&name).cloned().flatten();
                    let y = other.vars.get(&name).cloned().flatten();
                    let joined = self.join_var(&name, x.as_ref(), y.as_ref(), reason);
                    scope.vars.insert(name, joined);
                }
            }
        }
        let names: std::collections::BTreeSet<String> = a
            .functions
            .keys()
            .chain(b.functions.keys())
            .cloned()
            .collect();
        for name in names {
            let same = a.functions.get(&name) == b.functions.get(&name);
            if !same {
                out.functions.insert(name, Func::Unknown);
            }
        }
        if a.status != b.status {
            out.status = None;
        }
        out.unique_array = a.unique_array || b.unique_array;
        out.unique_scalar = a.unique_scalar || b.unique_scalar;
        for (name, value) in &b.options {
            if a.options.get(name) != Some(value) {
                out.options
                    .insert(name.clone(), *value || a.option(name, false));
            }
        }
        out.autoloaded.extend(b.autoloaded.iter().cloned());
        if a.capture != b.capture {
            out.capture = Some((Value::default(), true));
        }
        out
    }

    fn join_var(
        &mut self,
        name: &str,
        a: Option<&Var>,
        b: Option<&Var>,
        reason: Option<(u32, &str)>,
    ) -> Option<Var> {
        match (a, b) {
            (Some(x), Some(y)) if x == y => Some(x.clone()),
            (None, None) => None,
            (x, y) => {
                let template = x.or(y).cloned()?;
                let is_path = self.is_path_name(name);
                let why = match reason {
                    Some((site, why)) => format!("{why} at {}", self.describe_site(site)),
                    None => "paths that leave early".to_string(),
                };
                if is_path {
                    let (xa, ya) = (
                        x.map(|v| self.var_entries(name, v)).unwrap_or_default(),
                        y.map(|v| self.var_entries(name, v)).unwrap_or_default(),
                    );
                    let describe = |entries: &[Value]| {
                        if entries.is_empty() {
                            "nothing".to_string()
                        } else {
                            entries
                                .iter()
                                .map(Value::lossy)
                                .collect::<Vec<_>>()
                                .join(":")
                        }
                    };
                    let (pre, suf) = common_ends(&xa, &ya);
                    let text = format!(
                        "depends on {why}: {} or {}",
                        describe(&xa[pre..xa.len() - suf]),
                        describe(&ya[pre..ya.len() - suf])
                    );
                    let mut unknown = self.unknown_value(text);
                    if let Some((site, _)) = reason {
                        unknown.stamp(Origin::Site(site));
                    }
                    let entries = join_values(&xa, &ya, unknown);
                    let mut var = template;
                    var.certain = x.is_some_and(|v| v.certain) && y.is_some_and(|v| v.certain);
                    var.exported = x.is_some_and(|v| v.exported) || y.is_some_and(|v| v.exported);
                    self.set_var_entries(name, &mut var, entries);
                    Some(var)
                } else {
                    let id = self.unknown(format!("`{name}` depends on {why}"));
                    Some(Var {
                        items: vec![Value::unknown(id)],
                        array: template.array,
                        exported: x.is_some_and(|v| v.exported) || y.is_some_and(|v| v.exported),
                        certain: x.is_some_and(|v| v.certain) && y.is_some_and(|v| v.certain),
                    })
                }
            }
        }
    }

    /// `PATH`, and fish's `fish_user_paths`: variables whose entries are tracked.
    pub(crate) fn is_path_name(&self, name: &str) -> bool {
        match self.shell {
            StartupShell::Fish => matches!(name, "PATH" | "fish_user_paths"),
            _ => name == "PATH",
        }
    }

    fn var_entries(&self, name: &str, var: &Var) -> Vec<Value> {
        match self.shell {
            StartupShell::Fish => var.items.clone(),
            _ if name == "PATH" => var.value().split(':'),
            _ => var.items.clone(),
        }
    }

    fn set_var_entries(&self, name: &str, var: &mut Var, entries: Vec<Value>) {
        match self.shell {
            StartupShell::Fish => var.items = entries,
            _ if name == "PATH" => var.items = vec![Value::join(&entries, ":")],
            _ => var.items = entries,
        }
    }

    /// The current `PATH` entries (empty when unset).
    pub(crate) fn path_items(&self) -> Vec<Value> {
        match self.shell {
            StartupShell::Fish => self
                .state
                .vars
                .get("PATH")
                .map(|v| v.items.clone())
                .unwrap_or_default(),
            _ => match self.state.vars.get("PATH") {
                Some(var) => var.value().split(':'),
                None => Vec::new(),
            },
        }
    }

    /// Replaces `PATH` (as the scalar `PATH`), stamping new text with `site`,
    /// de-duplicating under zsh's `typeset -U PATH`, and recording the change.
    pub(crate) fn store_path(&mut self, items: Vec<Value>, site: u32) {
        let unique = self.state.unique_scalar;
        self.store_path_as(items, site, unique);
    }

    /// Replaces `PATH` through zsh's `path` array (`typeset -U path` applies).
    pub(crate) fn store_path_array(&mut self, items: Vec<Value>, site: u32) {
        let unique = self.state.unique_array;
        self.store_path_as(items, site, unique);
    }

    /// Replaces `PATH` without de-duplicating.
    pub(crate) fn store_path_as_is(&mut self, items: Vec<Value>, site: u32) {
        self.store_path_as(items, site, false);
    }

    fn store_path_as(&mut self, mut items: Vec<Value>, site: u32, unique: bool) {
        for item in &mut items {
            item.stamp(Origin::Site(site));
        }
        if unique {
            items = dedupe(items);
        }
        let before = self.path_items();
        let exported = self.state.vars.get("PATH").is_none_or(|v| v.exported);
        let var = match self.shell {
            StartupShell::Fish => Var {
                items: items.clone(),
                array: true,
                exported,
                certain: true,
            },
            _ => Var {
                items: vec![Value::join(&items, ":")],
                array: false,
                exported,
                certain: true,
            },
        };
        self.state.vars.insert("PATH".to_string(), var);
        let after = self.path_items();
        if before != after {
            let certain = !self.is_uncertain();
            self.trace.changes.push((site, before, after, certain));
        }
    }

    /// Where `name` is found on `PATH`: `Some(Some(path))`, `Some(None)` when no entry has
    /// it, `None` when an unknown entry comes first.
    pub(crate) fn find_on_path(&self, name: &str) -> Option<Option<String>> {
        if condago_syntax::template::has_mask(name) {
            // A template action names the command: which one is not known.
            return None;
        }
        if name.contains('/') {
            return Some(self.fs.is_executable(name).then(|| name.to_string()));
        }
        for entry in self.path_items() {
            let dir = entry.known()?;
            let dir = if dir.is_empty() { ".".to_string() } else { dir };
            let candidate = format!("{}/{name}", dir.trim_end_matches('/'));
            if self.fs.is_executable(&candidate) {
                return Some(Some(candidate));
            }
        }
        Some(None)
    }

    /// Where the trace stands, to undo what a subshell the model ran recorded.
    pub(crate) fn trace_marks(&self) -> [usize; 4] {
        [
            self.trace.changes.len(),
            self.trace.files.len(),
            self.trace.sources.len(),
            self.trace.notes.len(),
        ]
    }

    pub(crate) fn reset_trace(&mut self, marks: [usize; 4]) {
        self.trace.changes.truncate(marks[0]);
        self.trace.files.truncate(marks[1]);
        self.trace.sources.truncate(marks[2]);
        self.trace.notes.truncate(marks[3]);
    }

    /// Counts a statement; false once the budget is spent.
    pub(crate) fn step(&mut self) -> bool {
        self.steps += 1;
        if self.steps == MAX_STEPS {
            self.trace.incomplete = true;
            self.note(
                None,
                "stopped after too many statements (a loop the model cannot bound)",
            );
        }
        self.steps < MAX_STEPS
    }

    /// Why a value is not known: the reason recorded for its first unknown stretch.
    pub(crate) fn value_unknown_reason(&self, value: &Value) -> Option<String> {
        value.0.iter().find_map(|piece| match piece.chunk {
            Chunk::Unknown(id) => self.trace.unknowns.get(id as usize).cloned(),
            _ => None,
        })
    }
}

/// The lengths of the common prefix and suffix of two entry lists.
fn common_ends(a: &[Value], b: &[Value]) -> (usize, usize) {
    let same = |x: &Value, y: &Value| x.chunks() == y.chunks();
    let mut prefix = 0;
    while prefix < a.len() && prefix < b.len() && same(&a[prefix], &b[prefix]) {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < a.len() - prefix
        && suffix < b.len() - prefix
        && same(&a[a.len() - 1 - suffix], &b[b.len() - 1 - suffix])
    {
        suffix += 1;
    }
    (prefix, suffix)
}

/// Keeps the first of equal known entries (zsh `typeset -U`).
pub(crate) fn dedupe(items: Vec<Value>) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|item| match item.known() {
            Some(text) => seen.insert(text),
            None => true,
        })
        .collect()
}
