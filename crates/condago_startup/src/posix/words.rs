//! bash and zsh words: quotes, parameter and command substitution, tilde, braces, field
//! splitting and globs, from a word's source text.

use crate::engine::Engine;
use crate::state::Var;
use crate::value::{has_glob, Chunk, Piece, Value};
use crate::StartupShell;

/// What expansions apply to a word.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Expand {
    /// Field splitting and empty-field removal (arguments); off for assignments.
    pub split: bool,
    /// Pathname expansion.
    pub glob: bool,
    /// An assignment's value: `~` after `:` expands too.
    pub assignment: bool,
}

impl Expand {
    pub(crate) const ARGUMENT: Expand = Expand {
        split: true,
        glob: true,
        assignment: false,
    };
    pub(crate) const SCALAR: Expand = Expand {
        split: false,
        glob: false,
        assignment: false,
    };
    pub(crate) const ASSIGNMENT: Expand = Expand {
        split: false,
        glob: false,
        assignment: true,
    };
}

/// A word's fields after expansion.
#[derive(Debug, Default)]
pub(crate) struct Words {
    pub fields: Vec<Value>,
    /// zsh: a glob matched nothing (the command is not run).
    pub nomatch: bool,
}

#[derive(Clone, Debug)]
struct Seg {
    value: Value,
    quoted: bool,
    split: bool,
}

/// What a parameter expands to.
enum Expansion {
    Scalar(Value),
    List(Vec<Value>),
}

