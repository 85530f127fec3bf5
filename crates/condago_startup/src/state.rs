//! The shell's state while startup files run: variables, functions, the last status. States
//! are cloned at a condition that cannot be decided and joined afterwards.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::value::Value;

/// A variable: a scalar is a list of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Var {
    pub items: Vec<Value>,
    pub array: bool,
    pub exported: bool,
    /// False when it may or may not be set (after a condition that cannot be decided).
    pub certain: bool,
}

impl Var {
    pub(crate) fn scalar(value: Value) -> Var {
        Var {
            items: vec![value],
            array: false,
            exported: false,
            certain: true,
        }
    }

    pub(crate) fn list(items: Vec<Value>) -> Var {
        Var {
            items,
            array: true,
            exported: false,
            certain: true,
        }
    }

    /// The scalar value (bash: the first element of an array).
    pub(crate) fn value(&self) -> Value {
        self.items.first().cloned().unwrap_or_default()
    }
}

/// A function the shell knows.
#[derive(Clone, Debug)]
pub(crate) enum Func {
    /// Defined in a file: its source and the range of its definition.
    Defined(Rc<FuncDef>),
    /// Modelled natively (conda's and mamba's shell functions).
    Native(Native),
    /// Defined differently on paths that cannot be told apart.
    Unknown,
}

impl PartialEq for Func {
    fn eq(&self, other: &Func) -> bool {
        match (self, other) {
            (Func::Defined(a), Func::Defined(b)) => Rc::ptr_eq(a, b),
            (Func::Native(a), Func::Native(b)) => a == b,
            (Func::Unknown, Func::Unknown) => true,
            _ => false,
        }
    }
}

/// A natively modelled function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Native {
    /// `conda` / `mamba` / `micromamba` after a hook: the hook's index.
    CondaTool(u32),
}

/// Where a function was defined.
#[derive(Debug)]
pub(crate) struct FuncDef {
    pub source: Rc<crate::engine::Source>,
    /// The index of the file read that defined it (for sites inside it).
    pub read: usize,
    pub start: usize,
    pub end: usize,
    pub name: String,
    /// Defined by `eval`'d text: sites inside count as the `eval`'s.
    pub site_override: Option<u32>,
}

/// One fish scope: its variables, and whether it starts a function (callers' locals hidden).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Scope {
    pub vars: BTreeMap<String, Option<Var>>,
    pub function: bool,
}

/// Everything that can differ between two paths through the files.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    pub vars: BTreeMap<String, Var>,
    /// fish universal variables.
    pub universal: BTreeMap<String, Var>,
    /// bash/zsh: values to restore when a function returns (`local`); fish: local scopes.
    pub scopes: Vec<Scope>,
    pub functions: BTreeMap<String, Func>,
    /// The last status; `None` when not knowable.
    pub status: Option<i32>,
    pub positional: Vec<Value>,
    /// zsh `typeset -U path`: assignments through `path` drop duplicates.
    pub unique_array: bool,
    /// zsh `typeset -U PATH`: assignments through `PATH` drop duplicates.
    pub unique_scalar: bool,
    /// zsh options that decide which files are read, and word splitting.
    pub options: BTreeMap<String, bool>,
    pub autoloaded: BTreeSet<String>,
    /// Inside a command substitution the model runs: the output so far, and whether some of
    /// it is not known.
    pub capture: Option<(Value, bool)>,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            vars: BTreeMap::new(),
            universal: BTreeMap::new(),
            scopes: Vec::new(),
            functions: BTreeMap::new(),
            status: Some(0),
            positional: Vec::new(),
            unique_array: false,
            unique_scalar: false,
            options: BTreeMap::new(),
            autoloaded: BTreeSet::new(),
            capture: None,
        }
    }

    pub(crate) fn option(&self, name: &str, default: bool) -> bool {
        self.options.get(name).copied().unwrap_or(default)
    }
}

/// Joins two variables that differ: a `PATH` keeps what both agree on; anything else becomes
/// unknown.
pub(crate) fn join_values(a: &[Value], b: &[Value], unknown: Value) -> Vec<Value> {
    // Common prefix and suffix by what is written (origins aside).
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
    let mut out: Vec<Value> = a[..prefix].to_vec();
    if prefix + suffix < a.len() || prefix + suffix < b.len() {
        out.push(unknown);
    }
    out.extend_from_slice(&a[a.len() - suffix..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_common_prefix_and_suffix() {
        let v = |s: &str| Value::text(s);
        let a = vec![v("/x"), v("/usr/bin"), v("/bin")];
        let b = vec![v("/usr/bin"), v("/bin")];
        let joined = join_values(&a, &b, Value::unknown(7));
        assert_eq!(joined, vec![Value::unknown(7), v("/usr/bin"), v("/bin")]);
        let same = join_values(&b, &b, Value::unknown(7));
        assert_eq!(same, b);
    }
}
