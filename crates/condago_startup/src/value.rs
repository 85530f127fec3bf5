//! Values as the evaluator sees them: text that is known, stretches that are not, and for
//! every piece the line that put it on `PATH`.

/// Where a `PATH` entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// The environment the shell started with.
    Inherited,
    /// A statement: an index into [`crate::Trace::sites`].
    Site(u32),
}

/// One stretch of a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Chunk {
    Text(String),
    /// Not knowable statically: an index into [`crate::Trace::unknowns`], which says why.
    Unknown(u32),
    /// The output of a conda/mamba `shell.* hook` command: an index into the engine's hooks.
    Hook(u32),
}

/// A chunk and the line that first put it on `PATH` (`None` until it gets there).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Piece {
    pub chunk: Chunk,
    pub origin: Option<Origin>,
}

/// A shell string, made of pieces.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Value(pub Vec<Piece>);

/// The unknown (see [`crate::Trace::unknowns`]) that a masked template action stands for.
pub const TEMPLATE_ACTION: u32 = 0;

impl Value {
    pub fn text(text: impl Into<String>) -> Value {
        let text = text.into();
        if text.is_empty() {
            return Value::default();
        }
        if condago_syntax::template::has_mask(&text) {
            return Value::masked(&text);
        }
        Value(vec![Piece {
            chunk: Chunk::Text(text),
            origin: None,
        }])
    }

    /// Text with masked template actions: each run of mask characters is unknown.
    fn masked(text: &str) -> Value {
        let mut value = Value::default();
        let mut literal = String::new();
        let mut in_action = false;
        for c in text.chars() {
            let mark = condago_syntax::template::has_mask(c.encode_utf8(&mut [0; 4]));
            if mark && !in_action {
                if !literal.is_empty() {
                    value.push_str(&std::mem::take(&mut literal));
                }
                value.push(Piece {
                    chunk: Chunk::Unknown(TEMPLATE_ACTION),
                    origin: None,
                });
            } else if !mark {
                literal.push(c);
            }
            in_action = mark;
        }
        if !literal.is_empty() {
            value.push_str(&literal);
        }
        value
    }

    pub fn unknown(id: u32) -> Value {
        Value(vec![Piece {
            chunk: Chunk::Unknown(id),
            origin: None,
        }])
    }