impl Engine<'_> {
    pub(crate) fn is_zsh(&self) -> bool {
        self.shell == StartupShell::Zsh
    }

    /// Expands a word (its source text) into fields.
    pub(crate) fn expand_fields(&mut self, text: &str, opts: Expand, site: u32) -> Words {
        let mut out = Words::default();
        let alternatives = if opts.split {
            match brace_expand_limited(text) {
                Some(alternatives) => alternatives,
                None => {
                    let id = self.unknown("a brace expansion of more than 256 words");
                    out.fields.push(Value::unknown(id));
                    return out;
                }
            }
        } else {
            vec![text.to_string()]
        };
        for alternative in alternatives {
            let words = self.expand_one(&alternative, opts, site);
            out.nomatch |= words.nomatch;
            out.fields.extend(words.fields);
        }
        out
    }

    /// Expands a word to one value (no splitting, no globs).
    pub(crate) fn expand_scalar(&mut self, text: &str, site: u32) -> Value {
        let words = self.expand_one(text, Expand::SCALAR, site);
        Value::join(&words.fields, " ")
    }

    /// Expands a word used as a pattern: quoted glob characters are escaped. `None` when a
    /// part is not known.
    pub(crate) fn expand_pattern(&mut self, text: &str, site: u32) -> Option<String> {
        let (fields, _) = self.lex(text, Expand::SCALAR, site);
        let mut out = String::new();
        for field in fields {
            for seg in field {
                let known = seg.value.known()?;
                if seg.quoted {
                    for c in known.chars() {
                        // Also what zsh's patterns read: `"<1-9>"`, `"(a|b)"`, `"#"` are text.
                        if matches!(
                            c,
                            '*' | '?'
                                | '['
                                | ']'
                                | '\\'
                                | '<'
                                | '>'
                                | '('
                                | ')'
                                | '|'
                                | '#'
                                | '^'
                                | '~'
                        ) {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                } else {
                    out.push_str(&known);
                }
            }
        }
        Some(out)
    }

    fn expand_one(&mut self, text: &str, opts: Expand, site: u32) -> Words {
        let (fields, qualifier) = self.lex(text, opts, site);
        let mut out = Words::default();
        for field in fields {
            let split = if opts.split {
                self.split_field(field)
            } else {
                vec![field]
            };
            for field in split {
                if opts.glob || qualifier.is_some() {
                    match self.glob_field(&field, qualifier.as_deref()) {
                        Glob::Matches(paths) => {
                            out.fields.extend(paths.into_iter().map(Value::text));
                            continue;
                        }
                        Glob::NoMatch => {
                            out.nomatch = true;
                            continue;
                        }
                        Glob::Empty => continue,
                        Glob::Unknown(why) => {
                            let id = self.unknown(why);
                            out.fields.push(Value::unknown(id));
                            continue;
                        }
                        Glob::Literal => {}
                    }
                }
                let mut value = Value::default();
                for seg in &field {
                    value.append(&seg.value);
                }
                out.fields.push(value);
            }
        }
        out
    }

    /// Splits the parts of a field that came from unquoted expansions on `IFS`; drops the
    /// field when nothing is left and nothing was quoted.
    fn split_field(&mut self, field: Vec<Seg>) -> Vec<Vec<Seg>> {
        let ifs: Vec<char> = match self.state.vars.get("IFS").map(Var::value) {
            Some(value) => value.known().unwrap_or_default().chars().collect(),
            None => vec![' ', '\t', '\n'],
        };
        let mut out: Vec<Vec<Seg>> = Vec::new();
        let mut current: Vec<Seg> = Vec::new();
        let mut keep = false;
        for seg in field {
            let splits = seg.split && (!self.is_zsh() || self.state.option("shwordsplit", false));
            if !splits {
                keep |= seg.quoted || !seg.value.is_empty();
                current.push(seg);
                continue;
            }
            for piece in seg.value.0 {
                match &piece.chunk {
                    Chunk::Text(text) => {
                        let mut word = String::new();
                        for c in text.chars() {
                            if ifs.contains(&c) {
                                if !word.is_empty() {
                                    current.push(seg_text(&word, piece.origin));
                                    word.clear();
                                    keep = true;
                                }
                                if keep {
                                    out.push(std::mem::take(&mut current));
                                    keep = false;
                                }
                            } else {
                                word.push(c);
                            }
                        }
                        if !word.is_empty() {
                            current.push(seg_text(&word, piece.origin));
                            keep = true;
                        }
                    }
                    _ => {
                        current.push(Seg {
                            value: Value(vec![piece.clone()]),
                            quoted: false,
                            split: false,
                        });
                        keep = true;
                    }
                }
            }
        }
        if keep {
            out.push(current);
        }
        out
    }

    fn glob_field(&mut self, field: &[Seg], qualifier: Option<&str>) -> Glob {
        let mut pattern = String::new();
        let mut any_glob = false;
        for seg in field {
            let Some(known) = seg.value.known() else {
                // A stretch that is not known stays as it is (itself unknown, or a hook's
                // output); with a qualifier the whole word is unknown.
                if qualifier.is_some() {
                    return Glob::Unknown("a glob over a value that is not known".to_string());
                }
                return Glob::Literal;
            };
            if seg.quoted {
                for c in known.chars() {
                    if matches!(c, '*' | '?' | '[' | '\\') {
                        pattern.push('\\');
                    }
                    pattern.push(c);
                }
            } else {
                any_glob |= has_glob(&known);
                pattern.push_str(&known);
            }
        }
        if let Some(qualifier) = qualifier {
            return self.qualified_glob(&pattern, qualifier);
        }
        if !any_glob {
            return Glob::Literal;
        }
        let matches = self.fs.glob(&pattern, false);
        if matches.is_empty() {
            if self.is_zsh() && !self.state.option("nullglob", false) {
                return Glob::NoMatch;
            }
            return Glob::Literal;
        }
        Glob::Matches(matches)
    }

    /// zsh glob qualifiers: `(N)`, `(/)`, `(-/)`, `(.)`, `(N-/)` and combinations.
    fn qualified_glob(&mut self, pattern: &str, qualifier: &str) -> Glob {
        if !qualifier
            .chars()
            .all(|c| matches!(c, 'N' | '-' | '/' | '.' | '@'))
        {
            return Glob::Unknown(format!("the zsh glob qualifier `({qualifier})`"));
        }
        let null = qualifier.contains('N');
        let follow = qualifier.contains('-');
        let candidates = if has_glob(pattern) {
            self.fs.glob(pattern, false)
        } else {
            let literal = pattern.replace('\\', "");
            if self.fs.exists(&literal) || self.fs.is_symlink(&literal) {
                vec![literal]
            } else {
                Vec::new()
            }
        };
        let kept: Vec<String> = candidates
            .into_iter()
            .filter(|path| {
                let link = self.fs.is_symlink(path);
                let ok_dir = self.fs.is_dir(path) && (follow || !link);
                let ok_file = self.fs.is_file(path) && (follow || !link);
                (!qualifier.contains('/') || ok_dir)
                    && (!qualifier.contains('.') || ok_file)
                    && (!qualifier.contains('@') || link)
            })
            .collect();
        if kept.is_empty() {
            return if null { Glob::Empty } else { Glob::NoMatch };
        }
        Glob::Matches(kept)
    }

    /// Splits a word into fields of segments (before splitting and globs); the second value
    /// is a zsh glob qualifier at the end of the word.
    fn lex(&mut self, text: &str, opts: Expand, site: u32) -> (Vec<Vec<Seg>>, Option<String>) {
        let chars: Vec<char> = text.chars().collect();
        let mut fields: Vec<Vec<Seg>> = vec![Vec::new()];
        let mut qualifier = None;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\\' => {
                    if let Some(&next) = chars.get(i + 1) {
                        if next != '\n' {
                            push_char(&mut fields, next, true);
                        }
                        i += 2;
                    } else {
                        push_char(&mut fields, '\\', false);
                        i += 1;
                    }
                }
                '\'' => {
                    let end = find_char(&chars, i + 1, '\'').unwrap_or(chars.len());
                    let literal: String = chars[i + 1..end].iter().collect();
                    push_seg(&mut fields, Value::text(literal), true, false);
                    i = end + 1;
                }
                '"' => {
                    i = self.double_quoted(&chars, i + 1, &mut fields, site);
                }
                '$' if chars.get(i + 1) == Some(&'\'') => {
                    let (literal, end) = ansi_c(&chars, i + 2);
                    push_seg(&mut fields, Value::text(literal), true, false);
                    i = end;
                }
                '$' if chars.get(i + 1) == Some(&'"') => {
                    i = self.double_quoted(&chars, i + 2, &mut fields, site);
                }
                '$' | '`' => {
                    let (expansion, end) = self.dollar(&chars, i, false, site);
                    i = end;
                    self.push_expansion(&mut fields, expansion, false);
                }
                '~' if i == 0 || (opts.assignment && matches!(chars[i - 1], ':' | '=')) => {
                    let end = chars[i + 1..]
                        .iter()
                        .position(|&c| c == '/' || (opts.assignment && c == ':'))
                        .map_or(chars.len(), |at| i + 1 + at);
                    let user: String = chars[i + 1..end].iter().collect();
                    let value = match user.as_str() {
                        "" => self
                            .posix_var("HOME")
                            .map(|v| v.value())
                            .unwrap_or_default(),
                        "+" => Value::text(self.home()),
                        _ => self.unknown_value(format!("the home directory of `~{user}`")),
                    };
                    push_seg(&mut fields, value, true, false);
                    i = end;
                }
                '<' | '>' if chars.get(i + 1) == Some(&'(') => {
                    // Process substitution: a path to a command's output.
                    let end = matching(&chars, i + 1, '(', ')').unwrap_or(chars.len());
                    let inner: String = chars[i + 2..end.min(chars.len())].iter().collect();
                    let value = self.unknown_output(&inner);
                    push_seg(&mut fields, value, true, false);
                    i = end + 1;
                }
                '(' if self.is_zsh() && chars.last() == Some(&')') && i > 0 => {
                    let inner: String = chars[i + 1..chars.len() - 1].iter().collect();
                    if inner
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-/.@^*:".contains(c))
                    {
                        qualifier = Some(inner);
                        break;
                    }
                    push_char(&mut fields, c, false);
                    i += 1;
                }
                _ => {
                    push_char(&mut fields, c, false);
                    i += 1;
                }
            }
        }
        (fields, qualifier)
    }

    /// The inside of `"…"` from `start`; returns the index after the closing quote.
    fn double_quoted(
        &mut self,
        chars: &[char],
        start: usize,
        fields: &mut Vec<Vec<Seg>>,
        site: u32,
    ) -> usize {
        let mut i = start;
        // A quoted empty string still makes a field.
        push_seg(fields, Value::default(), true, false);
        while i < chars.len() {
            match chars[i] {
                '"' => return i + 1,
                '\\' => {
                    match chars.get(i + 1) {
                        Some(&next) if matches!(next, '$' | '`' | '"' | '\\') => {
                            push_char(fields, next, true)
                        }
                        Some('\n') => {}
                        Some(&next) => {
                            push_char(fields, '\\', true);
                            push_char(fields, next, true);
                        }
                        None => push_char(fields, '\\', true),
                    }
                    i += 2;
                }
                '$' | '`' => {
                    let (expansion, end) = self.dollar(chars, i, true, site);
                    i = end;
                    self.push_expansion(fields, expansion, true);
                }
                c => {
                    push_char(fields, c, true);
                    i += 1;
                }
            }
        }
        i
    }

    fn push_expansion(&self, fields: &mut Vec<Vec<Seg>>, expansion: Expansion, quoted: bool) {
        match expansion {
            Expansion::Scalar(value) => push_seg(fields, value, quoted, !quoted),
            Expansion::List(items) => {
                if !quoted && !self.is_zsh() {
                    push_seg(fields, Value::join(&items, " "), false, true);
                    return;
                }
                let items: Vec<Value> = if quoted {
                    items
                } else {
                    items.into_iter().filter(|item| !item.is_empty()).collect()
                };
                for (n, item) in items.into_iter().enumerate() {
                    if n > 0 {
                        fields.push(Vec::new());
                    }
                    push_seg(fields, item, quoted || self.is_zsh(), false);
                }
            }
        }
    }

    /// An expansion starting at `chars[start]` (`$…` or a backquote); returns it and the
    /// index after it.
    fn dollar(
        &mut self,
        chars: &[char],
        start: usize,
        quoted: bool,
        site: u32,
    ) -> (Expansion, usize) {
        if chars[start] == '`' {
            let mut end = start + 1;
            let mut inner = String::new();
            while end < chars.len() && chars[end] != '`' {
                if chars[end] == '\\' && end + 1 < chars.len() {
                    end += 1;
                }
                inner.push(chars[end]);
                end += 1;
            }
            let value = self.command_output(&inner, site);
            return (Expansion::Scalar(value), end + 1);
        }
        match chars.get(start + 1) {
            Some('(') if chars.get(start + 2) == Some(&'(') => {
                let end = matching(chars, start + 1, '(', ')').unwrap_or(chars.len());
                let inner: String = chars[start + 3..end.saturating_sub(1).max(start + 3)]
                    .iter()
                    .collect();
                let value = self.arithmetic(&inner);
                (Expansion::Scalar(value), end + 1)
            }
            Some('(') => {
                let end = matching(chars, start + 1, '(', ')').unwrap_or(chars.len());
                let inner: String = chars[start + 2..end.min(chars.len())].iter().collect();
                let value = self.command_output(&inner, site);
                (Expansion::Scalar(value), end + 1)
            }
            Some('{') => {
                let end = matching(chars, start + 1, '{', '}').unwrap_or(chars.len());
                let inner: String = chars[start + 2..end.min(chars.len())].iter().collect();
                (self.param(&inner, quoted, site), end + 1)
            }
            Some(&c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = start + 1;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                {
                    end += 1;
                }
                let name: String = chars[start + 1..end].iter().collect();
                // zsh: `$name[…]` subscripts.
                if self.is_zsh() && chars.get(end) == Some(&'[') {
                    if let Some(close) = matching(chars, end, '[', ']') {
                        let index: String = chars[end + 1..close].iter().collect();
                        return (self.subscripted(&name, &index, quoted, site), close + 1);
                    }
                }
                (self.plain_param(&name, quoted), end)
            }
            Some(&c) if c.is_ascii_digit() || "@*#?-$!_".contains(c) => {
                (self.plain_param(&c.to_string(), quoted), start + 2)
            }
            _ => (Expansion::Scalar(Value::text("$")), start + 1),
        }
    }

    /// `$name`: arrays expand to their elements in zsh, their first element in bash.
    fn plain_param(&mut self, name: &str, quoted: bool) -> Expansion {
        match name {
            "@" => Expansion::List(self.state.positional.clone()),
            "*" => {
                if quoted {
                    Expansion::Scalar(Value::join(&self.state.positional, " "))
                } else {
                    Expansion::List(self.state.positional.clone())
                }
            }
            _ => match self.posix_var(name) {
                Some(var) if var.array && self.is_zsh() => {
                    if quoted {
                        Expansion::Scalar(Value::join(&var.items, " "))
                    } else {
                        Expansion::List(var.items)
                    }
                }
                Some(var) => Expansion::Scalar(var.value()),
                None => Expansion::Scalar(Value::default()),
            },
        }
    }

    fn subscripted(&mut self, name: &str, index: &str, quoted: bool, site: u32) -> Expansion {
        let Some(var) = self.posix_var(name) else {
            return Expansion::Scalar(Value::default());
        };
        match index {
            "@" => Expansion::List(var.items),
            "*" => {
                if quoted {
                    Expansion::Scalar(Value::join(&var.items, " "))
                } else {
                    Expansion::List(var.items)
                }
            }
            _ => {
                let index = self.expand_scalar(index, site).known();
                let number = index.as_deref().and_then(|i| i.trim().parse::<i64>().ok());
                let Some(number) = number else {
                    return Expansion::Scalar(
                        self.unknown_value(format!("the subscript `{name}[…]`")),
                    );
                };
                let len = var.items.len() as i64;
                let at = if self.is_zsh() {
                    if number > 0 {
                        number - 1
                    } else if number < 0 {
                        len + number
                    } else {
                        -1
                    }
                } else if number < 0 {
                    len + number
                } else {
                    number
                };
                let value = if at >= 0 {
                    var.items.get(at as usize).cloned().unwrap_or_default()
                } else {
                    Value::default()
                };
                Expansion::Scalar(value)
            }
        }
    }

    /// The inside of `${…}`.
    fn param(&mut self, inner: &str, quoted: bool, site: u32) -> Expansion {
        let chars: Vec<char> = inner.chars().collect();
        let mut i = 0;
        if self.is_zsh() && chars.first() == Some(&'(') {
            return Expansion::Scalar(
                self.unknown_value(format!("the zsh expansion `${{{inner}}}`")),
            );
        }
        let mut length = false;
        let mut set_test = false;
        match chars.first() {
            Some('#') if chars.len() > 1 && !matches!(chars.get(1), Some('}')) => {
                let rest: String = chars[1..].iter().collect();
                if is_name(&rest) || rest.chars().all(|c| c.is_ascii_digit()) {
                    length = true;
                    i = 1;
                }
            }
            Some('!') => {
                return Expansion::Scalar(
                    self.unknown_value(format!("the indirect expansion `${{{inner}}}`")),
                );
            }
            Some('+') if self.is_zsh() => {
                set_test = true;
                i = 1;
            }
            Some('=') if self.is_zsh() => {
                // `${=name}`: split on whitespace.
                let inner_rest: String = chars[1..].iter().collect();
                return match self.param(&inner_rest, quoted, site) {
                    Expansion::Scalar(value) if !quoted => match value.known() {
                        Some(text) => {
                            Expansion::List(text.split_whitespace().map(Value::text).collect())
                        }
                        None => Expansion::Scalar(value),
                    },
                    other => other,
                };
            }
            Some('~') | Some('^') if self.is_zsh() => i = 1,
            _ => {}
        }
        let name_start = i;
        if i < chars.len() && (chars[i].is_ascii_alphabetic() || chars[i] == '_') {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else if i < chars.len() && chars[i].is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        } else if i < chars.len() && "@*#?-$!0_".contains(chars[i]) {
            i += 1;
        }
        let name: String = chars[name_start..i].iter().collect();
        if name.is_empty() {
            return Expansion::Scalar(self.unknown_value(format!("the expansion `${{{inner}}}`")));
        }
        let mut subscript = None;
        if chars.get(i) == Some(&'[') {
            if let Some(close) = matching(&chars, i, '[', ']') {
                subscript = Some(chars[i + 1..close].iter().collect::<String>());
                i = close + 1;
            }
        }
        let rest: String = chars[i..].iter().collect();
        let var = self.param_var(&name);
        if set_test {
            return Expansion::Scalar(Value::text(if var.is_some() { "1" } else { "0" }));
        }
        let base = match &subscript {
            Some(index) => Some(self.subscripted(&name, index, quoted, site)),
            None if var.is_some() || matches!(name.as_str(), "@" | "*") => {
                Some(self.plain_param(&name, quoted))
            }
            None => None,
        };
        if length {
            let value = match &base {
                Some(Expansion::Scalar(value)) => value.known().map(|t| t.chars().count()),
                Some(Expansion::List(items)) => Some(items.len()),
                None => Some(0),
            };
            return Expansion::Scalar(match value {
                Some(n) => Value::text(n.to_string()),
                None => self.unknown_value(format!("the length `${{{inner}}}`")),
            });
        }
        let certain = var.as_ref().is_none_or(|v| v.certain);
        if rest.is_empty() {
            return base.unwrap_or(Expansion::Scalar(Value::default()));
        }
        let (op, word) = split_operator(&rest);
        let scalar = |base: &Option<Expansion>| match base {
            Some(Expansion::Scalar(value)) => Some(value.clone()),
            Some(Expansion::List(items)) => Some(Value::join(items, " ")),
            None => None,
        };
        let current = scalar(&base);
        match op {
            ":-" | "-" | ":=" | "=" | ":+" | "+" | ":?" | "?" => {
                let colon = op.starts_with(':');
                // Whether the default/alternative applies: unset, or (with `:`) empty.
                let use_word: Option<bool> = match &current {
                    None => Some(true),
                    Some(value) if !certain => {
                        let _ = value;
                        None
                    }
                    Some(value) => {
                        if !colon {
                            Some(false)
                        } else if let Some(text) = value.known() {
                            Some(text.is_empty())
                        } else if value
                            .0
                            .iter()
                            .any(|p| matches!(&p.chunk, Chunk::Text(t) if !t.is_empty()))
                        {
                            Some(false)
                        } else {
                            None
                        }
                    }
                };
                let is_plus = op.ends_with('+');
                let word_value = || word.to_string();
                match use_word {
                    None => Expansion::Scalar(
                        self.unknown_value(format!("`${{{inner}}}` (whether `{name}` is set)")),
                    ),
                    Some(apply) => {
                        let take_word = if is_plus { !apply } else { apply };
                        if take_word {
                            let value = self.expand_word_in_param(&word_value(), site);
                            if op.ends_with('=') && apply {
                                self.assign_scalar(&name, value.clone(), site);
                            }
                            Expansion::Scalar(value)
                        } else if is_plus {
                            Expansion::Scalar(Value::default())
                        } else {
                            base.unwrap_or(Expansion::Scalar(Value::default()))
                        }
                    }
                }
            }
            "#" | "##" | "%" | "%%" => {
                let Some(text) = current.as_ref().and_then(Value::known) else {
                    return Expansion::Scalar(
                        self.unknown_value(format!("`${{{inner}}}` of a value not known")),
                    );
                };
                let Some(pattern) = self.expand_pattern(word, site) else {
                    return Expansion::Scalar(
                        self.unknown_value(format!("`${{{inner}}}` with a pattern not known")),
                    );
                };
                Expansion::Scalar(Value::text(remove_affix(&text, &pattern, op)))
            }
            // zsh `${name:#pattern}`: the elements that do not match the whole pattern.
            ":#" if self.is_zsh() => {
                let Some(pattern) = self.expand_pattern(word, site) else {
                    return Expansion::Scalar(
                        self.unknown_value(format!("`${{{inner}}}` with a pattern not known")),
                    );
                };
                let items = match base {
                    Some(Expansion::List(items)) => items,
                    Some(Expansion::Scalar(value)) => vec![value],
                    None => Vec::new(),
                };
                let mut kept = Vec::new();
                for item in items {
                    let Some(text) = item.known() else {
                        return Expansion::Scalar(
                            self.unknown_value(format!("`${{{inner}}}` of a value not known")),
                        );
                    };
                    if !crate::value::glob_match(&pattern, &text) {
                        kept.push(item);
                    }
                }
                Expansion::List(kept)
            }
            "/" | "//" => {
                let Some(text) = current.as_ref().and_then(Value::known) else {
                    return Expansion::Scalar(
                        self.unknown_value(format!("`${{{inner}}}` of a value not known")),
                    );
                };
                let (pattern, replacement) = split_unescaped(word, '/');
                let pattern = self.expand_pattern(&pattern, site);
                let replacement = self.expand_scalar(&replacement, site).known();
                match (pattern, replacement) {
                    (Some(pattern), Some(replacement)) if !has_glob(&pattern) => {
                        let pattern = pattern.replace('\\', "");
                        let replaced = if pattern.is_empty() {
                            text
                        } else if op == "//" {
                            text.replace(&pattern, &replacement)
                        } else {
                            text.replacen(&pattern, &replacement, 1)
                        };
                        Expansion::Scalar(Value::text(replaced))
                    }
                    _ => Expansion::Scalar(
                        self.unknown_value(format!("the substitution `${{{inner}}}`")),
                    ),
                }
            }
            _ => Expansion::Scalar(self.unknown_value(format!("the expansion `${{{inner}}}`"))),
        }
    }

    /// The word of `${x:-word}`: quotes and expansions, `~` at its start.
    fn expand_word_in_param(&mut self, word: &str, site: u32) -> Value {
        self.expand_scalar(word, site)
    }

    fn param_var(&mut self, name: &str) -> Option<Var> {
        match name {
            "@" | "*" => Some(Var::list(self.state.positional.clone())),
            _ => self.posix_var(name),
        }
    }

    /// A variable as bash or zsh sees it, special parameters included.
    pub(crate) fn posix_var(&self, name: &str) -> Option<Var> {
        if let Ok(n) = name.parse::<usize>() {
            if n == 0 {
                return Some(Var::scalar(Value::text(self.shell.name())));
            }
            return self.state.positional.get(n - 1).cloned().map(Var::scalar);
        }
        match name {
            "-" => Some(Var::scalar(Value::text(self.dash_flags()))),
            "?" => Some(Var::scalar(match self.state.status {
                Some(status) => Value::text(status.to_string()),
                None => Value(vec![Piece {
                    chunk: Chunk::Unknown(u32::MAX),
                    origin: None,
                }]),
            })),
            "#" => Some(Var::scalar(Value::text(
                self.state.positional.len().to_string(),
            ))),
            "$" | "!" | "_" => Some(Var::scalar(Value(vec![Piece {
                chunk: Chunk::Unknown(u32::MAX),
                origin: None,
            }]))),
            "path" if self.is_zsh() => {
                let var = self.state.vars.get("PATH")?;
                let items: Vec<Value> = var.value().split(':').into_iter().collect();
                let mut list = Var::list(items);
                list.exported = false;
                list.certain = var.certain;
                Some(list)
            }
            _ => self.state.vars.get(name).cloned(),
        }
    }

    /// `$-` for the shell and mode.
    pub(crate) fn dash_flags(&self) -> String {
        let interactive = self.mode.interactive();
        let login = self.mode.login();
        match self.shell {
            StartupShell::Zsh => {
                let mut flags = String::from("569X");
                if interactive {
                    flags.push_str("Zi");
                }
                if login {
                    flags.push('l');
                }
                flags
            }
            _ => {
                if interactive {
                    "hiBHc".to_string()
                } else {
                    "hBc".to_string()
                }
            }
        }
    }

    /// `$(( … ))`: plain numbers only.
    fn arithmetic(&mut self, inner: &str) -> Value {
        let trimmed = inner.trim();
        if let Ok(n) = trimmed.parse::<i64>() {
            return Value::text(n.to_string());
        }
        self.unknown_value(format!("the arithmetic `$(({inner}))`"))
    }
}

