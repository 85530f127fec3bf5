//! fish words: lists, cartesian products, indexing, command substitution, quotes, `~`,
//! braces and globs, from a word's source text.

use crate::engine::Engine;
use crate::state::Var;
use crate::value::{has_glob, Value};

/// A word's expansion: its values, and whether a glob matched nothing.
#[derive(Debug, Default)]
pub(crate) struct FishWords {
    pub values: Vec<Value>,
    pub nomatch: bool,
}

/// One part of a word: the values it can take (a product is formed across parts), and
/// whether glob characters in it are live.
#[derive(Clone, Debug)]
struct Part {
    values: Vec<Value>,
    glob: bool,
}

impl Engine<'_> {
    /// Expands a fish word.
    pub(crate) fn fish_expand(&mut self, text: &str, site: u32) -> FishWords {
        let chars: Vec<char> = text.chars().collect();
        let parts = self.fish_parts(&chars, site);
        // The cartesian product of the parts.
        let mut words: Vec<(Value, String, bool)> = vec![(Value::default(), String::new(), false)];
        for part in parts {
            let mut next = Vec::new();
            for (value, pattern, globbing) in &words {
                for item in &part.values {
                    let mut value = value.clone();
                    value.append(item);
                    let mut pattern = pattern.clone();
                    let text = item.known().unwrap_or_default();
                    if part.glob {
                        pattern.push_str(&text);
                    } else {
                        for c in text.chars() {
                            if matches!(c, '*' | '?' | '[' | '\\') {
                                pattern.push('\\');
                            }
                            pattern.push(c);
                        }
                    }
                    next.push((
                        value,
                        pattern,
                        *globbing || (part.glob && has_fish_glob(&text)),
                    ));
                }
            }
            words = next;
            if words.len() > 1024 {
                let id = self.unknown("a fish expansion of more than 1024 words");
                return FishWords {
                    values: vec![Value::unknown(id)],
                    nomatch: false,
                };
            }
        }
        let mut out = FishWords::default();
        for (value, pattern, globbing) in words {
            if globbing && value.known().is_some() {
                let matches = self.fs.glob(&pattern.replace("**", "*"), true);
                if matches.is_empty() {
                    out.nomatch = true;
                } else {
                    out.values.extend(matches.into_iter().map(Value::text));
                }
            } else {
                out.values.push(value);
            }
        }
        out
    }

    fn fish_parts(&mut self, chars: &[char], site: u32) -> Vec<Part> {
        let mut parts: Vec<Part> = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        let flush = |literal: &mut String, parts: &mut Vec<Part>| {
            if !literal.is_empty() {
                parts.push(Part {
                    values: vec![Value::text(std::mem::take(literal))],
                    glob: true,
                });
            }
        };
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\\' => {
                    flush(&mut literal, &mut parts);
                    let (text, next) = fish_escape(chars, i);
                    parts.push(Part {
                        values: vec![Value::text(text)],
                        glob: false,
                    });
                    i = next;
                }
                '\'' => {
                    flush(&mut literal, &mut parts);
                    let mut text = String::new();
                    let mut j = i + 1;
                    while j < chars.len() && chars[j] != '\'' {
                        if chars[j] == '\\' && matches!(chars.get(j + 1), Some('\'') | Some('\\')) {
                            j += 1;
                        }
                        text.push(chars[j]);
                        j += 1;
                    }
                    parts.push(Part {
                        values: vec![Value::text(text)],
                        glob: false,
                    });
                    i = j + 1;
                }
                '"' => {
                    flush(&mut literal, &mut parts);
                    let (value, next) = self.fish_double_quoted(chars, i + 1, site);
                    parts.push(Part {
                        values: vec![value],
                        glob: false,
                    });
                    i = next;
                }
                '$' if chars.get(i + 1) == Some(&'(') => {
                    flush(&mut literal, &mut parts);
                    let end = close_paren(chars, i + 1);
                    let inner: String = chars[i + 2..end.min(chars.len())].iter().collect();
                    let values = self.fish_substitution(&inner, site);
                    parts.push(Part {
                        values,
                        glob: false,
                    });
                    i = end + 1;
                }
                '(' => {
                    flush(&mut literal, &mut parts);
                    let end = close_paren(chars, i);
                    let inner: String = chars[i + 1..end.min(chars.len())].iter().collect();
                    let values = self.fish_substitution(&inner, site);
                    parts.push(Part {
                        values,
                        glob: false,
                    });
                    i = end + 1;
                }
                '$' => {
                    flush(&mut literal, &mut parts);
                    let (values, next) = self.fish_variable(chars, i, false, site);
                    parts.push(Part {
                        values,
                        glob: false,
                    });
                    i = next;
                }
                '~' if i == 0 => {
                    let end = chars.iter().position(|&c| c == '/').unwrap_or(chars.len());
                    let user: String = chars[1..end].iter().collect();
                    let value = if user.is_empty() {
                        self.fish_var("HOME")
                            .map(|v| Value::join(&v.items, " "))
                            .unwrap_or_default()
                    } else {
                        self.unknown_value(format!("the home directory of `~{user}`"))
                    };
                    parts.push(Part {
                        values: vec![value],
                        glob: false,
                    });
                    i = end;
                }
                '{' => {
                    let Some(end) = crate::posix::words::matching(chars, i, '{', '}') else {
                        literal.push(c);
                        i += 1;
                        continue;
                    };
                    let inner: Vec<char> = chars[i + 1..end].to_vec();
                    let alternatives = split_top_commas(&inner);
                    if alternatives.len() < 2 {
                        literal.push(c);
                        i += 1;
                        continue;
                    }
                    flush(&mut literal, &mut parts);
                    let mut values = Vec::new();
                    for alternative in alternatives {
                        let alt: String = alternative.iter().collect();
                        values.extend(self.fish_expand(alt.trim(), site).values);
                    }
                    parts.push(Part {
                        values,
                        glob: false,
                    });
                    i = end + 1;
                }
                _ => {
                    literal.push(c);
                    i += 1;
                }
            }
        }
        flush(&mut literal, &mut parts);
        parts
    }

    fn fish_double_quoted(&mut self, chars: &[char], start: usize, site: u32) -> (Value, usize) {
        let mut value = Value::default();
        let mut i = start;
        while i < chars.len() {
            match chars[i] {
                '"' => return (value, i + 1),
                '\\' => {
                    match chars.get(i + 1) {
                        Some(&next) if matches!(next, '"' | '\\' | '$') => {
                            value.push_str(&next.to_string())
                        }
                        Some('\n') => {}
                        Some(&next) => {
                            value.push_str("\\");
                            value.push_str(&next.to_string());
                        }
                        None => value.push_str("\\"),
                    }
                    i += 2;
                }
                '$' if chars.get(i + 1) == Some(&'(') => {
                    let end = close_paren(chars, i + 1);
                    let inner: String = chars[i + 2..end.min(chars.len())].iter().collect();
                    let values = self.fish_substitution(&inner, site);
                    value.append(&Value::join(&values, "\n"));
                    i = end + 1;
                }
                '$' => {
                    let (values, next) = self.fish_variable(chars, i, true, site);
                    value.append(&Value::join(&values, ""));
                    i = next;
                }
                c => {
                    value.push_str(&c.to_string());
                    i += 1;
                }
            }
        }
        (value, i)
    }

    /// `$name`, `$name[…]`; quoted lists join with a space (`:` for path variables).
    fn fish_variable(
        &mut self,
        chars: &[char],
        start: usize,
        quoted: bool,
        site: u32,
    ) -> (Vec<Value>, usize) {
        let mut end = start + 1;
        if chars.get(end) == Some(&'$') {
            // `$$name`: indirect.
            let mut j = end;
            while j < chars.len()
                && (chars[j] == '$' || chars[j].is_alphanumeric() || chars[j] == '_')
            {
                j += 1;
            }
            let value = self.unknown_value("an indirect fish variable `$$…`");
            return (vec![value], j);
        }
        while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
            end += 1;
        }
        let name: String = chars[start + 1..end].iter().collect();
        if name.is_empty() {
            return (vec![Value::text("$")], start + 1);
        }
        let mut items = match self.fish_var(&name) {
            Some(var) => var.items,
            None => {
                self.trace.unset_reads.push((site, name.clone()));
                Vec::new()
            }
        };
        let mut next = end;
        while chars.get(next) == Some(&'[') {
            let Some(close) = crate::posix::words::matching(chars, next, '[', ']') else {
                break;
            };
            let index: String = chars[next + 1..close].iter().collect();
            items = self.fish_index(&items, &index, site);
            next = close + 1;
        }
        if quoted {
            let separator = if name.ends_with("PATH") { ":" } else { " " };
            (vec![Value::join(&items, separator)], next)
        } else {
            (items, next)
        }
    }

    fn fish_index(&mut self, items: &[Value], index: &str, site: u32) -> Vec<Value> {
        let words = self.fish_expand(index, site).values;
        let mut out = Vec::new();
        let len = items.len() as i64;
        let resolve = |n: i64| if n < 0 { len + n + 1 } else { n };
        for word in words {
            let Some(text) = word.known() else {
                return vec![self.unknown_value(format!("the index `[{index}]`"))];
            };
            for piece in text.split_whitespace() {
                if let Some((a, b)) = piece.split_once("..") {
                    let a = if a.is_empty() {
                        1
                    } else {
                        a.parse::<i64>().unwrap_or(0)
                    };
                    let b = if b.is_empty() {
                        -1
                    } else {
                        b.parse::<i64>().unwrap_or(0)
                    };
                    let (a, b) = (resolve(a), resolve(b));
                    let range: Vec<i64> = if a <= b {
                        (a..=b).collect()
                    } else {
                        (b..=a).rev().collect()
                    };
                    for n in range {
                        if n >= 1 && n <= len {
                            out.push(items[(n - 1) as usize].clone());
                        }
                    }
                } else if let Ok(n) = piece.parse::<i64>() {
                    let n = resolve(n);
                    if n >= 1 && n <= len {
                        out.push(items[(n - 1) as usize].clone());
                    }
                }
            }
        }
        out
    }

    /// A variable as fish sees it: local scopes, then global, then universal.
    pub(crate) fn fish_var(&self, name: &str) -> Option<Var> {
        match name {
            "status" => {
                return Some(Var::list(vec![match self.state.status {
                    Some(status) => Value::text(status.to_string()),
                    None => Value(vec![crate::value::Piece {
                        chunk: crate::value::Chunk::Unknown(u32::MAX),
                        origin: None,
                    }]),
                }]))
            }
            "argv" => return Some(Var::list(self.state.positional.clone())),
            _ => {}
        }
        for scope in self.state.scopes.iter().rev() {
            if let Some(found) = scope.vars.get(name) {
                return found.clone();
            }
            if scope.function {
                break;
            }
        }
        if let Some(var) = self.state.vars.get(name) {
            return Some(var.clone());
        }
        self.state.universal.get(name).cloned()
    }

    /// `(cmd)` / `$(cmd)`: its output split into lines.
    fn fish_substitution(&mut self, inner: &str, site: u32) -> Vec<Value> {
        let saved = self.state.clone();
        let result = self.fish_simple_output(inner, site);
        self.state = saved;
        let (value, status) = match result {
            Some(result) => result,
            None => (self.unknown_output(inner.trim()), None),
        };
        self.subst_status = Some(status);
        if value.as_hook().is_some() || value.has_unknown() {
            return vec![value];
        }
        let mut value = value;
        value.trim_trailing_newlines();
        let text = value.known().unwrap_or_default();
        if text.is_empty() {
            return Vec::new();
        }
        text.split('\n').map(Value::text).collect()
    }

    fn fish_simple_output(&mut self, code: &str, site: u32) -> Option<(Value, Option<i32>)> {
        let source = self.parse_text(code, condago_syntax::Shell::Fish, "(…)");
        let tree = source.tree.as_ref()?;
        let root = tree.root_node();
        if root.has_error() {
            return None;
        }
        let mut cursor = root.walk();
        let statements: Vec<_> = root
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect();
        let [statement] = statements.as_slice() else {
            return None;
        };
        let command = match statement.kind() {
            "command" => *statement,
            "redirected_statement" => {
                let mut cursor = statement.walk();
                let inner = statement
                    .named_children(&mut cursor)
                    .find(|c| c.kind() == "command")?;
                inner
            }
            _ => return None,
        };
        let mut words = Vec::new();
        let mut cursor = command.walk();
        let children: Vec<_> = command
            .named_children(&mut cursor)
            .filter(|c| !c.kind().contains("redirect") && c.kind() != "comment")
            .collect();
        for child in children {
            words.extend(self.fish_expand(source.node_text(child), site).values);
        }
        let name = words.first()?.known()?;
        if name == "status" {
            let sub = words.get(1).and_then(Value::known).unwrap_or_default();
            return match sub.as_str() {
                "current-filename" | "filename" | "-f" => {
                    let file = self.trace.files.get(self.read).map(|f| f.path.clone())?;
                    Some((Value::text(file), Some(0)))
                }
                _ => None,
            };
        }
        if name == "set" && words.len() == 2 {
            let var = words[1].known()?;
            let items = self.fish_var(&var)?.items;
            return Some((Value::join(&items, "\n"), Some(0)));
        }
        if let Some(known) = self.known_output(&words) {
            return Some(known);
        }
        self.not_found_output(&words)
    }
}

fn has_fish_glob(text: &str) -> bool {
    has_glob(text) && (text.contains('*') || text.contains('?'))
}

fn close_paren(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '\'' => {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

fn split_top_commas(chars: &[char]) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(chars[start..i].to_vec());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(chars[start..].to_vec());
    out
}

/// An unquoted backslash escape: the text and the index after it.
fn fish_escape(chars: &[char], at: usize) -> (String, usize) {
    let Some(&next) = chars.get(at + 1) else {
        return ("\\".to_string(), at + 1);
    };
    let text = match next {
        'n' => "\n".to_string(),
        't' => "\t".to_string(),
        'e' => "\u{1b}".to_string(),
        'r' => "\r".to_string(),
        '\n' => String::new(),
        other => other.to_string(),
    };
    (text, at + 2)
}