    pub fn hook(id: u32) -> Value {
        Value(vec![Piece {
            chunk: Chunk::Hook(id),
            origin: None,
        }])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The whole value when it is all known text.
    pub fn known(&self) -> Option<String> {
        let mut out = String::new();
        for piece in &self.0 {
            match &piece.chunk {
                Chunk::Text(text) => out.push_str(text),
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether some part is not known.
    pub fn has_unknown(&self) -> bool {
        self.0
            .iter()
            .any(|piece| !matches!(piece.chunk, Chunk::Text(_)))
    }

    /// The text, with unknown stretches shown as `…`.
    pub fn lossy(&self) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match &piece.chunk {
                Chunk::Text(text) => out.push_str(text),
                _ => out.push('…'),
            }
        }
        out
    }

    pub fn push(&mut self, piece: Piece) {
        if let (Some(last), Chunk::Text(text)) = (self.0.last_mut(), &piece.chunk) {
            if last.origin == piece.origin {
                if let Chunk::Text(previous) = &mut last.chunk {
                    previous.push_str(text);
                    return;
                }
            }
        }
        if matches!(&piece.chunk, Chunk::Text(text) if text.is_empty()) {
            return;
        }
        // One template action is one unknown stretch, however it was lexed.
        let action = Chunk::Unknown(TEMPLATE_ACTION);
        if piece.chunk == action && self.0.last().is_some_and(|last| *last == piece) {
            return;
        }
        self.0.push(piece);
    }

    pub fn push_str(&mut self, text: &str) {
        self.push(Piece {
            chunk: Chunk::Text(text.to_string()),
            origin: None,
        });
    }

    pub fn append(&mut self, other: &Value) {
        for piece in &other.0 {
            self.push(piece.clone());
        }
    }

    /// Joins values with a separator (new text, no origin).
    pub fn join(values: &[Value], separator: &str) -> Value {
        let mut out = Value::default();
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            out.append(value);
        }
        out
    }

    /// Splits on a character that occurs in known text; unknown pieces stay inside the part
    /// they fall in. An empty value gives one empty part.
    pub fn split(&self, separator: char) -> Vec<Value> {
        let mut parts = vec![Value::default()];
        for piece in &self.0 {
            match &piece.chunk {
                Chunk::Text(text) => {
                    let mut first = true;
                    for bit in text.split(separator) {
                        if !first {
                            parts.push(Value::default());
                        }
                        first = false;
                        if let Some(last) = parts.last_mut() {
                            last.push(Piece {
                                chunk: Chunk::Text(bit.to_string()),
                                origin: piece.origin,
                            });
                        }
                    }
                }
                _ => {
                    if let Some(last) = parts.last_mut() {
                        last.push(piece.clone());
                    }
                }
            }
        }
        parts
    }

    /// Gives every piece that has no origin yet this one.
    pub fn stamp(&mut self, origin: Origin) {
        for piece in &mut self.0 {
            if piece.origin.is_none() {
                piece.origin = Some(origin);
            }
        }
    }

    /// The same text without origins (for comparing what is written, not where).
    pub fn chunks(&self) -> Vec<&Chunk> {
        self.0.iter().map(|piece| &piece.chunk).collect()
    }

    /// The latest origin among the pieces.
    pub fn origin(&self) -> Option<Origin> {
        self.0.iter().filter_map(|piece| piece.origin).max()
    }

    /// The only piece is a hook's output.
    pub fn as_hook(&self) -> Option<u32> {
        match self.0.as_slice() {
            [Piece {
                chunk: Chunk::Hook(id),
                ..
            }] => Some(*id),
            _ => None,
        }
    }

    /// Removes a trailing run of newlines from known text at the end (command substitution).
    pub fn trim_trailing_newlines(&mut self) {
        while let Some(last) = self.0.last_mut() {
            if let Chunk::Text(text) = &mut last.chunk {
                let trimmed = text.trim_end_matches('\n').len();
                text.truncate(trimmed);
                if text.is_empty() {
                    self.0.pop();
                    continue;
                }
            }
            break;
        }
    }
}

/// Three-valued truth: known true, known false, or not knowable.
pub type Tri = Option<bool>;

pub fn tri_not(value: Tri) -> Tri {
    value.map(|b| !b)
}

pub fn tri_and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

pub fn tri_or(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Shell glob matching (`*`, `?`, `[...]`, backslash escapes, zsh's numeric ranges
/// `<1-9>`, `<->`) of a whole string. Groups and zsh's extended operators are not read:
/// [`glob_match_value`] says "unknown" for patterns that hold them.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    glob_at(&pattern, &text)
}

fn glob_at(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star_p, mut star_t) = (None, 0);
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                '*' => {
                    star_p = Some(p);
                    star_t = t;
                    p += 1;
                    continue;
                }
                '?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                '<' => {
                    if let Some((range, length)) = numeric_range(&pattern[p..]) {
                        // The longest run of digits first, as zsh does, then shorter ones.
                        let digits = text[t..].iter().take_while(|c| c.is_ascii_digit()).count();
                        let matched = (1..=digits).rev().any(|n| {
                            let number: String = text[t..t + n].iter().collect();
                            range.contains(&number)
                                && glob_at(&pattern[p + length..], &text[t + n..])
                        });
                        if matched {
                            return true;
                        }
                    } else if text[t] == '<' {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                '[' => {
                    if let Some((matched, next)) = class(&pattern[p..], text[t]) {
                        if matched {
                            p += next;
                            t += 1;
                            continue;
                        }
                    } else if text[t] == '[' {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                '\\' if p + 1 < pattern.len() => {
                    if pattern[p + 1] == text[t] {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if c == text[t] {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match star_p {
            Some(sp) => {
                p = sp + 1;
                star_t += 1;
                t = star_t;
            }
            None => return false,
        }
    }
    while p < pattern.len() && pattern[p] == '*' {
        p += 1;
    }
    p == pattern.len()
}

/// zsh's numeric range `<from-to>` (either bound may be missing) at the start of `pattern`,
/// and its length.
fn numeric_range(pattern: &[char]) -> Option<(NumericRange, usize)> {
    let close = pattern.iter().position(|&c| c == '>')?;
    let inner: String = pattern[1..close].iter().collect();
    let (from, to) = inner.split_once('-')?;
    let bound = |digits: &str| -> Option<Option<u128>> {
        if digits.is_empty() {
            Some(None)
        } else if digits.chars().all(|c| c.is_ascii_digit()) {
            digits.parse().ok().map(Some)
        } else {
            None
        }
    };
    Some((
        NumericRange {
            from: bound(from)?,
            to: bound(to)?,
        },
        close + 1,
    ))
}

struct NumericRange {
    from: Option<u128>,
    to: Option<u128>,
}

impl NumericRange {
    fn contains(&self, digits: &str) -> bool {
        // Numbers too long for u128 are past any bound written in a startup file.
        let number = digits.parse::<u128>().unwrap_or(u128::MAX);
        self.from.is_none_or(|from| number >= from) && self.to.is_none_or(|to| number <= to)
    }
}

/// The positions of the characters of `pattern` that are pattern syntax: not escaped and
/// not inside a bracket expression.
fn active_characters(pattern: &[char]) -> Vec<usize> {
    let mut active = Vec::new();
    let mut escaped = false;
    let mut in_brackets = false;
    for (i, &c) in pattern.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_brackets => in_brackets = true,
            ']' if in_brackets => in_brackets = false,
            _ if !in_brackets => active.push(i),
            _ => {}
        }
    }
    active
}

/// The most alternatives a pattern's groups are expanded into.
const MAX_ALTERNATIVES: usize = 64;

/// zsh's groups `(a|b)` written out: `x(a|b)y` gives `xay` and `xby`. `None` for syntax
/// [`glob_match`] does not read: nested groups, bash's `@(…)`, zsh's `#`, `##`, `^` and
/// `~` operators, or too many alternatives.
fn expand_groups(pattern: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = pattern.chars().collect();
    let active = active_characters(&chars);
    let is = |i: usize, c: char| chars[i] == c && active.binary_search(&i).is_ok();
    if active
        .iter()
        .any(|&i| matches!(chars[i], '#' | '^' | '~') && !(chars[i] == '~' && i == 0))
    {
        return None;
    }
    let Some(open) = (0..chars.len()).find(|&i| is(i, '(')) else {
        return (!active.iter().any(|&i| matches!(chars[i], '|' | ')')))
            .then(|| vec![pattern.to_string()]);
    };
    if open > 0
        && matches!(chars[open - 1], '@' | '!' | '+' | '?' | '*')
        && is(open - 1, chars[open - 1])
    {
        return None;
    }
    let close = (open + 1..chars.len()).find(|&i| is(i, ')'))?;
    if (open + 1..close).any(|i| is(i, '(')) {
        return None;
    }
    let prefix: String = chars[..open].iter().collect();
    let rest: String = chars[close + 1..].iter().collect();
    let mut alternatives = Vec::new();
    let mut start = open + 1;
    for i in open + 1..=close {
        if i == close || is(i, '|') {
            let alternative: String = chars[start..i].iter().collect();
            for tail in expand_groups(&rest)? {
                alternatives.push(format!("{prefix}{alternative}{tail}"));
                if alternatives.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            start = i + 1;
        }
    }
    Some(alternatives)
}

/// A `[...]` class at the start of `pattern`: whether `c` matches and the class's length.
fn class(pattern: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pattern.get(1), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < pattern.len() {
        let ch = pattern[i];
        if ch == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < pattern.len() && pattern[i + 1] == '-' && pattern[i + 2] != ']' {
            if pattern[i] <= c && c <= pattern[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if ch == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

/// Whether a pattern has unescaped glob characters.
pub fn has_glob(pattern: &str) -> bool {
    let mut escaped = false;
    for c in pattern.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// Matches a value that may hold unknown stretches against a pattern: known when the value
/// is known, or when the pattern is `*LITERAL*` and known text holds the literal.
pub fn glob_match_value(pattern: &str, value: &Value) -> Tri {
    let alternatives = expand_groups(pattern)?;
    if alternatives.len() > 1 {
        return alternatives
            .iter()
            .map(|alternative| glob_match_value(alternative, value))
            .fold(Some(false), tri_or);
    }
    if let Some(text) = value.known() {
        return Some(glob_match(pattern, &text));
    }
    if pattern == "*" {
        return Some(true);
    }
    if let Some(inner) = pattern
        .strip_prefix('*')
        .and_then(|rest| rest.strip_suffix('*'))
    {
        if !has_glob(inner) && !inner.is_empty() {
            let literal = inner.replace('\\', "");
            let found = value
                .0
                .iter()
                .any(|piece| matches!(&piece.chunk, Chunk::Text(t) if t.contains(&literal)));
            if found {
                return Some(true);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*i*", "himBH"));
        assert!(!glob_match("*i*", "hBc"));
        assert!(glob_match("*.sh", "bash_completion.sh"));
        assert!(glob_match("[ab]x", "bx"));
        assert!(!glob_match("[!ab]x", "bx"));
        assert!(glob_match("*:/usr/bin:*", ":/a:/usr/bin:/b:"));
        assert!(glob_match("\\*", "*"));
        assert!(glob_match("v<4->.<->*", "v5.9.1"));
        assert!(!glob_match("v<6->.<->*", "v5.9"));
        assert!(glob_match("x<->y", "x123y"));
        assert!(glob_match("<1-12>", "12"));
        assert!(!glob_match("<1-12>", "13"));
        assert!(glob_match("a<b", "a<b"));
        assert_eq!(glob_match_value("(a|b)*", &Value::text("bc")), Some(true));
        assert_eq!(glob_match_value("x(a|b|)", &Value::text("x")), Some(true));
        assert_eq!(
            glob_match_value("(a|b)(c|d)", &Value::text("bd")),
            Some(true)
        );
        assert_eq!(glob_match_value("(a|b)", &Value::text("c")), Some(false));
        assert_eq!(glob_match_value("((a|b)c)", &Value::text("ac")), None);
        assert_eq!(glob_match_value("@(a|b)", &Value::text("a")), None);
        assert_eq!(glob_match_value("x#", &Value::text("xx")), None);
        assert_eq!(glob_match_value("[#^]x", &Value::text("#x")), Some(true));
    }

    #[test]
    fn split_keeps_origins() {
        let mut value = Value::text("/a:/b");
        value.stamp(Origin::Site(3));
        let parts = value.split(':');
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].known().as_deref(), Some("/b"));
        assert_eq!(parts[1].origin(), Some(Origin::Site(3)));
        assert_eq!(Value::default().split(':').len(), 1);
    }
}