enum Glob {
    Matches(Vec<String>),
    NoMatch,
    /// A null glob that matched nothing: no field.
    Empty,
    Unknown(String),
    /// Not a glob (or bash's unmatched glob): the word as it is.
    Literal,
}

fn seg_text(text: &str, origin: Option<crate::value::Origin>) -> Seg {
    Seg {
        value: Value(vec![Piece {
            chunk: Chunk::Text(text.to_string()),
            origin,
        }]),
        quoted: false,
        split: false,
    }
}

fn push_char(fields: &mut [Vec<Seg>], c: char, quoted: bool) {
    let mut buffer = [0u8; 4];
    push_seg(
        fields,
        Value::text(c.encode_utf8(&mut buffer).to_string()),
        quoted,
        false,
    );
}

fn push_seg(fields: &mut [Vec<Seg>], value: Value, quoted: bool, split: bool) {
    let Some(field) = fields.last_mut() else {
        return;
    };
    if let Some(last) = field.last_mut() {
        if last.quoted == quoted && last.split == split {
            last.value.append(&value);
            return;
        }
    }
    field.push(Seg {
        value,
        quoted,
        split,
    });
}

fn find_char(chars: &[char], from: usize, target: char) -> Option<usize> {
    chars[from.min(chars.len())..]
        .iter()
        .position(|&c| c == target)
        .map(|at| from + at)
}

/// The index of the bracket closing the one at `open`, skipping quotes and nesting.
pub(crate) fn matching(chars: &[char], open: usize, left: char, right: char) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                i += 2;
                continue;
            }
            '\'' if left != '[' => {
                i = find_char(chars, i + 1, '\'')? + 1;
                continue;
            }
            '"' if left != '[' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' {
                        j += 1;
                    } else if chars[j] == '$' && matches!(chars.get(j + 1), Some('(') | Some('{')) {
                        let (l, r) = if chars[j + 1] == '(' {
                            ('(', ')')
                        } else {
                            ('{', '}')
                        };
                        j = matching(chars, j + 1, l, r)?;
                    }
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            _ if c == left => depth += 1,
            _ if c == right => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn ansi_c(chars: &[char], start: usize) -> (String, usize) {
    let mut out = String::new();
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '\'' => return (out, i + 1),
            '\\' if i + 1 < chars.len() => {
                let next = chars[i + 1];
                out.push(match next {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'e' | 'E' => '\u{1b}',
                    'a' => '\u{7}',
                    other => other,
                });
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    (out, i)
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `:-word` → (`:-`, `word`).
fn split_operator(rest: &str) -> (&str, &str) {
    for op in [
        ":#", ":-", ":=", ":+", ":?", "##", "%%", "//", "-", "=", "+", "?", "#", "%", "/", ":",
    ] {
        if let Some(word) = rest.strip_prefix(op) {
            return (op, word);
        }
    }
    (rest, "")
}

fn split_unescaped(text: &str, separator: char) -> (String, String) {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
        } else if c == separator {
            return (text[..i].to_string(), text[i + 1..].to_string());
        }
    }
    (text.to_string(), String::new())
}

/// `${x#p}`, `${x##p}`, `${x%p}`, `${x%%p}`.
fn remove_affix(text: &str, pattern: &str, op: &str) -> String {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let matches = |candidate: &str| crate::value::glob_match(pattern, candidate);
    match op {
        "#" => boundaries
            .iter()
            .find(|&&at| matches(&text[..at]))
            .map_or(text.to_string(), |&at| text[at..].to_string()),
        "##" => boundaries
            .iter()
            .rev()
            .find(|&&at| matches(&text[..at]))
            .map_or(text.to_string(), |&at| text[at..].to_string()),
        "%" => boundaries
            .iter()
            .rev()
            .find(|&&at| matches(&text[at..]))
            .map_or(text.to_string(), |&at| text[..at].to_string()),
        _ => boundaries
            .iter()
            .find(|&&at| matches(&text[at..]))
            .map_or(text.to_string(), |&at| text[..at].to_string()),
    }
}

/// The most words one brace expansion may produce.
const MAX_BRACE_WORDS: usize = 256;

/// Brace expansion, or `None` when it would produce more than [`MAX_BRACE_WORDS`] words.
pub(crate) fn brace_expand_limited(text: &str) -> Option<Vec<String>> {
    let mut budget = MAX_BRACE_WORDS + 1;
    let words = brace_expand_within(text, &mut budget);
    (budget > 0).then_some(words)
}

/// bash/zsh brace expansion of a word's text (`{a,b}`, `{1..3}`), quotes respected.
#[cfg(test)]
pub(crate) fn brace_expand(text: &str) -> Vec<String> {
    brace_expand_limited(text).unwrap_or_else(|| vec![text.to_string()])
}

fn brace_expand_within(text: &str, budget: &mut usize) -> Vec<String> {
    if *budget == 0 {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '\'' => i = find_char(&chars, i + 1, '\'').map_or(chars.len(), |e| e + 1),
            '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' {
                        j += 1;
                    }
                    j += 1;
                }
                i = j + 1;
            }
            '$' if chars.get(i + 1) == Some(&'{') || chars.get(i + 1) == Some(&'(') => {
                let (l, r) = if chars[i + 1] == '{' {
                    ('{', '}')
                } else {
                    ('(', ')')
                };
                i = matching(&chars, i + 1, l, r).map_or(chars.len(), |e| e + 1);
            }
            '{' => {
                let Some(close) = matching(&chars, i, '{', '}') else {
                    *budget = budget.saturating_sub(1);
                    return vec![text.to_string()];
                };
                let inner: Vec<char> = chars[i + 1..close].to_vec();
                let prefix: String = chars[..i].iter().collect();
                let suffix: String = chars[close + 1..].iter().collect();
                let mut alternatives = Vec::new();
                let mut depth = 0;
                let mut start = 0;
                for (j, &c) in inner.iter().enumerate() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            alternatives.push(inner[start..j].iter().collect::<String>());
                            start = j + 1;
                        }
                        _ => {}
                    }
                }
                if !alternatives.is_empty() {
                    alternatives.push(inner[start..].iter().collect::<String>());
                    let mut out = Vec::new();
                    for alt in alternatives {
                        out.extend(brace_expand_within(
                            &format!("{prefix}{alt}{suffix}"),
                            budget,
                        ));
                        if *budget == 0 {
                            return out;
                        }
                    }
                    return out;
                }
                let inner: String = inner.iter().collect();
                if let Some((a, b)) = inner.split_once("..") {
                    if let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>()) {
                        let range: Vec<i64> = if a <= b {
                            (a..=b).collect()
                        } else {
                            (b..=a).rev().collect()
                        };
                        if range.len() <= MAX_BRACE_WORDS {
                            let mut out = Vec::new();
                            for n in range {
                                out.extend(brace_expand_within(
                                    &format!("{prefix}{n}{suffix}"),
                                    budget,
                                ));
                                if *budget == 0 {
                                    return out;
                                }
                            }
                            return out;
                        }
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    *budget = budget.saturating_sub(1);
    vec![text.to_string()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces() {
        assert_eq!(brace_expand("{s,r}mkx"), vec!["smkx", "rmkx"]);
        assert_eq!(brace_expand("a{1..3}"), vec!["a1", "a2", "a3"]);
        assert_eq!(brace_expand("'{a,b}'"), vec!["'{a,b}'"]);
        assert_eq!(brace_expand("${x}y"), vec!["${x}y"]);
        // 2^20 words would never finish: over the limit there is no expansion.
        assert_eq!(brace_expand_limited(&"{a,b}".repeat(20)), None);
        assert_eq!(
            brace_expand_limited(&"{a,b}".repeat(8)).map(|w| w.len()),
            Some(256)
        );
    }

    #[test]
    fn affixes() {
        assert_eq!(remove_affix("/a/b/c", "*/", "#"), "a/b/c");
        assert_eq!(remove_affix("/a/b/c", "*/", "##"), "c");
        assert_eq!(remove_affix("/a/b/c", "/*", "%"), "/a/b");
        assert_eq!(remove_affix("/a/b/c", "/*", "%%"), "");
    }
}
